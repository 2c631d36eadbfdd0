public import Foundation
public import NumeralNN
public import NumeralVision
import NumeralCore
import NumeralTraining

/// One labelled image of an `--images` folder.
public struct LabelledImage: Sendable, Equatable {
    /// Path relative to the folder, as reports name it.
    public var file: String
    /// The label as written: digits, maybe with separators (`-12.5`).
    public var label: String
    public init(file: String, label: String) { self.file = file; self.label = label }
}

/// What is wrong with an `--images` folder as a whole (single bad images are not errors:
/// they are reported by name and counted as wrong).
public enum ImageFolderError: Error, Equatable, CustomStringConvertible {
    case notADirectory(path: String)
    case empty(path: String)
    case badLabels(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case let .notADirectory(path): "\(path) is not a directory"
        case let .empty(path):
            "\(path) holds no labelled images: expected class subfolders (\(path)/7/x.png) or a labels.csv with header file,label"
        case let .badLabels(path, line, reason): "\(path) line \(line): \(reason)"
        }
    }
}

/// Labelled image folders in the two usual layouts: one subfolder per class (`DIR/7/x.png`,
/// as torchvision's `ImageFolder` and Keras' `image_dataset_from_directory` read them) or a
/// `labels.csv` with the header `file,label` (labels may have several digits and separators).
public enum ImageFolder {
    public static func load(_ directory: String) throws(ImageFolderError) -> [LabelledImage] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notADirectory(path: directory)
        }
        let csv = directory + "/labels.csv"
        let images = fm.fileExists(atPath: csv) ? try readLabels(csv) : classFolders(directory)
        guard !images.isEmpty else { throw .empty(path: directory) }
        return images
    }

    /// Every visible file in every subfolder whose name is a label (has a digit: `7`, `-12.5`);
    /// other subfolders (a `report/` written there) are not classes. A file that is not an
    /// image stays in the list, so that it is reported as unreadable rather than skipped.
    static func classFolders(_ directory: String) -> [LabelledImage] {
        let fm = FileManager.default
        let classes = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && name.contains(where: \.isNumber)
                && fm.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        return classes.sorted().flatMap { label in
            ((try? fm.contentsOfDirectory(atPath: directory + "/" + label)) ?? [])
                .filter { !$0.hasPrefix(".") }
                .sorted()
                .map { LabelledImage(file: label + "/" + $0, label: label) }
        }
    }

    /// `labels.csv`: header `file,label`, then one image per line; fields may be quoted
    /// ("1,250" is a label with a thousands separator).
    static func readLabels(_ path: String) throws(ImageFolderError) -> [LabelledImage] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badLabels(path: path, line: 0, reason: "cannot read the file")
        }
        let lines = String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false) {
            $0 == "\n" || $0 == "\r\n"
        }
        guard let header = lines.first, csvFields(header.trimmingCharacters(in: .whitespaces))
            .map({ $0.lowercased() }) == ["file", "label"] else {
            throw .badLabels(path: path, line: 1, reason: "the header must be file,label")
        }
        var images: [LabelledImage] = []
        for (k, line) in lines.enumerated().dropFirst() {
            let text = line.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = csvFields(text)
            guard fields.count == 2, !fields[0].isEmpty else {
                throw .badLabels(path: path, line: k + 1, reason: "expected two fields file,label, found \(fields.count)")
            }
            guard fields[1].contains(where: \.isNumber) else {
                throw .badLabels(path: path, line: k + 1, reason: "label '\(fields[1])' has no digit")
            }
            images.append(LabelledImage(file: fields[0], label: fields[1]))
        }
        return images
    }

    static func csvFields(_ line: some StringProtocol) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var characters = line.makeIterator()
        while let c = characters.next() {
            switch (c, quoted) {
            case ("\"", false) where field.isEmpty: quoted = true
            case ("\"", true): quoted = false
            case (",", false): fields.append(field.trimmingCharacters(in: .whitespaces)); field = ""
            default: field.append(c)
            }
        }
        fields.append(field.trimmingCharacters(in: .whitespaces))
        return fields
    }
}

// MARK: - Reading

/// What a reader makes of one image.
public struct ImageReadout: Sendable, Equatable {
    public struct Digit: Sendable, Equatable {
        public var digit: Int
        public var confidence: Double
        public init(digit: Int, confidence: Double) { self.digit = digit; self.confidence = confidence }
    }
    /// Digits and separators; an uncertain digit is `?`.
    public var text: String
    public var confidence: Double
    public var digits: [Digit]
    /// For the gallery: the 28×28 input of a single-digit image as the model saw it, or the
    /// whole image shrunk (`EvaluationReport.thumbnail(of:)`); gray, ink = 255.
    public var thumbnail: Raster?
    /// For the gallery of wrong reads: the whole image as on paper, shrunk to fit
    /// `ImageReadout.previewSize` (`EvaluationReport.thumbnail(of:width:height:inkIsWhite: false)`).
    public var preview: Raster?
    public static let previewSize = (width: 168, height: 56)

    public init(text: String, confidence: Double, digits: [Digit], thumbnail: Raster? = nil, preview: Raster? = nil) {
        self.text = text; self.confidence = confidence; self.digits = digits; self.thumbnail = thumbnail
        self.preview = preview
    }
}

/// Turns image bytes into digits: the seam between the evaluation and the reading pipeline
/// (`NumberReader`, issue 4, adapted in the `numeral` executable), so evaluating images and
/// reading them share one preprocessing.
public protocol ImageReader: Sendable {
    func readout(imageData: Data, name: String) throws(ImageError) -> ImageReadout
}

/// The plain reader: a 28×28 gray PNG is the model input as it is (inverted when its background
/// is light, so ink is white as in MNIST), with none of the reading pipeline. A digit whose
/// probability is under `threshold` is `?`. `numeral evaluate --images` uses `NumberReader`;
/// this one keeps the library's tests independent of it and is a baseline for it.
public struct MNISTImageReader: ImageReader {
    public var model: Model
    public var threshold: Double

    public init(model: Model, threshold: Double = 0.5) { self.model = model; self.threshold = threshold }

    public func readout(imageData: Data, name: String) throws(ImageError) -> ImageReadout {
        let raster = try PNG.decode(imageData, name: name, channels: 1)
        guard raster.width == 28, raster.height == 28 else {
            throw .unreadable(name: name, reason: "it is \(raster.width)x\(raster.height); the plain reader takes 28x28 digits only")
        }
        let mean = raster.pixels.reduce(0) { $0 + Int($1) } / raster.pixels.count
        let pixels = raster.pixels.map { mean > 127 ? Float(255 - $0) / 255 : Float($0) / 255 }
        let p = model.probabilities(Tensor(shape: [1, 1, 28, 28], scalars: pixels)).scalars
        let best = p.indices.max { p[$0] < p[$1] }!
        let confidence = Double(p[best])
        return ImageReadout(text: confidence >= threshold ? "\(best)" : "?", confidence: confidence,
                            digits: [.init(digit: best, confidence: confidence)],
                            thumbnail: EvaluationReport.thumbnail(pixels[...]))
    }
}

// MARK: - Results

/// String-level results on an image folder.
public struct ImageFolderResults: Sendable, Equatable {
    public struct Item: Sendable, Equatable, Codable {
        public var file: String
        public var label: String
        /// What was read; nil when the image could not be read.
        public var text: String?
        public var confidence: Double?
        /// Why the image could not be read.
        public var error: String?
        public var correct: Bool
        /// Edit distance between the digits of the label and of the text ('?' counts as a wrong digit).
        public var editDistance: Int
    }

    public var items: [Item]
    /// Texts equal to their label (separators included).
    public var stringAccuracy: Double
    /// 1 − character error rate over the digit strings, at least 0.
    public var digitAccuracy: Double
    /// Σ edit distance / Σ label digits.
    public var characterErrorRate: Double
    /// Images whose text holds an uncertain digit (`?`).
    public var rejectionRate: Double
    /// String accuracy on the images that were read and not rejected (no `?`): how far a
    /// confident answer can be trusted (1 when every image was rejected).
    public var acceptedAccuracy: Double
    public var unreadable: [Item] { items.filter { $0.error != nil } }
    /// Previews of the wrongly read images, by file (the others are not kept).
    public var previews: [String: Raster] = [:]

    /// The wrong reads, most confident first: what a user would have trusted.
    public func wrongReads(limit: Int = 50) -> [Item] {
        Array(items.filter { !$0.correct && $0.error == nil }
            .sorted { ($0.confidence ?? 0, $1.file) > ($1.confidence ?? 0, $0.file) }
            .prefix(limit))
    }

    public init(items: [Item]) {
        self.items = items
        let n = Double(max(items.count, 1))
        let labelDigits = items.reduce(0) { $0 + Self.digits($1.label).count }
        stringAccuracy = Double(items.filter(\.correct).count) / n
        characterErrorRate = labelDigits == 0 ? 0 : Double(items.reduce(0) { $0 + $1.editDistance }) / Double(labelDigits)
        digitAccuracy = max(0, 1 - characterErrorRate)
        rejectionRate = Double(items.filter { $0.text?.contains("?") ?? false }.count) / n
        let accepted = items.filter { $0.text.map { !$0.contains("?") } ?? false }
        acceptedAccuracy = accepted.isEmpty ? 1 : Double(accepted.filter(\.correct).count) / Double(accepted.count)
    }

    /// The digits of a label or a read text, `?` kept.
    static func digits(_ text: String) -> [Character] { text.filter { $0.isASCII && ($0.isNumber || $0 == "?") }.map { $0 } }
}

extension EvaluationReport {
    /// Reads every image of a folder with `reader` and judges the texts against the labels. An
    /// unreadable image is named in the results and counted as wrong; the others are still read.
    ///
    /// When every label is one digit the report also has the classification part (confusion
    /// matrix, per-class metrics, calibration, gallery); an image read as anything but one
    /// digit is "unanswered" there. `workers` threads read images at the same time.
    public init(images: [LabelledImage], directory: String, reader: some ImageReader, model: Model,
                modelFile: String, shipped: Bool = false, lineModel: ModelSummary? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let clock = ContinuousClock()
        let started = clock.now
        // Images are read on every core; each result goes to its own slot, so the order and
        // the numbers do not depend on the scheduling.
        let slots = Locked([Result<ImageReadout, ImageError>?](repeating: nil, count: images.count))
        let next = Locked(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, images.count))) { _ in
            while true {
                let i = next.withLock { n in defer { n += 1 }; return n }
                guard i < images.count else { return }
                let name = images[i].file
                let result = Result { () throws(ImageError) -> ImageReadout in
                    guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                        throw ImageError.unreadable(name: name, reason: "no such file or not readable")
                    }
                    var readout = try reader.readout(imageData: data, name: name)
                    // Keep a preview only when it will be shown: 10,000 of them would not fit.
                    if readout.text.trimmingCharacters(in: .whitespaces) == images[i].label { readout.preview = nil }
                    return readout
                }
                slots.withLock { $0[i] = result }
            }
        }
        let readouts = slots.withLock { $0.map { $0! } }
        let seconds = (clock.now - started).seconds

        let items = zip(images, readouts).map { image, readout in
            switch readout {
            case let .success(r):
                let text = r.text.trimmingCharacters(in: .whitespaces)
                return ImageFolderResults.Item(
                    file: image.file, label: image.label, text: text, confidence: r.confidence, error: nil,
                    correct: text == image.label,
                    editDistance: editDistance(ImageFolderResults.digits(image.label), ImageFolderResults.digits(text)))
            case let .failure(error):
                return ImageFolderResults.Item(
                    file: image.file, label: image.label, text: nil, confidence: nil, error: error.description,
                    correct: false, editDistance: ImageFolderResults.digits(image.label).count)
            }
        }
        var results = ImageFolderResults(items: items)
        for (image, readout) in zip(images, readouts) {
            if case let .success(r) = readout, let preview = r.preview { results.previews[image.file] = preview }
        }

        var classification: Classification?
        let singleDigit = images.allSatisfy { $0.label.count == 1 && $0.label.first!.isASCII && $0.label.first!.isNumber }
        if singleDigit {
            let answers: [(Int, Double, Raster?)] = readouts.map {
                guard case let .success(r) = $0 else { return (-1, 0, nil) }
                guard r.digits.count == 1 else { return (-1, 0, r.thumbnail) }
                return (r.digits[0].digit, r.digits[0].confidence, r.thumbnail)
            }
            classification = Classification(predictions: answers.map(\.0), labels: images.map { Int($0.label)! },
                                             confidences: answers.map(\.1), files: images.map(\.file),
                                             texts: items.map(\.text), thumbnail: { answers[$0].2 })
        }
        self.init(model: ModelSummary(file: modelFile, name: model.name, parameters: model.parameterCount, shipped: shipped),
                  data: DataSummary(source: "images", path: directory, samples: images.count),
                  seconds: seconds, loss: nil, accuracy: results.stringAccuracy,
                  classification: classification, history: model.history, images: results, lineModel: lineModel)
    }
}

/// A value shared between threads, every access under a lock. (`Synchronization.Mutex` would
/// do, but needs macOS 15 and the package supports macOS 14.)
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
