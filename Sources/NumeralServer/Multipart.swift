/// A small `multipart/form-data` reader (RFC 7578): enough for browsers' and curl's uploads.
///
/// Works on the whole collected body (already bounded by the upload limit), so there is no
/// streaming state to get wrong; every malformed input is a thrown `MultipartError`.
struct Multipart {
    struct Part: Equatable {
        /// The form field name (`name="..."`).
        var name: String
        /// The uploaded file's name (`filename="..."`), `nil` for plain fields.
        var filename: String?
        var contentType: String?
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum MultipartError: Error, Equatable, CustomStringConvertible {
        case missingBoundary
        case malformed(String)
        case tooManyParts(limit: Int)

        var description: String {
            switch self {
            case .missingBoundary: "multipart/form-data needs a boundary parameter in its Content-Type"
            case let .malformed(what): "the multipart body is malformed: \(what)"
            case let .tooManyParts(limit): "the multipart body has more than \(limit) parts"
            }
        }
    }

    /// The `boundary` parameter of a `multipart/form-data` Content-Type, unquoted.
    static func boundary(fromContentType contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Splits `body` into its parts. The preamble before the first boundary and the epilogue
    /// after the closing one are ignored, as RFC 2046 says.
    static func parse(_ body: [UInt8], boundary: String, maxParts: Int = 64) throws(MultipartError) -> [Part] {
        let dashBoundary = Array("--\(boundary)".utf8)
        let delimiter = Array("\r\n--\(boundary)".utf8)
        // The first boundary may sit at the very start (no CRLF before it).
        var position: Int
        if body.starts(with: dashBoundary) {
            position = dashBoundary.count
        } else if let found = find(delimiter, in: body, from: 0) {
            position = found + delimiter.count
        } else {
            throw .malformed("boundary not found")
        }
        var parts: [Part] = []
        while true {
            // After a boundary: "--" closes the body, CRLF starts a part.
            if body[position...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { return parts }
            // Transport padding (spaces, tabs) may follow a boundary.
            while position < body.count, body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t") { position += 1 }
            guard body[position...].starts(with: crlf) else { throw .malformed("no line break after a boundary") }
            position += 2
            guard !body[position...].starts(with: crlf), let headerEnd = find(crlf + crlf, in: body, from: position) else {
                throw .malformed("a part has no headers, or they do not end")
            }
            let headerBytes = Array(body[position..<headerEnd])
            let contentStart = headerEnd + 4
            guard contentStart <= body.count, let contentEnd = find(delimiter, in: body, from: contentStart) else {
                throw .malformed("a part has no closing boundary")
            }
            guard parts.count < maxParts else { throw .tooManyParts(limit: maxParts) }
            parts.append(try part(headers: headerBytes, body: Array(body[contentStart..<contentEnd])))
            position = contentEnd + delimiter.count
            guard position < body.count else { throw .malformed("the body ends right after a boundary") }
        }
    }

    private static let crlf: [UInt8] = [13, 10]

    private static func part(headers: [UInt8], body: [UInt8]) throws(MultipartError) -> Part {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in String(decoding: headers, as: UTF8.self).split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { throw .malformed("a part header has no colon") }
            let field = pair[0].trimmingSpaces.lowercased()
            let value = pair[1].trimmingSpaces
            switch field {
            case "content-disposition":
                let parameters = dispositionParameters(value)
                name = parameters["name"]
                filename = parameters["filename"]
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
        guard let name else { throw .malformed("a part has no Content-Disposition name") }
        return Part(name: name, filename: filename, contentType: contentType, body: body)
    }

    /// `form-data; name="file"; filename="a;b.png"` → ["name": "file", "filename": "a;b.png"].
    /// Semicolons inside quotes belong to the value.
    static func dispositionParameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped { current.append(character); escaped = false; continue }
            if quoted, character == "\\" { escaped = true; continue }
            if character == "\"" { quoted.toggle(); current.append(character); continue }
            if character == ";", !quoted { pieces.append(current); current = ""; continue }
            current.append(character)
        }
        pieces.append(current)
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard pair.count == 2 else { continue }
            var v = pair[1]
            if v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") { v = String(v.dropFirst().dropLast()) }
            result[pair[0].lowercased()] = v
        }
        return result
    }

    /// First index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count - start >= needle.count else { return nil }
        let first = needle[0]
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
