public import NumeralCore
public import NumeralNN

/// One training pass over a batch: forward, softmax cross-entropy, backward. Returns the
/// batch's mean loss and its logits; the loss's gradients are added into `model`'s parameters.
///
/// Data-parallel when it pays (`parts` nil chooses, see `dataParallelParts`): the batch is cut
/// into `parts` contiguous pieces, each worker runs forward and backward of one piece on its
/// own copy of the model on one thread, and the copies' gradients are added into `model`.
/// Each piece's logit gradient is weighted by its share of the batch, so the sum is the
/// gradient of the whole batch's mean loss. Otherwise the batch runs whole, each kernel
/// splitting its own work across the cores (`Kernels`). Both give the same gradients up to
/// float rounding; a given seed and thread count always give the same model.
public func forwardBackward(_ model: inout Sequential, images: Tensor, labels: [Int],
                            using rng: inout SplitMix64, parts: Int? = nil) -> (loss: Float, logits: Tensor) {
    let batch = labels.count
    let parts = parts ?? dataParallelParts(model, batch: batch)
    precondition(parts >= 1 && parts <= max(batch, 1), "\(parts) parts of a batch of \(batch)")
    guard parts > 1 else {
        let logits = model.forward(images, using: &rng)
        let (loss, gradient) = softmaxCrossEntropy(logits: logits, labels: labels)
        _ = model.backward(gradient)
        return (loss, logits)
    }
    precondition(model.treatsSamplesAlone, "a model with batch norm or dropout cannot be split")
    let sampleSize = images.shape.count / batch
    var replicas = [Sequential](repeating: model, count: parts)
    var losses = [Float](repeating: 0, count: parts), logitParts = [Tensor](repeating: Tensor(zeros: [0]), count: parts)
    replicas.withUnsafeMutableBufferPointer { replicas in
        losses.withUnsafeMutableBufferPointer { losses in logitParts.withUnsafeMutableBufferPointer { logitParts in
            Kernels.forEachChunk(count: parts, chunkSize: 1) { chunk in
                let part = chunk.lowerBound
                let rows = (batch * part / parts)..<(batch * (part + 1) / parts)
                let x = Tensor(shape: Shape([rows.count] + images.shape.dimensions.dropFirst()),
                               scalars: Array(images.scalars[(rows.lowerBound * sampleSize)..<(rows.upperBound * sampleSize)]))
                replicas[part].visitParameters { $0.zeroGradient() }
                // The layers draw no random numbers (`treatsSamplesAlone`); forward wants a generator.
                var unused = SplitMix64(seed: 0)
                let logits = replicas[part].forward(x, using: &unused)
                var (loss, gradient) = softmaxCrossEntropy(logits: logits, labels: Array(labels[rows]))
                let share = Float(rows.count) / Float(batch)
                for i in gradient.scalars.indices { gradient.scalars[i] *= share }
                _ = replicas[part].backward(gradient)
                losses[part] = loss * share
                logitParts[part] = logits
            }
        } }
    }
    var gradients: [[[Float]]] = []
    for part in replicas.indices {
        var own: [[Float]] = []
        replicas[part].visitParameters { own.append($0.gradient) }
        gradients.append(own)
    }
    var index = 0
    model.visitParameters { parameter in
        for part in 0..<parts {
            gradients[part][index].withUnsafeBufferPointer { g in
                for i in parameter.gradient.indices { parameter.gradient[i] += g[i] }
            }
        }
        index += 1
    }
    let logits = Tensor(shape: [batch, logitParts[0].shape[1]], scalars: logitParts.flatMap(\.scalars))
    return (losses.reduce(0, +), logits)
}

/// How many pieces `forwardBackward` cuts a batch into: one per worker thread when the model's
/// layers treat samples alone (`Layer.treatsSamplesAlone`: no batch norm, no dropout) and each
/// piece carries at least `minimumPartFLOPs` of forward work; else 1.
///
/// Measured on 2 cores (`numeral train --threads 2`, one epoch, medians of runs alternated with
/// the whole-batch pass): LeNet at batch 64 (26.6 MFLOP forward a piece) 2.2 s an epoch instead
/// of 2.9 s, and at batch 16 3.5 s instead of 4.6 s; the MLP at batch 128 (5.4 MFLOP) the same
/// either way, but at batch 32 (1.3 MFLOP) 0.65 s split against 0.45 s whole. A piece below a
/// few MFLOP finishes before a sleeping worker has woken up.
public func dataParallelParts(_ model: Sequential, batch: Int) -> Int {
    let parts = min(Kernels.threadCount, batch)
    guard parts > 1, model.treatsSamplesAlone,
          model.architecture.forwardFLOPs * (batch / parts) >= minimumPartFLOPs else { return 1 }
    return parts
}

let minimumPartFLOPs = 4_000_000
