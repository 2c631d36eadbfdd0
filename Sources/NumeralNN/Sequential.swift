public import NumeralCore

/// Layers applied in order; backward walks them in reverse.
public struct Sequential: Layer {
    public var layers: [any Layer]
    public let architecture: Architecture

    /// A freshly initialised model: every dense and convolution layer drawn with
    /// `initialization` (He by default). The architecture must chain (checked with a
    /// precondition; a file's architecture is checked with a thrown error before it gets here).
    public init(_ architecture: Architecture, initialization: WeightInitialization = .he,
                using rng: inout some RandomNumberGenerator) {
        self.init(architecture, layers: architecture.layers.map {
            $0.makeLayer(initialization: initialization, using: &rng)
        })
    }

    /// The model with zero weights, for parameters that are set next from a file
    /// (`takeParameters`): no random draws, which were most of a model's load time.
    public init(loading architecture: Architecture) {
        self.init(architecture, layers: architecture.layers.map { $0.makeLayerForLoading() })
    }

    private init(_ architecture: Architecture, layers made: [any Layer]) {
        precondition(architecture.outputShape != nil, "architecture \(architecture.name) does not chain")
        self.architecture = architecture
        layers = made
        if !layers.isEmpty { layers[0].markAsInputLayer() }
        // conv → ReLU: the convolution applies the ReLU in its primitive, and the ReLU layer
        // only keeps the mask for backward (saves a pass over the largest activations).
        for i in layers.indices.dropLast() {
            guard var relu = layers[i + 1] as? Activation, relu.kind == .relu, !relu.isFused,
                  layers[i].fuseFollowingReLU() else { continue }
            relu.markAsFused()
            layers[i + 1] = relu
        }
        // ReLU → max pooling: only window maxima get a gradient, so the pooling's backward
        // drops those whose max was not positive and the ReLU skips its pass.
        for i in layers.indices.dropLast() {
            guard var relu = layers[i] as? Activation, relu.kind == .relu, !relu.leavesMaskToPooling,
                  var pool = layers[i + 1] as? MaxPool2D else { continue }
            relu.leaveMaskToPooling()
            pool.takeOverReLUMask()
            layers[i] = relu
            layers[i + 1] = pool
        }
    }

    public var spec: LayerSpec { preconditionFailure("Sequential is described by its Architecture") }
    public var treatsSamplesAlone: Bool { layers.allSatisfy(\.treatsSamplesAlone) }

    /// Inference on a batch `[batch] + architecture.inputShape`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        var x = input
        for i in layers.indices { x = layers[i].forward(x, using: &rng) }
        return x
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        var g = outputGradient
        for i in layers.indices.reversed() { g = layers[i].backward(g) }
        return g
    }

    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {
        for i in layers.indices { layers[i].visitParameters(visit) }
    }

    /// Every parameter with its file name ("3.weight": layer index, then parameter name).
    public mutating func visitNamedParameters(_ visit: (String, inout Parameter) -> Void) {
        for i in layers.indices {
            layers[i].visitParameters { visit("\(i).\($0.name)", &$0) }
        }
    }
}
