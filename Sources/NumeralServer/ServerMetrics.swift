public import Prometheus

/// The server's Prometheus metrics, on a registry of its own (no global `MetricsSystem`
/// bootstrap, so every test app counts separately).
///
/// Names follow Prometheus conventions: `_total` counters, `_seconds` histograms. The
/// uncertain-digit rate is `rate(numeral_uncertain_digits_total[5m]) / rate(numeral_digits_read_total[5m])`.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    let imagesRead: Counter
    let imageErrors: Counter
    let digitsRead: Counter
    let uncertainDigits: Counter
    let digitsPerImage: ValueHistogram
    let classifications: Counter
    let feedbackStored: Counter
    let inFlight: Gauge
    let rejected: Counter

    static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: .init(namespace: "numeral", metricName: name, unitName: "total", helpText: help))
        }
        imagesRead = counter("images_read", "Images decoded and read by POST /v1/read.")
        imageErrors = counter("image_errors", "Images POST /v1/read could not decode (bad, too large or unsupported).")
        digitsRead = counter("digits_read", "Digits recognised in read images.")
        uncertainDigits = counter("uncertain_digits", "Recognised digits whose confidence was under the threshold.")
        classifications = counter("classifications", "28x28 digits classified by POST /v1/classify.")
        feedbackStored = counter("feedback_stored", "Corrections stored by POST /v1/feedback.")
        rejected = counter("requests_rejected", "Requests answered 429 because the in-flight limit was reached.")
        digitsPerImage = registry.makeValueHistogram(
            descriptor: .init(namespace: "numeral", metricName: "digits_per_image", unitName: "", helpText: "Digits found per read image."),
            buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50])
        inFlight = registry.makeGauge(
            descriptor: .init(namespace: "numeral", metricName: "requests_in_flight", unitName: "", helpText: "Model requests being handled now."))
    }

    /// Counts one finished HTTP request and its latency.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(namespace: "numeral", subsystem: "http", metricName: "requests", unitName: "total",
                              helpText: "HTTP requests by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "numeral", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                              helpText: "Time from request head to response, by route and method."),
            labels: [("route", route), ("method", method)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Counts one read image: how many digits and how many of them uncertain.
    func recordRead(digits: Int, uncertain: Int) {
        imagesRead.increment()
        digitsRead.increment(by: Int64(digits))
        uncertainDigits.increment(by: Int64(uncertain))
        digitsPerImage.record(Double(digits))
    }

    /// The text exposition format served at `/metrics`.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
