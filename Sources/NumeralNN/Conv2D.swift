public import NumeralCore

/// 2-D convolution over NCHW input with square kernels, stride and zero padding.
///
/// input `[batch, inputChannels, H, W]`, weight `[outputChannels, inputChannels, k, k]`,
/// output `[batch, outputChannels, (H + 2p − k)/s + 1, (W + 2p − k)/s + 1]`.
public struct Conv2D: Layer {
    public var weight: Parameter
    public var bias: Parameter
    public let inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int, padding: Int
    private var cachedInput: Tensor?
    private var skipsInputGradient = false
    /// Applies the following ReLU in the convolution primitive (see `fuseFollowingReLU`).
    private(set) var fusesReLU = false

    /// Random weights drawn as `initialization` says (He-normal by default; fan-in =
    /// inputChannels·k·k, fan-out = outputChannels·k·k), zero bias.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                initialization: WeightInitialization = .he, using rng: inout some RandomNumberGenerator) {
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                  stride: stride, padding: padding)
        let window = kernelSize * kernelSize
        weight.value = initialization.weights(shape: weight.value.shape, fanIn: inputChannels * window,
                                              fanOut: outputChannels * window, using: &rng)
    }

    /// Zero weights and bias (parameters to be loaded).
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0) {
        self.inputChannels = inputChannels; self.outputChannels = outputChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding
        weight = Parameter(name: "weight", value: Tensor(zeros: [outputChannels, inputChannels, kernelSize, kernelSize]),
                           decays: true)
        bias = Parameter(name: "bias", value: Tensor(zeros: [outputChannels]))
    }

    public var spec: LayerSpec {
        .conv2D(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                stride: stride, padding: padding)
    }

    func geometry(_ input: Shape) -> Conv2DGeometry {
        precondition(input.rank == 4 && input[1] == inputChannels,
                     "Conv2D(\(inputChannels)→\(outputChannels)) got input \(input)")
        return Conv2DGeometry(batch: input[0], inputChannels: inputChannels, height: input[2], width: input[3],
                              outputChannels: outputChannels, kernelHeight: kernelSize, kernelWidth: kernelSize,
                              stride: stride, padding: padding)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        let g = geometry(input.shape)
        return Tensor(shape: g.outputShape,
                      scalars: Kernels.conv2DForward(input: input.scalars, weight: weight.value.scalars,
                                                     bias: bias.value.scalars, geometry: g, relu: fusesReLU))
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        cachedInput = input
        return self(input)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("Conv2D.backward called before forward") }
        let g = geometry(x.shape)
        precondition(outputGradient.shape == g.outputShape, "Conv2D backward got \(outputGradient.shape)")
        let dx = Kernels.conv2DBackward(input: x.scalars, weight: weight.value.scalars,
                                        outputGradient: outputGradient.scalars, geometry: g,
                                        weightGradient: &weight.gradient, biasGradient: &bias.gradient,
                                        needsInputGradient: !skipsInputGradient)
        return skipsInputGradient ? Tensor(zeros: x.shape) : Tensor(shape: x.shape, scalars: dx)
    }

    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {
        visit(&weight); visit(&bias)
    }

    public mutating func markAsInputLayer() { skipsInputGradient = true }

    public mutating func fuseFollowingReLU() -> Bool {
        fusesReLU = true
        return true
    }
}
