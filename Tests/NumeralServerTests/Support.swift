import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import Yams
@testable import NumeralServer
import Numeral

/// Fixture bytes from Tests/NumeralServerTests/Fixtures.
func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try [UInt8](Data(contentsOf: url))
}

struct MNISTSample: Decodable { var label: Int; var pixels: [Int] }

func mnistSamples() throws -> [MNISTSample] {
    try JSONDecoder().decode([MNISTSample].self, from: Data(fixture("mnist-test-10.json")))
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Arguments for an in-process test app: feedback in memory unless a test gives a file.
func testArguments(_ configure: (inout ServerArguments) -> Void = { _ in }) -> ServerArguments {
    var arguments = ServerArguments()
    arguments.port = 0
    arguments.logLevel = .warning
    configure(&arguments)
    return arguments
}

/// Runs `body` against an in-process app (`app.test(.router)`), checking every response
/// against openapi.yaml.
func withApp(_ arguments: ServerArguments = testArguments(),
             _ body: @Sendable (APIClient) async throws -> Void) async throws {
    let app = try await buildApplication(arguments, model: try SharedModel.model, modelFile: SharedModel.file,
                                         lineModel: try SharedModel.lineModel)
    try await app.test(.router) { client in
        try await body(APIClient(client: client))
    }
}

/// The shipped model, loaded once for every test app (a debug build takes seconds per load).
enum SharedModel {
    static let file = (try? DefaultModel.resolve(nil)) ?? "numeral-default.safetensors"
    private static let loaded = Result { () throws(ModelFileError) -> Model in try Model.load(from: file) }
    static var model: Model { get throws { try loaded.get() } }
    private static let loadedLines = Result { () throws(ModelFileError) -> LineModel? in try DefaultModel.loadLines(nil) }
    static var lineModel: LineModel? { get throws { try loadedLines.get() } }
}

/// A response whose body is already read.
struct APIResponse {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }
    func json<T: Decodable>(_ type: T.Type = T.self, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            Issue.record("cannot decode \(T.self) from \(text.prefix(300)): \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }
    /// The `{"error": {"code", "message"}}` body of a failure.
    var errorCode: String? { (try? JSONDecoder().decode(APIError.Body.self, from: Data(bytes)))?.error.code }
}

/// Sends requests and validates each answer against the OpenAPI document.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: [UInt8]? = nil,
              checkSpec: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) async throws -> APIResponse {
        let response = try await client.executeRequest(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        let result = APIResponse(status: response.status, headers: response.headers, bytes: Array(buffer: response.body))
        if checkSpec {
            try OpenAPISpec.shared.check(result, method: method, uri: uri, sourceLocation: sourceLocation)
        }
        return result
    }

    func post(_ uri: String, json: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) async throws -> APIResponse {
        try await send(.post, uri, headers: [.contentType: "application/json"],
                       body: Array(JSONEncoder().encode(json)), sourceLocation: sourceLocation)
    }

    func post(_ uri: String, contentType: String, body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) async throws -> APIResponse {
        try await send(.post, uri, headers: [.contentType: contentType], body: body, sourceLocation: sourceLocation)
    }
}

/// A `multipart/form-data` body as a browser would send it.
struct MultipartBody {
    static let boundary = "----NumeralTestBoundary7MA4YWxkTrZu0gW"
    var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String, contentType: String, _ data: [UInt8]) {
        bytes += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        bytes += data + Array("\r\n".utf8)
    }

    var finished: [UInt8] { bytes + Array("--\(Self.boundary)--\r\n".utf8) }
    static var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

// MARK: - OpenAPI

/// openapi.yaml, and a check that a response is documented (path, method, status, media
/// type) and that its JSON body fits the documented schema.
struct OpenAPISpec: @unchecked Sendable {
    static let shared: OpenAPISpec = {
        let url = repositoryRoot.appendingPathComponent("openapi.yaml")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return OpenAPISpec(document: ((try? Yams.load(yaml: text)) as? [String: Any]) ?? [:])
    }()

    let document: [String: Any]

    var paths: [String: Any] { document["paths"] as? [String: Any] ?? [:] }

    func check(_ response: APIResponse, method: HTTPRequest.Method, uri: String,
               sourceLocation: SourceLocation) throws {
        let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard let operation = (paths[path] as? [String: Any])?[method.rawValue.lowercased()] as? [String: Any] else {
            // Undocumented paths must be 404s (or the static web page).
            #expect(response.status == .notFound || path == "/" || path.hasSuffix(".js") || path.hasSuffix(".css") || path.hasSuffix(".html"),
                    "\(method) \(path) answered \(response.status) but is not in openapi.yaml", sourceLocation: sourceLocation)
            if response.status == .notFound { try validate(response, schema: ["$ref": "#/components/schemas/Error"], sourceLocation: sourceLocation) }
            return
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard var documented = responses[String(response.status.code)] as? [String: Any] else {
            Issue.record("\(method) \(path) answered \(response.status.code), which openapi.yaml does not document: \(response.text.prefix(200))",
                         sourceLocation: sourceLocation)
            return
        }
        documented = resolve(documented)
        let content = documented["content"] as? [String: Any] ?? [:]
        let mediaType = Upload.mediaType(response.headers[.contentType]) ?? ""
        guard let entry = content[mediaType] as? [String: Any] else {
            Issue.record("\(method) \(path) \(response.status.code) answered \(mediaType), documented: \(content.keys.sorted())",
                         sourceLocation: sourceLocation)
            return
        }
        if mediaType == "application/json", let schema = entry["schema"] {
            try validate(response, schema: schema, sourceLocation: sourceLocation)
        }
    }

    func validate(_ response: APIResponse, schema: Any, sourceLocation: SourceLocation) throws {
        let value = try JSONSerialization.jsonObject(with: Data(response.bytes), options: [.fragmentsAllowed])
        let problems = SchemaValidator(document: document).problems(value, schema: schema, at: "$")
        #expect(problems.isEmpty, "response does not fit openapi.yaml: \(problems.prefix(5)) in \(response.text.prefix(300))",
                sourceLocation: sourceLocation)
    }

    func resolve(_ object: [String: Any]) -> [String: Any] {
        guard let ref = object["$ref"] as? String else { return object }
        return resolve(SchemaValidator(document: document).lookup(ref) as? [String: Any] ?? [:])
    }
}

/// The part of JSON Schema openapi.yaml uses: $ref, type, required, properties,
/// additionalProperties: false, items, min/maxItems, minimum, maximum, enum, oneOf,
/// pattern, minLength.
struct SchemaValidator {
    let document: [String: Any]

    func lookup(_ ref: String) -> Any? {
        var node: Any? = document
        for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
        return node
    }

    func problems(_ value: Any, schema rawSchema: Any, at path: String) -> [String] {
        guard var schema = rawSchema as? [String: Any] else { return ["\(path): schema is not an object"] }
        if let ref = schema["$ref"] as? String {
            guard let target = lookup(ref) else { return ["\(path): unresolved \(ref)"] }
            schema = target as? [String: Any] ?? [:]
        }
        if let choices = schema["oneOf"] as? [Any] {
            let matching = choices.filter { problems(value, schema: $0, at: path).isEmpty }.count
            return matching == 1 ? [] : ["\(path): matches \(matching) of the oneOf schemas"]
        }
        var found: [String] = []
        if let type = schema["type"] as? String, !Self.has(value, type: type) {
            return ["\(path): expected \(type), got \(Swift.type(of: value))"]
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { "\($0)" == "\(value)" }) {
            found.append("\(path): \(value) not in \(options)")
        }
        if let number = value as? NSNumber, !Self.isBool(number) {
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number.doubleValue < minimum { found.append("\(path): \(number) < \(minimum)") }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number.doubleValue > maximum { found.append("\(path): \(number) > \(maximum)") }
        }
        if let string = value as? String {
            if let minLength = schema["minLength"] as? Int, string.count < minLength { found.append("\(path): shorter than \(minLength)") }
            if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil {
                found.append("\(path): \"\(string)\" does not match \(pattern)")
            }
        }
        if let array = value as? [Any] {
            if let minItems = schema["minItems"] as? Int, array.count < minItems { found.append("\(path): fewer than \(minItems) items") }
            if let maxItems = schema["maxItems"] as? Int, array.count > maxItems { found.append("\(path): more than \(maxItems) items") }
            if let items = schema["items"] {
                for (i, element) in array.enumerated() { found += problems(element, schema: items, at: "\(path)[\(i)]") }
            }
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, element) in object {
                if let property = properties[key] {
                    found += problems(element, schema: property, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path): unexpected property \(key)")
                }
            }
        }
        return found
    }

    static func has(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": (value as? NSNumber).map(isBool) ?? false
        case "integer": (value as? NSNumber).map { !isBool($0) && $0.doubleValue == $0.doubleValue.rounded() } ?? false
        case "number": (value as? NSNumber).map { !isBool($0) } ?? false
        default: false
        }
    }

    /// JSONSerialization gives `true`/`false` as NSNumbers of Objective-C type `c` (char);
    /// numbers from JSON are never chars.
    static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}

// MARK: - Images made in the tests

enum PNGFixtures {
    /// A blank gray PNG from NumeralVision's encoder.
    static func gray(width: Int, height: Int, fill: UInt8 = 0) -> [UInt8] {
        [UInt8](PNG.encode(Raster(width: width, height: height, channels: 1, fill: fill)))
    }
}
