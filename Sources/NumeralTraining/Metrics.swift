// Classification metrics for judging a model: confusion matrix, per-class precision, recall
// and F1 with macro and weighted averages (as scikit-learn's `classification_report` defines
// them), calibration (expected calibration error with 15 equal-width bins, Guo et al. 2017,
// "On Calibration of Modern Neural Networks") and the accuracy–coverage curve of selective
// classification (Geifman & El-Yaniv 2017): the accuracy on the answers kept when the least
// confident ones are rejected.

/// Counts of (true class, predicted class) pairs.
///
/// `counts[t][p]` is the number of samples of true class `t` predicted as `p`; rows are the
/// true classes, columns the predictions. A prediction outside `0..<classCount` (a reader
/// that gave no answer) is counted in `unanswered[t]` instead of a cell.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classCount: Int
    public private(set) var counts: [[Int]]
    public private(set) var unanswered: [Int]

    /// - Parameters:
    ///   - predictions: one predicted class per sample (−1 for "no answer").
    ///   - labels: the true class of each sample, in `0..<classCount`.
    public init(predictions: [Int], labels: [Int], classCount: Int) {
        precondition(predictions.count == labels.count,
                     "\(predictions.count) predictions for \(labels.count) labels")
        precondition(classCount > 0, "classCount \(classCount)")
        self.classCount = classCount
        counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
        unanswered = Array(repeating: 0, count: classCount)
        for (p, t) in zip(predictions, labels) {
            precondition((0..<classCount).contains(t), "label \(t) outside 0..<\(classCount)")
            if (0..<classCount).contains(p) { counts[t][p] += 1 } else { unanswered[t] += 1 }
        }
    }

    /// All samples, answered or not.
    public var total: Int { counts.joined().reduce(0, +) + unanswered.reduce(0, +) }
    public var correct: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }
    /// Samples of class `c` (row sum plus unanswered).
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) + unanswered[c] }
    /// Samples predicted as `c` (column sum).
    public func predicted(_ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } }

    /// The off-diagonal cells with at least one sample, largest first (ties: by true, then
    /// predicted class), at most `limit`.
    public func mostConfusedPairs(limit: Int = 10) -> [ConfusedPair] {
        var pairs: [ConfusedPair] = []
        for t in 0..<classCount {
            for p in 0..<classCount where p != t && counts[t][p] > 0 {
                pairs.append(ConfusedPair(trueClass: t, predictedClass: p, count: counts[t][p],
                                          rate: Double(counts[t][p]) / Double(support(t))))
            }
        }
        pairs.sort { ($0.count, -$0.trueClass, -$0.predictedClass) > ($1.count, -$1.trueClass, -$1.predictedClass) }
        return Array(pairs.prefix(limit))
    }
}

/// One off-diagonal cell of a confusion matrix.
public struct ConfusedPair: Sendable, Equatable, Codable {
    public var trueClass: Int
    public var predictedClass: Int
    public var count: Int
    /// `count` over the support of the true class.
    public var rate: Double

    public init(trueClass: Int, predictedClass: Int, count: Int, rate: Double) {
        self.trueClass = trueClass; self.predictedClass = predictedClass; self.count = count; self.rate = rate
    }
}

/// Precision, recall, F1 and support of one class.
///
/// Precision of a class that is never predicted and recall of a class with no samples are
/// defined as 0 (scikit-learn's `zero_division=0`), never NaN; so is F1 when both are 0.
public struct ClassMetrics: Sendable, Equatable, Codable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int

    public init(truePositives: Int, predicted: Int, support: Int) {
        precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
        recall = support == 0 ? 0 : Double(truePositives) / Double(support)
        f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        self.support = support
    }

    public init(precision: Double, recall: Double, f1: Double, support: Int) {
        self.precision = precision; self.recall = recall; self.f1 = f1; self.support = support
    }
}

/// Per-class metrics with their macro (unweighted mean over classes) and weighted (by
/// support) averages.
public struct ClassificationMetrics: Sendable, Equatable {
    public var classes: [ClassMetrics]
    public var macro: ClassMetrics
    public var weighted: ClassMetrics
    public var accuracy: Double

    public init(_ matrix: ConfusionMatrix) {
        let classes = (0..<matrix.classCount).map { c in
            ClassMetrics(truePositives: matrix.counts[c][c], predicted: matrix.predicted(c), support: matrix.support(c))
        }
        self.classes = classes
        let n = matrix.total
        func average(_ weight: (ClassMetrics) -> Double) -> ClassMetrics {
            let total = classes.reduce(0) { $0 + weight($1) }
            func mean(_ value: (ClassMetrics) -> Double) -> Double {
                total == 0 ? 0 : classes.reduce(0) { $0 + weight($1) * value($1) } / total
            }
            return ClassMetrics(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: n)
        }
        macro = average { _ in 1 }
        weighted = average { Double($0.support) }
        accuracy = n == 0 ? 0 : Double(matrix.correct) / Double(n)
    }
}

// MARK: - Calibration

/// One bin of a reliability diagram: samples whose confidence is in `(lower, upper]`.
public struct CalibrationBin: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    /// Fraction of the bin's samples predicted right (0 for an empty bin).
    public var accuracy: Double
    /// Mean confidence of the bin's samples (0 for an empty bin).
    public var confidence: Double

    public init(lower: Double, upper: Double, count: Int, accuracy: Double, confidence: Double) {
        self.lower = lower; self.upper = upper; self.count = count; self.accuracy = accuracy; self.confidence = confidence
    }
}

/// Expected calibration error and the reliability diagram it is computed from.
///
/// ECE = Σ_b |B_b|/N · |accuracy(B_b) − confidence(B_b)| over `binCount` equal-width bins
/// of the top-class confidence; bin b holds confidences in (b/B, (b+1)/B], bin 0 also 0.
public struct Calibration: Sendable, Equatable {
    public var bins: [CalibrationBin]
    public var expectedCalibrationError: Double
    /// The largest |accuracy − confidence| over the non-empty bins.
    public var maximumCalibrationError: Double

    public init(confidences: [Double], correct: [Bool], binCount: Int = 15) {
        precondition(confidences.count == correct.count, "\(confidences.count) confidences, \(correct.count) outcomes")
        precondition(binCount > 0, "binCount \(binCount)")
        var count = [Int](repeating: 0, count: binCount)
        var right = [Int](repeating: 0, count: binCount)
        var confidenceSum = [Double](repeating: 0, count: binCount)
        for (c, ok) in zip(confidences, correct) {
            let b = min(max(Int((c * Double(binCount)).rounded(.up)) - 1, 0), binCount - 1)
            count[b] += 1
            if ok { right[b] += 1 }
            confidenceSum[b] += c
        }
        let n = Double(max(confidences.count, 1))
        var ece = 0.0, mce = 0.0
        bins = (0..<binCount).map { b in
            let k = Double(count[b])
            let accuracy = count[b] == 0 ? 0 : Double(right[b]) / k
            let confidence = count[b] == 0 ? 0 : confidenceSum[b] / k
            if count[b] > 0 {
                ece += k / n * abs(accuracy - confidence)
                mce = max(mce, abs(accuracy - confidence))
            }
            return CalibrationBin(lower: Double(b) / Double(binCount), upper: Double(b + 1) / Double(binCount),
                                  count: count[b], accuracy: accuracy, confidence: confidence)
        }
        expectedCalibrationError = ece
        maximumCalibrationError = mce
    }
}

// MARK: - Selective classification

/// One point of the accuracy–coverage curve.
public struct CoveragePoint: Sendable, Equatable, Codable {
    /// Answers kept: confidence ≥ `threshold`.
    public var threshold: Double
    /// Fraction of all samples kept.
    public var coverage: Double
    /// Accuracy on the kept samples (1 when none is kept).
    public var accuracy: Double
    /// Fraction of all samples kept *and* wrong: the errors a user still sees.
    public var risk: Double

    public init(threshold: Double, coverage: Double, accuracy: Double, risk: Double) {
        self.threshold = threshold; self.coverage = coverage; self.accuracy = accuracy; self.risk = risk
    }
}

/// Accuracy when answers below a confidence threshold are rejected ("not sure").
public struct CoverageCurve: Sendable, Equatable {
    /// One point per coverage percentage 1…100 %, the most confident samples kept first.
    public var points: [CoveragePoint]
    /// The points at a few round thresholds (0.5, 0.8, 0.9, 0.95, 0.99, 0.999).
    public var thresholds: [CoveragePoint]

    public static let standardThresholds = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]

    public init(confidences: [Double], correct: [Bool]) {
        precondition(confidences.count == correct.count, "\(confidences.count) confidences, \(correct.count) outcomes")
        let order = confidences.indices.sorted { confidences[$0] > confidences[$1] }
        let n = order.count
        // rightPrefix[k] = correct answers among the k most confident samples.
        var rightPrefix = [Int](repeating: 0, count: n + 1)
        for (k, i) in order.enumerated() { rightPrefix[k + 1] = rightPrefix[k] + (correct[i] ? 1 : 0) }
        func point(kept k: Int, threshold: Double) -> CoveragePoint {
            CoveragePoint(threshold: threshold,
                          coverage: n == 0 ? 0 : Double(k) / Double(n),
                          accuracy: k == 0 ? 1 : Double(rightPrefix[k]) / Double(k),
                          risk: n == 0 ? 0 : Double(k - rightPrefix[k]) / Double(n))
        }
        points = n == 0 ? [] : (1...100).map { percent in
            let k = max(1, Int((Double(n) * Double(percent) / 100).rounded(.up)))
            return point(kept: k, threshold: confidences[order[k - 1]])
        }
        thresholds = Self.standardThresholds.map { t in
            // Samples are sorted by decreasing confidence: count those at or above t.
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo + hi) / 2
                if confidences[order[mid]] >= t { lo = mid + 1 } else { hi = mid }
            }
            return point(kept: lo, threshold: t)
        }
    }
}

// MARK: - Strings of digits

/// Levenshtein distance between two character sequences (insertions, deletions and
/// substitutions cost 1).
public func editDistance<C: Collection>(_ a: C, _ b: C) -> Int where C.Element: Equatable {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
