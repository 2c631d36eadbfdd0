import ArgumentParser
import Foundation
import Numeral

/// Writes examples/number.png: a handwritten number composed from MNIST *test* digits.
struct MakeExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-example", abstract: "Compose the example photo from MNIST test digits.",
        shouldDisplay: false)

    @OptionGroup var data: DataOptions
    @Option(help: "The digits to write.") var number = "40721"
    @Option(help: "Output PNG.") var output = "examples/number.png"
    @Option(help: "Seed for the paper texture and noise.") var seed: UInt64 = 7

    func run() throws {
        let test = try MNIST.loadTest(from: data.directory)
        // The first test image of each digit.
        var digits: [[Float]] = []
        for character in number {
            guard let label = character.wholeNumberValue, let index = test.labels.firstIndex(of: label) else {
                throw ValidationError("--number must be digits only")
            }
            digits.append(Array(test.pixels[(index * 784)..<(index * 784 + 784)]))
        }
        var rng = SplitMix64(seed: seed)
        let page = ExamplePage(width: 96 * number.count + 120, height: 220)
        let raster = page.compose(digits, origin: (60, 60), digitHeight: 96, gap: 14, using: &rng)
        try writeAtomically(PNG.encode(raster), to: output)
        print("wrote \(output) (\(raster.width)x\(raster.height)): \(number)")
    }
}
