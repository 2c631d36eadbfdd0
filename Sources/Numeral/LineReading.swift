import Foundation
import NumeralCore
import NumeralNN
import NumeralVision

extension NumberReader {
    /// A number read whole by the line model: its line image, per-frame probabilities,
    /// best path. Each symbol's confidence is its probability at its peak frame; a digit's
    /// alternatives are the digits' probabilities there. Boxes split the number's box
    /// half-way between neighbouring peaks (the line model says where a symbol is, not how
    /// wide), shrunk to the number's ink between them. Nil when the line model reads no digit.
    func readWhole(_ number: NumberInk, ink: InkImage, labels: ComponentLabels, lineModel: LineModel,
                   box: (BoundingBox) -> Box) -> ReadLine? {
        let line = LineNormalization.normalize(number, ink: ink.ink, labels: labels)
        let p = lineModel.probabilities(line: line.pixels, width: line.width)
        let classes = LineModel.classes
        let symbols = CTC.greedy(p, classes: classes, blank: LineModel.blank)
        guard symbols.contains(where: { $0.symbol < 10 }) else { return nil }
        // Image x of each symbol's peak (frame centre).
        let peaks = symbols.map { line.imageX(column: (Double($0.peak) + 0.5) * Double(LineModel.frameWidth)) }
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
            let frame = Array(p[(s.peak * classes)..<((s.peak + 1) * classes)])
            let probability = Double(frame[s.symbol])
            if s.symbol >= 10 {
                let kind: SeparatorKind = s.symbol == 10 ? .point : s.symbol == 11 ? .comma : .minus
                separators.append(ReadSeparator(kind: kind.rawValue, position: text.count, box: box(region)))
                text.append(LineModel.alphabet[s.symbol])
                continue
            }
            let ranked = (0..<10).sorted { frame[$0] > frame[$1] }
            let uncertain = probability < options.threshold
            digits.append(ReadDigit(digit: s.symbol, confidence: probability, uncertain: uncertain, box: box(region),
                                    alternatives: ranked.prefix(3).map { Alternative(digit: $0, confidence: Double(frame[$0])) }))
            text += uncertain ? "?" : String(s.symbol)
            confidence *= probability
        }
        return ReadLine(text: text, box: box(number.box), digits: digits, separators: separators, confidence: confidence)
    }
}
