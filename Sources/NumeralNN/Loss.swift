public import NumeralCore
import Foundation

/// Row-wise softmax of `[batch, classes]` logits (max-subtracted for stability).
public func softmax(_ logits: Tensor) -> Tensor {
    precondition(logits.shape.rank == 2, "softmax needs [batch, classes], got \(logits.shape)")
    let classes = logits.shape[1]
    var p = logits
    for n in 0..<logits.shape[0] {
        let row = n * classes
        var m = -Float.infinity
        for j in 0..<classes { m = max(m, p.scalars[row + j]) }
        var sum: Float = 0
        for j in 0..<classes { let e = exp(p.scalars[row + j] - m); p.scalars[row + j] = e; sum += e }
        for j in 0..<classes { p.scalars[row + j] /= sum }
    }
    return p
}

/// Mean softmax cross-entropy of `[batch, classes]` logits against integer labels, and its
/// gradient w.r.t. the logits: (softmax − target) / batch.
///
/// The target is one-hot, except for the label `classes` itself, which means "none of
/// them" (an input that is not a digit at all): its target is uniform over the classes, so
/// the network learns to be unsure there (outlier exposure, Hendrycks et al. 2019).
public func softmaxCrossEntropy(logits: Tensor, labels: [Int]) -> (loss: Float, gradient: Tensor) {
    let (batch, classes) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == batch, "\(labels.count) labels for a batch of \(batch)")
    var gradient = softmax(logits)
    var loss: Float = 0
    let uniform = 1 / Float(classes)
    for n in 0..<batch {
        let label = labels[n]
        precondition(label >= 0 && label <= classes, "label \(label) outside 0...\(classes)")
        if label == classes {
            for j in 0..<classes {
                loss -= uniform * log(max(gradient.scalars[n * classes + j], Float.leastNormalMagnitude))
                gradient.scalars[n * classes + j] -= uniform
            }
            continue
        }
        loss -= log(max(gradient.scalars[n * classes + label], Float.leastNormalMagnitude))
        gradient.scalars[n * classes + label] -= 1
    }
    let scale = 1 / Float(max(batch, 1))
    for i in gradient.scalars.indices { gradient.scalars[i] *= scale }
    return (loss * scale, gradient)
}
