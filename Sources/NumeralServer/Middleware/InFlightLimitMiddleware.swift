import Atomics
public import Hummingbird

/// Answers 429 (with `Retry-After: 1`) once `limit` requests are already being handled, so
/// a burst queues in the load balancer instead of in this process's memory.
///
/// Put only in front of the routes that run the model; `/healthz` and `/metrics` must keep
/// answering when the server is saturated.
struct InFlightLimitMiddleware: RouterMiddleware {
    typealias Context = NumeralRequestContext

    let limit: Int
    let metrics: ServerMetrics
    private let current = ManagedAtomic(0)

    init(limit: Int, metrics: ServerMetrics) {
        precondition(limit > 0, "in-flight limit \(limit) must be positive")
        self.limit = limit
        self.metrics = metrics
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = current.wrappingIncrementThenLoad(ordering: .acquiring)
        defer {
            let left = current.wrappingDecrementThenLoad(ordering: .releasing)
            metrics.inFlight.set(Double(max(left, 0)))
        }
        guard now <= limit else {
            metrics.rejected.increment()
            throw APIError.tooManyRequests
        }
        metrics.inFlight.set(Double(now))
        return try await next(request, context)
    }
}
