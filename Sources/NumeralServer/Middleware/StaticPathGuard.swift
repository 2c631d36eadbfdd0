import Foundation
public import Hummingbird

/// Refuses paths with NUL or other control characters before `FileMiddleware` sees them:
/// the file system cuts a path at NUL, so `/%00` became the public directory itself (a 301).
/// Found by benchmarks/fuzz-server.py.
struct StaticPathGuard: RouterMiddleware {
    typealias Context = NumeralRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        // FileMiddleware decodes percent escapes itself; check the decoded path.
        let path = request.uri.path.removingPercentEncoding ?? request.uri.path
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw APIError.badRequest("invalid_path", "the path contains control characters")
        }
        return try await next(request, context)
    }
}
