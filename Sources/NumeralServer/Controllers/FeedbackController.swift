import Foundation
public import Hummingbird
import Numeral

/// `POST /v1/feedback`: the correct number for an earlier read (by its `id`) or for an
/// uploaded image, stored with the image (`FeedbackStore`) as labelled data.
///
/// Accepts JSON `{"text": "1234", "readId": "…", "image": "<base64>", "imageName": "…"}`
/// (`readId` or `image` or both) or `multipart/form-data` with the same field names, the
/// image as a file part.
package struct FeedbackController {
    typealias Context = NumeralRequestContext

    let store: FeedbackStore
    let recentReads: RecentReads
    let modelName: String
    let maxPixels: Int
    let metrics: ServerMetrics

    struct Input: Decodable {
        var text: String
        var readId: String?
        /// Base64 PNG or JPEG bytes (a `data:` URL is accepted too).
        var image: String?
        var imageName: String?
    }

    struct Output: ResponseEncodable, Decodable, Equatable {
        var id: Int64
        var text: String
        var predicted: String?
        var readId: String?
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("feedback", use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> EditedResponse<Output> {
        let body = Array(buffer: try await request.body.collect(upTo: context.maxUploadSize))
        let input = try Self.input(from: body, contentType: request.headers[.contentType])
        let text = try Self.validated(text: input.text)

        var imageBytes: [UInt8]?
        if let encoded = input.image {
            guard let decoded = Self.base64(encoded) else {
                throw APIError.badRequest("invalid_image_encoding", "image must be base64 PNG or JPEG bytes (or a data: URL)")
            }
            imageBytes = decoded
        } else if let bytes = input.imageBytes {
            imageBytes = bytes
        }
        let earlier = input.readId.flatMap(recentReads.entry(for:))
        if let readId = input.readId, earlier == nil, imageBytes == nil {
            throw APIError(.notFound, code: "unknown_read",
                           message: "no recent read has id \(readId) (it expired, or another server answered it); send the image with the feedback")
        }
        let image: Data
        let imageType: String
        let imageName: String
        if let imageBytes {
            imageType = try Self.checkedImageType(imageBytes, maxPixels: maxPixels)
            image = Data(imageBytes)
            imageName = input.imageName ?? earlier?.name ?? "upload"
        } else if let earlier {
            (image, imageType, imageName) = (earlier.image, earlier.imageType, earlier.name)
        } else {
            throw APIError.badRequest("missing_image", "send readId (from a POST /v1/read answer) or the image itself")
        }
        let stored = try await store.add(Feedback(
            text: text, predicted: earlier?.text, readID: input.readId, imageName: imageName,
            imageType: imageType, image: image, model: modelName))
        metrics.feedbackStored.increment()
        context.logger.info("feedback stored", metadata: ["feedback_id": .stringConvertible(stored.id ?? -1)])
        return EditedResponse(status: .created, response: Output(
            id: stored.id ?? -1, text: stored.text, predicted: stored.predicted, readId: stored.readID))
    }

    /// The fields, from JSON or multipart.
    package struct Fields {
        var text: String
        var readId: String?
        var image: String?
        var imageName: String?
        var imageBytes: [UInt8]?
    }

    package static func input(from body: [UInt8], contentType: String?) throws(APIError) -> Fields {
        switch Upload.mediaType(contentType) {
        case "application/json", nil:
            guard let input = try? JSONDecoder().decode(Input.self, from: Data(body)) else {
                throw .badRequest("invalid_json", "the body must be JSON with a text field: {\"text\": \"1234\", \"readId\": \"...\"}")
            }
            return Fields(text: input.text, readId: input.readId, image: input.image, imageName: input.imageName)
        case "multipart/form-data":
            guard let boundary = Multipart.boundary(fromContentType: contentType ?? "") else {
                throw .badRequest("invalid_multipart", Multipart.MultipartError.missingBoundary.description)
            }
            let parts: [Multipart.Part]
            do { parts = try Multipart.parse(body, boundary: boundary) } catch {
                throw .badRequest("invalid_multipart", error.description)
            }
            guard let text = parts.first(where: { $0.name == "text" })?.text else {
                throw .badRequest("missing_text", "the form needs a text field with the correct number")
            }
            let imagePart = parts.first { $0.name == "image" }
            return Fields(text: text, readId: parts.first { $0.name == "readId" }?.text,
                          imageName: imagePart?.filename, imageBytes: imagePart?.body)
        case let other:
            throw .unsupportedMediaType(other, accepted: "application/json or multipart/form-data")
        }
    }

    /// The correct number: digits with optional sign, separators, spaces and line breaks.
    static func validated(text: String) throws(APIError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let allowed = Set("0123456789-.,' \n")
        guard (1...100).contains(trimmed.count), trimmed.allSatisfy(allowed.contains),
              trimmed.contains(where: \.isNumber) else {
            throw .badRequest("invalid_text", "text must be the correct number: 1 to 100 characters of digits, - . , ' spaces or line breaks")
        }
        return trimmed
    }

    static func base64(_ text: String) -> [UInt8]? {
        var payload = Substring(text)
        if payload.hasPrefix("data:"), let comma = payload.firstIndex(of: ",") {
            payload = payload[payload.index(after: comma)...]
        }
        return Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters).map { [UInt8]($0) }
    }

    /// Only images Numeral can decode go into the training data.
    static func checkedImageType(_ bytes: [UInt8], maxPixels: Int) throws(APIError) -> String {
        do { _ = try ImageDecoder.decode(Data(bytes), name: "the feedback image", maxPixels: maxPixels) } catch {
            throw APIError(error)
        }
        return Upload.sniff(bytes)?.rawValue ?? "application/octet-stream"
    }
}
