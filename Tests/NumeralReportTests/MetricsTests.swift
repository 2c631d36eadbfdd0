import Testing
import NumeralCore
import NumeralTraining

@Suite("Metrics")
struct MetricsTests {
    // labels      0 0 1 1 2 2
    // predictions 0 1 1 1 0 0   (class 2 is never predicted)
    let matrix = ConfusionMatrix(predictions: [0, 1, 1, 1, 0, 0], labels: [0, 0, 1, 1, 2, 2], classCount: 3)

    @Test func confusionMatrixCounts() {
        #expect(matrix.counts == [[1, 1, 0], [0, 2, 0], [2, 0, 0]])
        #expect(matrix.total == 6)
        #expect(matrix.correct == 3)
        #expect(matrix.predicted(2) == 0)
    }

    @Test func perClassMetricsByHand() {
        let m = ClassificationMetrics(matrix)
        // Class 0: TP 1, predicted 3, support 2 -> P 1/3, R 1/2, F1 0.4.
        #expect(abs(m.classes[0].precision - 1.0 / 3) < 1e-12)
        #expect(abs(m.classes[0].recall - 0.5) < 1e-12)
        #expect(abs(m.classes[0].f1 - 0.4) < 1e-12)
        // Class 1: TP 2, predicted 3, support 2 -> P 2/3, R 1, F1 0.8.
        #expect(abs(m.classes[1].precision - 2.0 / 3) < 1e-12)
        #expect(m.classes[1].recall == 1)
        #expect(abs(m.classes[1].f1 - 0.8) < 1e-12)
        // Class 2 is never predicted: precision is defined (0), not NaN.
        #expect(m.classes[2] == ClassMetrics(precision: 0, recall: 0, f1: 0, support: 2))
        #expect(abs(m.macro.precision - 1.0 / 3) < 1e-12)
        #expect(abs(m.macro.recall - 0.5) < 1e-12)
        #expect(abs(m.macro.f1 - 0.4) < 1e-12)
        #expect(m.accuracy == 0.5)
    }

    @Test func weightedAverageUsesSupport() {
        // Supports 3 and 1: class 0 all right, class 1 predicted as 0.
        let m = ClassificationMetrics(ConfusionMatrix(predictions: [0, 0, 0, 0], labels: [0, 0, 0, 1], classCount: 2))
        #expect(m.classes[0].precision == 0.75 && m.classes[0].recall == 1)
        #expect(abs(m.weighted.recall - 0.75) < 1e-12)           // (3·1 + 1·0) / 4
        #expect(abs(m.macro.recall - 0.5) < 1e-12)
        #expect(abs(m.weighted.precision - 0.5625) < 1e-12)      // (3·0.75 + 0) / 4
        #expect(m.macro.support == 4)
    }

    @Test func emptyMatrixHasNoNaN() {
        let m = ClassificationMetrics(ConfusionMatrix(predictions: [], labels: [], classCount: 10))
        let all = m.classes + [m.macro, m.weighted]
        #expect(all.allSatisfy { !$0.precision.isNaN && !$0.recall.isNaN && !$0.f1.isNaN })
        #expect(m.accuracy == 0)
    }

    @Test(arguments: [(1, 2), (7, 3), (100, 10), (1001, 10), (333, 17)])
    func confusionMatrixSumsToN(count: Int, classes: Int) {
        var rng = SplitMix64(seed: UInt64(count * 31 + classes))
        let labels = (0..<count).map { _ in Int.random(in: 0..<classes, using: &rng) }
        // −1 is "no answer": it is counted apart but still part of N.
        let predictions = (0..<count).map { _ in Int.random(in: -1..<classes, using: &rng) }
        let m = ConfusionMatrix(predictions: predictions, labels: labels, classCount: classes)
        #expect(m.total == count, "N = \(count), \(classes) classes")
        #expect(m.counts.joined().reduce(0, +) + m.unanswered.reduce(0, +) == count)
        #expect((0..<classes).map(m.support).reduce(0, +) == count)
        #expect(m.correct == zip(predictions, labels).filter { $0 == $1 }.count)
    }

    @Test func mostConfusedPairsLargestFirst() {
        let m = ConfusionMatrix(predictions: [1, 1, 1, 0, 2, 2, 0], labels: [0, 0, 0, 1, 1, 1, 2], classCount: 3)
        let pairs = m.mostConfusedPairs(limit: 2)
        #expect(pairs.map { [$0.trueClass, $0.predictedClass, $0.count] } == [[0, 1, 3], [1, 2, 2]])
        #expect(abs(pairs[1].rate - 2.0 / 3) < 1e-12)
    }

    @Test func expectedCalibrationErrorByHand() {
        // Bin (0.867, 0.933]: confidence 0.9, accuracy 1/2 -> gap 0.4, weight 2/4.
        // Bin (0.6, 0.667]: confidence 0.62, accuracy 1 -> gap 0.38, weight 2/4.
        let c = Calibration(confidences: [0.9, 0.9, 0.62, 0.62], correct: [true, false, true, true])
        #expect(c.bins.count == 15)
        #expect(c.bins[13].count == 2 && c.bins[9].count == 2)
        #expect(abs(c.expectedCalibrationError - 0.39) < 1e-12)
        #expect(abs(c.maximumCalibrationError - 0.4) < 1e-12)
        #expect(c.bins.map(\.count).reduce(0, +) == 4)
    }

    @Test func calibrationEdges() {
        // Confidence 1 falls in the last bin, 0 in the first; a perfectly calibrated set has ECE 0.
        let c = Calibration(confidences: [1, 1, 0], correct: [true, true, false])
        #expect(c.bins[14].count == 2 && c.bins[0].count == 1)
        #expect(c.expectedCalibrationError == 0)
    }

    @Test func coverageByHand() {
        let curve = CoverageCurve(confidences: [0.7, 0.9, 0.6, 0.8], correct: [false, true, true, true])
        let t = Dictionary(uniqueKeysWithValues: curve.thresholds.map { ($0.threshold, $0) })
        #expect(t[0.5] == CoveragePoint(threshold: 0.5, coverage: 1, accuracy: 0.75, risk: 0.25))
        #expect(t[0.8] == CoveragePoint(threshold: 0.8, coverage: 0.5, accuracy: 1, risk: 0))
        #expect(t[0.95] == CoveragePoint(threshold: 0.95, coverage: 0, accuracy: 1, risk: 0))
        #expect(curve.points.count == 100)
        #expect(curve.points[99].accuracy == 0.75 && curve.points[99].coverage == 1)
        #expect(curve.points[49] == CoveragePoint(threshold: 0.8, coverage: 0.5, accuracy: 1, risk: 0))
        // Keeping 75 % adds the wrong answer at 0.7.
        #expect(curve.points[74].accuracy == 2.0 / 3)
    }

    @Test func editDistances() {
        #expect(editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(editDistance(Array(""), Array("123")) == 3)
        #expect(editDistance(Array("123"), Array("")) == 3)
        #expect(editDistance(Array("18014"), Array("18014")) == 0)
        #expect(editDistance(Array("1?5"), Array("125")) == 1)
    }
}
