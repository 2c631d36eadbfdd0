public import NumeralNN
public import NumeralTraining
public import NumeralVision
public import NumeralData

/// Everything `numeral evaluate` knows about a model on one data set: the numbers behind the
/// text tables, the JSON (docs/evaluation-json.md) and the HTML report.
public struct EvaluationReport: Sendable {
    /// Bumped when a JSON field changes meaning or disappears (adding fields keeps it).
    public static let schemaVersion = 1
    /// How many mistakes the report keeps (most confident first).
    public static let mistakeLimit = 50

    public struct ModelSummary: Sendable, Equatable, Codable {
        public var file: String
        public var name: String
        public var parameters: Int
        /// The model shipped with Numeral (used when no model file is given).
        public var shipped: Bool
        public init(file: String, name: String, parameters: Int, shipped: Bool = false) {
            self.file = file; self.name = name; self.parameters = parameters; self.shipped = shipped
        }
    }

    public struct DataSummary: Sendable, Equatable, Codable {
        /// "mnist-test" or "images".
        public var source: String
        public var path: String
        public var samples: Int
        public init(source: String, path: String, samples: Int) {
            self.source = source; self.path = path; self.samples = samples
        }
    }

    /// A wrong answer, kept for the gallery.
    public struct Mistake: Sendable, Equatable {
        /// Index of the sample in the data set.
        public var index: Int
        /// The image file (image folders only).
        public var file: String?
        public var label: Int
        public var predicted: Int
        public var confidence: Double
        /// The 28×28 input, gray, ink = 255 (white on black, as the model sees it).
        public var thumbnail: Raster?
        /// What a reader read when it gave no single-digit answer ("" for nothing, nil when the
        /// image could not be read); nil for MNIST.
        public var text: String? = nil
    }

    /// Classification results: present when every label is a single class.
    public struct Classification: Sendable, Equatable {
        public var matrix: ConfusionMatrix
        public var metrics: ClassificationMetrics
        public var calibration: Calibration
        public var coverage: CoverageCurve
        public var confusedPairs: [ConfusedPair]
        public var mistakes: [Mistake]

        /// - Parameters:
        ///   - confidences: the probability of the predicted class (0 when there is no answer).
        ///   - thumbnail: the input image of sample `i`, asked for the kept mistakes only.
        public init(predictions: [Int], labels: [Int], confidences: [Double], classCount: Int = 10,
                    files: [String]? = nil, texts: [String?]? = nil, thumbnail: (Int) -> Raster? = { _ in nil }) {
            matrix = ConfusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
            metrics = ClassificationMetrics(matrix)
            let correct = zip(predictions, labels).map { $0 == $1 }
            calibration = Calibration(confidences: confidences, correct: correct)
            coverage = CoverageCurve(confidences: confidences, correct: correct)
            confusedPairs = matrix.mostConfusedPairs(limit: 10)
            let wrong = labels.indices.filter { !correct[$0] }
                .sorted { (confidences[$0], -$0) > (confidences[$1], -$1) }
                .prefix(EvaluationReport.mistakeLimit)
            mistakes = wrong.map { i in
                Mistake(index: i, file: files?[i], label: labels[i], predicted: predictions[i],
                        confidence: confidences[i], thumbnail: thumbnail(i), text: texts?[i] ?? nil)
            }
        }
    }

    public var model: ModelSummary
    /// The line model that read numbers whole (image folders read with one only).
    public var lineModel: ModelSummary?
    public var data: DataSummary
    /// Wall time of the evaluation itself (reading the model and data excluded).
    public var seconds: Double
    /// Mean cross-entropy (MNIST only; a reader gives no full distribution).
    public var loss: Double?
    /// Classification accuracy, or string accuracy for image folders.
    public var accuracy: Double
    public var classification: Classification?
    /// Training history stored in the model file.
    public var history: [EpochRecord]
    /// Image folders only.
    public var images: ImageFolderResults?

    public init(model: ModelSummary, data: DataSummary, seconds: Double, loss: Double?, accuracy: Double,
                classification: Classification?, history: [EpochRecord], images: ImageFolderResults? = nil,
                lineModel: ModelSummary? = nil) {
        self.model = model; self.lineModel = lineModel; self.data = data; self.seconds = seconds; self.loss = loss
        self.accuracy = accuracy; self.classification = classification; self.history = history
        self.images = images
    }

    public var samplesPerSecond: Double { seconds > 0 ? Double(data.samples) / seconds : 0 }
}

extension EvaluationReport {
    /// The report of `evaluation`, the result of `evaluate(model, on: dataset)`.
    public init(evaluation: Evaluation, dataset: Dataset, model: Model, modelFile: String, shipped: Bool = false,
                dataPath: String, seconds: Double) {
        let confidences = evaluation.predictions.indices.map {
            Double(evaluation.probabilities[$0 * 10 + evaluation.predictions[$0]])
        }
        let classification = Classification(
            predictions: evaluation.predictions, labels: evaluation.labels, confidences: confidences,
            thumbnail: { i in Self.thumbnail(dataset.pixels[(i * 784)..<((i + 1) * 784)]) })
        self.init(model: ModelSummary(file: modelFile, name: model.name, parameters: model.parameterCount, shipped: shipped),
                  data: DataSummary(source: "mnist-test", path: dataPath, samples: evaluation.count),
                  seconds: seconds, loss: evaluation.loss, accuracy: evaluation.accuracy,
                  classification: classification, history: model.history)
    }

    /// A whole image shrunk to fit `width`×`height` (area average; never enlarged), centred, gray
    /// with ink = 255 when `inkIsWhite`, else as on paper (dark ink on white). Light backgrounds
    /// are taken as paper. The gallery's picture of an image that was not read as one digit.
    public static func thumbnail(of image: Raster, width: Int = 28, height: Int = 28, inkIsWhite: Bool = true) -> Raster {
        let scale = max(1, max(Double(image.width) / Double(width), Double(image.height) / Double(height)))
        let (w, h) = (max(1, min(width, Int(Double(image.width) / scale))), max(1, min(height, Int(Double(image.height) / scale))))
        let (ox, oy) = ((width - w) / 2, (height - h) / 2)
        var gray = [Double](repeating: 0, count: image.width * image.height)
        for i in gray.indices {
            let colour = min(image.channels, 3)
            var sum = 0.0
            for c in 0..<colour { sum += Double(image.pixels[i * image.channels + c]) }
            gray[i] = sum / Double(colour)
        }
        let lightPaper = gray.reduce(0, +) / Double(max(gray.count, 1)) > 127
        let invert = lightPaper == inkIsWhite
        var out = Raster(width: width, height: height, channels: 1, fill: inkIsWhite ? 0 : 255)
        for y in 0..<h {
            for x in 0..<w {
                let x0 = min(Int(Double(x) * scale), image.width - 1), x1 = max(x0 + 1, min(image.width, Int(Double(x + 1) * scale)))
                let y0 = min(Int(Double(y) * scale), image.height - 1), y1 = max(y0 + 1, min(image.height, Int(Double(y + 1) * scale)))
                var sum = 0.0
                for yy in y0..<y1 { for xx in x0..<x1 { sum += gray[yy * image.width + xx] } }
                let mean = sum / Double((y1 - y0) * (x1 - x0))
                out[ox + x, oy + y, 0] = UInt8(min(255, max(0, invert ? 255 - mean : mean)).rounded())
            }
        }
        return out
    }

    /// A 28×28 gray raster of model-input pixels in [0, 1] (ink = 1 becomes 255).
    public static func thumbnail(_ pixels: ArraySlice<Float>) -> Raster {
        precondition(pixels.count == 784, "a thumbnail needs 784 pixels, got \(pixels.count)")
        return Raster(width: 28, height: 28, channels: 1,
                      pixels: pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }
}
