import Foundation
public import Hummingbird
import Numeral

/// `POST /v1/classify`: one 28×28 digit in, ten class probabilities out.
///
/// The body is JSON, either `{"pixels": [784 numbers]}` or the bare array, row-major, ink
/// high (MNIST's convention: white digit on black), in 0…1 or 0…255 (any value over 1 means
/// 0…255); or a 28×28 PNG, whose polarity is detected from its border (a dark digit on
/// white paper is inverted first).
package struct ClassifyController {
    typealias Context = NumeralRequestContext

    let model: Model
    let maxPixels: Int
    let metrics: ServerMetrics
    /// `model.name`, worked out once rather than per request.
    let modelName: String

    init(model: Model, maxPixels: Int, metrics: ServerMetrics) {
        self.model = model
        self.maxPixels = maxPixels
        self.metrics = metrics
        modelName = model.name
    }

    struct Input: Decodable {
        var pixels: [Double]
    }

    struct Output: ResponseGenerator, Codable, Equatable {
        /// The most probable class.
        var digit: Int
        /// Its probability.
        var confidence: Double
        /// P(class = 0…9).
        var probabilities: [Double]
        var model: String

        /// The same JSON as `JSONEncoder` makes of it (the tests compare the two), written
        /// directly: the generic encoder cost 8% of the server's CPU under load, more than
        /// anything else outside the model and the network stack.
        func json() -> String {
            var text = "{\"digit\":\(digit),\"confidence\":\(confidence),\"probabilities\":["
            for (i, p) in probabilities.enumerated() { text += i == 0 ? "\(p)" : ",\(p)" }
            text += "],\"model\":"
            JSONString.appendQuoted(model, to: &text)
            return text + "}"
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            let buffer = ByteBuffer(string: json())
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentLength] = String(buffer.readableBytes)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        }
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("classify", use: classify)
    }

    @Sendable func classify(_ request: Request, context: Context) async throws -> Output {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let bytes = Array(buffer: body)
        let pixels: [Float]
        switch Upload.mediaType(request.headers[.contentType]) {
        case "application/json":
            pixels = try Self.pixels(json: bytes)
        case "image/png":
            pixels = try Self.pixels(png: bytes, maxPixels: maxPixels)
        case nil, "application/octet-stream":
            // curl without -H: decide by the first byte.
            if PNG.isPNG(Data(bytes.prefix(8))) {
                pixels = try Self.pixels(png: bytes, maxPixels: maxPixels)
            } else {
                pixels = try Self.pixels(json: bytes)
            }
        case let other:
            throw APIError.unsupportedMediaType(other, accepted: "application/json (784 pixel values) or image/png (28x28)")
        }
        let probabilities = model.probabilities(Tensor(shape: [1, 1, 28, 28], scalars: pixels)).scalars
        metrics.classifications.increment()
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        return Output(digit: best, confidence: Double(probabilities[best]),
                      probabilities: probabilities.map(Double.init), model: modelName)
    }

    /// 784 values from JSON, scaled to 0…1.
    package static func pixels(json bytes: [UInt8]) throws(APIError) -> [Float] {
        let values: [Double]
        let decoder = JSONDecoder()
        if let fast = PixelJSON.parse(bytes) {
            values = fast
        } else if let input = try? decoder.decode(Input.self, from: Data(bytes)) {
            values = input.pixels
        } else if let array = try? decoder.decode([Double].self, from: Data(bytes)) {
            values = array
        } else {
            throw .badRequest("invalid_json", "the body must be JSON: {\"pixels\": [784 numbers]} or a bare array of 784 numbers")
        }
        guard values.count == 784 else {
            throw .badRequest("invalid_pixels", "expected 784 pixel values (28x28, row-major), got \(values.count)")
        }
        guard values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 255 }) else {
            throw .badRequest("invalid_pixels", "pixel values must be numbers in 0...1 or 0...255")
        }
        let scale = values.contains { $0 > 1 } ? 1.0 / 255 : 1.0
        return values.map { Float($0 * scale) }
    }

    /// A 28×28 PNG as 784 values in 0…1, ink high.
    static func pixels(png bytes: [UInt8], maxPixels: Int) throws(APIError) -> [Float] {
        let raster: Raster
        do { raster = try PNG.decode(Data(bytes), name: "the uploaded PNG", channels: 1, maxPixels: maxPixels) } catch {
            throw APIError(error)
        }
        guard raster.width == 28, raster.height == 28 else {
            throw .badRequest("wrong_size", "classify takes a 28x28 image, this one is \(raster.width)x\(raster.height); POST other images to /v1/read")
        }
        // The border is background: if it is light, the digit is dark ink on paper.
        var borderSum = 0
        for i in 0..<28 {
            borderSum += Int(raster.pixels[i]) + Int(raster.pixels[27 * 28 + i])
            borderSum += Int(raster.pixels[i * 28]) + Int(raster.pixels[i * 28 + 27])
        }
        let invert = borderSum > 127 * 4 * 28
        return raster.pixels.map { invert ? Float(255 - $0) / 255 : Float($0) / 255 }
    }
}
