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
