public import Foundation
import NumeralCore
import NumeralData
public import NumeralNN

/// Line images with their texts: what a `LineModel` learns from (`LineSet.make` in
/// Numeral draws them from synthetic numbers as the reader sees them).
public struct LineSet: Sendable, Equatable {
    /// Every line's pixels, one after the other, each `LineModel.height` rows of its width.
    public var pixels: [UInt8] = []
    public var offsets: [Int] = []
    public var widths: [Int] = []
    /// Symbol indices into `LineModel.amountAlphabet` (whose first symbols are `LineModel.alphabet`).
    public var labels: [[Int]] = []

    public init() {}
    public var count: Int { labels.count }

    /// Adds a line of `LineModel.height` rows of `width` values (ink = 1).
    public mutating func append(_ line: [Float], width: Int, label: [Int]) {
        precondition(line.count == LineModel.height * width && width % LineModel.frameWidth == 0, "a line is \(LineModel.height) rows of a multiple of \(LineModel.frameWidth)")
        offsets.append(pixels.count); widths.append(width); labels.append(label)
        pixels += line.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
    }

    public mutating func append(contentsOf other: LineSet) {
        for i in 0..<other.count {
            offsets.append(pixels.count); widths.append(other.widths[i]); labels.append(other.labels[i])
            pixels += other.pixels[other.offsets[i]..<(other.offsets[i] + LineModel.height * other.widths[i])]
        }
    }

    /// Line `i` as floats (ink = 1), padded with empty columns to `width`.
    public func line(_ i: Int, width: Int) -> [Float] {
        let w = widths[i]
        precondition(width >= w, "line \(i) is \(w) wide, more than \(width)")
        var out = [Float](repeating: 0, count: LineModel.height * width)
        for r in 0..<LineModel.height {
            for c in 0..<w { out[r * width + c] = Float(pixels[offsets[i] + r * w + c]) / 255 }
        }
        return out
    }

    /// The text's symbols, nil if it holds a character outside the alphabet.
    public static func symbols(_ text: String) -> [Int]? {
        var out: [Int] = []
        for ch in text {
            guard let k = LineModel.amountAlphabet.firstIndex(of: ch) else { return nil }
            out.append(k)
        }
        return out
    }

    // MARK: - Files

    public static let fileNames = (images: "lines-images-idx1-ubyte", labels: "lines-labels.csv")

    /// Writes the lines into `directory` (created if missing), atomically: the pixels as a
    /// one-dimensional IDX file, and per line `offset,width,text`.
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeAtomically(IDXFile(dimensions: [pixels.count], bytes: pixels).encoded(), to: directory + "/" + Self.fileNames.images)
        var csv = "offset,width,text\n"
        for i in 0..<count {
            csv += "\(offsets[i]),\(widths[i]),\(String(labels[i].map { LineModel.amountAlphabet[$0] }))\n"
        }
        try writeAtomically(Data(csv.utf8), to: directory + "/" + Self.fileNames.labels)
    }

    public static func load(from directory: String) throws -> LineSet {
        let images = try IDXFile.read(path: directory + "/" + fileNames.images)
        let path = directory + "/" + fileNames.labels
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw LineSetError.unreadable(path) }
        var set = LineSet()
        set.pixels = images.bytes
        for (n, row) in text.split(separator: "\n").dropFirst().enumerated() {
            let fields = row.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let offset = Int(fields[0]), let width = Int(fields[1]), width > 0,
                  width % LineModel.frameWidth == 0, offset >= 0, offset + LineModel.height * width <= set.pixels.count,
                  let label = symbols(String(fields[2])) else {
                throw LineSetError.malformed(path, line: n + 2)
            }
            set.offsets.append(offset); set.widths.append(width); set.labels.append(label)
        }
        return set
    }
}

public enum LineSetError: Error, CustomStringConvertible {
    case unreadable(String)
    case malformed(String, line: Int)
    public var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot read the line labels"
        case .malformed(let path, let line): "\(path):\(line): expected offset,width,text with a width that is a multiple of \(LineModel.frameWidth) and pixels inside the image file"
        }
    }
}

