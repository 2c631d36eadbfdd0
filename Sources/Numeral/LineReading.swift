import Foundation
import NumeralCore
import NumeralNN
import NumeralVision

/// One reading of a number's line image: the image, its frame probabilities
/// `[frames, LineModel.classes]` and their best path.
struct LinePass {
    var line: LineNormalization.Line
    var probabilities: [Float]
    var symbols: [CTC.Symbol]

    init(line: LineNormalization.Line, probabilities: [Float]) {
        self.line = line
        self.probabilities = probabilities
        symbols = CTC.greedy(probabilities, classes: LineModel.classes, blank: LineModel.blank)
    }

    /// The image x of a symbol's peak (its frame's centre).
    func imageX(_ symbol: CTC.Symbol) -> Double {
        line.imageX(column: (Double(symbol.peak) + 0.5) * Double(LineModel.frameWidth))
    }

    /// This pass's frame nearest image x `x`, or a neighbour of it where `symbol` is more probable.
    func frame(near x: Double, favouring symbol: Int) -> Int {
        let classes = LineModel.classes, frames = probabilities.count / classes
        let centre = max(0, min(frames - 1, Int((line.column(imageX: x) / Double(LineModel.frameWidth) - 0.5).rounded())))
        var best = centre
        for t in max(0, centre - 1)...min(frames - 1, centre + 1)
        where probabilities[t * classes + symbol] > probabilities[best * classes + symbol] { best = t }
        return best
    }
}

extension NumberReader {
    /// The line image is read at these horizontal stretches (1: the line model's training
    /// scale, digits 20 pixels high). Passes that cut the frames differently make different
    /// mistakes; see `consensus`.
    static let lineStretches = [1, 0.8, 1.2]

    /// What several readings of one line agree on: the symbol sequence most passes read
    /// (ties go to the earliest pass), placed as `passes[reference]` places it, and for each
    /// of its symbols the frame probabilities averaged over **all** passes. A pass that reads
    /// the same sequence contributes its own peak frame for the symbol; any other contributes
    /// its frame at the same place in the image (give or take a frame), so a digit that a
    /// pass reads differently, or not at all, is that much less probable. A symbol whose
    /// averaged frame is most probably the blank is dropped (`symbols` lists the reference's
    /// symbols kept): where a wide gap between digits gives flat frames, two passes may read
    /// a digit there at 0.2 that the third reads as nothing.
    static func consensus(_ passes: [LinePass]) -> (reference: Int, symbols: [CTC.Symbol], frames: [[Float]]) {
        precondition(!passes.isEmpty, "no passes")
        let classes = LineModel.classes
        var groups: [[Int]: [Int]] = [:]
        for (i, pass) in passes.enumerated() { groups[pass.symbols.map(\.symbol), default: []].append(i) }
        let group = groups.values.max { a, b in a.count != b.count ? a.count < b.count : a[0] > b[0] }!
        let reference = passes[group[0]]
        var symbols: [CTC.Symbol] = [], frames: [[Float]] = []
        for (i, s) in reference.symbols.enumerated() {
            let x = reference.imageX(s)
            var mean = [Float](repeating: 0, count: classes)
            for (r, pass) in passes.enumerated() {
                let t = group.contains(r) ? pass.symbols[i].peak : pass.frame(near: x, favouring: s.symbol)
                for k in 0..<classes { mean[k] += pass.probabilities[t * classes + k] / Float(passes.count) }
            }
            if mean.indices.max(by: { mean[$0] < mean[$1] }) != LineModel.blank {
                symbols.append(s)
                frames.append(mean)
            }
        }
        return (group[0], symbols, frames)
    }

    /// A number read whole by the line model, once at each of `lineStretches`, as the
    /// passes' `consensus`: a digit's confidence is its averaged probability, its alternatives
    /// the other digits'. Boxes split the number's box half-way between neighbouring peaks
    /// (the line model says where a symbol is, not how wide), shrunk to the number's ink
    /// between them. Nil when the line model reads no digit.
    func readWhole(_ number: NumberInk, ink: InkImage, labels: ComponentLabels, lineModel: LineModel,
                   box: (BoundingBox) -> Box) -> ReadLine? {
        let lines = LineNormalization.normalize(number, ink: ink.ink, labels: labels, stretches: Self.lineStretches)
        // The passes are independent, and one line is too small a batch for the kernels to
        // spread over the cores: the passes themselves run side by side.
        let read = Locked([[Float]](repeating: [], count: lines.count))
        Kernels.forEachChunk(count: lines.count, chunkSize: 1) { passes in
            for i in passes {
                let p = lineModel.probabilities(line: lines[i].pixels, width: lines[i].width)
                read.update { $0[i] = p }
            }
        }
        let passes = zip(lines, read.update { $0 }).map { LinePass(line: $0, probabilities: $1) }
        let (reference, symbols, frames) = Self.consensus(passes)
        guard symbols.contains(where: { $0.symbol < 10 }) else { return nil }
        let peaks = symbols.map(passes[reference].imageX)
        var text = "", digits: [ReadDigit] = [], separators: [ReadSeparator] = []
        var confidence = 1.0
        var member = [Bool](repeating: false, count: labels.components.count + 1)
        for l in number.components { member[Int(l)] = true }
        for (i, s) in symbols.enumerated() {
            let left = i == 0 ? Double(number.box.minX) : (peaks[i - 1] + peaks[i]) / 2
            let right = i == symbols.count - 1 ? Double(number.box.maxX) : (peaks[i] + peaks[i + 1]) / 2
            let x0 = max(number.box.minX, Int(left.rounded(.down)))
            let x1 = min(number.box.maxX, max(x0 + 1, Int(right.rounded(.up))))
            // The number's ink in those columns.
            var region = BoundingBox.empty
            for y in number.box.minY..<number.box.maxY {
                for x in x0..<x1 where member[Int(labels.labels[y * labels.width + x])] { region.include(x: x, y: y) }
            }
            if region.isEmpty { region = BoundingBox(minX: x0, minY: number.box.minY, maxX: x1, maxY: number.box.maxY) }
            if s.symbol >= 10 {
                let kind: SeparatorKind = s.symbol == 10 ? .point : s.symbol == 11 ? .comma : .minus
                separators.append(ReadSeparator(kind: kind.rawValue, position: text.count, box: box(region)))
                text.append(LineModel.alphabet[s.symbol])
                continue
            }
            // Averaged with passes that read another digit here, the most probable digit
            // may differ from the reference pass's.
            let digit = ReadDigit(probabilities: frames[i][0..<10].map(Double.init), box: box(region), threshold: options.threshold)
            digits.append(digit)
            text += digit.uncertain ? "?" : String(digit.digit)
            confidence *= digit.confidence
        }
        return ReadLine(text: text, box: box(number.box), digits: digits, separators: separators, confidence: confidence)
    }
}
