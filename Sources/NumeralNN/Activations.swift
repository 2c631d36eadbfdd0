public import NumeralCore
import Foundation

/// Element-wise activation functions. Backward uses the cached *output*, which is all
/// ReLU, sigmoid and tanh need: relu' = [y > 0], σ' = y(1 − y), tanh' = 1 − y².
public struct Activation: Layer {
    public enum Kind: String, Sendable, Codable, CaseIterable { case relu, sigmoid, tanh }
    public let kind: Kind
    private var cachedOutput: Tensor?

    public init(_ kind: Kind) { self.kind = kind }

    public var spec: LayerSpec {
        switch kind {
        case .relu: .relu
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var y = input
        switch kind {
        case .relu: for i in y.scalars.indices where y.scalars[i] < 0 { y.scalars[i] = 0 }
        case .sigmoid: for i in y.scalars.indices { y.scalars[i] = 1 / (1 + exp(-y.scalars[i])) }
        case .tanh: for i in y.scalars.indices { y.scalars[i] = Foundation.tanh(y.scalars[i]) }
        }
        return y
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let y = self(input)
        cachedOutput = y
        return y
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let y = cachedOutput else { preconditionFailure("\(kind).backward called before forward") }
        precondition(outputGradient.shape == y.shape, "\(kind) backward: \(outputGradient.shape) vs \(y.shape)")
        var dx = outputGradient
        switch kind {
        case .relu: for i in dx.scalars.indices where y.scalars[i] <= 0 { dx.scalars[i] = 0 }
        case .sigmoid: for i in dx.scalars.indices { dx.scalars[i] *= y.scalars[i] * (1 - y.scalars[i]) }
        case .tanh: for i in dx.scalars.indices { dx.scalars[i] *= 1 - y.scalars[i] * y.scalars[i] }
        }
        return dx
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

    public func callAsFunction(_ input: Tensor) -> Tensor { input }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let keep = 1 - rate, scale = 1 / keep
        cachedMask = (0..<input.shape.count).map { _ in Float.random(in: 0..<1, using: &rng) < keep ? scale : 0 }
        var y = input
        for i in y.scalars.indices { y.scalars[i] *= cachedMask[i] }
        return y
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(cachedMask.count == outputGradient.shape.count, "Dropout.backward called before forward")
        var dx = outputGradient
        for i in dx.scalars.indices { dx.scalars[i] *= cachedMask[i] }
        return dx
    }
}
