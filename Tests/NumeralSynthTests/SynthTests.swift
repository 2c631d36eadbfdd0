import Foundation
import NumeralCore
import NumeralData
@testable import NumeralSynth
import NumeralVision
import Testing

/// The first 100 MNIST test digits (Tests/Fixtures/mnist-t10k-100).
let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/mnist-t10k-100").path

/// Small images keep debug-build tests quick; the layout and labels do not depend on size.
func smallSynthesizer(heights: ClosedRange<Double> = 12...40) throws -> Synthesizer {
    var configuration = SynthConfiguration()
    configuration.digitHeight = heights
    return try Synthesizer(digits: SynthSet.loadDigits(from: fixtureDirectory), configuration: configuration)
}

/// One 200-image set (seed 1) shared by the tests that look at a whole set.
let sharedSamples = Result { () throws -> (Synthesizer, [SynthSample]) in
    let synthesizer = try smallSynthesizer(heights: 12...24)
    return (synthesizer, try (0..<200).map { try synthesizer.sample(index: $0, seed: 1) })
}

func temporaryDirectory(_ name: String) -> String {
    NSTemporaryDirectory() + "numeral-synth-tests-\(name)-\(getpid())"
}

@Suite struct SynthesizerTests {
    @Test func sameSeedGivesTheSameBytes() throws {
        let synthesizer = try smallSynthesizer()
        for index in [0, 7, 31] {
            let a = try synthesizer.sample(index: index, seed: 42), b = try synthesizer.sample(index: index, seed: 42)
            #expect(a.encoded == b.encoded && a.label == b.label, "sample \(index)")
        }
        let other = try synthesizer.sample(index: 0, seed: 43)
        #expect(other.encoded != (try synthesizer.sample(index: 0, seed: 42)).encoded)
    }

    @Test func labelsMatchTheDigitsDrawn() throws {
        let (synthesizer, samples) = try sharedSamples.get()
        for (index, sample) in samples.enumerated() {
            let label = sample.label
            #expect(label.wholeMatch(of: /-?[0-9]+([.,][0-9]+)*/) != nil, "sample \(index): \(label)")
            let digits = label.filter(\.isNumber).map { Int(String($0))! }
            #expect((1...10).contains(digits.count), "sample \(index): \(label)")
            #expect(sample.attributes.sources.map { synthesizer.digits.labels[$0] } == digits,
                    "sample \(index): label \(label), sources \(sample.attributes.sources)")
        }
    }

    /// Each mark's box holds its ink: the marks come left to right as in the label, inside
    /// the image, and the dark pixels of a white-paper image lie inside the digits' boxes
    /// (ruled lines and boxes aside, so only images without them are looked at).
    @Test func markBoxesHoldTheInk() throws {
        let (_, samples) = try sharedSamples.get()
        var checked = 0
        for (index, sample) in samples.enumerated() {
            let marks = sample.marks
            #expect(marks.count == sample.label.count, "sample \(index): \(marks.count) marks for \(sample.label)")
            #expect(marks.compactMap(\.digit) == sample.label.filter(\.isNumber).map { Int(String($0))! }, "sample \(index)")
            for m in marks where !m.box.isEmpty {
                #expect(m.box.minX >= -1 && m.box.minY >= -1 && m.box.maxX <= sample.image.width + 1
                        && m.box.maxY <= sample.image.height + 1, "sample \(index): \(m.box) outside the image")
            }
            // (A comma may tuck under a slanted digit, so only the digits keep a strict order.)
            let centres = marks.filter { $0.digit != nil }.map(\.box.centerX)
            #expect(centres == centres.sorted(), "sample \(index): digits not left to right")
            let a = sample.attributes
            guard a.rules == "none", !a.inverted, a.noise < 3, a.illumination == "even", marks.allSatisfy({ $0.digit != nil }) else { continue }
            let gray = Grayscale.convert(sample.image).image
            let darkest = gray.pixels.min()!, paper = gray.pixels.sorted()[gray.pixels.count / 2]
            guard paper - darkest > 0.3 else { continue }
            var inside = 0, outside = 0
            for y in 0..<gray.height {
                for x in 0..<gray.width where gray.pixels[y * gray.width + x] < darkest + 0.3 * (paper - darkest) {
                    if marks.contains(where: { $0.box.minX - 1 <= x && x <= $0.box.maxX && $0.box.minY - 1 <= y && y <= $0.box.maxY }) {
                        inside += 1
                    } else {
                        outside += 1
                    }
                }
            }
            #expect(outside * 50 <= inside, "sample \(index): \(outside) ink pixels outside the boxes, \(inside) inside")
            checked += 1
        }
        #expect(checked >= 5, "only \(checked) samples were plain enough to check")
    }

    /// A page on a desk: the same number, page and ink as without the desk (every draw up
    /// to the desk is shared), in a picture with the darker surface along one side at least;
    /// the marks and ink owners follow the page, turned, foreshortened or cut: each digit's
    /// box still holds the pixels it inks.
    @Test func pagesOnADesk() throws {
        var configuration = SynthConfiguration()
        configuration.digitHeight = 20...40
        configuration.deskFraction = 1
        let digits = try SynthSet.loadDigits(from: fixtureDirectory)
        let onDesk = try Synthesizer(digits: digits, configuration: configuration)
        let plain = try smallSynthesizer(heights: 20...40)
        #expect(try plain.sample(index: 0, seed: 9).attributes.desk == false)
        var closeUps = 0
        for index in 0..<12 {
            let sample = try onDesk.sample(index: index, seed: 9), page = try plain.sample(index: index, seed: 9)
            let a = sample.attributes
            #expect(a.desk && !a.inverted && sample.label == page.label && a.sources == page.attributes.sources)
            // The desk shows along one side at least (a close-up cuts the others into the page).
            let gray = Grayscale.convert(sample.image).image
            let sides = [(0..<gray.height).map { gray[0, $0] }, (0..<gray.width).map { gray[$0, 0] },
                         (0..<gray.height).map { gray[gray.width - 1, $0] }, (0..<gray.width).map { gray[$0, gray.height - 1] }]
            let surface = sides.map { $0.sorted()[$0.count / 2] }.min()!, paper = gray.pixels.sorted()[gray.pixels.count * 95 / 100]
            #expect(surface < 0.5 && paper - surface > 0.2, "sample \(index): surface \(surface), paper \(paper)")
            if sides.contains(where: { $0.sorted()[$0.count / 2] > surface + 0.2 }) { closeUps += 1 }
            #expect(sample.owners.count == sample.image.width * sample.image.height)
            for (k, mark) in sample.marks.enumerated() where mark.digit != nil && !mark.box.isEmpty {
                var owned = 0, inBox = 0
                for y in 0..<sample.image.height {
                    for x in 0..<sample.image.width where sample.owners[y * sample.image.width + x] == Int8(k) {
                        owned += 1
                        if mark.box.minX - 1 <= x && x <= mark.box.maxX && mark.box.minY - 1 <= y && y <= mark.box.maxY { inBox += 1 }
                    }
                }
                #expect(owned > 0 && inBox * 100 >= owned * 98, "sample \(index) mark \(k): \(inBox) of \(owned) owned pixels in \(mark.box)")
            }
        }
        #expect(closeUps > 0, "no close-up among 12 photos")
    }

    @Test func atLeastAFifthOfNumbersHaveTouchingOrOverlappingDigits() throws {
        let spacings = try sharedSamples.get().1.map(\.attributes)
        let contact = spacings.filter { $0.spacing == "touching" || $0.spacing == "overlapping" }
        #expect(contact.count >= 40, "\(contact.count) of 200 numbers have touching or overlapping digits")
        #expect(contact.allSatisfy { ($0.minDigitGap ?? 1) <= 0 })
        #expect(spacings.contains { $0.spacing == "overlapping" } && spacings.contains { $0.spacing == "touching" })
    }

    @Test(arguments: [12.0...12.0, 20.0...30.0, 60.0...64.0])
    func digitHeightStaysInRange(heights: ClosedRange<Double>) throws {
        let synthesizer = try smallSynthesizer(heights: heights)
        for index in 0..<6 {
            let a = try synthesizer.sample(index: index, seed: 3).attributes
            #expect(heights.contains(Double(a.digitHeight)), "sample \(index): height \(a.digitHeight)")
            #expect(a.height >= a.digitHeight, "sample \(index): image \(a.height) px for digits \(a.digitHeight) px")
        }
    }

    @Test func everyFormatAndConditionAppears() throws {
        let samples = try sharedSamples.get().1
        for separator in [".", ",", "-"] {
            #expect(samples.contains { $0.label.contains(separator) }, "no label with \(separator)")
        }
        #expect(samples.contains { $0.label.count > 1 && $0.label.hasPrefix("0") })
        let a = samples.map(\.attributes)
        #expect(Set(a.map(\.rules)) == ["none", "notebook", "underline", "grid", "box"])
        #expect(Set(a.map(\.ink)) == ["black", "blue"])
        #expect(a.contains { $0.inverted } && a.contains { ($0.jpegQuality ?? 100) < 50 })
        #expect(a.contains { $0.illumination == "shadow" } && a.contains { $0.paper != "white" })
    }
}

@Suite struct SynthSetTests {
    @Test func digitsComeFromTheTestFilesOnly() throws {
        let digits = try SynthSet.loadDigits(from: fixtureDirectory)
        #expect(digits.count == 100)
        // A directory holding the same files under the *training* names has no test set.
        let directory = temporaryDirectory("train-only")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (from, to) in [("t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz"),
                           ("t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz")] {
            try FileManager.default.copyItem(atPath: fixtureDirectory + "/" + from, toPath: directory + "/" + to)
        }
        #expect(throws: IDXError.self) { try SynthSet.loadDigits(from: directory) }
    }

    @Test func writesImagesAndLabelsCSV() throws {
        let directory = temporaryDirectory("write")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let entries = try SynthSet.write(count: 12, seed: 5, synthesizer: smallSynthesizer(), to: directory)
        let csv = try String(contentsOfFile: directory + "/labels.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "file,label")
        #expect(lines.count == 13)
        #expect(entries.contains { $0.label.contains(",") }, "no label with a comma to check the quoting")
        for (line, entry) in zip(lines.dropFirst(), entries) {
            let label = entry.label.contains(",") ? "\"\(entry.label)\"" : entry.label
            #expect(line == "\(entry.file),\(label)")
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + entry.file))
            if entry.file.hasSuffix(".png") {
                let image = try PNG.decode(data, name: entry.file)
                #expect(image.width == entry.attributes.width && image.height == entry.attributes.height)
            } else {
                #expect(data.starts(with: [0xFF, 0xD8]) && entry.file.hasSuffix(".jpg"))
            }
        }
        let attributes = try String(contentsOfFile: directory + "/attributes.csv", encoding: .utf8)
        #expect(attributes.hasPrefix(SynthSet.attributeColumns.joined(separator: ",") + "\n"))
    }
}

@Suite struct SynthPartsTests {
    @Test func jpegEncodesGreyAndColour() throws {
        var gradient = Raster(width: 64, height: 48, channels: 3)
        for y in 0..<48 { for x in 0..<64 { for c in 0..<3 { gradient[x, y, c] = UInt8((x * 4 + y * c) % 256) } } }
        let colour = JPEG.encode(gradient, quality: 90)
        let rough = JPEG.encode(gradient, quality: 30)
        #expect(colour.starts(with: [0xFF, 0xD8]) && colour.suffix(2) == Data([0xFF, 0xD9]))
        #expect(rough.count < colour.count)
        let grey = JPEG.encode(Raster(width: 10, height: 10, channels: 1, fill: 200), quality: 50)
        #expect(grey.starts(with: [0xFF, 0xD8]))
    }

    /// A gap of 0 makes the two marks one connected blob of ink; a gap of 3 leaves them apart.
    @Test(arguments: [(Float(0), 1), (-4, 1), (3, 2)])
    func layoutGapsAreMeasuredOnTheInk(gap: Float, components: Int) {
        var ring = Plane(width: 21, height: 21)
        for y in 0..<21 {
            for x in 0..<21 {
                let r = (Float((x - 10) * (x - 10) + (y - 10) * (y - 10))).squareRoot()
                ring[x, y] = abs(r - 8) < 1.5 ? 1 : 0
            }
        }
        let glyph = Glyph(plane: ring, anchorX: 10.5, anchorY: 10.5)
        let layout = NumberLayout(glyphs: [glyph, glyph], anchorY: [-10, -10], gaps: [gap], padding: 2)
        #expect(layout.gaps == [gap])
        #expect(countComponents(layout.plane) == components)
    }

    @Test func blankPlaneStaysBlankUnderThickening() {
        let plane = Plane(width: 10, height: 10)
        #expect(DigitSource.morph(plane, radius: 1.5).values.allSatisfy { $0 == 0 })
        #expect(DigitSource.morph(Plane(width: 10, height: 10, fill: 1), radius: -1.5).values[55] == 1)
    }
}

/// 8-connected components of pixels ≥ 0.5.
func countComponents(_ plane: Plane) -> Int {
    var seen = [Bool](repeating: false, count: plane.values.count)
    var count = 0
    for start in plane.values.indices where plane.values[start] >= 0.5 && !seen[start] {
        count += 1
        var stack = [start]
        seen[start] = true
        while let i = stack.popLast() {
            let (x, y) = (i % plane.width, i / plane.width)
            for dy in -1...1 { for dx in -1...1 {
                let (nx, ny) = (x + dx, y + dy)
                guard nx >= 0, ny >= 0, nx < plane.width, ny < plane.height else { continue }
                let j = ny * plane.width + nx
                if plane.values[j] >= 0.5 && !seen[j] { seen[j] = true; stack.append(j) }
            } }
        }
    }
    return count
}
