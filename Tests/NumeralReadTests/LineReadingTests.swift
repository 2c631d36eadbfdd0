import Foundation
@testable import Numeral
import Testing
import TestSupport

/// The reader with the shipped line model, which reads each number whole besides digit by
/// digit and keeps the surer reading.
@Suite("Reading numbers whole")
struct LineReadingTests {
    let f = Fixture.shared
    let reader: NumberReader = {
        var reader = Fixture.shared.reader
        reader.lineModel = try! DefaultModel.loadLines(nil)
        return reader
    }()

    @Test("The shipped line model loads, and 'none' means digit by digit only")
    func shipped() throws {
        #expect(reader.lineModel != nil)
        #expect(try DefaultModel.loadLines("none") == nil)
    }

    @Test("Overlapping pairs: at least 90 of the 100 read right")
    func overlapping() {
        var right = 0, wrong: [String] = []
        for a in 0..<10 {
            for b in 0..<10 {
                let pair = "\(a)\(b)"
                let text = reader.read(raster: f.page(pair, height: 60, gap: -8), name: pair).text
                if text == pair { right += 1 } else { wrong.append("\(pair)→\(text)") }
            }
        }
        #expect(right >= 90, "misread: \(wrong)")
    }

    @Test("Whole only, whole when sure, always both: a separated number reads right, boxes left to right",
          arguments: [0, 0.9, 1.01])
    func sureLevels(_ level: Double) {
        var reader = reader
        reader.sureLevel = level
        let result = reader.read(raster: f.page("4072"), name: "page")
        #expect(result.text == "4072")
        let xs = result.lines.first?.digits.map(\.box.x) ?? []
        #expect(xs == xs.sorted() && xs.count == 4)
        #expect(result.lines.first?.digits.allSatisfy { $0.alternatives.first?.digit == $0.digit } == true)
    }

    @Test("Fusing the two readings: agreement keeps the digit, disagreement goes to the surer reader, less sure")
    func fusion() {
        func peaked(_ d: Int, _ p: Double) -> [Double] { (0..<10).map { $0 == d ? p : (1 - p) / 9 } }
        let box = Box(x: 0, y: 0, width: 1, height: 1)
        let whole = WholeReading(
            line: ReadLine(text: "-3?", box: box, digits: [], separators: [ReadSeparator(kind: "minus", position: 0, box: box)],
                           confidence: 0.5),
            probabilities: [peaked(3, 0.8), peaked(5, 0.6)])
        var reader = reader
        reader.options.threshold = 0.7
        // Digit 1: both say 3 → 3 at about the same confidence; digit 2: 5 at 0.6 against 6 at 0.95.
        let line = reader.fuse(whole, [peaked(3, 0.8), peaked(6, 0.95)], boxes: [box, box])
        #expect(line.digits.map(\.digit) == [3, 6])
        #expect(abs(line.digits[0].confidence - 0.8) < 1e-9)
        #expect(line.digits[1].confidence < 0.95 && line.digits[1].confidence > 0.5)
        #expect(line.text == "-3?" && line.separators.count == 1)
        reader.options.threshold = 0.5
        #expect(reader.fuse(whole, [peaked(3, 0.8), peaked(6, 0.95)], boxes: [box, box]).text == "-36")
    }

    @Test("Noise reads nothing or only uncertain digits")
    func noise() {
        var rng = SplitMix64(seed: 5)
        var raster = Raster(width: 400, height: 300, channels: 1, fill: 0)
        for i in raster.pixels.indices { raster.pixels[i] = UInt8(max(0, min(255, 170 + 30 * Float.standardNormal(using: &rng)))) }
        let result = reader.read(raster: raster, name: "noise")
        #expect(result.lines.allSatisfy { $0.digits.allSatisfy(\.uncertain) }, "\(result.text)")
    }

    @Test("A broken or foreign line model file is a clear error")
    func badFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("line-model-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.safetensors").path
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: ModelFileError.self) { try LineModel.load(from: garbage) }
        // A digit model is not a line model.
        #expect(throws: ModelFileError.notNumeralModel(path: DefaultModel.shippedPath!)) { try LineModel.load(from: DefaultModel.shippedPath!) }
        #expect(throws: ModelFileError.self) { try LineModel.load(from: directory.appendingPathComponent("missing").path) }
    }

    /// Images 325, 1430 and 1156 of `numeral synth --count 2000 --seed 77`: small blurred
    /// blue digits, two under uneven light. The threshold kept only the cores of their
    /// blurred strokes (the 9 of "5991" lost its loop's edge and read 4, the 7 of "604.7"
    /// was dropped); the strokes are now ink down to half the pen's darkness where they
    /// join their cores (`Binarization`).
    @Test("Blurred strokes keep their faint edges", arguments: [("synth-77-00325.jpg", "5991"),
                                                               ("synth-77-01430.jpg", "604.7"),
                                                               ("synth-77-01156.jpg", "6135599")])
    func blurredStrokes(_ file: String, _ number: String) throws {
        let url = TestLocations.fixture(file)
        var sure = reader
        sure.options.threshold = 0
        #expect(try sure.read(imageData: Data(contentsOf: url), name: file).text == number)
    }

    /// Image 1963 of `numeral synth --count 2000 --seed 77`: "-1691" on squared paper joined
    /// to the digits. The grid was the typical "digit", as tall as the page, so no grid line
    /// was thin or long enough to go, and it read "1891".
    @Test("Squared paper joined to the digits")
    func squaredPaper() throws {
        let url = TestLocations.fixture("synth-77-01963.jpg")
        var sure = reader
        sure.options.threshold = 0
        #expect(try sure.read(imageData: Data(contentsOf: url), name: url.path).text == "-1691")
    }
}
