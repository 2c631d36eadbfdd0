import NumeralCore
public import NumeralNN
public import NumeralData
import Foundation

/// Predictions of a model over a data set, with loss and accuracy.
public struct Evaluation: Sendable {
    public var loss: Double
    public var accuracy: Double
    public var labels: [Int]
    public var predictions: [Int]
    /// `count × 10` class probabilities.
    public var probabilities: [Float]
    public var count: Int { labels.count }
}

/// Evaluates one network (inference mode) in batches.
public func evaluate(_ network: Sequential, on data: Dataset, batchSize: Int = 1000) -> Evaluation {
    evaluate(on: data, batchSize: batchSize) { softmax(network($0)) }
}

/// Evaluates a model (single network or ensemble).
public func evaluate(_ model: Model, on data: Dataset, batchSize: Int = 1000) -> Evaluation {
    evaluate(on: data, batchSize: batchSize) { model.probabilities($0) }
}

func evaluate(on data: Dataset, batchSize: Int, probabilities: (Tensor) -> Tensor) -> Evaluation {
    var lossSum = 0.0, correct = 0
    var predictions: [Int] = [], allProbabilities: [Float] = []
    predictions.reserveCapacity(data.count)
    allProbabilities.reserveCapacity(data.count * 10)
    for start in stride(from: 0, to: data.count, by: batchSize) {
        let (images, labels) = data.batch(start..<min(start + batchSize, data.count))
        let p = probabilities(images)
        let predicted = argmaxRows(p)
        for (n, label) in labels.enumerated() {
            lossSum -= Double(log(max(p.scalars[n * 10 + label], 1e-12)))
            if predicted[n] == label { correct += 1 }
        }
        predictions += predicted
        allProbabilities += p.scalars
    }
    let n = Double(max(data.count, 1))
    return Evaluation(loss: lossSum / n, accuracy: Double(correct) / n, labels: data.labels,
                      predictions: predictions, probabilities: allProbabilities)
}
