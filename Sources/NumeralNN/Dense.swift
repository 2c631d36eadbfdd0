public import NumeralCore

/// Fully connected layer: y = x·Wᵀ + b.
///
/// x: `[batch, inputSize]`, W: `[outputSize, inputSize]` (PyTorch's layout), b: `[outputSize]`.
public struct Dense: Layer {
    public var weight: Parameter
    public var bias: Parameter
    public let inputSize: Int, outputSize: Int
    private var cachedInput: Tensor?
    private var skipsInputGradient = false

    /// Random weights drawn as `initialization` says (He-normal by default), zero bias.
    public init(inputSize: Int, outputSize: Int, initialization: WeightInitialization = .he,
                using rng: inout some RandomNumberGenerator) {
        self.init(inputSize: inputSize, outputSize: outputSize)
        weight.value = initialization.weights(shape: [outputSize, inputSize], fanIn: inputSize, fanOut: outputSize,
                                              using: &rng)
    }

    /// Zero weights and bias (parameters to be loaded).
    public init(inputSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(name: "weight", value: Tensor(zeros: [outputSize, inputSize]), decays: true)
        bias = Parameter(name: "bias", value: Tensor(zeros: [outputSize]))
    }

    public var spec: LayerSpec { .dense(inputSize: inputSize, outputSize: outputSize) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.rank == 2 && input.shape[1] == inputSize,
                     "Dense(\(inputSize)→\(outputSize)) got input \(input.shape)")
        let batch = input.shape[0]
        // Start from the bias in every row, then y += x·Wᵀ.
        var y = [Float](repeating: 0, count: batch * outputSize)
        for n in 0..<batch { for j in 0..<outputSize { y[n * outputSize + j] = bias.value.scalars[j] } }
        Kernels.gemm(GEMMShape(m: batch, n: outputSize, k: inputSize),
                     a: input.scalars, b: weight.value.scalars, transposeB: true, into: &y, beta: 1)
        return Tensor(shape: [batch, outputSize], scalars: y)
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        cachedInput = input
        return self(input)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("Dense.backward called before forward") }
        let batch = x.shape[0]
        precondition(outputGradient.shape == [batch, outputSize], "Dense backward got \(outputGradient.shape)")
        // dW: [out, in] += dyᵀ: [out, batch] · x: [batch, in]
        Kernels.gemm(GEMMShape(m: outputSize, n: inputSize, k: batch),
                     a: outputGradient.scalars, transposeA: true, b: x.scalars, into: &weight.gradient, beta: 1)
        for n in 0..<batch { for j in 0..<outputSize { bias.gradient[j] += outputGradient.scalars[n * outputSize + j] } }
        if skipsInputGradient { return Tensor(zeros: x.shape) }
        // dx: [batch, in] = dy: [batch, out] · W: [out, in]
        var dx = [Float](repeating: 0, count: batch * inputSize)
        Kernels.gemm(GEMMShape(m: batch, n: inputSize, k: outputSize),
                     a: outputGradient.scalars, b: weight.value.scalars, into: &dx)
        return Tensor(shape: x.shape, scalars: dx)
    }

    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {
        visit(&weight); visit(&bias)
    }

    public mutating func markAsInputLayer() { skipsInputGradient = true }
}
