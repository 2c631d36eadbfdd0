public import Foundation
public import NumeralData
import NumeralCore
public import NumeralSynth
import NumeralVision

/// Training material cut by the reader itself: synthetic numbers drawn from MNIST
/// **training** digits, segmented by `NumberReader`, and every candidate digit it would ask
/// the model about, labelled against where the synthesizer drew each digit.
///
/// A candidate that is one whole digit gets that digit; one that is not (half a digit, two
/// touching digits read as one, a digit with part of its neighbour, a separator, a piece of
/// a ruled line) gets `notADigit`,
/// which training turns into a uniform target (`softmaxCrossEntropy`), so the model learns
/// to be unsure of wrong cuts and the segmentation's best path avoids them. Candidates
/// between the two (a digit with a sliver of its neighbour) are left out.
///
/// The MNIST test digits never reach these crops: the benchmark images (`numeral synth`)
/// are drawn from the test set alone.
public enum ReaderCrops {
    /// The label of a candidate that is not one whole digit.
    public static let notADigit = 10

    /// What the crops of `count` images made with `seed` hold.
    public struct Summary: Sendable, Equatable {
        public var images = 0
        public var digits = 0
        public var notDigits = 0
        /// Candidates neither clearly one digit nor clearly not one.
        public var ambiguous = 0
        /// Drawn digits that no candidate matched (the segmenter never offered them whole).
        public var missed = 0
    }

    /// The label of a candidate with box `candidate` whose ink pixels are inked by the marks
    /// `owners` (indices into `marks`, -1 for ink no mark drew: a rule, noise); nil when it is
    /// ambiguous. `marks` holds each drawn mark's digit (nil for a separator) and box.
    ///
    /// With *coverage* = the share of a digit's box inside the candidate's box and *share* =
    /// the share of the candidate's drawn ink that is that digit's: the candidate is that
    /// digit when its coverage is at least 0.85 and its share at least 0.9; it is not a digit
    /// when no digit is covered by half, or two are, or the best one's share is under 0.6 (a
    /// digit with a good part of its neighbour, a digit with its separator).
    public static func label(candidate: Box, owners: [Int], marks: [(digit: Int?, box: Box)]) -> Int? {
        guard area(candidate) > 0 else { return nil }
        let coverage = marks.map { m in m.digit != nil && area(m.box) > 0 ? sharedArea(candidate, m.box) / area(m.box) : 0 }
        let covered = coverage.filter { $0 >= 0.5 }.count
        if covered == 0 || covered >= 2 { return notADigit }
        let best = coverage.indices.max { coverage[$0] < coverage[$1] }!
        let drawn = owners.filter { $0 >= 0 }
        // Mostly ink that no mark drew: too unsure to say.
        guard drawn.count * 10 >= owners.count * 3 else { return nil }
        let share = Double(drawn.filter { $0 == best }.count) / Double(drawn.count)
        if share < 0.6 { return notADigit }
        if coverage[best] >= 0.85 && share >= 0.9 { return marks[best].digit }
        return nil
    }

    /// The labelled candidates of images `0..<count` made with `seed`, in order, made on
    /// all cores. `digits` must be the MNIST training set.
    public static func make(count: Int, seed: UInt64, synthesizer: Synthesizer, scale: ReaderScale = ReaderScale(),
                            progress: @Sendable (Int) -> Void = { _ in }) throws -> (crops: Dataset, summary: Summary) {
        struct Part: Sendable { var pixels: [Float] = [], labels: [Int] = [], summary = Summary() }
        let parts = try synthesizer.mapSamples(count: count, seed: seed, progress: progress) { sample in
            var part = Part()
            let marks = sample.marks.map { m in
                (digit: m.digit, box: Box(x: m.box.minX, y: m.box.minY, width: m.box.width, height: m.box.height))
            }
            let candidates = scale.candidateDigits(raster: sample.image)
            precondition(sample.owners.count == sample.image.width * sample.image.height, "an owner per pixel")
            part.summary.images += 1
            var matched = Set<Int>()
            for candidate in candidates {
                let owners = candidate.pixels.map { Int(sample.owners[$0]) }
                guard let label = label(candidate: candidate.box, owners: owners, marks: marks) else {
                    part.summary.ambiguous += 1; continue
                }
                if label == notADigit { part.summary.notDigits += 1 } else { part.summary.digits += 1 }
                if label != notADigit, let m = marks.firstIndex(where: { $0.digit == label && sharedArea(candidate.box, $0.box) >= 0.5 * area($0.box) }) {
                    matched.insert(m)
                }
                part.pixels += candidate.input
                part.labels.append(label)
            }
            part.summary.missed += marks.indices.filter { marks[$0].digit != nil && !matched.contains($0) }.count
            return part
        }
        var summary = Summary()
        for p in parts {
            summary.images += p.summary.images; summary.digits += p.summary.digits
            summary.notDigits += p.summary.notDigits; summary.ambiguous += p.summary.ambiguous
            summary.missed += p.summary.missed
        }
        return (Dataset(pixels: parts.flatMap(\.pixels), labels: parts.flatMap(\.labels)), summary)
    }

    /// The crops with at most `perDigit` not-digits per digit, a random choice of them;
    /// everything else keeps its order.
    public static func limitingNotDigits(_ crops: Dataset, perDigit: Double,
                                         using rng: inout some RandomNumberGenerator) -> Dataset {
        let notDigits = crops.labels.indices.filter { crops.labels[$0] == notADigit }
        let allowed = Int((Double(crops.count - notDigits.count) * perDigit).rounded(.down))
        guard notDigits.count > allowed else { return crops }
        let dropped = Set(notDigits.shuffled(using: &rng).dropFirst(allowed))
        return crops.subset(crops.labels.indices.filter { !dropped.contains($0) })
    }

    static func area(_ b: Box) -> Double { Double(max(0, b.width) * max(0, b.height)) }

    /// Pixels two boxes share.
    static func sharedArea(_ a: Box, _ b: Box) -> Double {
        let (a, b) = (BoundingBox(minX: a.x, minY: a.y, maxX: a.x + a.width, maxY: a.y + a.height),
                      BoundingBox(minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.height))
        return Double(a.horizontalOverlap(b) * a.verticalOverlap(b))
    }

    /// File names of the crops in a directory (IDX, as MNIST's).
    public static let fileNames = (images: "crops-images-idx3-ubyte", labels: "crops-labels-idx1-ubyte")

    /// Writes the crops into `directory` (created if missing), atomically, as IDX files.
    public static func write(_ crops: Dataset, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let images = IDXFile(dimensions: [crops.count, 28, 28],
                             bytes: crops.pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
        let labels = IDXFile(dimensions: [crops.count], bytes: crops.labels.map(UInt8.init))
        try writeAtomically(images.encoded(), to: directory + "/" + fileNames.images)
        try writeAtomically(labels.encoded(), to: directory + "/" + fileNames.labels)
    }

    /// Reads crops written by `write` (raw or .gz); labels 0...9 and `notADigit`.
    public static func load(from directory: String) throws(IDXError) -> Dataset {
        try MNIST.load(images: MNIST.path(fileNames.images, in: directory), labels: MNIST.path(fileNames.labels, in: directory),
                       largestLabel: UInt8(notADigit))
    }
}

extension Synthesizer {
    /// `body` of samples `0..<count` made with `seed`, in order, on all cores (chunks of 50
    /// images each); `progress` gets the number of images done. The first image that cannot
    /// be made stops it with its error.
    func mapSamples<T: Sendable>(count: Int, seed: UInt64, progress: @Sendable (Int) -> Void,
                                 _ body: @Sendable (SynthSample) -> T) throws -> [T] {
        let chunk = 50
        let chunks = (count + chunk - 1) / chunk
        let results = Locked([(values: [T], error: String?)](repeating: ([], nil), count: chunks))
        let done = Locked(0)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var values: [T] = [], failure: String?
            for index in (c * chunk)..<min(count, (c + 1) * chunk) {
                do { values.append(body(try sample(index: index, seed: seed))) } catch {
                    failure = "image \(index): \(error)"
                    break
                }
                progress(done.update { $0 += 1; return $0 })
            }
            results.update { $0[c] = (values, failure) }
        }
        let parts = results.update { $0 }
        if let error = parts.compactMap(\.error).first { throw ReaderCropsError.synthesis(error) }
        return parts.flatMap(\.values)
    }
}

public enum ReaderCropsError: Error, CustomStringConvertible {
    case synthesis(String)
    public var description: String {
        switch self { case .synthesis(let what): "could not make a synthetic image: \(what)" }
    }
}
