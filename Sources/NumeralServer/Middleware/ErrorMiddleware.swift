public import Hummingbird
import Logging
import NIOCore

/// Turns every error into the API's JSON error body, so a client never sees Hummingbird's
/// own format or an empty 500.
///
/// `APIError` is answered as it is; Hummingbird's own errors (404 from the router, 413 from
/// `collect(upTo:)`) keep their status and get a code; anything else is a bug: it is logged
/// and answered 500 without details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = NumeralRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, context: context)
            if apiError.status.code >= 500 {
                context.logger.error("unhandled error", metadata: ["error": .string(String(describing: error))])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is NIOTooManyBytesError:
            return .payloadTooLarge(limit: context.maxUploadSize)
        case let error as HTTPError:
            return APIError(error.status, code: code(for: error.status),
                            message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        case let error as any HTTPResponseError:
            return APIError(error.status, code: code(for: error.status), message: error.status.reasonPhrase)
        default:
            return APIError(.internalServerError, code: "internal_error",
                            message: "the server failed on this request; it has been logged with the request id")
        }
    }

    /// `Not Found` → `not_found`.
    static func code(for status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }
}
