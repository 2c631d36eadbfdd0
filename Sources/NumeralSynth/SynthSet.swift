public import Foundation
public import NumeralCore
public import NumeralData

/// A directory of synthetic images with `labels.csv` (`file,label`) for `numeral evaluate --images`
/// and `attributes.csv` (how each image was made) for per-category accuracy.
public enum SynthSet {
    /// The digits the generator may use: the MNIST **test** set (`t10k-*`) in `directory`.
    /// The training files are never opened, so no training digit can reach a benchmark image.
    public static func loadDigits(from directory: String) throws(IDXError) -> Dataset {
        try MNIST.loadTest(from: directory)
    }

    public struct Entry: Sendable {
        public var file: String
        public var label: String
        public var attributes: SynthAttributes
    }

    /// File name of sample `index`: zero-padded so a directory listing is in sample order.
    public static func fileName(index: Int, fileExtension: String) -> String {
        let digits = String(index)
        return "synth-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + fileExtension
    }

    /// Writes samples 0..<count of the set made with `seed` into `directory` (created if missing),
    /// then `labels.csv` and `attributes.csv`.
    public static func write(count: Int, seed: UInt64, synthesizer: Synthesizer, to directory: String,
                             progress: @Sendable (Int) -> Void = { _ in }) throws -> [Entry] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Samples are independent (each has its own generator): make them on every core.
        let results = Locked([Result<Entry, any Error>?](repeating: nil, count: count))
        let done = Locked(0)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = Result { () throws -> Entry in
                let sample = try synthesizer.sample(index: index, seed: seed)
                let file = fileName(index: index, fileExtension: sample.fileExtension)
                try writeAtomically(sample.encoded, to: directory + "/" + file)
                return Entry(file: file, label: sample.label, attributes: sample.attributes)
            }
            results.update { $0[index] = result }
            let finished = done.update { $0 += 1; return $0 }
            progress(finished)
        }
        let entries = try results.update { $0 }.map { try $0!.get() }
        try writeAtomically(Data(labelsCSV(entries).utf8), to: directory + "/labels.csv")
        try writeAtomically(Data(attributesCSV(entries).utf8), to: directory + "/attributes.csv")
        return entries
    }

    /// `file,label` with a header; a label with a comma (`1,250`) is quoted, as CSV requires.
    public static func labelsCSV(_ entries: [Entry]) -> String {
        (["file,label"] + entries.map { "\($0.file),\(csvField($0.label))" }).joined(separator: "\n") + "\n"
    }

    /// `text`, quoted if it holds a comma (labels hold only digits and . , - so never a quote).
    static func csvField(_ text: String) -> String { text.contains(",") ? "\"\(text)\"" : text }

    public static let attributeColumns = [
        "file", "label", "digits", "digit_height", "width", "height", "rotation", "slant", "thickness",
        "spacing", "min_digit_gap", "ink", "paper", "texture", "illumination", "rules", "blur", "noise",
        "jpeg_quality", "inverted", "grayscale", "sources", "desk",
    ]

    /// One row per image; `sources` lists the MNIST test indices of the digits, space-separated.
    /// Labels are always quoted in this file.
    public static func attributesCSV(_ entries: [Entry]) -> String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        let rows = entries.map { e -> String in
            let a = e.attributes
            let fields: [String] = [
                e.file, "\"\(e.label)\"", String(a.digitCount), String(a.digitHeight), String(a.width), String(a.height),
                f(a.rotationDegrees), f(a.slant), f(a.thickness), a.spacing, a.minDigitGap.map(f) ?? "",
                a.ink, a.paper, f(a.texture), a.illumination, a.rules, f(a.blur), f(a.noise),
                a.jpegQuality.map(String.init) ?? "", a.inverted ? "1" : "0", a.grayscale ? "1" : "0",
                a.sources.map(String.init).joined(separator: " "), a.desk ? "1" : "0",
            ]
            return fields.joined(separator: ",")
        }
        return ([attributeColumns.joined(separator: ",")] + rows).joined(separator: "\n") + "\n"
    }
}
