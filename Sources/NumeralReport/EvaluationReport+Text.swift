import Foundation
import NumeralTraining

/// Numbers as every output of the report writes them: the text, the HTML and the pictures
/// all go through these, so they agree to the last digit.
enum Format {
    /// A rate with four decimals: 0.9722.
    static func rate(_ x: Double) -> String { String(format: "%.4f", x) }
    /// A percentage with two decimals: 97.22%.
    static func percent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
    /// A count with thousands separators: 42,310.
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
    static func seconds(_ s: Double) -> String { String(format: "%.3f s", s) }
    static func padLeft(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
    static func padRight(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
}

extension EvaluationReport {
    /// The report as aligned plain-text tables, the output of `numeral evaluate`.
    public var text: String {
        var out: [String] = []
        for (label, m) in [("model     ", model), ("lines     ", lineModel)] {
            guard let m else { continue }
            out.append("\(label)\(m.name), \(Format.count(m.parameters)) parameters (\(m.file)\(m.shipped ? ", shipped" : ""))")
        }
        let source = data.source == "images" ? "image folder" : "MNIST test set"
        out.append("data      \(source), \(Format.count(data.samples)) images (\(data.path))")
        out.append("time      \(Format.seconds(seconds)), \(Format.count(Int(samplesPerSecond.rounded()))) images/s")
        var headline = "accuracy  \(Format.rate(accuracy))"
        if let loss { headline += "   loss \(Format.rate(loss))" }
        out.append(headline)
        if let images { out += imageLines(images) }
        if let classification { out += classificationLines(classification) }
        if !history.isEmpty { out += historyLines }
        return out.joined(separator: "\n") + "\n"
    }

    private func imageLines(_ r: ImageFolderResults) -> [String] {
        var out = [
            "",
            "strings   string accuracy \(Format.rate(r.stringAccuracy))   digit accuracy \(Format.rate(r.digitAccuracy))"
                + "   rejection rate \(Format.rate(r.rejectionRate))   unreadable \(r.unreadable.count)",
            "          accuracy of the answers not rejected \(Format.rate(r.acceptedAccuracy))",
        ]
        for item in r.unreadable { out.append("unreadable \(item.file): \(item.error ?? "")") }
        return out
    }

    private func classificationLines(_ k: Classification) -> [String] {
        var out = ["", "class     precision  recall     f1         support"]
        func row(_ name: String, _ m: ClassMetrics) -> String {
            Format.padRight(name, 10) + [m.precision, m.recall, m.f1].map { Format.padRight(Format.rate($0), 11) }.joined()
                + Format.padLeft(String(m.support), 7)
        }
        for (c, m) in k.metrics.classes.enumerated() { out.append(row("\(c)", m)) }
        out.append(row("macro", k.metrics.macro))
        out.append(row("weighted", k.metrics.weighted))

        out += ["", "confusion matrix (rows: true class, columns: predicted class)"]
        let width = max(5, String(k.matrix.counts.joined().max() ?? 0).count + 1)
        let unanswered = k.matrix.unanswered.contains { $0 > 0 }
        out.append("true\\pred" + (0..<k.matrix.classCount).map { Format.padLeft("\($0)", width) }.joined()
                   + (unanswered ? Format.padLeft("none", width + 1) : ""))
        for t in 0..<k.matrix.classCount {
            out.append(Format.padLeft("\(t)", 9) + k.matrix.counts[t].map { Format.padLeft("\($0)", width) }.joined()
                       + (unanswered ? Format.padLeft("\(k.matrix.unanswered[t])", width + 1) : ""))
        }

        out += ["", "most confused (true -> predicted: count, share of the true class)"]
        if k.confusedPairs.isEmpty { out.append("  none") }
        for p in k.confusedPairs {
            out.append("  \(p.trueClass) -> \(p.predictedClass): \(Format.padLeft(String(p.count), 5))  \(Format.percent(p.rate))")
        }

        let c = k.calibration
        out += ["", "calibration  ECE \(Format.rate(c.expectedCalibrationError))   MCE \(Format.rate(c.maximumCalibrationError))   (\(c.bins.count) bins)"]
        out.append("  confidence     count  accuracy  mean confidence")
        for b in c.bins where b.count > 0 {
            out.append("  " + String(format: "(%.3f, %.3f]", b.lower, b.upper) + Format.padLeft(String(b.count), 7)
                       + "  " + Format.rate(b.accuracy) + "    " + Format.rate(b.confidence))
        }

        out += ["", "coverage (answers below the threshold rejected as \"not sure\")",
                "  threshold  coverage  accuracy  errors kept"]
        for p in k.coverage.thresholds {
            out.append("  " + Format.padRight(String(p.threshold), 11) + Format.rate(p.coverage) + "    "
                       + Format.rate(p.accuracy) + "    " + Format.rate(p.risk))
        }

        if !k.mistakes.isEmpty {
            let shown = k.mistakes.prefix(10).map { m in
                "#\(m.file ?? String(m.index)) \(m.label)->\(m.predicted >= 0 ? String(m.predicted) : "none") \(Format.percent(m.confidence))"
            }
            out += ["", "most confident mistakes: " + shown.joined(separator: ", ")]
        }
        return out
    }

    private var historyLines: [String] {
        var out = ["", "training history (from the model file)",
                   "  epoch  loss    accuracy  val_loss  val_accuracy"]
        for r in history {
            out.append("  " + Format.padLeft(String(r.epoch), 5) + "  " + Format.rate(r.loss) + "  " + Format.rate(r.accuracy)
                       + "    " + (r.validationLoss.map(Format.rate) ?? "  -   ") + "    "
                       + (r.validationAccuracy.map(Format.rate) ?? "-"))
        }
        return out
    }
}
