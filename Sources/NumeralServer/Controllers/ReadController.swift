import Foundation
public import Hummingbird
import Numeral

/// `POST /v1/read`: the number(s) in one image, or in each image of a multipart upload.
///
/// The answer per image is `numeral read --json`'s object plus an `id` for
/// `POST /v1/feedback`. One image in the body answers that object (or the image's error
/// status); multipart answers `{"results": [...]}`, an `error` in place of each image that
/// could not be read, with the first failure's status if none could.
package struct ReadController {
    typealias Context = NumeralRequestContext

    let reader: NumberReader
    let recentReads: RecentReads
    let metrics: ServerMetrics
    /// Images per multipart request.
    static let maxImages = 32

    /// A read with the id that refers to it later.
    struct IdentifiedRead: ResponseEncodable {
        var id: String
        var result: ReadResult

        private enum Key: String, CodingKey { case id }

        func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(id, forKey: .id)
        }
    }

    struct Failure: Encodable {
        var file: String
        var error: APIError.Body.Detail
    }

    enum Item: Encodable {
        case read(IdentifiedRead)
        case failed(Failure)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case let .read(read): try read.encode(to: encoder)
            case let .failed(failure): try failure.encode(to: encoder)
            }
        }
    }

    struct Batch: ResponseEncodable {
        var results: [Item]
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("read", use: read)
    }

    @Sendable func read(_ request: Request, context: Context) async throws -> Response {
        var reader = reader
        if let threshold = request.uri.queryParameters["threshold"] {
            guard let value = Double(String(threshold)), value.isFinite, (0...1).contains(value) else {
                throw APIError.badRequest("invalid_threshold", "threshold must be a number in 0...1")
            }
            reader.options.threshold = value
        }
        let body = Array(buffer: try await request.body.collect(upTo: context.maxUploadSize))
        let contentType = request.headers[.contentType]
        switch Upload.mediaType(contentType) {
        case "multipart/form-data":
            let images = try Self.images(inMultipart: body, contentType: contentType ?? "")
            var items: [Item] = []
            var firstError: APIError?
            for (name, bytes) in images {
                do {
                    items.append(.read(try readOne(bytes, name: name, reader: reader)))
                } catch {
                    firstError = firstError ?? error
                    items.append(.failed(Failure(file: name, error: .init(code: error.code, message: error.message))))
                }
            }
            if let firstError, !items.contains(where: { if case .read = $0 { true } else { false } }) {
                throw firstError
            }
            return try Batch(results: items).response(from: request, context: context)
        case nil, "application/octet-stream", "image/png", "image/jpeg", "image/jpg":
            return try readOne(body, name: "upload", reader: reader).response(from: request, context: context)
        case let other:
            throw APIError.unsupportedMediaType(other, accepted: "image/png, image/jpeg, application/octet-stream or multipart/form-data")
        }
    }

    /// Decodes and reads one image; counts it in the metrics and remembers it for feedback.
    func readOne(_ bytes: [UInt8], name: String, reader: NumberReader) throws(APIError) -> IdentifiedRead {
        let data = Data(bytes)
        let result: ReadResult
        do { result = try reader.read(imageData: data, name: name) } catch {
            metrics.imageErrors.increment()
            throw APIError(error)
        }
        let digits = result.lines.flatMap(\.digits)
        metrics.recordRead(digits: digits.count, uncertain: digits.filter(\.uncertain).count)
        let id = recentReads.remember(.init(image: data, name: name,
                                            imageType: Upload.sniff(bytes)?.rawValue ?? "application/octet-stream",
                                            text: result.text))
        return IdentifiedRead(id: id, result: result)
    }

    /// The file parts of a multipart body (parts with a filename, or named `file`/`image`).
    package static func images(inMultipart body: [UInt8], contentType: String) throws(APIError) -> [(name: String, bytes: [UInt8])] {
        guard let boundary = Multipart.boundary(fromContentType: contentType) else {
            throw .badRequest("invalid_multipart", Multipart.MultipartError.missingBoundary.description)
        }
        let parts: [Multipart.Part]
        do { parts = try Multipart.parse(body, boundary: boundary, maxParts: maxImages) } catch {
            throw .badRequest("invalid_multipart", error.description)
        }
        let files = parts.filter { $0.filename != nil || $0.name == "file" || $0.name == "image" }
        guard !files.isEmpty else {
            throw .badRequest("no_images", "the multipart body has no file parts; send each image as a file field")
        }
        return files.enumerated().map { k, part in
            (name: part.filename.flatMap { $0.isEmpty ? nil : $0 } ?? "part-\(k + 1)", bytes: part.body)
        }
    }
}
