import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
@testable import NumeralServer
import Numeral

@Suite("GET /healthz, /metrics, /v1/model and errors")
struct InfoRouteTests {
    @Test func healthIsGreen() async throws {
        try await withApp { api in
            let response = try await api.send(.get, "/healthz")
            #expect(response.status == .ok)
            #expect(try response.json(InfoController.Health.self) == .init(status: "ok"))
        }
    }

    @Test func modelDescribesTheShippedModel() async throws {
        try await withApp { api in
            let response = try await api.send(.get, "/v1/model")
            #expect(response.status == .ok)
            let info = try response.json(InfoController.ModelInfo.self)
            #expect(info.parameters > 1000)
            #expect(info.file.hasSuffix(".safetensors"))
            #expect((info.test?.accuracy ?? 0) > 0.9)
            #expect(info.lineModel?.alphabet == "0123456789.,-")
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await withApp { api in
            try await api.send(.get, "/healthz")
            try await api.send(.get, "/no/such/page")
            let response = try await api.send(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(response.text.contains(#"numeral_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
            #expect(response.text.contains(#"numeral_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(response.text.contains("numeral_http_request_duration_seconds_bucket"))
            #expect(response.text.contains("# TYPE numeral_images_read_total counter"))
        }
    }

    @Test func unknownRouteIsAJSONNotFound() async throws {
        try await withApp { api in
            let response = try await api.send(.get, "/v2/read")
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
        }
    }

    @Test func requestIDIsEchoedOrMadeUp() async throws {
        try await withApp { api in
            let given = try await api.send(.get, "/healthz", headers: [.xRequestID: "abc-123"])
            #expect(given.headers[.xRequestID] == "abc-123")
            let hostile = try await api.send(.get, "/healthz", headers: [.xRequestID: "a\"b{}"])
            let made = try #require(hostile.headers[.xRequestID])
            #expect(made != "a\"b{}" && made.count == 36)
        }
    }
}

@Suite("POST /v1/classify")
struct ClassifyRouteTests {
    @Test func mnistDigitsAsJSONBytes() async throws {
        let samples = try mnistSamples()
        try await withApp { api in
            var correct = 0
            for sample in samples {
                let response = try await api.post("/v1/classify", json: ["pixels": sample.pixels])
                #expect(response.status == .ok)
                let output = try response.json(ClassifyController.Output.self)
                #expect(output.probabilities.count == 10)
                #expect(abs(output.probabilities.reduce(0, +) - 1) < 1e-4)
                if output.digit == sample.label { correct += 1 }
            }
            #expect(correct >= 9, "\(correct)/10 MNIST test digits right")
        }
    }

    @Test func unitRangeBareArrayGivesTheSameAnswer() async throws {
        let sample = try mnistSamples()[0]
        try await withApp { api in
            let bytes = try await api.post("/v1/classify", json: ["pixels": sample.pixels]).json(ClassifyController.Output.self)
            let unit = try await api.post("/v1/classify", json: sample.pixels.map { Double($0) / 255 }).json(ClassifyController.Output.self)
            #expect(bytes.digit == unit.digit)
            #expect(abs(bytes.confidence - unit.confidence) < 1e-5)
        }
    }

    /// The hand-written answer parses to what `JSONEncoder` writes of the same value, with
    /// awkward numbers and a model name that needs escapes.
    @Test func answerJSONMatchesTheEncoder() throws {
        var rng = SplitMix64(seed: 3)
        for name in ["cnn3-small", "ensemble(cnn3,cnn3)", "a \"quoted\" \\ name\n\u{1}é"] {
            var p = (0..<10).map { _ in Double(Float.random(in: 0...1, using: &rng)) }
            p[3] = 1e-45; p[4] = 0; p[5] = 1; p[6] = 2.5e-7
            let output = ClassifyController.Output(digit: 7, confidence: p[7], probabilities: p, model: name)
            let written = try JSONSerialization.jsonObject(with: Data(output.json().utf8)) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(output)) as? NSDictionary
            #expect(written != nil && written == encoded, "\(output.json())")
            #expect(try JSONDecoder().decode(ClassifyController.Output.self, from: Data(output.json().utf8)) == output)
        }
    }

    @Test(arguments: ["digit-7.png", "digit-7-paper.png"])
    func pngInEitherPolarity(file: String) async throws {
        let png = try fixture(file)
        try await withApp { api in
            let typed = try await api.post("/v1/classify", contentType: "image/png", body: png)
            #expect(typed.status == .ok)
            #expect(try typed.json(ClassifyController.Output.self).digit == 7)
            // No Content-Type: found from the bytes.
            let sniffed = try await api.send(.post, "/v1/classify", body: png)
            #expect(try sniffed.json(ClassifyController.Output.self).digit == 7)
        }
    }

    @Test(arguments: [
        ("{\"pixels\": [1, 2, 3]}", "invalid_pixels"),
        ("[" + Array(repeating: "300", count: 784).joined(separator: ",") + "]", "invalid_pixels"),
        ("[" + Array(repeating: "-1", count: 784).joined(separator: ",") + "]", "invalid_pixels"),
        ("{\"pixels\": \"no\"}", "invalid_json"),
        ("not json at all", "invalid_json"),
        ("", "invalid_json"),
    ])
    func badJSONIs400(body: String, code: String) async throws {
        try await withApp { api in
            let response = try await api.post("/v1/classify", contentType: "application/json", body: Array(body.utf8))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == code)
        }
    }

    @Test func pngOfTheWrongSizeIs400() async throws {
        let png = try fixture("digit-7.png")
        try await withApp { api in
            // A valid 28x28 PNG with its IHDR width patched to 29 is damaged (CRC), so use a real other size:
            let wide = PNGFixtures.gray(width: 30, height: 28)
            let response = try await api.post("/v1/classify", contentType: "image/png", body: wide)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "wrong_size")
            let truncated = try await api.post("/v1/classify", contentType: "image/png", body: Array(png.prefix(60)))
            #expect(truncated.status == .badRequest)
            #expect(truncated.errorCode == "unreadable_image")
            let notPNG = try await api.post("/v1/classify", contentType: "image/png", body: Array("hello".utf8))
            #expect(notPNG.status == .unsupportedMediaType)
        }
    }

    @Test func otherContentTypesAre415() async throws {
        try await withApp { api in
            let response = try await api.post("/v1/classify", contentType: "text/plain", body: Array("7".utf8))
            #expect(response.status == .unsupportedMediaType)
            #expect(response.errorCode == "unsupported_media_type")
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await withApp(testArguments { $0.maxUploadBytes = 1000 }) { api in
            let response = try await api.post("/v1/classify", contentType: "application/json",
                                              body: Array(repeating: UInt8(ascii: " "), count: 5000))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "payload_too_large")
        }
    }

    @Test func pixelBombIs413BeforeDecoding() async throws {
        try await withApp { api in
            let response = try await api.post("/v1/classify", contentType: "image/png",
                                              body: pngHeader(width: 100_000, height: 100_000))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "image_too_large")
        }
    }

    @Test func getIsNotAllowed() async throws {
        try await withApp { api in
            let response = try await api.send(.get, "/v1/classify", checkSpec: false)
            #expect(response.status.code >= 400 && response.status.code < 500)
            #expect(response.errorCode != nil)
        }
    }
}

@Suite("The web page")
struct WebPageTests {
    @Test func indexScriptAndStylesAreServed() async throws {
        let arguments = testArguments { $0.publicDirectory = repositoryRoot.appendingPathComponent("Public").path }
        try await withApp(arguments) { api in
            let index = try await api.send(.get, "/")
            #expect(index.status == .ok)
            #expect(index.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(index.text.contains("<canvas id=\"pad\""))
            #expect(index.text.contains("capture=\"environment\""))
            let script = try await api.send(.get, "/app.js")
            #expect(script.status == .ok && script.text.contains("/v1/read"))
            let style = try await api.send(.get, "/style.css")
            #expect(style.status == .ok)
            // Offline: nothing is loaded from another host.
            for page in [index.text, script.text, style.text] {
                #expect(!page.contains("http://") && !page.contains("https://"))
            }
        }
    }
}

@Suite("Static paths")
struct StaticPathTests {
    @Test(arguments: ["/%00", "/index.html%00.png", "/%0a"])
    func controlCharactersAre400(path: String) async throws {
        let arguments = testArguments { $0.publicDirectory = repositoryRoot.appendingPathComponent("Public").path }
        try await withApp(arguments) { api in
            let response = try await api.send(.get, path, checkSpec: false)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_path")
        }
    }
}

@Suite("buildApplication")
struct BuildApplicationTests {
    /// The path `numeral serve` takes: the model is loaded from --model.
    @Test func loadsTheModelFromItsArguments() async throws {
        let app = try await buildApplication(testArguments { $0.modelPath = SharedModel.file })
        try await app.test(.router) { client in
            let response = try await APIClient(client: client).send(.get, "/v1/model")
            #expect(try response.json(InfoController.ModelInfo.self).file == SharedModel.file)
        }
    }

    @Test func aMissingModelFileIsAnError() async throws {
        await #expect(throws: ModelFileError.self) {
            _ = try await buildApplication(testArguments { $0.modelPath = "/nonexistent/model.safetensors" })
        }
    }
}
