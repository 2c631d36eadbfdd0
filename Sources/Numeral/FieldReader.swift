import Foundation
import NumeralCore
public import NumeralNN
public import NumeralVision

/// Reads a number from grey levels with the field recogniser: crop → normalise
/// (`FieldNormalization`) → frame probabilities → best path → digits, separators and marks.
///
/// Two uses: a picture that is itself one field (a form box, a cheque's amount, a scanned
/// digit) is read whole; on a page, each number the segmenter found is cut out of the grey
/// picture with a margin and read again here, so strokes the binarisation lost still count.
public struct FieldReader: Sendable {
    /// A line model of `LineModel.amountAlphabet` trained on grey fields.
    public var model: LineModel
    public var threshold: Double

    public init(model: LineModel, threshold: Double) {
        precondition(model.symbols == LineModel.amountAlphabet, "a field model reads \(String(LineModel.amountAlphabet))")
        self.model = model; self.threshold = threshold
    }

    /// Pictures at most this many pixels high are fields, read whole: crops of one number
    /// (MNIST and CVL cells are 28, cheque amounts 35–50, form boxes under 100). Taller ones
    /// are pages. Chosen from the sets in `../shared/data`, whose single-number crops are 16–50
    /// pixels high and whose register crops (about 200) hold a number a tenth of their height.
    public static let fieldHeight = 96
    /// The margin, as a share of a number's height, cut around it on a page.
    public static let cropMargin = 0.3

    public static func isField(_ gray: GrayImage) -> Bool { gray.height <= fieldHeight && gray.width >= 8 }

    /// The line `gray` holds inside `box` (the whole picture when nil), in the picture's
    /// pixels; nil when no digit is read.
    public func read(_ gray: GrayImage, box: BoundingBox? = nil, digitModelReading: [Float]? = nil) -> ReadLine? {
        let region = box.map { b in
            let pad = Int((Double(b.height) * Self.cropMargin).rounded())
            return BoundingBox(minX: max(0, b.minX - pad), minY: max(0, b.minY - pad),
                               maxX: min(gray.width, b.maxX + pad), maxY: min(gray.height, b.maxY + pad))
        } ?? BoundingBox(minX: 0, minY: 0, maxX: gray.width, maxY: gray.height)
        guard !region.isEmpty else { return nil }
        let crop = box == nil ? gray : FieldNormalization.crop(gray, box: region, margin: 0)
        let line = FieldNormalization.normalize(crop)
        let p = model.probabilities(line: line.pixels, width: line.width)
        return Self.decode(p, classes: model.outputClasses, lineWidth: line.width, region: region, threshold: threshold,
                           digitModelReading: digitModelReading)
    }

    /// The weight of the digit model's probabilities where a picture of one character cell
    /// is read as one digit (`digitModelReading`); the field model's get the rest. Equal
    /// weights: the two models are about as accurate on such cells and err differently (the
    /// digit model saw MNIST's normalisation, the field model whole crops).
    public static let digitModelWeight: Float = 0.5

    /// A line's text from frame probabilities: the best path's symbols, each digit's
    /// probabilities at its peak frame. Separators between digits stay in the text; marks
    /// after the last digit (`.-`, `=`, `/-`) and before the first (but a minus) are listed
    /// as separators of kind "mark" and left out of it.
    static func decode(_ p: [Float], classes: Int, lineWidth: Int, region: BoundingBox, threshold: Double,
                       digitModelReading: [Float]? = nil) -> ReadLine? {
        let symbols = CTC.greedy(p, classes: classes, blank: classes - 1)
        guard let first = symbols.firstIndex(where: { $0.symbol < 10 }),
              let last = symbols.lastIndex(where: { $0.symbol < 10 }) else { return nil }
        // A frame's centre in the picture: the content starts after the padding and spans
        // the region's width.
        let content = Double(lineWidth - 2 * FieldNormalization.sidePadding)
        let scale = Double(region.width) / max(1, content)
        func x(_ s: CTC.Symbol) -> Double {
            Double(region.minX) + ((Double(s.peak) + 0.5) * Double(LineModel.frameWidth) - Double(FieldNormalization.sidePadding)) * scale
        }
        let peaks = symbols.map(x)
        func box(_ i: Int) -> Box {
            let left = i == 0 ? Double(region.minX) : (peaks[i - 1] + peaks[i]) / 2
            let right = i == symbols.count - 1 ? Double(region.maxX) : (peaks[i] + peaks[i + 1]) / 2
            let x0 = max(region.minX, Int(left.rounded(.down))), x1 = min(region.maxX, max(x0 + 1, Int(right.rounded(.up))))
            return Box(x: x0, y: region.minY, width: x1 - x0, height: region.height)
        }
        var text = "", digits: [ReadDigit] = [], separators: [ReadSeparator] = []
        var confidence = 1.0
        for (i, s) in symbols.enumerated() {
            let frame = p[(s.peak * classes)..<(s.peak * classes + classes)]
            if s.symbol < 10 {
                var probabilities = frame.prefix(10).map(Double.init)
                if let other = digitModelReading, first == last {
                    // One digit: averaged with the digit model's reading of the same cell.
                    let w = Double(Self.digitModelWeight)
                    probabilities = zip(probabilities, other).map { (1 - w) * $0 + w * Double($1) }
                }
                let digit = ReadDigit(probabilities: probabilities, box: box(i), threshold: threshold)
                digits.append(digit)
                text += digit.uncertain ? "?" : String(digit.digit)
                confidence *= digit.confidence
                continue
            }
            let character = LineModel.amountAlphabet[s.symbol]
            let inside = i > first && i < last
            if inside || (i < first && character == "-") {
                let kind = character == "." ? "point" : character == "," ? "comma" : character == "-" ? "minus" : "mark"
                separators.append(ReadSeparator(kind: kind, position: text.count, box: box(i)))
                text.append(character)
            } else {
                separators.append(ReadSeparator(kind: "mark", position: text.count, box: box(i)))
            }
        }
        let whole = Box(x: region.minX, y: region.minY, width: region.width, height: region.height)
        return ReadLine(text: text, box: whole, digits: digits, separators: separators, confidence: confidence)
    }
}
