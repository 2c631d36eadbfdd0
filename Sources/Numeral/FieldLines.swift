import Foundation
import NumeralCore
public import NumeralNN
public import NumeralTraining
import NumeralVision

/// Real lines for the field recogniser from a folder of labelled page crops (the parish
/// registers' row numbers): each picture's number found by the page reader and cut out as
/// `FieldReader` cuts numbers out of pages, so training sees what reading will.
public enum FieldLines {
    /// The lines of `folder` (`labels.csv`: `file,label[,…]`): per picture the line the page
    /// reader finds with as many digits as the label (the most probable such line), cut with
    /// `FieldReader.cropMargin` and normalised. Labels with characters outside
    /// `LineModel.amountAlphabet` (`12a`, `Sn`) and pictures without such a line (a footer
    /// or a ruling line taken for the number, about a fifth of them) are left out. Where the
    /// reader found more than the number, its most probable other line is added with an
    /// empty text: the field reader learns to read nothing in a margin, a rule or a footer.
    public static func make(folder: String, reader: NumberReader, progress: @Sendable (Int, Int) -> Void = { _, _ in }) throws -> LineSet {
        let csv = folder + "/labels.csv"
        guard let data = FileManager.default.contents(atPath: csv) else { throw FieldLinesError.missing(path: csv) }
        var entries: [(file: String, label: String)] = []
        for row in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count >= 2 { entries.append((String(fields[0]), String(fields[1]))) }
        }
        let pictures = entries
        return make(count: pictures.count, reader: reader, progress: progress) { i in
            guard let bytes = FileManager.default.contents(atPath: folder + "/" + pictures[i].file),
                  let raster = try? ImageDecoder.decode(bytes, name: pictures[i].file) else { return nil }
            return (raster, pictures[i].label)
        }
    }

    /// The same from `count` pictures made on demand (`picture(i)`: the picture and its
    /// text, nil to skip it), such as synthetic pages of MNIST training digits.
    public static func make(count: Int, reader: NumberReader, progress: @Sendable (Int, Int) -> Void = { _, _ in },
                            picture: @Sendable (Int) -> (raster: Raster, text: String)?) -> LineSet {
        // Per picture its number's line and, if the reader found more, the most probable other
        // one with an empty text: a margin, a rule or printed text, to be read as nothing.
        let found = Locked([[(pixels: [Float], width: Int, label: [Int])]](repeating: [], count: count))
        let done = Locked(0)
        Kernels.forEachChunk(count: count, chunkSize: 64) { range in
            for i in range {
                defer { progress(done.update { $0 += 1; return $0 }, count) }
                // Texts outside the alphabet (`12a`, `Sn`) or without a digit are left out.
                guard let (raster, text) = picture(i), let label = LineSet.symbols(text) else { continue }
                let digits = label.filter { $0 < 10 }.count
                guard digits > 0 else { continue }
                let result = reader.read(raster: raster, name: String(i))
                guard let line = result.lines.max(by: { a, b in
                    let (fa, fb) = (a.digits.count == digits, b.digits.count == digits)
                    return fa != fb ? !fa : a.confidence < b.confidence
                }), line.digits.count == digits else { continue }
                let gray = Grayscale.convert(raster).image
                func cut(_ b: Box) -> (pixels: [Float], width: Int) {
                    let box = BoundingBox(minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.height)
                    return FieldNormalization.normalize(FieldNormalization.crop(gray, box: box, margin: FieldReader.cropMargin))
                }
                let number = cut(line.box)
                var cuts = [(number.pixels, number.width, label)]
                if let other = result.lines.filter({ $0.box != line.box }).max(by: { $0.confidence < $1.confidence }) {
                    let nothing = cut(other.box)
                    cuts.append((nothing.pixels, nothing.width, []))
                }
                found.update { $0[i] = cuts }
            }
        }
        var lines = LineSet()
        for cuts in found.update({ $0 }) {
            for cut in cuts { lines.append(cut.pixels, width: cut.width, label: cut.label) }
        }
        return lines
    }
}

public enum FieldLinesError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    public var description: String {
        switch self { case .missing(let path): "\(path): not found (the data sets are described in ../shared/data/README.md)" }
    }
}
