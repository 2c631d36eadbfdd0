import ArgumentParser
import Foundation
import Numeral
import NumeralSynth

struct Crops: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cut training digits the way the reader does, from synthetic numbers of MNIST training digits.",
        discussion: """
            Draws COUNT synthetic numbers like `numeral synth` but from the MNIST **training** set, \
            runs the reader's segmentation on each and keeps every candidate digit it would classify, \
            as the 28x28 input the model sees: labelled with its digit when it is one whole digit, \
            with 10 ("not a digit") when it is a wrong cut (half a digit, two digits as one, a \
            separator, a rule), left out when in between. Writes DIR/crops-images-idx3-ubyte and \
            DIR/crops-labels-idx1-ubyte, for `numeral train --extra DIR`.
            """)

    @OptionGroup var synth: TrainingSynthOptions
    @Option(help: "Keep at most this many not-digits per digit, drawn at random with the seed (wrong cuts outnumber right ones several times).")
    var notDigitsPerDigit: Double = 1

    func validate() throws {
        guard notDigitsPerDigit >= 0, notDigitsPerDigit.isFinite else { throw ValidationError("--not-digits-per-digit must be 0 or more") }
    }

    func run() throws {
        let (count, seed, output) = (synth.count, synth.seed, synth.output)
        let started = Date()
        var (crops, summary) = try ReaderCrops.make(count: count, seed: seed, synthesizer: try synth.synthesizer(), progress: synth.progress)
        FileHandle.standardError.write(Data("\n".utf8))
        var rng = SplitMix64(seed: seed ^ 0xC0C0_A5A5)
        crops = ReaderCrops.limitingNotDigits(crops, perDigit: notDigitsPerDigit, using: &rng)
        try ReaderCrops.write(crops, to: output)
        let kept = crops.labels.filter { $0 == ReaderCrops.notADigit }.count
        print(String(format: "%@: %d crops from %d images (seed %llu, %.1fs): %d digits, %d of %d not-digits; %d ambiguous left out, %d drawn digits never cut out whole",
                     output, crops.count, summary.images, seed, Date().timeIntervalSince(started),
                     summary.digits, kept, summary.notDigits, summary.ambiguous, summary.missed))
    }
}

/// The synthetic numbers of MNIST training digits `numeral crops` and `numeral lines` draw.
struct TrainingSynthOptions: ParsableArguments {
    @Option(help: "How many synthetic images.") var count = 1000
    @Option(help: "Seed; image i depends only on the seed and i.") var seed: UInt64 = 1
    @Option(help: "Output directory (created if missing).") var output: String
    @OptionGroup var data: DataOptions
    @Option(help: "Smallest written digit height, pixels.") var minHeight: Double = 12
    @Option(help: "Largest written digit height, pixels (the reader works on large images shrunk; smaller renders are much faster to make).")
    var maxHeight: Double = 160

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard minHeight >= 8, maxHeight <= 2000, minHeight <= maxHeight else {
            throw ValidationError("need 8 <= --min-height <= --max-height <= 2000, got \(minHeight) and \(maxHeight)")
        }
    }

    func synthesizer() throws -> Synthesizer {
        var configuration = SynthConfiguration()
        configuration.digitHeight = minHeight...maxHeight
        return try Synthesizer(digits: try MNIST.loadTraining(from: data.directory), configuration: configuration)
    }

    /// Images done so far, on standard error.
    var progress: @Sendable (Int) -> Void {
        let total = count
        return { done in
            if done % 200 == 0 || done == total { FileHandle.standardError.write(Data("\r\(done)/\(total)".utf8)) }
        }
    }
}
