public import Logging

/// Everything `buildApplication` needs to know, whether it comes from `numeral serve`'s flags
/// or from a plain struct in a test (hummingbird-examples `auth-jwt` does the same).
public protocol AppArguments: Sendable {
    /// Address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    var host: String { get }
    /// TCP port; 0 picks a free one.
    var port: Int { get }
    /// Model file; `nil` means `$NUMERAL_MODEL`, else the model shipped with Numeral.
    var modelPath: String? { get }
    /// Largest request body accepted, in bytes; bigger bodies get 413.
    var maxUploadBytes: Int { get }
    /// Largest image accepted, in pixels (width × height), checked before decoding.
    var maxPixels: Int { get }
    /// SQLite file for feedback; `nil` keeps it in memory (tests only; lost on restart).
    var databasePath: String? { get }
    /// Requests that may run model work at once; the next one gets 429.
    var maxInFlight: Int { get }
    /// Directory with index.html, app.js and style.css; `nil` serves no web page.
    var publicDirectory: String? { get }
    /// Log threshold.
    var logLevel: Logger.Level { get }
    /// `true`: one JSON object per log line; `false`: swift-log's text lines.
    var jsonLogs: Bool { get }
}

extension AppArguments {
    public var maxInFlight: Int { 64 }
    public var publicDirectory: String? { nil }
    public var logLevel: Logger.Level { .info }
    public var jsonLogs: Bool { false }
}

/// A plain `AppArguments`: what tests and other programs use.
public struct ServerArguments: AppArguments {
    public var host = "127.0.0.1"
    public var port = 8080
    public var modelPath: String?
    public var maxUploadBytes = 10 * 1024 * 1024
    public var maxPixels = 40_000_000
    public var databasePath: String?
    public var maxInFlight = 64
    public var publicDirectory: String?
    public var logLevel: Logger.Level = .info
    public var jsonLogs = false

    public init() {}
}
