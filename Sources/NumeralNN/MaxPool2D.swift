public import NumeralCore

/// Max pooling over square windows of NCHW input (stride defaults to the window size).
public struct MaxPool2D: Layer {
    public let size: Int, stride: Int
    private var cachedArgmax: [Int32] = []
    private var cachedInputShape: Shape?
    private var cachedOutput: [Float] = []
    /// Set by `Sequential` when a ReLU comes right before: backward applies the ReLU's mask.
    private(set) var masksForPrecedingReLU = false

    public init(size: Int, stride: Int? = nil) {
        self.size = size
        self.stride = stride ?? size
    }

    public var spec: LayerSpec { .maxPool2D(size: size, stride: stride) }

    func geometry(_ s: Shape) -> Pool2DGeometry {
        precondition(s.rank == 4, "MaxPool2D needs NCHW input, got \(s)")
        return Pool2DGeometry(batch: s[0], channels: s[1], height: s[2], width: s[3], size: size, stride: stride)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        let g = geometry(input.shape)
        return Tensor(shape: g.outputShape, scalars: Kernels.maxPool2DInference(input: input.scalars, geometry: g))
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let g = geometry(input.shape)
        let (y, argmax) = Kernels.maxPool2DForward(input: input.scalars, geometry: g)
        cachedArgmax = argmax
        cachedInputShape = input.shape
        if masksForPrecedingReLU { cachedOutput = y }
        return Tensor(shape: g.outputShape, scalars: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let shape = cachedInputShape else { preconditionFailure("MaxPool2D.backward called before forward") }
        return Tensor(shape: shape, scalars: Kernels.maxPool2DBackward(
            outputGradient: outputGradient.scalars, argmax: cachedArgmax, inputCount: shape.count,
            maskingNonPositive: masksForPrecedingReLU ? cachedOutput : nil))
    }

    mutating func takeOverReLUMask() { masksForPrecedingReLU = true }
}

/// [batch, d1, d2, …] → [batch, d1·d2·…].
public struct Flatten: Layer {
    private var cachedInputShape: Shape?
    public init() {}
    public var spec: LayerSpec { .flatten }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        let batch = input.shape[0]
        return input.reshaped([batch, batch == 0 ? 0 : input.shape.count / batch])
    }
    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        cachedInputShape = input.shape
        return self(input)
    }
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let shape = cachedInputShape else { preconditionFailure("Flatten.backward called before forward") }
        return outputGradient.reshaped(shape)
    }
}
