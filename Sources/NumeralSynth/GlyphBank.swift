public import Foundation
import NumeralCore
import NumeralData
import NumeralVision

/// One handwritten digit as ink coverage (1 = ink), cut to its ink's box.
public struct InkGlyph: Sendable {
    public var width: Int, height: Int
    public var ink: [Float]

    /// `pixels` (ink = 1) cut to the box of the values above `cut`; nil without ink.
    init?(width: Int, height: Int, ink pixels: some Collection<Float>, cut: Float = 0.15) {
        let pixels = Array(pixels)
        var box = BoundingBox.empty
        for y in 0..<height {
            for x in 0..<width where pixels[y * width + x] > cut { box.include(x: x, y: y) }
        }
        guard !box.isEmpty, box.width >= 2 || box.height >= 4 else { return nil }
        self.width = box.width; self.height = box.height
        ink = []
        ink.reserveCapacity(box.width * box.height)
        for y in box.minY..<box.maxY { ink += pixels[(y * width + box.minX)..<(y * width + box.maxX)] }
    }
}

public enum GlyphBankError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case badLabels(path: String, line: Int)
    case noGlyphs(source: String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): not found (the glyph sets are described in ../shared/data/README.md)"
        case .badLabels(let path, let line): "\(path):\(line): expected file,label"
        case .noGlyphs(let source): "\(source): no digit glyphs found"
        }
    }
}

/// Real handwritten digits by source and digit, for drawing numbers in many hands: MNIST's
/// training digits and the training image folders of `../shared/data` (never a set kept
/// for measuring).
public struct GlyphBank: Sendable {
    public struct Source: Sendable {
        public var name: String
        /// `glyphs[d]`: the source's glyphs of digit `d`.
        public var glyphs: [[InkGlyph]]
        public var count: Int { glyphs.reduce(0) { $0 + $1.count } }
    }
    public var sources: [Source]

    public init(sources: [Source]) { self.sources = sources }

    /// The training sets this bank is made from, relative to the data directory.
    public static let trainingFolders = ["cvl/train", "european-digits", "exam-digits"]

    /// The sets kept for measuring (`../shared/data` README): fields drawn from them make a
    /// dev set in hands the recogniser never trained on.
    public static let measuringFolders = ["cvl/valid"]

    /// For training: MNIST's training digits from `data/mnist` and every folder of
    /// `trainingFolders`. For measuring: MNIST's test digits and `measuringFolders`.
    public static func load(data: String, measuring: Bool = false) throws -> GlyphBank {
        var sources = [try mnist(directory: data + "/mnist", test: measuring)]
        for folder in measuring ? measuringFolders : trainingFolders {
            sources.append(try imageFolder(data + "/" + folder, name: folder))
        }
        return GlyphBank(sources: sources)
    }

    /// MNIST's 60,000 training (or 10,000 test) digits (white on black, so the values are the ink).
    public static func mnist(directory: String, test: Bool = false) throws -> Source {
        let set = try test ? MNIST.loadTest(from: directory) : MNIST.loadTraining(from: directory)
        var glyphs = [[InkGlyph]](repeating: [], count: 10)
        let side = Dataset.pixelsPerImage
        for i in 0..<set.labels.count {
            if let g = InkGlyph(width: Dataset.side, height: Dataset.side, ink: set.pixels[(i * side)..<((i + 1) * side)]) {
                glyphs[set.labels[i]].append(g)
            }
        }
        return Source(name: test ? "mnist test" : "mnist train", glyphs: glyphs)
    }

    /// A folder of single-digit images with `labels.csv` (`file,label[,…]`); dark ink on
    /// light paper, each image's paper its median and its ink its darkest value.
    public static func imageFolder(_ directory: String, name: String) throws -> Source {
        let csv = directory + "/labels.csv"
        guard let data = FileManager.default.contents(atPath: csv) else { throw GlyphBankError.missing(path: csv) }
        let rows = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst()
        var entries: [(file: String, digit: Int)] = []
        for (k, row) in rows.enumerated() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { throw GlyphBankError.badLabels(path: csv, line: k + 2) }
            if let d = Int(fields[1]), (0...9).contains(d) { entries.append((String(fields[0]), d)) }
        }
        let decoded = Locked([InkGlyph?](repeating: nil, count: entries.count))
        Kernels.forEachChunk(count: entries.count, chunkSize: 256) { range in
            var local: [(Int, InkGlyph)] = []
            for i in range {
                guard let bytes = FileManager.default.contents(atPath: directory + "/" + entries[i].file),
                      let raster = try? ImageDecoder.decode(bytes, name: entries[i].file) else { continue }
                let gray = Grayscale.convert(raster).image
                let sorted = gray.pixels.sorted()
                let paper = sorted[sorted.count / 2], darkest = sorted[0]
                guard paper - darkest > 0.1 else { continue }
                let ink = gray.pixels.map { max(0, min(1, (paper - $0) / (paper - darkest))) }
                if let g = InkGlyph(width: gray.width, height: gray.height, ink: ink) { local.append((i, g)) }
            }
            decoded.update { for (i, g) in local { $0[i] = g } }
        }
        var glyphs = [[InkGlyph]](repeating: [], count: 10)
        for (i, g) in decoded.update({ $0 }).enumerated() { if let g { glyphs[entries[i].digit].append(g) } }
        guard glyphs.allSatisfy({ !$0.isEmpty }) else { throw GlyphBankError.noGlyphs(source: directory) }
        return Source(name: name, glyphs: glyphs)
    }
}
