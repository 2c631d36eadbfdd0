import NumeralCore
import Testing
import TestSupport

/// The oneDNN convolution primitives and the im2col + GEMM convolution against the direct
/// seven-loop reference.
@Suite struct ConvolutionKernelTests {
    static let geometries: [Conv2DGeometry] = [
        // LeNet's two convolutions, batch 1 and an odd batch.
        Conv2DGeometry(batch: 1, inputChannels: 1, height: 28, width: 28, outputChannels: 6,
                       kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2),
        Conv2DGeometry(batch: 3, inputChannels: 6, height: 14, width: 14, outputChannels: 16,
                       kernelHeight: 5, kernelWidth: 5),
        // Stride 2 with padding, non-square input, odd batch.
        Conv2DGeometry(batch: 5, inputChannels: 2, height: 7, width: 9, outputChannels: 3,
                       kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        // Stride 2 where the last row and column are never covered.
        Conv2DGeometry(batch: 2, inputChannels: 1, height: 8, width: 8, outputChannels: 4,
                       kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 0),
        // 1×1 kernel, and a kernel as large as the padded input.
        Conv2DGeometry(batch: 1, inputChannels: 3, height: 5, width: 5, outputChannels: 2,
                       kernelHeight: 1, kernelWidth: 1),
        Conv2DGeometry(batch: 2, inputChannels: 1, height: 3, width: 3, outputChannels: 2,
                       kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 1),
        // The Keras CNN's second convolution, shrunk.
        Conv2DGeometry(batch: 1, inputChannels: 8, height: 10, width: 10, outputChannels: 16,
                       kernelHeight: 3, kernelWidth: 3),
        // Rectangular kernel.
        Conv2DGeometry(batch: 4, inputChannels: 2, height: 6, width: 7, outputChannels: 3,
                       kernelHeight: 2, kernelWidth: 3, stride: 1, padding: 1),
        // 7 and 9 channels (not multiples of oneDNN's 16-channel blocks), stride 2 with padding,
        // a batch spanning several primitive chunks and both workers.
        Conv2DGeometry(batch: 37, inputChannels: 7, height: 9, width: 11, outputChannels: 9,
                       kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        Conv2DGeometry(batch: 1, inputChannels: 9, height: 12, width: 12, outputChannels: 7,
                       kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        // The Keras CNN's channel counts (blocked layouts on AVX-512), odd batches.
        Conv2DGeometry(batch: 3, inputChannels: 1, height: 28, width: 28, outputChannels: 32,
                       kernelHeight: 3, kernelWidth: 3),
        Conv2DGeometry(batch: 5, inputChannels: 32, height: 10, width: 10, outputChannels: 64,
                       kernelHeight: 3, kernelWidth: 3),
        // Winograd (3×3, stride 1, ≥ 16 input channels) with same padding and an odd tile count.
        Conv2DGeometry(batch: 3, inputChannels: 16, height: 9, width: 7, outputChannels: 16,
                       kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
    ]

    struct Operands {
        var input: [Float], weight: [Float], bias: [Float], outputGradient: [Float]
        init(_ g: Conv2DGeometry, seed: UInt64) {
            var rng = SplitMix64(seed: seed)
            input = Tensor.uniform(shape: g.inputShape, in: -1...1, using: &rng).scalars
            weight = Tensor.uniform(shape: g.weightShape, in: -1...1, using: &rng).scalars
            bias = Tensor.uniform(shape: [g.outputChannels], in: -1...1, using: &rng).scalars
            outputGradient = Tensor.uniform(shape: g.outputShape, in: -1...1, using: &rng).scalars
        }
    }

    @Test(arguments: geometries)
    func forwardMatchesReference(_ g: Conv2DGeometry) {
        let o = Operands(g, seed: 1)
        let fast = Kernels.conv2DForward(input: o.input, weight: o.weight, bias: o.bias, geometry: g)
        let reference = Kernels.conv2DForwardReference(input: o.input, weight: o.weight, bias: o.bias, geometry: g)
        #expect(fast.count == g.outputShape.count)
        expectClose(fast, reference, tolerance: 1e-4, "conv2DForward \(g)")
        let im2col = Kernels.conv2DForwardIm2col(input: o.input, weight: o.weight, bias: o.bias, geometry: g)
        expectClose(im2col, reference, tolerance: 1e-4, "conv2DForwardIm2col \(g)")
    }

    @Test(arguments: geometries)
    func fusedReLUMatchesReference(_ g: Conv2DGeometry) {
        let o = Operands(g, seed: 4)
        let fast = Kernels.conv2DForward(input: o.input, weight: o.weight, bias: o.bias, geometry: g, relu: true)
        let reference = Kernels.conv2DForwardReference(input: o.input, weight: o.weight, bias: o.bias, geometry: g)
        expectClose(fast, reference.map { max($0, 0) }, tolerance: 1e-4, "conv2DForward relu \(g)")
    }

    @Test(arguments: geometries, [true, false])
    func backwardMatchesReference(_ g: Conv2DGeometry, needsInputGradient: Bool) {
        let o = Operands(g, seed: 2)
        // Both must *add* into the gradients they are given.
        var rng = SplitMix64(seed: 3)
        let startWeightGradient = Tensor.uniform(shape: g.weightShape, in: -1...1, using: &rng).scalars
        let startBiasGradient = Tensor.uniform(shape: [g.outputChannels], in: -1...1, using: &rng).scalars
        var (fastDW, fastDB) = (startWeightGradient, startBiasGradient)
        var (referenceDW, referenceDB) = (startWeightGradient, startBiasGradient)
        let fastDX = Kernels.conv2DBackward(input: o.input, weight: o.weight, outputGradient: o.outputGradient,
                                            geometry: g, weightGradient: &fastDW, biasGradient: &fastDB,
                                            needsInputGradient: needsInputGradient)
        let referenceDX = Kernels.conv2DBackwardReference(input: o.input, weight: o.weight,
                                                          outputGradient: o.outputGradient, geometry: g,
                                                          weightGradient: &referenceDW, biasGradient: &referenceDB,
                                                          needsInputGradient: needsInputGradient)
        expectClose(fastDW, referenceDW, tolerance: 1e-4, "conv2DBackward weight gradient \(g)")
        expectClose(fastDB, referenceDB, tolerance: 1e-4, "conv2DBackward bias gradient \(g)")
        if needsInputGradient {
            expectClose(fastDX, referenceDX, tolerance: 1e-4, "conv2DBackward input gradient \(g)")
        } else {
            #expect(fastDX.isEmpty && referenceDX.isEmpty)
        }
        var (im2colDW, im2colDB) = (startWeightGradient, startBiasGradient)
        let im2colDX = Kernels.conv2DBackwardIm2col(input: o.input, weight: o.weight, outputGradient: o.outputGradient,
                                                    geometry: g, weightGradient: &im2colDW, biasGradient: &im2colDB,
                                                    needsInputGradient: needsInputGradient)
        expectClose(im2colDW, referenceDW, tolerance: 1e-4, "conv2DBackwardIm2col weight gradient \(g)")
        expectClose(im2colDB, referenceDB, tolerance: 1e-4, "conv2DBackwardIm2col bias gradient \(g)")
        expectClose(im2colDX, referenceDX, tolerance: 1e-4, "conv2DBackwardIm2col input gradient \(g)")
    }

    @Test func geometryArithmetic() {
        let g = Conv2DGeometry(batch: 2, inputChannels: 3, height: 7, width: 9, outputChannels: 4,
                               kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        #expect(g.outputShape == [2, 4, 4, 5])
        #expect(g.weightShape == [4, 3, 3, 3])
        #expect(g.forwardFLOPs == 2 * 2 * 4 * 20 * 27)
    }

    /// The reference itself on a case small enough to work out by hand.
    @Test func referenceByHand() {
        // 1×1×3×3 input 1…9, a 2×2 kernel of ones, bias 0.5, padding 0 → sums of 2×2 windows.
        let g = Conv2DGeometry(batch: 1, inputChannels: 1, height: 3, width: 3, outputChannels: 1,
                               kernelHeight: 2, kernelWidth: 2)
        let y = Kernels.conv2DForwardReference(input: (1...9).map(Float.init), weight: [1, 1, 1, 1], bias: [0.5], geometry: g)
        #expect(y == [12.5, 16.5, 24.5, 28.5])
    }
}
