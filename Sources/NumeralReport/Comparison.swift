public import NumeralNN
public import NumeralData
import NumeralCore
import NumeralTraining
import Foundation

/// One model's line in `numeral compare`.
public struct ModelComparison: Sendable, Equatable, Codable {
    public var file: String
    public var name: String
    public var parameters: Int
    public var accuracy: Double
    public var loss: Double
    public var macroF1: Double
    public var ece: Double
    /// Test-set images per second, batches of 1000 (as `numeral evaluate` runs).
    public var imagesPerSecond: Double
    /// Median time of one single-image call, in milliseconds.
    public var latencyMilliseconds: Double

    /// Evaluates `model` on `dataset` and times it: throughput over the whole set in batches
    /// of 1000 after one untimed warm-up batch, latency as the median of `latencySamples`
    /// single-image calls.
    public init(model: Model, file: String, on dataset: Dataset, latencySamples: Int = 100) {
        // One untimed batch first: the first call pays for thread start-up and kernel set-up,
        // which would otherwise be charged to whichever model comes first.
        if dataset.count > 0 { _ = model.probabilities(dataset.batch(0..<min(1000, dataset.count)).images) }
        let clock = ContinuousClock()
        let started = clock.now
        let evaluation = evaluate(model, on: dataset)
        let seconds = (clock.now - started).seconds
        var latencies: [Double] = []
        for i in 0..<min(latencySamples, dataset.count) {
            let (image, _) = dataset.batch(i..<(i + 1))
            let start = clock.now
            _ = model.probabilities(image)
            latencies.append((clock.now - start).seconds * 1000)
        }
        latencies.sort()
        let report = EvaluationReport(evaluation: evaluation, dataset: dataset, model: model, modelFile: file,
                                      dataPath: "", seconds: seconds)
        self.file = file
        name = model.name
        parameters = model.parameterCount
        accuracy = evaluation.accuracy
        loss = evaluation.loss
        macroF1 = report.classification?.metrics.macro.f1 ?? 0
        ece = report.classification?.calibration.expectedCalibrationError ?? 0
        imagesPerSecond = seconds > 0 ? Double(evaluation.count) / seconds : 0
        latencyMilliseconds = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
    }

    /// The models side by side as an aligned table, one row per model.
    public static func table(_ rows: [ModelComparison]) -> String {
        let header = ["model", "parameters", "accuracy", "macro F1", "ECE", "loss", "images/s", "latency ms", "file"]
        let cells = rows.map { r in
            [r.name, Format.count(r.parameters), Format.rate(r.accuracy), Format.rate(r.macroF1), Format.rate(r.ece),
             Format.rate(r.loss), Format.count(Int(r.imagesPerSecond.rounded())), String(format: "%.3f", r.latencyMilliseconds), r.file]
        }
        let widths = header.indices.map { c in ([header] + cells).map { $0[c].count }.max()! }
        func line(_ row: [String]) -> String {
            row.indices.map { c in
                c == 0 || c == row.count - 1 ? Format.padRight(row[c], widths[c]) : Format.padLeft(row[c], widths[c])
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n") + "\n"
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
