import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Testing
@testable import NumeralServer
import Numeral

@Suite("In-flight limit, errors and logs")
struct MiddlewareTests {
    /// Two requests at once against a limit of one: the second is 429 while the first waits.
    @Test func secondRequestOverTheLimitIs429() async throws {
        let metrics = ServerMetrics()
        let gate = Gate()
        let router = Router(context: NumeralRequestContext.self)
        router.addMiddleware {
            RequestMiddleware(uploadLimit: 1000, metrics: metrics)
            ErrorMiddleware()
        }
        router.group("v1").add(middleware: InFlightLimitMiddleware(limit: 1, metrics: metrics))
            .get("slow") { _, _ in
                await gate.arriveAndWait()
                return "done"
            }
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let first = try await client.executeRequest(uri: "/v1/slow", method: .get, headers: [:], body: nil)
                    #expect(first.status == .ok)
                }
                await gate.waitForArrival()
                let second = try await client.executeRequest(uri: "/v1/slow", method: .get, headers: [:], body: nil)
                #expect(second.status == .tooManyRequests)
                #expect(second.headers[.retryAfter] == "1")
                #expect(String(buffer: second.body).contains("too_many_requests"))
                gate.open()
                try await group.waitForAll()
            }
            // The slot is free again.
            let third = try await client.executeRequest(uri: "/v1/slow", method: .get, headers: [:], body: nil)
            #expect(third.status == .ok)
        }
        #expect(metrics.registry.emitToString().contains("numeral_requests_rejected_total 1"))
    }

    @Test func unexpectedErrorsAre500WithoutDetails() async throws {
        struct Secret: Error {}
        let router = Router(context: NumeralRequestContext.self)
        router.addMiddleware {
            RequestMiddleware(uploadLimit: 1000, metrics: ServerMetrics())
            ErrorMiddleware()
        }
        router.get("boom") { _, _ -> String in throw Secret() }
        try await Application(router: router).test(.router) { client in
            let response = try await client.executeRequest(uri: "/boom", method: .get, headers: [:], body: nil)
            #expect(response.status == .internalServerError)
            let body = try JSONDecoder().decode(APIError.Body.self, from: Data(String(buffer: response.body).utf8))
            #expect(body.error.code == "internal_error")
            #expect(!body.error.message.contains("Secret"))
        }
    }

    @Test func jsonLogLinesParse() throws {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "numeral") { JSONLogHandler(label: $0, write: { line in lines.withLockedValue { $0.append(line) } }) }
        logger[metadataKey: "request_id"] = "r-1"
        logger.info("request", metadata: ["path": "/v1/read", "odd": "quote \" and\nnewline"])
        let line = try #require(lines.withLockedValue { $0.first })
        #expect(line.hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "request" && object["level"] == "info" && object["request_id"] == "r-1")
        #expect(object["odd"] == "quote \" and\nnewline")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }

    @Test func logTimestampsMatchTheFormatStringVersion() {
        var rng = SplitMix64(seed: 7)
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_790_000_000.042),
                     Date(timeIntervalSince1970: 4_102_444_799.999)]
            + (0..<2000).map { _ in Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &rng)) }
        for date in dates {
            #expect(JSONLogHandler.timestamp(date) == JSONLogHandler.timestampReference(date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func recentReadsDropTheOldest() {
        let reads = RecentReads(maxEntries: 2, maxBytes: 100)
        let entry = { (n: Int) in RecentReads.Entry(image: Data(count: n), name: "x", imageType: "image/png", text: "1") }
        let a = reads.remember(entry(10)), b = reads.remember(entry(10)), c = reads.remember(entry(10))
        #expect(reads.entry(for: a) == nil && reads.entry(for: b) != nil && reads.entry(for: c) != nil)
        let big = reads.remember(entry(95))
        #expect(reads.count == 1 && reads.entry(for: big) != nil)
    }
}

/// Lets a test hold a handler until it says go.
final class Gate: Sendable {
    private let state = NIOLockedValueBox<(arrived: Bool, open: Bool)>((false, false))

    func arriveAndWait() async {
        state.withLockedValue { $0.arrived = true }
        while !state.withLockedValue({ $0.open }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func waitForArrival() async {
        while !state.withLockedValue({ $0.arrived }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func open() { state.withLockedValue { $0.open = true } }
}
