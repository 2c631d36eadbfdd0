public import NumeralCore

/// Batch normalisation (Ioffe & Szegedy 2015) over the feature axis: features of a
/// `[batch, features]` input, channels of a `[batch, channels, H, W]` input.
///
/// Training normalises with the batch statistics and updates running estimates
/// (momentum 0.1, unbiased variance, as PyTorch); inference uses the running estimates.
public struct BatchNorm: Layer {
    public var scale: Parameter      // γ
    public var shift: Parameter      // β
    public var runningMean: Parameter
    public var runningVariance: Parameter
    public let features: Int
    public let momentum: Float = 0.1
    public let epsilon: Float = 1e-5
    private var cache: (normalized: [Float], inverseStd: [Float], shape: Shape)?

    public init(features: Int) {
        self.features = features
        scale = Parameter(name: "scale", value: Tensor(repeating: 1, shape: [features]))
        shift = Parameter(name: "shift", value: Tensor(zeros: [features]))
        runningMean = Parameter(name: "runningMean", value: Tensor(zeros: [features]), isTrainable: false)
        runningVariance = Parameter(name: "runningVariance", value: Tensor(repeating: 1, shape: [features]),
                                    isTrainable: false)
    }

    public var spec: LayerSpec { .batchNorm(features: features) }
    public var treatsSamplesAlone: Bool { false }

    /// (batch, features, spatial) view of the input; element (n, c, i) is at (n·C + c)·S + i.
    func layout(_ s: Shape) -> (batch: Int, spatial: Int) {
        precondition((s.rank == 2 || s.rank == 4) && s[1] == features, "BatchNorm(\(features)) got \(s)")
        return (s[0], s.rank == 4 ? s[2] * s[3] : 1)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        let (batch, spatial) = layout(input.shape)
        var y = input
        let (scale, shift) = inferenceAffine
        for c in 0..<features {
            let (a, b) = (scale[c], shift[c])
            for n in 0..<batch {
                let base = (n * features + c) * spatial
                for i in 0..<spatial { y.scalars[base + i] = y.scalars[base + i] * a + b }
            }
        }
        return y
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let (batch, spatial) = layout(input.shape)
        let m = Float(batch * spatial)
        var y = input
        var normalized = input.scalars
        var inverseStd = [Float](repeating: 0, count: features)
        for c in 0..<features {
            var sum: Float = 0
            for n in 0..<batch { let base = (n * features + c) * spatial
                for i in 0..<spatial { sum += input.scalars[base + i] } }
            let mean = sum / m
            var squares: Float = 0
            for n in 0..<batch { let base = (n * features + c) * spatial
                for i in 0..<spatial { let d = input.scalars[base + i] - mean; squares += d * d } }
            let variance = squares / m
            let inv = 1 / (variance + epsilon).squareRoot()
            inverseStd[c] = inv
            let (g, b) = (scale.value.scalars[c], shift.value.scalars[c])
            for n in 0..<batch { let base = (n * features + c) * spatial
                for i in 0..<spatial {
                    let xhat = (input.scalars[base + i] - mean) * inv
                    normalized[base + i] = xhat
                    y.scalars[base + i] = g * xhat + b
                } }
            let unbiased = m > 1 ? variance * m / (m - 1) : variance
            runningMean.value.scalars[c] += momentum * (mean - runningMean.value.scalars[c])
            runningVariance.value.scalars[c] += momentum * (unbiased - runningVariance.value.scalars[c])
        }
        cache = (normalized, inverseStd, input.shape)
        return y
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let (xhat, inverseStd, shape) = cache else { preconditionFailure("BatchNorm.backward called before forward") }
        precondition(outputGradient.shape == shape, "BatchNorm backward got \(outputGradient.shape)")
        let (batch, spatial) = layout(shape)
        let m = Float(batch * spatial)
        let dy = outputGradient.scalars
        var dx = dy
        for c in 0..<features {
            var sumDy: Float = 0, sumDyXhat: Float = 0
            for n in 0..<batch { let base = (n * features + c) * spatial
                for i in 0..<spatial { sumDy += dy[base + i]; sumDyXhat += dy[base + i] * xhat[base + i] } }
            scale.gradient[c] += sumDyXhat
            shift.gradient[c] += sumDy
            // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂))
            let k = scale.value.scalars[c] * inverseStd[c]
            for n in 0..<batch { let base = (n * features + c) * spatial
                for i in 0..<spatial {
                    dx[base + i] = k * (dy[base + i] - sumDy / m - xhat[base + i] * sumDyXhat / m)
                } }
        }
        return Tensor(shape: shape, scalars: dx)
    }

    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {
        visit(&scale); visit(&shift); visit(&runningMean); visit(&runningVariance)
    }
}
