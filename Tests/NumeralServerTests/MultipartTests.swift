import Foundation
import Testing
@testable import NumeralServer

@Suite("multipart/form-data reader")
struct MultipartTests {
    @Test func browserStyleBody() throws {
        var form = MultipartBody()
        form.field("text", "42")
        form.file("file", filename: "a;b \"c\".png", contentType: "image/png", [0, 13, 10, 45, 45, 255])
        form.file("file", filename: "empty.png", contentType: "image/png", [])
        let parts = try Multipart.parse(form.finished, boundary: MultipartBody.boundary)
        #expect(parts.count == 3)
        #expect(parts[0] == .init(name: "text", filename: nil, contentType: nil, body: Array("42".utf8)))
        #expect(parts[1].filename == "a;b \"c\".png" || parts[1].filename == "a;b \\\"c\\\".png")
        #expect(parts[1].body == [0, 13, 10, 45, 45, 255])
        #expect(parts[2].body.isEmpty)
    }

    @Test func boundaryFromContentType() {
        #expect(Multipart.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(Multipart.boundary(fromContentType: "multipart/form-data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(Multipart.boundary(fromContentType: "multipart/form-data") == nil)
        #expect(Multipart.boundary(fromContentType: "multipart/form-data; boundary=") == nil)
        #expect(Multipart.boundary(fromContentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = Array("preamble\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\nepilogue".utf8)
        #expect(try Multipart.parse(body, boundary: "b").map(\.text) == ["1"])
    }

    @Test(arguments: [
        "",
        "--b",
        "--b\r\n",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b",
        "--b\r\nno colon here\r\n\r\n1\r\n--b--",
        "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--",
        "--bX",
        "--b\r\n\r\n\r\n--b--",
    ])
    func malformedBodiesThrow(body: String) {
        #expect(throws: Multipart.MultipartError.self) { try Multipart.parse(Array(body.utf8), boundary: "b") }
    }

    @Test func tooManyParts() {
        var form = MultipartBody()
        for i in 0..<5 { form.field("f\(i)", "x") }
        #expect(throws: Multipart.MultipartError.tooManyParts(limit: 4)) {
            try Multipart.parse(form.finished, boundary: MultipartBody.boundary, maxParts: 4)
        }
    }
}

@Suite("PixelJSON fast path against JSONDecoder")
struct PixelJSONTests {
    struct Wrapped: Decodable { var pixels: [Double] }

    /// The reference: Foundation's decoder, as ClassifyController falls back to.
    static func reference(_ text: String) -> [Double]? {
        let data = Data(text.utf8)
        return (try? JSONDecoder().decode(Wrapped.self, from: data))?.pixels ?? (try? JSONDecoder().decode([Double].self, from: data))
    }

    @Test(arguments: [
        #"{"pixels": [0, 1, 255, 12]}"#, "[0.5, 1e-3, 2E2, -0, 0.0]", " \n[ 1 ,2\t]\n ", #"{"pixels":[]}"#,
        "[123456789012345678901]", "[-12.75]", "[0]",
    ])
    func agreesWithJSONDecoder(text: String) throws {
        let fast = try #require(PixelJSON.parse(Array(text.utf8)))
        #expect(fast == Self.reference(text))
    }

    @Test(arguments: [
        "", "[", "[1,]", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[1 2]", #"{"pixels": [1], "x": 2}"#,
        #"{"pixel": [1]}"#, "[1] x", "[NaN]", #"{"pixels": "1"}"#, "[[1]]", "[\"1\"]",
    ])
    func declinesWhatItDoesNotKnow(text: String) {
        #expect(PixelJSON.parse(Array(text.utf8)) == nil)
    }

    @Test func randomArraysAgree() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let values = (0..<Int.random(in: 0...800, using: &rng)).map { _ in
                Bool.random(using: &rng) ? Double(Int.random(in: 0...255, using: &rng)) : Double.random(in: -1e6...1e6, using: &rng)
            }
            let text = String(decoding: try JSONEncoder().encode(["pixels": values]), as: UTF8.self)
            #expect(PixelJSON.parse(Array(text.utf8)) == Self.reference(text), "\(text.prefix(80))")
        }
    }
}

/// SplitMix64, for seeded sweeps.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
