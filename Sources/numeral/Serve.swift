import ArgumentParser
import Logging
import NumeralServer

/// `numeral serve`: the HTTP API and web page. All logic is in `NumeralServer`.
struct Serve: AsyncParsableCommand, AppArguments {
    static let configuration = CommandConfiguration(
        abstract: "Serve the reading API (/v1/...) and the web page over HTTP.",
        discussion: "Stops gracefully on SIGTERM or SIGINT: requests in flight finish first.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @Option(help: "Model file (default: $NUMERAL_MODEL, else the model shipped with Numeral).") var model: String?
    @Option(help: "Largest request body, in MiB; bigger ones get 413.") var maxUploadMb = 10
    @Option(help: "Largest image, in pixels, checked before decoding.") var maxPixels = 40_000_000
    @Option(help: "SQLite file that keeps feedback (default: in memory, lost on exit).") var database: String?
    @Option(help: "Model requests handled at once; more get 429.") var maxInFlight = 64
    @Option(help: "Directory with the web page (default: ./Public, else the source checkout's).") var `public`: String?
    @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevelName = "info"
    @Flag(help: "Write logs as JSON lines.") var jsonLogs = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (1...1024).contains(maxUploadMb) else { throw ValidationError("--max-upload-mb must be 1...1024") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive") }
        guard maxInFlight > 0 else { throw ValidationError("--max-in-flight must be positive") }
        guard Logger.Level(rawValue: logLevelName) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    var modelPath: String? { model }
    var maxUploadBytes: Int { maxUploadMb * 1024 * 1024 }
    var databasePath: String? { database }
    var publicDirectory: String? { `public` ?? defaultPublicDirectory() }
    var logLevel: Logger.Level { Logger.Level(rawValue: logLevelName) ?? .info }

    func run() async throws {
        try await runServer(self)
    }
}
