public import NumeralCore
import Foundation

/// Element-wise activation functions. Backward uses the cached *output*, which is all
/// ReLU, sigmoid and tanh need: relu' = [y > 0], σ' = y(1 − y), tanh' = 1 − y².
public struct Activation: Layer {
    public enum Kind: String, Sendable, Codable, CaseIterable { case relu, sigmoid, tanh }
    public let kind: Kind
    private var cachedOutput: Tensor?
    /// Set by `Sequential` when the layer before applies this ReLU itself: forward passes
    /// its input through, backward still masks the gradient.
    public private(set) var isFused = false
    /// Set by `Sequential` when a max pooling follows and applies this ReLU's mask in its
    /// backward: backward passes the gradient through.
    public private(set) var leavesMaskToPooling = false

    public init(_ kind: Kind) { self.kind = kind }

    public var spec: LayerSpec {
        switch kind {
        case .relu: .relu
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        }
    }

    mutating func markAsFused() {
        precondition(kind == .relu, "only ReLU fuses into the layer before, not \(kind)")
        isFused = true
    }

    mutating func leaveMaskToPooling() {
        precondition(kind == .relu, "only ReLU's mask moves into max pooling, not \(kind)")
        leavesMaskToPooling = true
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        if isFused { return input }
        let y: [Float] = switch kind {
        case .relu: Kernels.relu(input.scalars)
        case .sigmoid: input.scalars.map { 1 / (1 + exp(-$0)) }
        case .tanh: input.scalars.map { Foundation.tanh($0) }
        }
        return Tensor(shape: input.shape, scalars: y)
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let y = self(input)
        cachedOutput = y
        return y
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let y = cachedOutput else { preconditionFailure("\(kind).backward called before forward") }
        precondition(outputGradient.shape == y.shape, "\(kind) backward: \(outputGradient.shape) vs \(y.shape)")
        if leavesMaskToPooling { return outputGradient }
        let dy = outputGradient.scalars
        let dx: [Float] = switch kind {
        case .relu: Kernels.reluBackward(outputGradient: dy, output: y.scalars)
        case .sigmoid: zip(dy, y.scalars).map { $0 * $1 * (1 - $1) }
        case .tanh: zip(dy, y.scalars).map { $0 * (1 - $1 * $1) }
        }
        return Tensor(shape: y.shape, scalars: dx)
    }
}

/// Inverted dropout: in training each element is zeroed with probability `rate` and the
/// survivors scaled by 1/(1 − rate); at inference it is the identity.
public struct Dropout: Layer {
    public let rate: Float
    private var cachedMask: [Float] = []

    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "dropout rate \(rate) must be in [0, 1)")
        self.rate = rate
    }

    public var spec: LayerSpec { .dropout(rate: rate) }
    public var treatsSamplesAlone: Bool { false }

    public func callAsFunction(_ input: Tensor) -> Tensor { input }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let keep = 1 - rate, scale = 1 / keep
        // One draw from the caller's generator seeds a concrete one for the mask: the generic
        // path through `some RandomNumberGenerator` costs more per element than the mask itself.
        let seed = rng.next()
        guard rate > 0 else {
            cachedMask = [Float](repeating: 1, count: input.shape.count)
            return input
        }
        // keep < 1 here, and keep·2⁶⁴ (exact in Double) stays below 2⁶⁴.
        let threshold = UInt64(Double(keep) * 0x1p64)
        let (y, mask) = Kernels.dropoutForward(input.scalars, seed: seed, threshold: threshold, scale: scale)
        cachedMask = mask
        return Tensor(shape: input.shape, scalars: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(cachedMask.count == outputGradient.shape.count, "Dropout.backward called before forward")
        return Tensor(shape: outputGradient.shape, scalars: Kernels.multiply(outputGradient.scalars, cachedMask))
    }
}
