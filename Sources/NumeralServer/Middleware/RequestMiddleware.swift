import Foundation
public import Hummingbird
import HTTPTypes
import Logging

/// The outermost middleware: gives every request an id, sets the upload limit on the
/// context, and after the response logs one structured line and counts it in the metrics.
///
/// Errors never pass through here: `ErrorMiddleware`, inside it, turns them into responses,
/// so the status logged and counted is the one the client sees.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = NumeralRequestContext

    let uploadLimit: Int
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = Self.requestID(from: request.headers[.xRequestID])
        context.uploadLimit = uploadLimit
        context.logger[metadataKey: "request_id"] = .string(context.requestID)

        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID

        let duration = ContinuousClock.now - started
        let route = Self.routeLabel(context.endpointPath, status: response.status)
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code,
                              duration: duration)
        let level: Logger.Level = response.status.code >= 500 ? .error : .info
        context.logger.log(level: level, "request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", Double(duration.components.attoseconds) / 1e15
                                           + Double(duration.components.seconds) * 1000)),
        ])
        return response
    }

    /// A client's id is kept when it is short and plain; otherwise a new UUID.
    static func requestID(from header: String?) -> String {
        if let header, (1...64).contains(header.utf8.count),
           header.utf8.allSatisfy({ $0 < 128 && (isalnum(Int32($0)) != 0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")) }) {
            return header
        }
        return UUID().uuidString.lowercased()
    }

    /// The matched route (`/v1/read`), never the raw path, so a scan of random URLs cannot
    /// create new time series.
    /// Hummingbird names the endpoint `NotFound` when no route matched; the web page's
    /// files are served after that, by `FileMiddleware`.
    static func routeLabel(_ endpoint: String?, status: HTTPResponse.Status) -> String {
        if let endpoint, endpoint != "NotFound" { return endpoint }
        return status == .notFound ? "unmatched" : "static"
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-Id")!
}
