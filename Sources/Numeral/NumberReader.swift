public import Foundation

/// How `NumberReader` decides.
public struct ReadOptions: Sendable {
    /// A digit whose top probability is below this is uncertain (`?` in the text). A number
    /// read whole gets each digit's probability averaged over three readings of its line
    /// (`NumberReader.readWhole`), so a digit is sure at 0.65 when, say, two of them are sure
    /// of it. On 2,000 held-out synthetic images (`numeral synth --count 2000 --seed 77`)
    /// 90.25% of numbers are then read right, 5.5% marked unsure and 4.25% wrong without a
    /// mark; one reading with 0.9, as before, read 88.2%, 7.5% and 4.3% (its peak
    /// probabilities were high even when wrong).
    public var threshold: Double = 0.65
    /// Images with more pixels are rejected from their header, before decoding.
    public var maxPixels: Int = 40_000_000

    public init(threshold: Double = 0.65, maxPixels: Int = 40_000_000) {
        self.threshold = threshold; self.maxPixels = maxPixels
    }
}

/// A pixel rectangle in the original image (after EXIF orientation), top-left origin.
public struct Box: Codable, Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
}

public struct Alternative: Codable, Sendable, Equatable {
    public var digit: Int
    public var confidence: Double
    public init(digit: Int, confidence: Double) { self.digit = digit; self.confidence = confidence }
}

public struct ReadDigit: Codable, Sendable, Equatable {
    public var digit: Int
    /// The recogniser's probability for `digit`.
    public var confidence: Double
    /// `confidence` is below the threshold: the text shows `?`.
    public var uncertain: Bool
    public var box: Box
    /// The three most probable digits, best first (the first is `digit`).
    public var alternatives: [Alternative]
    public init(digit: Int, confidence: Double, uncertain: Bool, box: Box, alternatives: [Alternative]) {
        self.digit = digit; self.confidence = confidence; self.uncertain = uncertain; self.box = box
        self.alternatives = alternatives
    }

    /// The most probable of ten digit probabilities, with the next two as alternatives;
    /// uncertain below `threshold`.
    init(probabilities p: [Double], box: Box, threshold: Double) {
        let ranked = p.indices.sorted { p[$0] > p[$1] }
        self.init(digit: ranked[0], confidence: p[ranked[0]], uncertain: p[ranked[0]] < threshold, box: box,
                  alternatives: ranked.prefix(3).map { Alternative(digit: $0, confidence: p[$0]) })
    }
}

public struct ReadSeparator: Codable, Sendable, Equatable {
    /// "point", "comma" or "minus".
    public var kind: String
    /// Index of the separator's character in the line's `text`.
    public var position: Int
    public var box: Box
    public init(kind: String, position: Int, box: Box) { self.kind = kind; self.position = position; self.box = box }
}

/// One number: a run of digits and separators on one line.
public struct ReadLine: Codable, Sendable, Equatable {
    /// Digits (`?` when uncertain) with ".", "," and "-" where the separators are.
    public var text: String
    public var box: Box
    public var digits: [ReadDigit]
    public var separators: [ReadSeparator]
    /// Product of the digits' confidences.
    public var confidence: Double
    public init(text: String, box: Box, digits: [ReadDigit], separators: [ReadSeparator], confidence: Double) {
        self.text = text; self.box = box; self.digits = digits; self.separators = separators; self.confidence = confidence
    }
}

/// Everything read from one image.
public struct ReadResult: Codable, Sendable, Equatable {
    /// The name the image was given (its path for the CLI).
    public var file: String
    /// The lines' texts joined by "\n", top to bottom, left to right within a row.
    public var text: String
    /// Product of all digits' confidences: the probability, under the recogniser, that
    /// every digit is right. 0 when nothing was read.
    public var confidence: Double
    public var lines: [ReadLine]
    public init(file: String, text: String, confidence: Double, lines: [ReadLine]) {
        self.file = file; self.text = text; self.confidence = confidence; self.lines = lines
    }
}

/// What the pipeline saw, for `numeral read --debug`.
public struct ReadDetails: Sendable {
    /// The decoded, oriented image.
    public var raster: Raster
    /// The normalised 28x28 inputs of the digits read one by one, in text order, each with
    /// the digit it became (lines read whole by the line model have no such inputs).
    public var inputs: [(pixels: [Float], digit: ReadDigit)]
    /// How the ink was found ("otsu", "sauvola" or "blank"), and whether it was inverted.
    public var method: String
    public var inverted: Bool
    /// Wall time of each stage of the analysis, in order.
    public var milliseconds: [(stage: String, milliseconds: Double)] = []
    /// The ink as the segmenter grouped it, at the working scale.
    public var workingInk: WorkingInk? = nil
}

/// The segmenter's view of an image, for the debug picture: what was ink, what was erased
/// as a ruled line or border, and where numbers were found. Shares the reader's arrays, so
/// keeping it costs nothing; pixels are worked out when asked for.
public struct WorkingInk: Sendable {
    public enum Pixel: UInt8, Sendable { case paper, erased, ink }
    public var width: Int, height: Int
    /// A working pixel is `factor` image pixels (below 1 for enlarged images).
    public var factor: Double
    /// Every number found, in working pixels: boxes around the ink the segmenter grouped
    /// (including those the line model read whole).
    public var numbers: [BoundingBox]
    let mask: [UInt8]
    /// The segmenter's components (nonzero: kept); nil when the image was read as one cell.
    let labels: [Int32]?

    init(ink: InkImage, labels: ComponentLabels?, numbers: [BoundingBox], factor: Double) {
        width = ink.width; height = ink.height; self.factor = factor; self.numbers = numbers
        mask = ink.mask; self.labels = labels?.labels
    }

    public func pixel(x: Int, y: Int) -> Pixel {
        let i = y * width + x
        guard mask[i] != 0 else { return .paper }
        guard let labels else { return .ink }
        return labels[i] != 0 ? .ink : .erased
    }
}

/// Reads every handwritten number in an image.
///
/// ```swift
/// let reader = NumberReader(model: try DefaultModel.load(nil))
/// let result = try reader.read(imageData: Data(contentsOf: url), name: url.path)
/// print(result.text)   // "1234"
/// ```
/// Pipeline: decode → gray (best ink channel) → a sheet on a desk cut free → shrink large
/// photos → flatten the illumination, polarity (both ways where the page does not tell),
/// threshold → components → lines, separators, digit candidates → each number read whole
/// by the line model (three passes), digit by digit where it finds no digit.
public struct NumberReader: Sendable {
    public var model: Model
    /// Reads each number whole (see `readWhole`); digit by digit only where it reads no
    /// digit. Nil: digit by digit only.
    public var lineModel: LineModel?
    /// Reads grey levels (`FieldReader`): a picture that is one field whole, and each
    /// number found on a page again from its grey crop. Nil: binarised ink only.
    public var fieldModel: LineModel?
    public var options: ReadOptions
    /// The scale the reader works at and where it looks for ink (model-free).
    public var scale = ReaderScale()

    public init(model: Model, lineModel: LineModel? = nil, fieldModel: LineModel? = nil, options: ReadOptions = ReadOptions()) {
        self.model = model; self.lineModel = lineModel; self.fieldModel = fieldModel; self.options = options
    }

    var fieldReader: FieldReader? { fieldModel.map { FieldReader(model: $0, threshold: options.threshold) } }

    /// Decodes PNG/JPEG bytes (EXIF orientation honoured) and reads every number in it.
    public func read(imageData: Data, name: String) throws(ImageError) -> ReadResult {
        try readWithDetails(imageData: imageData, name: name).result
    }

    public func read(raster: Raster, name: String) -> ReadResult {
        readWithDetails(raster: raster, name: name).result
    }

    public func readWithDetails(imageData: Data, name: String) throws(ImageError) -> (result: ReadResult, details: ReadDetails) {
        let raster = try ImageDecoder.decode(imageData, name: name, maxPixels: options.maxPixels)
        return readWithDetails(raster: raster, name: name)
    }

    /// Pages whose polarity vote (`Polarity.darkGroundShare`) falls in this range are read
    /// both ways, and the reading whose digits are more probable on average is kept: a thick
    /// blurred digit fills its blocks as a dark ground does, and read inverted it becomes
    /// its own halo.
    static let unclearPolarity = 0.35...0.65

    public func readWithDetails(raster: Raster, name: String) -> (result: ReadResult, details: ReadDetails) {
        var clock = Stopwatch()
        let gray = Grayscale.convert(raster).image
        clock.lap("gray")
        if let fieldReader, FieldReader.isField(gray) {
            // A character cell is also read by the digit model, and a single digit read there
            // gets both models' probabilities averaged.
            let (ink, factor) = scale.workingInk(scale.page(gray), inverted: nil)
            let cell = scale.isCell(ink, factor: factor) ? readCell(ink).first??.digits.first?.probabilities : nil
            let lines = fieldReader.read(gray, digitModelReading: cell).map { [$0] } ?? []
            clock.lap("field")
            let result = ReadResult(file: name, text: lines.first?.text ?? "", confidence: lines.first?.confidence ?? 0, lines: lines)
            return (result, ReadDetails(raster: raster, inputs: [], method: "field", inverted: false, milliseconds: clock.laps))
        }
        // Looked for once, though an unclear page is then read twice.
        let page = scale.page(gray)
        clock.lap("sheet")
        let first = read(page, gray: gray, raster: raster, name: name, inverted: nil, clock: clock)
        guard Self.unclearPolarity.contains(first.ink.darkGroundShare) else { return (first.result, first.details) }
        let second = read(page, gray: gray, raster: raster, name: name, inverted: !first.ink.inverted, clock: Stopwatch())
        var chosen = Self.meanConfidence(second.result) > Self.meanConfidence(first.result) ? second : first
        chosen.details.milliseconds = first.details.milliseconds
            + second.details.milliseconds.map { ("other polarity: " + $0.stage, $0.milliseconds) }
        return (chosen.result, chosen.details)
    }

    static let preferBinarised = true

    /// The mean confidence of a line's digits, 0 without digits.
    static func meanConfidence(_ line: ReadLine) -> Double {
        line.digits.isEmpty ? 0 : line.digits.reduce(0) { $0 + $1.confidence } / Double(line.digits.count)
    }

    /// The mean confidence of a reading's digits, 0 without digits.
    static func meanConfidence(_ result: ReadResult) -> Double {
        let digits = result.lines.flatMap(\.digits)
        return digits.isEmpty ? 0 : digits.reduce(0) { $0 + $1.confidence } / Double(digits.count)
    }

    /// Reads the page (`ReaderScale.page`) at the working scale, its polarity found or given.
    func read(_ page: ReaderScale.Page, gray: GrayImage, raster: Raster, name: String, inverted: Bool?, clock: Stopwatch)
        -> (result: ReadResult, details: ReadDetails, ink: InkImage) {
        var clock = clock
        let (ink, factor) = scale.workingInk(page, inverted: inverted)
        clock.lap("binarize")
        var classifyTime = 0.0, wholeTime = 0.0
        func box(_ b: BoundingBox) -> Box {
            let s = b.scaled(by: factor, width: raster.width, height: raster.height)
            return Box(x: s.minX, y: s.minY, width: s.width, height: s.height)
        }
        // Each number is read whole (given a line model), and digit by digit where that reads
        // no digit.
        let segmented: [SegmentedLine?]
        var wholes: [ReadLine?] = []
        let workingInk: WorkingInk
        if scale.isCell(ink, factor: factor) {
            segmented = readCell(ink)
            workingInk = WorkingInk(ink: ink, labels: nil, numbers: segmented.compactMap { $0?.box }, factor: factor)
        } else {
            let segmentation = Segmenter().segment(ink, wanted: { number, labels in
                let start = DispatchTime.now().uptimeNanoseconds
                defer { wholeTime += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
                let whole = lineModel.flatMap { model in
                    readWhole(number, ink: ink, labels: labels, lineModel: model, box: box)
                }
                wholes.append(whole)
                return whole == nil
            }) { inputs in
                let start = DispatchTime.now().uptimeNanoseconds
                defer { classifyTime += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
                return classify(inputs)
            }
            segmented = segmentation.lines
            workingInk = WorkingInk(ink: ink, labels: segmentation.labels, numbers: segmentation.numbers.map(\.box), factor: factor)
        }
        clock.lap("segment+classify")
        clock.laps.append(("of which classify", classifyTime))
        clock.laps.append(("of which whole lines", wholeTime))

        var lines: [ReadLine] = []
        var lineInputs: [[[Float]]] = []  // the 28x28 inputs of each line's digits, when read digit by digit
        for (i, line) in segmented.enumerated() {
            let whole = i < wholes.count ? wholes[i] : nil
            guard let line else {
                if let whole { lines.append(whole); lineInputs.append([]) }
                continue
            }
            var text = ""
            var digits: [ReadDigit] = [], separators: [ReadSeparator] = []
            var confidence = 1.0
            func addSeparators(before count: Int) {
                for s in line.separators where s.digitsBefore == count {
                    separators.append(ReadSeparator(kind: s.kind.rawValue, position: text.count, box: box(s.box)))
                    text += s.kind == .point ? "." : s.kind == .comma ? "," : "-"
                }
            }
            for (i, d) in line.digits.enumerated() {
                addSeparators(before: i)
                let digit = ReadDigit(probabilities: d.probabilities.map(Double.init), box: box(d.box), threshold: options.threshold)
                digits.append(digit)
                text += digit.uncertain ? "?" : String(digit.digit)
                confidence *= digit.confidence
            }
            addSeparators(before: line.digits.count)
            lines.append(ReadLine(text: text, box: box(line.box), digits: digits, separators: separators, confidence: confidence))
            lineInputs.append(line.digits.map(\.input))
        }
        if let fieldReader {
            // Each number again from its grey crop, where strokes the binarisation lost
            // still count; one where it reads no digit (a margin, a rule, printed text) is
            // dropped.
            lines = lines.compactMap { line in
                let b = line.box
                guard let grey = fieldReader.read(gray, box: BoundingBox(minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.height))
                else { return nil }
                return Self.preferBinarised && Self.meanConfidence(line) > Self.meanConfidence(grey) ? line : grey
            }
            clock.lap("fields")
        }
        let kept = lines.indices.filter { !Self.isStrayMark(lines[$0], among: lines) }
        let inputs = kept.flatMap { zip(lineInputs[$0], lines[$0].digits).map { (pixels: $0, digit: $1) } }
        lines = kept.map { lines[$0] }
        let confidence = lines.isEmpty ? 0 : lines.reduce(1.0) { $0 * $1.confidence }
        let result = ReadResult(file: name, text: lines.map(\.text).joined(separator: "\n"), confidence: confidence, lines: lines)
        return (result, ReadDetails(raster: raster, inputs: inputs, method: ink.method.rawValue, inverted: ink.inverted,
                                    milliseconds: clock.laps, workingInk: workingInk), ink)
    }

    /// A mark beside the numbers that was read as a line of its own: one digit, under 0.5
    /// probable, no separator, at most half as tall as the tallest line of the image (a
    /// box side's or rule's remains, a hairline next to a number: image 174 of `numeral synth
    /// --count 2000 --seed 2026`, "658", was read as "?" over "658").
    static func isStrayMark(_ line: ReadLine, among lines: [ReadLine]) -> Bool {
        guard line.digits.count == 1, line.separators.isEmpty, line.digits[0].confidence < 0.5 else { return false }
        return line.box.height * 2 <= lines.map(\.box.height).max() ?? 0
    }

    /// Ink that is one character cell (`ReaderScale.isCell`), as each MNIST image is: read
    /// as one digit, whatever pieces it falls into. A 28x28 cell goes to the model unchanged
    /// (its grey levels are already an MNIST input); other sizes get the MNIST normalisation.
    func readCell(_ ink: InkImage) -> [SegmentedLine?] {
        guard ink.method != .blank else { return [] }
        var box = BoundingBox.empty
        for y in 0..<ink.height {
            for x in 0..<ink.width where ink.mask[y * ink.width + x] != 0 { box.include(x: x, y: y) }
        }
        guard !box.isEmpty else { return [] }
        let side = MNISTNormalization.side
        let input = ink.width == side && ink.height == side ? ink.ink.pixels : MNISTNormalization.normalize(digit: ink.ink)
        let probabilities = classify([input])[0]
        return [SegmentedLine(box: box, digits: [SegmentedDigit(box: box, input: input, probabilities: probabilities)],
                              separators: [])]
    }

    /// One batch `[n, 1, 28, 28]` through the model.
    func classify(_ inputs: [[Float]]) -> [[Float]] {
        let n = inputs.count
        let batch = Tensor(shape: [n, 1, 28, 28], scalars: inputs.flatMap { $0 })
        let p = model.probabilities(batch)
        return (0..<n).map { Array(p.scalars[($0 * 10)..<($0 * 10 + 10)]) }
    }
}

/// Lap times for `ReadDetails.milliseconds`.
struct Stopwatch {
    var last = DispatchTime.now().uptimeNanoseconds
    var laps: [(stage: String, milliseconds: Double)] = []
    mutating func lap(_ stage: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        laps.append((stage, Double(now - last) / 1e6)); last = now
    }
}
