public import NumeralCore
import Foundation

/// Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.
/// 2000) over a sequence, returning the last hidden state.
///
/// Each sample of the input is read as `steps` rows of `inputSize` values: an MNIST image
/// `[batch, 1, 28, 28]` is 28 steps of 28 pixels, row by row. Output: `[batch, hiddenSize]`.
///
/// Per step, with gates in PyTorch's order i, f, g, o stacked in the weights' rows:
///
///     z = x_t·W_xᵀ + h_{t−1}·W_hᵀ + b          W_x: [4H, inputSize], W_h: [4H, H], b: [4H]
///     i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
///     c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
///
/// The input projection of all steps is one GEMM; each step adds one `[batch, H]·[H, 4H]`
/// GEMM. Backward is full backpropagation through time; the weight gradients of all steps
/// are again one GEMM each. Deliberate difference from PyTorch: one bias instead of two
/// (b_ih + b_hh is the same function), and the forget-gate bias starts at 1 (Jozefowicz et
/// al. 2015, Keras' `unit_forget_bias`).
public struct LSTM: Layer {
    public var inputWeight: Parameter    // W_x: [4H, inputSize]
    public var hiddenWeight: Parameter   // W_h: [4H, H]
    public var bias: Parameter           // b: [4H]
    public let inputSize: Int, hiddenSize: Int
    private var cache: Cache?
    private var skipsInputGradient = false

    /// What backward needs, time-major: row (t, n) of a `[steps, batch, …]` buffer.
    struct Cache {
        var inputShape: Shape
        var batch: Int, steps: Int
        var x: [Float]          // [steps, batch, inputSize]
        var gates: [Float]      // [steps, batch, 4H], after their nonlinearities
        var cells: [Float]      // [steps + 1, batch, H], c_{−1} = 0 first
        var cellTanh: [Float]   // [steps, batch, H], tanh(c_t)
        var hidden: [Float]     // [steps + 1, batch, H], h_{−1} = 0 first
    }

    /// Weights uniform in ±1/√H (PyTorch's default), biases 0 except the forget gate's 1.
    public init(inputSize: Int, hiddenSize: Int, using rng: inout some RandomNumberGenerator) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize)
        let bound = 1 / Float(hiddenSize).squareRoot()
        inputWeight.value = .uniform(shape: inputWeight.value.shape, in: -bound...bound, using: &rng)
        hiddenWeight.value = .uniform(shape: hiddenWeight.value.shape, in: -bound...bound, using: &rng)
    }

    /// Zero weights, the biases as above (parameters to be loaded).
    public init(inputSize: Int, hiddenSize: Int) {
        precondition(inputSize >= 1 && hiddenSize >= 1, "LSTM(\(inputSize)→\(hiddenSize))")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        inputWeight = Parameter(name: "inputWeight", value: Tensor(zeros: [4 * hiddenSize, inputSize]), decays: true)
        hiddenWeight = Parameter(name: "hiddenWeight", value: Tensor(zeros: [4 * hiddenSize, hiddenSize]), decays: true)
        var b = [Float](repeating: 0, count: 4 * hiddenSize)
        for j in hiddenSize..<(2 * hiddenSize) { b[j] = 1 }
        bias = Parameter(name: "bias", value: Tensor(shape: [4 * hiddenSize], scalars: b))
    }

    public var spec: LayerSpec { .lstm(inputSize: inputSize, hiddenSize: hiddenSize) }

    public func callAsFunction(_ input: Tensor) -> Tensor { run(input).output }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let (output, cache) = run(input)
        self.cache = cache
        return output
    }

    /// The forward pass; returns the last hidden state and everything backward needs.
    func run(_ input: Tensor) -> (output: Tensor, cache: Cache) {
        let batch = input.shape.rank >= 1 ? input.shape[0] : 0
        let perSample = batch == 0 ? 0 : input.shape.count / batch
        precondition(input.shape.rank >= 2 && perSample % inputSize == 0 && perSample > 0,
                     "LSTM(\(inputSize)→\(hiddenSize)) got input \(input.shape): each sample must be steps × \(inputSize)")
        let steps = perSample / inputSize
        let (h4, hs) = (4 * hiddenSize, hiddenSize)

        // x: [batch, steps, in] → time-major [steps, batch, in], so each step's rows are contiguous.
        var x = [Float](repeating: 0, count: steps * batch * inputSize)
        for n in 0..<batch { for t in 0..<steps {
            let src = (n * steps + t) * inputSize, dst = (t * batch + n) * inputSize
            for p in 0..<inputSize { x[dst + p] = input.scalars[src + p] }
        } }
        // Input projection of every step at once: gates [steps·batch, 4H] = x · W_xᵀ + b.
        var gates = [Float](repeating: 0, count: steps * batch * h4)
        for r in 0..<(steps * batch) { for j in 0..<h4 { gates[r * h4 + j] = bias.value.scalars[j] } }
        Kernels.gemm(GEMMShape(m: steps * batch, n: h4, k: inputSize),
                     a: x, b: inputWeight.value.scalars, transposeB: true, into: &gates, beta: 1)

        var cells = [Float](repeating: 0, count: (steps + 1) * batch * hs)
        var hidden = [Float](repeating: 0, count: (steps + 1) * batch * hs)
        var cellTanh = [Float](repeating: 0, count: steps * batch * hs)
        var z = [Float](repeating: 0, count: batch * h4)
        var previous = [Float](repeating: 0, count: batch * hs)
        for t in 0..<steps {
            // z: [batch, 4H] = (x_t·W_xᵀ + b) + h_{t−1}·W_hᵀ
            let gateBase = t * batch * h4
            for i in 0..<(batch * h4) { z[i] = gates[gateBase + i] }
            if t > 0 {
                Kernels.gemm(GEMMShape(m: batch, n: h4, k: hs),
                             a: previous, b: hiddenWeight.value.scalars, transposeB: true, into: &z, beta: 1)
            }
            let before = t * batch * hs, after = (t + 1) * batch * hs
            for n in 0..<batch {
                let row = n * h4
                for j in 0..<hs {
                    let i = sigmoid(z[row + j]), f = sigmoid(z[row + hs + j])
                    let g = fastTanh(z[row + 2 * hs + j]), o = sigmoid(z[row + 3 * hs + j])
                    let c = f * cells[before + n * hs + j] + i * g
                    let tc = fastTanh(c)
                    let h = o * tc
                    cells[after + n * hs + j] = c
                    cellTanh[before + n * hs + j] = tc
                    hidden[after + n * hs + j] = h
                    previous[n * hs + j] = h
                    gates[gateBase + row + j] = i
                    gates[gateBase + row + hs + j] = f
                    gates[gateBase + row + 2 * hs + j] = g
                    gates[gateBase + row + 3 * hs + j] = o
                }
            }
        }
        let cache = Cache(inputShape: input.shape, batch: batch, steps: steps, x: x, gates: gates,
                          cells: cells, cellTanh: cellTanh, hidden: hidden)
        return (Tensor(shape: [batch, hs], scalars: previous), cache)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let cache else { preconditionFailure("LSTM.backward called before forward") }
        let (batch, steps, hs, h4) = (cache.batch, cache.steps, hiddenSize, 4 * hiddenSize)
        precondition(outputGradient.shape == [batch, hs], "LSTM backward got \(outputGradient.shape), expected [\(batch), \(hs)]")
        // dZ: [steps, batch, 4H], the gradient w.r.t. the pre-activation gates of every step.
        var dZ = [Float](repeating: 0, count: steps * batch * h4)
        var dh = outputGradient.scalars                        // [batch, H], flows back in time
        var dc = [Float](repeating: 0, count: batch * hs)      // [batch, H]
        var dzStep = [Float](repeating: 0, count: batch * h4)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let gateBase = t * batch * h4, before = t * batch * hs
            for n in 0..<batch {
                let row = n * h4
                for j in 0..<hs {
                    let i = cache.gates[gateBase + row + j], f = cache.gates[gateBase + row + hs + j]
                    let g = cache.gates[gateBase + row + 2 * hs + j], o = cache.gates[gateBase + row + 3 * hs + j]
                    let k = n * hs + j
                    let tc = cache.cellTanh[before + k]
                    let dct = dc[k] + dh[k] * o * (1 - tc * tc)
                    dzStep[row + j] = dct * g * i * (1 - i)
                    dzStep[row + hs + j] = dct * cache.cells[before + k] * f * (1 - f)
                    dzStep[row + 2 * hs + j] = dct * i * (1 - g * g)
                    dzStep[row + 3 * hs + j] = dh[k] * tc * o * (1 - o)
                    dc[k] = dct * f
                }
            }
            for i in 0..<(batch * h4) { dZ[gateBase + i] = dzStep[i] }
            // dh_{t−1}: [batch, H] = dz: [batch, 4H] · W_h: [4H, H]
            if t > 0 {
                Kernels.gemm(GEMMShape(m: batch, n: hs, k: h4), a: dzStep, b: hiddenWeight.value.scalars, into: &dh)
            }
        }
        // All steps at once. dW_h: [4H, H] += dZᵀ: [4H, steps·batch] · h_{t−1}: [steps·batch, H]
        // (rows of `hidden` 0..<steps are h_{−1} … h_{steps−2}).
        let previousHidden = Array(cache.hidden[0..<(steps * batch * hs)])
        Kernels.gemm(GEMMShape(m: h4, n: hs, k: steps * batch), a: dZ, transposeA: true,
                     b: previousHidden, into: &hiddenWeight.gradient, beta: 1)
        // dW_x: [4H, in] += dZᵀ · x: [steps·batch, in]
        Kernels.gemm(GEMMShape(m: h4, n: inputSize, k: steps * batch), a: dZ, transposeA: true,
                     b: cache.x, into: &inputWeight.gradient, beta: 1)
        for r in 0..<(steps * batch) { for j in 0..<h4 { bias.gradient[j] += dZ[r * h4 + j] } }
        if skipsInputGradient { return Tensor(zeros: cache.inputShape) }
        // dx (time-major): [steps·batch, in] = dZ · W_x: [4H, in], then back to [batch, steps, in].
        var dxTime = [Float](repeating: 0, count: steps * batch * inputSize)
        Kernels.gemm(GEMMShape(m: steps * batch, n: inputSize, k: h4), a: dZ, b: inputWeight.value.scalars, into: &dxTime)
        var dx = [Float](repeating: 0, count: cache.inputShape.count)
        for n in 0..<batch { for t in 0..<steps {
            let dst = (n * steps + t) * inputSize, src = (t * batch + n) * inputSize
            for p in 0..<inputSize { dx[dst + p] = dxTime[src + p] }
        } }
        return Tensor(shape: cache.inputShape, scalars: dx)
    }

    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {
        visit(&inputWeight); visit(&hiddenWeight); visit(&bias)
    }

    public mutating func markAsInputLayer() { skipsInputGradient = true }
}

@inline(__always) private func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// tanh through one expf: 1 − 2/(e^{2x} + 1). glibc's tanhf (via expm1f) took about half of
/// the LSTM's time; this is within 1e-7 absolute of it and saturates cleanly (e^{2x} = ∞ → 1).
@inline(__always) func fastTanh(_ x: Float) -> Float { 1 - 2 / (expf(2 * x) + 1) }
