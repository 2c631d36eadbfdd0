public import Foundation
import NumeralNN
import NumeralTraining

// The JSON of `numeral evaluate --json`, documented field by field in docs/evaluation-json.md.
// Every key is always present; a part that does not apply is `null`, never left out.

extension EvaluationReport: Encodable {
    enum Keys: String, CodingKey {
        case schema, model, lineModel, data, samples, seconds, samplesPerSecond, loss, accuracy
        case classes, macro, weighted, confusionMatrix, unanswered, confusedPairs
        case calibration, coverage, mistakes, history, images
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(Self.schemaVersion, forKey: .schema)
        try c.encode(model, forKey: .model)
        try c.encode(lineModel, forKey: .lineModel)
        try c.encode(data, forKey: .data)
        try c.encode(data.samples, forKey: .samples)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(samplesPerSecond, forKey: .samplesPerSecond)
        try c.encode(loss, forKey: .loss)
        try c.encode(accuracy, forKey: .accuracy)
        let k = classification
        try c.encode(k.map { $0.metrics.classes.enumerated().map { ClassRow(label: $0, metrics: $1, predicted: k!.matrix.predicted($0)) } },
                     forKey: .classes)
        try c.encode(k?.metrics.macro, forKey: .macro)
        try c.encode(k?.metrics.weighted, forKey: .weighted)
        try c.encode(k?.matrix.counts, forKey: .confusionMatrix)
        try c.encode(k?.matrix.unanswered, forKey: .unanswered)
        try c.encode(k?.confusedPairs, forKey: .confusedPairs)
        try c.encode(k.map { CalibrationJSON($0.calibration) }, forKey: .calibration)
        try c.encode(k.map { CoverageJSON(points: $0.coverage.points, thresholds: $0.coverage.thresholds) }, forKey: .coverage)
        try c.encode(k?.mistakes.map(MistakeJSON.init) ?? [], forKey: .mistakes)
        try c.encode(history.map(EpochJSON.init), forKey: .history)
        try c.encode(images.map(ImagesJSON.init), forKey: .images)
    }

    /// The report as one line of JSON with sorted keys.
    public func json(prettyPrinted: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        // Every number in the report is finite (rates of empty sets are defined as 0).
        guard let data = try? encoder.encode(self) else { preconditionFailure("evaluation report does not encode") }
        return String(decoding: data, as: UTF8.self)
    }
}

private struct ClassRow: Encodable {
    var label: Int, precision: Double, recall: Double, f1: Double, support: Int, predicted: Int
    init(label: Int, metrics m: ClassMetrics, predicted: Int) {
        self.label = label; precision = m.precision; recall = m.recall; f1 = m.f1; support = m.support
        self.predicted = predicted
    }
}

private struct CalibrationJSON: Encodable {
    var ece: Double, mce: Double, binCount: Int, bins: [CalibrationBin]
    init(_ c: Calibration) {
        ece = c.expectedCalibrationError; mce = c.maximumCalibrationError; binCount = c.bins.count; bins = c.bins
    }
}

private struct CoverageJSON: Encodable { var points: [CoveragePoint], thresholds: [CoveragePoint] }

private struct MistakeJSON: Encodable {
    var index: Int, file: String?, label: Int, predicted: Int?, confidence: Double, text: String?
    init(_ m: EvaluationReport.Mistake) {
        index = m.index; file = m.file; label = m.label; predicted = m.predicted >= 0 ? m.predicted : nil
        confidence = m.confidence; text = m.text
    }
    enum CodingKeys: CodingKey { case index, file, label, predicted, confidence, text }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index); try c.encode(file, forKey: .file); try c.encode(label, forKey: .label)
        try c.encode(predicted, forKey: .predicted); try c.encode(confidence, forKey: .confidence)
        try c.encode(text, forKey: .text)
    }
}

private struct EpochJSON: Encodable {
    var r: EpochRecord
    enum CodingKeys: CodingKey { case epoch, loss, accuracy, validationLoss, validationAccuracy, seconds }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(r.epoch, forKey: .epoch); try c.encode(r.loss, forKey: .loss)
        try c.encode(r.accuracy, forKey: .accuracy); try c.encode(r.validationLoss, forKey: .validationLoss)
        try c.encode(r.validationAccuracy, forKey: .validationAccuracy); try c.encode(r.seconds, forKey: .seconds)
    }
}

private struct ImagesJSON: Encodable {
    var stringAccuracy: Double, digitAccuracy: Double, characterErrorRate: Double, rejectionRate: Double
    var acceptedAccuracy: Double
    var unreadable: [Unreadable], items: [ItemJSON]
    struct Unreadable: Encodable { var file: String, error: String }
    init(_ r: ImageFolderResults) {
        stringAccuracy = r.stringAccuracy; digitAccuracy = r.digitAccuracy
        characterErrorRate = r.characterErrorRate; rejectionRate = r.rejectionRate
        acceptedAccuracy = r.acceptedAccuracy
        unreadable = r.unreadable.map { Unreadable(file: $0.file, error: $0.error ?? "") }
        items = r.items.map(ItemJSON.init)
    }
}

private struct ItemJSON: Encodable {
    var item: ImageFolderResults.Item
    enum CodingKeys: CodingKey { case file, label, text, confidence, error, correct, editDistance }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(item.file, forKey: .file); try c.encode(item.label, forKey: .label)
        try c.encode(item.text, forKey: .text); try c.encode(item.confidence, forKey: .confidence)
        try c.encode(item.error, forKey: .error); try c.encode(item.correct, forKey: .correct)
        try c.encode(item.editDistance, forKey: .editDistance)
    }
}
