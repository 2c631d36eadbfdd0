import Foundation

/// Writing JSON strings by hand, for the two places that skip `JSONEncoder` on every
/// request: the log line (`JSONLogHandler`) and the classify answer.
enum JSONString {
    /// Appends `text` to `line` as a JSON string literal, quotes included.
    static func appendQuoted(_ text: String, to line: inout String) {
        line += "\""
        // Most values need no escape: copy them whole rather than scalar by scalar (the log line
        // was 7.6% of the CPU of a server under classify load).
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            line += text
            line += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line += String(format: "\\u%04x", scalar.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
