import Foundation
@testable import Numeral
@testable import NumeralSynth
import Testing
import TestSupport

@Suite struct FieldReaderTests {
    /// Frame probabilities that spell `text` (amount alphabet), each symbol at `p` in its own
    /// frame between blanks.
    func frames(_ text: String, p: Float = 0.9) -> [Float] {
        let classes = LineModel.amountAlphabet.count + 1
        var out: [Float] = []
        func frame(_ k: Int, _ q: Float) {
            var f = [Float](repeating: (1 - q) / Float(classes - 1), count: classes)
            f[k] = q
            out += f
        }
        frame(classes - 1, 1)
        for c in text {
            frame(LineModel.amountAlphabet.firstIndex(of: c)!, p)
            frame(classes - 1, 1)
        }
        return out
    }

    func decode(_ text: String, p: Float = 0.9, threshold: Double = 0.65) -> ReadLine? {
        let p = frames(text, p: p)
        let frameCount = p.count / (LineModel.amountAlphabet.count + 1)
        return FieldReader.decode(p, classes: LineModel.amountAlphabet.count + 1, lineWidth: frameCount * LineModel.frameWidth,
                                  region: BoundingBox(minX: 10, minY: 5, maxX: 110, maxY: 45), threshold: threshold)
    }

    @Test func separatorsBetweenDigitsStayAndMarksAroundTheAmountAreSetApart() throws {
        let line = try #require(decode("12.500,-"))
        #expect(line.text == "12.500")
        #expect(line.digits.map(\.digit) == [1, 2, 5, 0, 0])
        #expect(line.separators.map(\.kind) == ["point", "mark", "mark"])
        let equals = try #require(decode("75/="))
        #expect(equals.text == "75" && equals.separators.count == 2 && equals.separators.allSatisfy { $0.kind == "mark" })
        #expect(try #require(decode("-40")).text == "-40")
        #expect(decode("=-") == nil)
    }

    @Test func unsureDigitsAreMarkedAndBoxesFollowTheFrames() throws {
        let line = try #require(decode("304", p: 0.5))
        #expect(line.text == "???")
        #expect(line.digits.allSatisfy { $0.uncertain && abs($0.confidence - 0.5) < 1e-6 })
        let sure = try #require(decode("304", p: 0.5, threshold: 0))
        #expect(sure.text == "304")
        let xs = sure.digits.map(\.box.x)
        #expect(xs == xs.sorted() && xs[0] >= 10 && sure.digits.last!.box.x + sure.digits.last!.box.width <= 110)
        #expect(sure.box == Box(x: 10, y: 5, width: 100, height: 40))
    }

    @Test func normalisationPutsInkAtOneAndPaperAtZeroEitherPolarity() {
        // A dark bar on grey paper, and the same light on black.
        var dark = GrayImage(width: 40, height: 20, fill: 0.8)
        for y in 4..<16 { for x in 18..<22 { dark[x, y] = 0.1 } }
        let light = GrayImage(width: 40, height: 20, pixels: dark.pixels.map { 1 - $0 })
        for image in [dark, light] {
            let (pixels, width) = FieldNormalization.normalize(image)
            #expect(width % LineModel.frameWidth == 0 && pixels.count == LineModel.height * width)
            #expect(pixels.max()! > 0.95 && pixels.min()! == 0)
            let middle = LineModel.height / 2
            #expect(pixels[middle * width + width / 2] > 0.9)
            #expect(pixels[middle * width + FieldNormalization.sidePadding + 2] == 0)
        }
        // A blank crop is not stretched into ink.
        var blank = GrayImage(width: 30, height: 20, fill: 0.9)
        blank[3, 3] = 0.86
        #expect(FieldNormalization.normalize(blank).pixels.max()! < 0.5)
    }

    @Test func linesAreCutWhereThePageReaderFindsTheNumberAndLabelsOutsideTheAlphabetAreLeftOut() {
        let fixture = Fixture.shared
        let pages: [(Raster, String)] = [(fixture.page("407"), "407"), (fixture.page("52"), "52a"), (fixture.page("3"), "Sn")]
        let lines = FieldLines.make(count: pages.count, reader: fixture.reader) { pages[$0] }
        #expect(lines.labels == [[4, 0, 7]])
        #expect(lines.widths[0] % LineModel.frameWidth == 0)
        // The number fills the crop's height: its ink reaches within a few rows of the content's edges.
        let pixels = lines.line(0, width: lines.widths[0])
        let inkRows = (0..<LineModel.height).filter { r in (0..<lines.widths[0]).contains { pixels[r * lines.widths[0] + $0] > 0.5 } }
        #expect(inkRows.count >= 14)
    }

    /// Fields drawn from the 100 MNIST test digits of the fixtures (never trained on).
    static let synthesizer: FieldSynthesizer? = {
        guard let mnist = try? GlyphBank.mnist(directory: TestLocations.fixture("mnist-t10k-100").path, test: true) else { return nil }
        return FieldSynthesizer(bank: GlyphBank(sources: [mnist]))
    }()

    static var fieldReader: FieldReader? {
        (try? DefaultModel.loadFields(nil)).flatMap { $0 }.map { FieldReader(model: $0, threshold: 0.65) }
    }

    @Test(.enabled(if: fieldReader != nil, "no field model in this build"))
    func aHatchedFieldWithATrailingMarkReadsItsDigitsAndSetsTheMarkApart() throws {
        var synthesizer = try #require(Self.synthesizer)
        synthesizer.hatchedShare = 1
        let reader = try #require(Self.fieldReader)
        var right = 0, markRead = 0
        for seed in 0..<20 as Range<UInt64> {
            var rng = SplitMix64(seed: seed)
            let image = synthesizer.draw("4071=-", using: &rng)
            guard let line = reader.read(image) else { continue }
            if line.text == "4071" { right += 1 }
            if line.separators.contains(where: { $0.kind == "mark" }) { markRead += 1 }
        }
        #expect(right >= 14, "4071=- read right \(right) times of 20")
        #expect(markRead >= 14, "the mark set apart \(markRead) times of 20")
    }

    @Test(.enabled(if: fieldReader != nil, "no field model in this build"))
    func aChainOfZerosReadsEveryZero() throws {
        let synthesizer = try #require(Self.synthesizer)
        let reader = try #require(Self.fieldReader)
        var right = 0
        for seed in 0..<20 as Range<UInt64> {
            var rng = SplitMix64(seed: 100 + seed)
            // Zeros closer than any gap the drawing would choose: loops chained into each other.
            let zeros = (0..<3).map { _ in synthesizer.bank.sources[0].glyphs[0].randomElement(using: &rng)! }
            var canvas = GrayImage(width: 120, height: 44, fill: 0.95)
            var x = 8
            for z in zeros {
                let g = FieldSynthesizer.scaled(z, height: 28, widthScale: 1, slant: 0.2)
                for gy in 0..<g.height { for gx in 0..<g.width where x + gx < canvas.width {
                    canvas[x + gx, 8 + gy] = min(canvas[x + gx, 8 + gy], 0.95 - 0.85 * g.ink[gy * g.width + gx])
                } }
                x += g.width - 5
            }
            if let line = reader.read(canvas), line.text == "000" { right += 1 }
        }
        #expect(right >= 14, "000 read right \(right) times of 20")
    }
}
