public import Hummingbird
import NumeralVision

/// A failure the client can act on, answered as `{"error": {"code": "...", "message": "..."}}`.
///
/// Bad input is always one of these (4xx); anything else that escapes a handler is a bug
/// and becomes a 500 in `ErrorMiddleware`.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Equatable {
    public var status: HTTPResponse.Status
    /// Stable, machine-readable: `unreadable_image`, `payload_too_large`, ...
    public var code: String
    /// One sentence for a person: what was wrong and how to fix it.
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON body every error response has.
    public struct Body: Codable, Equatable, Sendable {
        public struct Detail: Codable, Equatable, Sendable {
            public var code: String
            public var message: String
        }
        public var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(
            Body(error: .init(code: code, message: message)), from: request, context: context)
        response.status = status
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    static func unsupportedMediaType(_ contentType: String?, accepted: String) -> APIError {
        APIError(.unsupportedMediaType, code: "unsupported_media_type",
                 message: "Content-Type \(contentType ?? "(none)") is not accepted here; send \(accepted)")
    }

    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large",
                 message: "the request body is over the limit of \(limit) bytes (numeral serve --max-upload-mb)")
    }

    static let tooManyRequests = APIError(
        .tooManyRequests, code: "too_many_requests",
        message: "the server is busy with other requests; retry after a second", headers: [.retryAfter: "1"])

    /// An image the client sent that cannot be used: 400, or 413 / 415 where those say more.
    init(_ error: ImageError) {
        switch error {
        case .empty:
            self.init(.badRequest, code: "empty_image", message: error.description)
        case .unsupportedFormat:
            self.init(.unsupportedMediaType, code: "unsupported_image_format", message: error.description)
        case .tooLarge:
            self.init(.contentTooLarge, code: "image_too_large", message: error.description)
        case .unreadable, .corrupt:
            self.init(.badRequest, code: "unreadable_image", message: error.description)
        }
    }
}
