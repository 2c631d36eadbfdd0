public import NumeralCore

/// A trainable value and its gradient, found by `Layer.visitParameters`.
public struct Parameter: Sendable {
    /// Stable name inside its layer ("weight", "bias", "runningMean" …).
    public var name: String
    public var value: Tensor
    /// Same count as `value`; layers *add* into it, the optimizer zeroes it.
    public var gradient: [Float]
    /// False for state that is saved but not optimised (batch-norm running statistics).
    public var isTrainable: Bool
    /// Whether weight decay / L2 applies (weights yes; biases and norm parameters no).
    public var decays: Bool

    public init(name: String, value: Tensor, isTrainable: Bool = true, decays: Bool = false) {
        self.name = name
        self.value = value
        self.gradient = [Float](repeating: 0, count: isTrainable ? value.shape.count : 0)
        self.isTrainable = isTrainable
        self.decays = decays
    }

    public mutating func zeroGradient() {
        for i in gradient.indices { gradient[i] = 0 }
    }
}

/// A building block with a hand-written backward pass.
///
/// Layers have two forward paths: `callAsFunction` for inference (pure, no caches, so one
/// model can serve many threads) and `forward(_:using:)` for training, which caches what
/// `backward` needs and applies training-only behaviour (dropout, batch statistics).
public protocol Layer: Sendable {
    /// Inference.
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Training forward: computes the output and caches what `backward` needs.
    mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor
    /// Accumulates parameter gradients (+=) and returns the gradient w.r.t. the input.
    mutating func backward(_ outputGradient: Tensor) -> Tensor
    /// Visits every parameter (trainable or saved state) in a stable order.
    mutating func visitParameters(_ visit: (inout Parameter) -> Void)
    /// The description this layer is rebuilt from when a model file is loaded.
    var spec: LayerSpec { get }
    /// Called on the first layer of a model: its input gradient is never used.
    mutating func markAsInputLayer()
    /// Asks the layer to apply the ReLU that follows it as part of its own output (oneDNN's
    /// fused post-op for convolutions). Returns false if it cannot; `Sequential` then leaves
    /// the ReLU layer as it is.
    mutating func fuseFollowingReLU() -> Bool
    /// True when the training forward treats each sample on its own and draws no random
    /// numbers, so that a batch split in parts and run on copies of the layer gives the same
    /// gradients, added up. False for batch norm (statistics over the batch) and dropout.
    var treatsSamplesAlone: Bool { get }
}

extension Layer {
    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {}
    public mutating func markAsInputLayer() {}
    public mutating func fuseFollowingReLU() -> Bool { false }
    public var treatsSamplesAlone: Bool { true }

    /// Number of trainable scalars.
    public var parameterCount: Int {
        var copy = self, count = 0
        copy.visitParameters { if $0.isTrainable { count += $0.value.shape.count } }
        return count
    }
}

/// How a dense or convolution layer's random weights are drawn (biases start at zero).
public enum WeightInitialization: String, Codable, CaseIterable, Sendable {
    /// Normal, standard deviation √(2 / fan-in) (He et al. 2015), made for ReLU networks.
    case he
    /// Uniform in ±√(6 / (fan-in + fan-out)) (Glorot & Bengio 2010): Keras's default.
    case glorot

    func weights(shape: Shape, fanIn: Int, fanOut: Int, using rng: inout some RandomNumberGenerator) -> Tensor {
        switch self {
        case .he:
            return .normal(shape: shape, standardDeviation: (2 / Float(fanIn)).squareRoot(), using: &rng)
        case .glorot:
            let bound = (6 / Float(fanIn + fanOut)).squareRoot()
            return .uniform(shape: shape, in: -bound...bound, using: &rng)
        }
    }
}
