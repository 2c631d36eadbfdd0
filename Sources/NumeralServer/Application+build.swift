import Foundation
public import Hummingbird
public import Logging
public import Numeral

/// Everything the routes share, built once per application.
public struct ServerServices: Sendable {
    public var model: Model
    public var modelFile: String
    /// Reads each number whole besides digit by digit (see `NumberReader.lineModel`).
    public var lineModel: LineModel?
    /// Reads grey levels: fields whole, page numbers again (see `NumberReader.fieldModel`).
    public var fieldModel: LineModel?
    public var store: FeedbackStore
    public var recentReads: RecentReads
    public var metrics: ServerMetrics

    public init(model: Model, modelFile: String, lineModel: LineModel? = nil, fieldModel: LineModel? = nil, store: FeedbackStore,
                recentReads: RecentReads = RecentReads(), metrics: ServerMetrics = ServerMetrics()) {
        self.model = model; self.modelFile = modelFile; self.lineModel = lineModel; self.fieldModel = fieldModel; self.store = store
        self.recentReads = recentReads; self.metrics = metrics
    }
}

/// Loads the model, opens the feedback database and builds the application `numeral serve`
/// runs and the tests drive in process.
///
/// - Throws: `ModelFileError` for a bad `--model`, GRDB's errors for a bad `--database`.
public func buildApplication(_ arguments: some AppArguments) async throws -> some ApplicationProtocol {
    let modelFile = try DefaultModel.resolve(arguments.modelPath)
    return try await buildApplication(arguments, model: try Model.load(from: modelFile), modelFile: modelFile,
                                      lineModel: try DefaultModel.loadLines(nil), fieldModel: try DefaultModel.loadFields(nil))
}

/// The same, with a model already loaded (tests load the shipped model once for all apps).
public func buildApplication(_ arguments: some AppArguments, model: Model, modelFile: String,
                             lineModel: LineModel? = nil, fieldModel: LineModel? = nil) async throws -> some ApplicationProtocol {
    let logger = makeLogger(arguments)
    let store = try FeedbackStore(path: arguments.databasePath)
    let services = ServerServices(model: model, modelFile: modelFile, lineModel: lineModel, fieldModel: fieldModel, store: store)
    logger.info("model loaded", metadata: [
        "model": .string(model.name), "file": .string(modelFile),
        "parameters": .stringConvertible(model.parameterCount),
    ])
    if arguments.databasePath == nil {
        logger.warning("no --database given: feedback is kept in memory and lost when the server stops")
    }
    return Application(
        router: buildRouter(services, arguments: arguments),
        configuration: .init(address: .hostname(arguments.host, port: arguments.port), serverName: "numeral"),
        logger: logger)
}

/// The routes: `/healthz`, `/metrics`, `/v1/...` and, with a public directory, the web page.
public func buildRouter(_ services: ServerServices, arguments: some AppArguments) -> Router<NumeralRequestContext> {
    let router = Router(context: NumeralRequestContext.self)
    router.addMiddleware {
        RequestMiddleware(uploadLimit: arguments.maxUploadBytes, metrics: services.metrics)
        ErrorMiddleware()
    }
    if let publicDirectory = arguments.publicDirectory {
        router.addMiddleware {
            StaticPathGuard()
            FileMiddleware(publicDirectory, searchForIndexHtml: true)
        }
    }
    InfoController(model: services.model, modelFile: services.modelFile, lineModel: services.lineModel, metrics: services.metrics)
        .addRoutes(to: router)
    // Only the routes that do model or database work count against the in-flight limit.
    let v1 = router.group("v1")
        .add(middleware: InFlightLimitMiddleware(limit: arguments.maxInFlight, metrics: services.metrics))
    ReadController(reader: NumberReader(model: services.model, lineModel: services.lineModel, fieldModel: services.fieldModel,
                                        options: ReadOptions(maxPixels: arguments.maxPixels)),
                   recentReads: services.recentReads, metrics: services.metrics)
        .addRoutes(to: v1)
    ClassifyController(model: services.model, maxPixels: arguments.maxPixels, metrics: services.metrics)
        .addRoutes(to: v1)
    FeedbackController(store: services.store, recentReads: services.recentReads, modelName: services.model.name,
                       maxPixels: arguments.maxPixels, metrics: services.metrics)
        .addRoutes(to: v1)
    return router
}

/// Text lines (swift-log's `StreamLogHandler`) or JSON lines, at `arguments.logLevel`.
func makeLogger(_ arguments: some AppArguments) -> Logger {
    var logger = arguments.jsonLogs
        ? Logger(label: "numeral", factory: { JSONLogHandler(label: $0) })
        : Logger(label: "numeral", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = arguments.logLevel
    return logger
}

/// Where the web page's files are when `--public` is not given: `./Public`, else the
/// `Public` directory of the source checkout this binary was built from.
public func defaultPublicDirectory() -> String? {
    let candidates = [
        FileManager.default.currentDirectoryPath + "/Public",
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Public").path,
    ]
    return candidates.first { FileManager.default.fileExists(atPath: $0 + "/index.html") }
}
