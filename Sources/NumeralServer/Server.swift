public import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the application until SIGTERM or SIGINT, then shuts down gracefully: the listener
/// closes at once, requests already being handled finish (up to `drainSeconds`), idle
/// keep-alive connections are closed.
public func runServer(_ arguments: some AppArguments, drainSeconds: Int = 30) async throws {
    let app = try await buildApplication(arguments)
    var configuration = ServiceGroupConfiguration(
        services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger)
    configuration.maximumGracefulShutdownDuration = .seconds(drainSeconds)
    let group = ServiceGroup(configuration: configuration)
    try await group.run()
}
