import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import NumeralServer
import Numeral

@Suite("POST /v1/feedback")
struct FeedbackRouteTests {
    @Test func jsonWithABase64Image() async throws {
        let png = try fixture("digit-7.png")
        try await withApp { api in
            let response = try await api.post("/v1/feedback", json: [
                "text": "7", "image": Data(png).base64EncodedString(), "imageName": "seven.png",
            ])
            #expect(response.status == .created)
            let stored = try response.json(FeedbackController.Output.self)
            #expect(stored.id == 1 && stored.text == "7")
        }
    }

    @Test func dataURLFromTheWebPage() async throws {
        let png = try fixture("digit-7.png")
        try await withApp { api in
            let response = try await api.post("/v1/feedback", json: [
                "text": " 7\n", "image": "data:image/png;base64," + Data(png).base64EncodedString(),
            ])
            #expect(response.status == .created)
            #expect(try response.json(FeedbackController.Output.self).text == "7")
        }
    }

    @Test func multipartWithAFile() async throws {
        var form = MultipartBody()
        form.field("text", "-12.5")
        form.file("image", filename: "minus.png", contentType: "image/png", try fixture("digit-7-paper.png"))
        let body = form.finished
        try await withApp { api in
            let response = try await api.post("/v1/feedback", contentType: MultipartBody.contentType, body: body)
            #expect(response.status == .created)
            #expect(try response.json(FeedbackController.Output.self).text == "-12.5")
        }
    }

    @Test func byTheIDOfARecentRead() async throws {
        let png = try fixture("digit-7.png")
        let reads = RecentReads()
        let id = reads.remember(.init(image: Data(png), name: "seven.png", imageType: "image/png", text: "1"))
        let services = ServerServices(model: try DefaultModelForTests.model, modelFile: "test", store: try FeedbackStore(path: nil),
                                      recentReads: reads)
        let app = Application(router: buildRouter(services, arguments: testArguments()))
        try await app.test(.router) { client in
            let api = APIClient(client: client)
            let response = try await api.post("/v1/feedback", json: ["text": "7", "readId": id])
            #expect(response.status == .created)
            let stored = try response.json(FeedbackController.Output.self)
            #expect(stored.predicted == "1" && stored.readId == id)
            let saved = try #require(try await services.store.latest(limit: 1).first)
            #expect(saved.image == Data(png) && saved.imageName == "seven.png" && saved.predicted == "1")
        }
    }

    @Test func unknownReadIDIs404() async throws {
        try await withApp { api in
            let response = try await api.post("/v1/feedback", json: ["text": "7", "readId": "nope"])
            #expect(response.status == .notFound)
            #expect(response.errorCode == "unknown_read")
        }
    }

    @Test(arguments: [
        (#"{"text": "7"}"#, "missing_image"),
        (#"{"text": "seven", "image": "iVBORw0KGgo="}"#, "invalid_text"),
        (#"{"text": "", "image": "iVBORw0KGgo="}"#, "invalid_text"),
        (#"{"image": "iVBORw0KGgo="}"#, "invalid_json"),
        (#"{"text": "7", "image": "iVBORw0KGgo="}"#, "unreadable_image"),   // a PNG signature and nothing else
        (#"{"text": "7", "image": "aGVsbG8="}"#, "unsupported_image_format"), // "hello"
        (#"{"text": "7", "image": "%%%"}"#, "invalid_image_encoding"),
        ("[1, 2]", "invalid_json"),
    ])
    func badInputIs4xx(body: String, code: String) async throws {
        try await withApp { api in
            let response = try await api.post("/v1/feedback", contentType: "application/json", body: Array(body.utf8))
            #expect((400..<500).contains(response.status.code))
            #expect(response.errorCode == code)
        }
    }

    @Test func brokenMultipartIs400() async throws {
        try await withApp { api in
            let noBoundary = try await api.post("/v1/feedback", contentType: "multipart/form-data", body: Array("x".utf8))
            #expect(noBoundary.errorCode == "invalid_multipart")
            let truncated = try await api.post("/v1/feedback", contentType: MultipartBody.contentType,
                                               body: Array("--\(MultipartBody.boundary)\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n7".utf8))
            #expect(truncated.errorCode == "invalid_multipart")
            var noText = MultipartBody()
            noText.field("readId", "x")
            let noTextBody = noText.finished
            let missing = try await api.post("/v1/feedback", contentType: MultipartBody.contentType, body: noTextBody)
            #expect(missing.errorCode == "missing_text")
        }
    }

    @Test func feedbackSurvivesARestart() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("numeral-feedback-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let png = try fixture("digit-7.png")
        let arguments = testArguments { $0.databasePath = file }
        try await withApp(arguments) { api in
            let first = try await api.post("/v1/feedback", json: ["text": "7", "image": Data(png).base64EncodedString()])
            #expect(try first.json(FeedbackController.Output.self).id == 1)
        }
        // A new application on the same file: the first correction is still there.
        try await withApp(arguments) { api in
            let second = try await api.post("/v1/feedback", json: ["text": "77", "image": Data(png).base64EncodedString()])
            #expect(try second.json(FeedbackController.Output.self).id == 2)
        }
        let store = try FeedbackStore(path: file)
        #expect(try await store.count() == 2)
        #expect(try await store.latest(limit: 2).map(\.text) == ["77", "7"])
        #expect(try await store.latest(limit: 2).allSatisfy { $0.image == Data(png) && $0.imageType == "image/png" })
    }
}

enum DefaultModelForTests {
    static var model: Model { get throws { try DefaultModel.load(nil) } }
}
