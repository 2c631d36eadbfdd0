import Foundation
import Numeral
import NumeralReport

/// `numeral evaluate --images` runs every image through `NumberReader`, the pipeline of
/// `numeral read`, so the evaluation measures exactly what a user gets.
struct NumberReaderEvaluation: ImageReader {
    var reader: NumberReader

    func readout(imageData: Data, name: String) throws(ImageError) -> ImageReadout {
        let (result, details) = try reader.readWithDetails(imageData: imageData, name: name)
        let digits = result.lines.flatMap(\.digits).map { ImageReadout.Digit(digit: $0.digit, confidence: $0.confidence) }
        // The normalised crop of a single digit is what the model saw: show it in the gallery;
        // otherwise the whole image, shrunk.
        let thumbnail = details.inputs.count == 1 ? EvaluationReport.thumbnail(details.inputs[0].pixels[...])
            : EvaluationReport.thumbnail(of: details.raster)
        let size = ImageReadout.previewSize
        let preview = EvaluationReport.thumbnail(of: details.raster, width: size.width, height: size.height, inkIsWhite: false)
        return ImageReadout(text: result.text, confidence: result.confidence, digits: digits, thumbnail: thumbnail,
                            preview: preview)
    }
}
