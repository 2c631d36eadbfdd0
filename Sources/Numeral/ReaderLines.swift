public import Foundation
import NumeralCore
public import NumeralSynth
public import NumeralTraining
import NumeralVision

/// Training material for the line recogniser: synthetic numbers drawn from MNIST
/// **training** digits, binarised and grouped by `NumberReader` as it reads, each number's
/// ink turned into the line image the line model sees, labelled with the number's text.
///
/// An image whose number the reader does not find as one (split in two, merged with a
/// rule, or a mark outside it) is left out: its line image would not hold its label.
extension LineSet {
    /// What `make` kept and left out.
    public struct Summary: Sendable, Equatable {
        public var images = 0, lines = 0, leftOut = 0
    }

    /// The lines of synthetic images `0..<count` made with `seed`, in order, on all cores.
    /// `synthesizer` must draw from the MNIST training set.
    public static func make(count: Int, seed: UInt64, synthesizer: Synthesizer, reader: NumberReader,
                            progress: @Sendable (Int) -> Void = { _ in }) throws -> (lines: LineSet, summary: Summary) {
        let parts = try synthesizer.mapSamples(count: count, seed: seed, progress: progress) { sample -> (line: LineNormalization.Line, label: [Int])? in
            guard let label = symbols(sample.label), let line = reader.lineImage(of: sample.image, marks: sample.marks.map(\.box)) else { return nil }
            return (line, label)
        }
        var lines = LineSet()
        for case let (line, label)? in parts { lines.append(line.pixels, width: line.width, label: label) }
        return (lines, Summary(images: parts.count, lines: lines.count, leftOut: parts.count - lines.count))
    }
}

extension NumberReader {
    /// The line image of the one number the reader finds around `marks` (boxes in the
    /// image's pixels: every digit and separator drawn), or nil when it finds none, or
    /// another number shares the marks, or a mark's centre lies outside the number.
    func lineImage(of raster: Raster, marks: [BoundingBox]) -> LineNormalization.Line? {
        let (ink, factor) = workingInk(Grayscale.convert(raster).image)
        guard !(factor == 1 && ink.width <= cellSide && ink.height <= cellSide), !marks.isEmpty else { return nil }
        let scaled = marks.map { m in
            BoundingBox(minX: Int(Double(m.minX) / factor), minY: Int(Double(m.minY) / factor),
                        maxX: Int((Double(m.maxX) / factor).rounded(.up)), maxY: Int((Double(m.maxY) / factor).rounded(.up)))
        }
        let truth = scaled.reduce(BoundingBox.empty) { $0.union($1) }
        let (numbers, labels) = Segmenter().numbers(ink)
        let touching = numbers.filter { $0.box.horizontalOverlap(truth) > 0 && $0.box.verticalOverlap(truth) > 0 }
        guard touching.count == 1, let number = touching.first else { return nil }
        let slack = 0.15 * number.digitHeight
        for m in scaled {
            guard m.centerX >= Double(number.box.minX) - slack, m.centerX <= Double(number.box.maxX) + slack,
                  m.centerY >= Double(number.box.minY) - slack, m.centerY <= Double(number.box.maxY) + slack else { return nil }
        }
        return LineNormalization.normalize(number, ink: ink.ink, labels: labels)
    }
}
