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
    public static func make(count: Int, seed: UInt64, synthesizer: Synthesizer, scale: ReaderScale = ReaderScale(),
                            progress: @Sendable (Int) -> Void = { _ in }) throws -> (lines: LineSet, summary: Summary) {
        let parts = try synthesizer.mapSamples(count: count, seed: seed, progress: progress) { sample -> (line: LineNormalization.Line, label: [Int])? in
            guard let label = symbols(sample.label), let line = scale.lineImage(of: sample.image, marks: sample.marks.map(\.box)) else { return nil }
            return (line, label)
        }
        var lines = LineSet()
        for case let (line, label)? in parts { lines.append(line.pixels, width: line.width, label: label) }
        return (lines, Summary(images: parts.count, lines: lines.count, leftOut: parts.count - lines.count))
    }
}
