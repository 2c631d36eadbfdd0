import Foundation
public import Logging

/// One JSON object per line on standard error: `{"time":"…","level":"info","label":"numeral",
/// "message":"request","request_id":"…",…}`, for log collectors (Loki, CloudWatch, jq).
///
/// Metadata values are written as strings; nested lists and dictionaries as their description.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    /// `write` receives each finished line, newline included (tests capture it; the server
    /// writes to standard error).
    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"label\":"
        JSONString.appendQuoted(label, to: &line)
        line += ",\"message\":"
        JSONString.appendQuoted(event.message.description, to: &line)
        for key in fields.keys.sorted() {
            line += ","
            JSONString.appendQuoted(key, to: &line)
            line += ":"
            JSONString.appendQuoted(fields[key]!.description, to: &line)
        }
        line += "}\n"
        write(line)
    }

    /// One `write(2)` per line, so lines from different threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { buffer in _ = Foundation.write(2, buffer.baseAddress, buffer.count) }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-25T11:57:03.042Z`.
    ///
    /// Written digit by digit: `String(format:)` cost as much as the rest of the log line on
    /// Linux (`timestampReference` is the old, format-string version the tests compare with).
    static func timestamp(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let milliseconds = Int((seconds - seconds.rounded(.down)) * 1000)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, digits: Int, at offset: Int) {
            var value = value
            for i in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, digits: 4, at: 0)
        put(Int(parts.tm_mon) + 1, digits: 2, at: 5)
        put(Int(parts.tm_mday), digits: 2, at: 8)
        put(Int(parts.tm_hour), digits: 2, at: 11)
        put(Int(parts.tm_min), digits: 2, at: 14)
        put(Int(parts.tm_sec), digits: 2, at: 17)
        put(milliseconds, digits: 3, at: 20)
        for (offset, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] as [(Int, Unicode.Scalar)] {
            bytes[offset] = UInt8(ascii: separator)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func timestampReference(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let milliseconds = Int((seconds - seconds.rounded(.down)) * 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), milliseconds)
    }
}
