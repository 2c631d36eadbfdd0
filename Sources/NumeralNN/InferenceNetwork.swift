public import NumeralCore

/// A `Sequential` rewritten for inference only: the same function, fewer passes.
///
/// - A `BatchNorm` right after a `Conv2D` or `Dense` is folded into that layer's weights and
///   bias (at inference batch norm is the per-channel affine map y = a·x + b with
///   a = γ/√(σ² + ε), b = β − μ·a, so W' = a·W row by row and bias' = a·bias + b).
/// - A ReLU that then follows a convolution runs inside the convolution's primitive (the
///   fused post-op `Sequential` already uses when the ReLU follows the convolution directly).
/// - Dropout, the identity at inference, is left out.
///
/// The outputs equal the `Sequential`'s up to float rounding (the folded product rounds in a
/// different order). Training, parameter visiting and model files always use the `Sequential`;
/// an `InferenceNetwork` is derived from one and cannot be saved or trained.
public struct InferenceNetwork: Sendable {
    public let layers: [any Layer]

    public init(_ network: Sequential) {
        var layers: [any Layer] = []
        for layer in network.layers {
            if layer is Dropout { continue }
            if let norm = layer as? BatchNorm, let previous = layers.last {
                if let conv = previous as? Conv2D, !conv.fusesReLU {
                    layers[layers.count - 1] = conv.folding(norm)
                    continue
                }
                if let dense = previous as? Dense {
                    layers[layers.count - 1] = dense.folding(norm)
                    continue
                }
            }
            if let relu = layer as? Activation, relu.kind == .relu {
                if relu.isFused { continue }  // the layer before already applies it
                if var previous = layers.last, previous is Conv2D, previous.fuseFollowingReLU() {
                    layers[layers.count - 1] = previous
                    continue
                }
            }
            layers.append(layer)
        }
        self.layers = layers
    }

    /// Inference on a batch, like `Sequential.callAsFunction`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }
}

extension BatchNorm {
    /// The inference map per feature, y = scale·x + shift, from the running statistics.
    var inferenceAffine: (scale: [Float], shift: [Float]) {
        var a = [Float](repeating: 0, count: features), b = [Float](repeating: 0, count: features)
        for c in 0..<features {
            let inv = 1 / (runningVariance.value.scalars[c] + epsilon).squareRoot()
            a[c] = scale.value.scalars[c] * inv
            b[c] = shift.value.scalars[c] - runningMean.value.scalars[c] * a[c]
        }
        return (a, b)
    }
}

extension Conv2D {
    /// This convolution followed by `norm` at inference, as one convolution.
    func folding(_ norm: BatchNorm) -> Conv2D {
        precondition(norm.features == outputChannels, "BatchNorm(\(norm.features)) after Conv2D(→\(outputChannels))")
        precondition(!fusesReLU, "a convolution that applies its ReLU cannot absorb a batch norm after it")
        let (a, b) = norm.inferenceAffine
        var folded = self
        // weight: [outputChannels, inputChannels·k·k]; row oc scaled by a[oc].
        let row = weight.value.shape.count / outputChannels
        for oc in 0..<outputChannels {
            for i in 0..<row { folded.weight.value.scalars[oc * row + i] *= a[oc] }
            folded.bias.value.scalars[oc] = bias.value.scalars[oc] * a[oc] + b[oc]
        }
        return folded
    }
}

extension Dense {
    /// This dense layer followed by `norm` at inference, as one dense layer.
    func folding(_ norm: BatchNorm) -> Dense {
        precondition(norm.features == outputSize, "BatchNorm(\(norm.features)) after Dense(→\(outputSize))")
        let (a, b) = norm.inferenceAffine
        var folded = self
        // weight: [outputSize, inputSize]; row j scaled by a[j].
        for j in 0..<outputSize {
            for i in 0..<inputSize { folded.weight.value.scalars[j * inputSize + i] *= a[j] }
            folded.bias.value.scalars[j] = bias.value.scalars[j] * a[j] + b[j]
        }
        return folded
    }
}
