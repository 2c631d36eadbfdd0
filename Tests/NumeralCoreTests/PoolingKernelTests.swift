import NumeralCore
import Testing
import TestSupport

/// Max pooling against its plain-loop reference, including ties (first index wins).
@Suite struct PoolingKernelTests {
    static let geometries: [Pool2DGeometry] = [
        Pool2DGeometry(batch: 1, channels: 1, height: 28, width: 28, size: 2, stride: 2),
        Pool2DGeometry(batch: 3, channels: 6, height: 28, width: 28, size: 2, stride: 2),
        Pool2DGeometry(batch: 2, channels: 3, height: 7, width: 7, size: 2, stride: 2),
        Pool2DGeometry(batch: 3, channels: 2, height: 7, width: 9, size: 3, stride: 2),
        Pool2DGeometry(batch: 1, channels: 4, height: 5, width: 9, size: 2, stride: 1),
        Pool2DGeometry(batch: 5, channels: 1, height: 4, width: 4, size: 4, stride: 4),
        Pool2DGeometry(batch: 1, channels: 64, height: 24, width: 24, size: 2, stride: 2),
        // Over `parallelPoolingThreshold`: split across workers.
        Pool2DGeometry(batch: 9, channels: 32, height: 28, width: 28, size: 2, stride: 2),
    ]

    @Test(arguments: geometries, [false, true])
    func forwardMatchesReference(_ g: Pool2DGeometry, withTies: Bool) {
        var rng = SplitMix64(seed: 11)
        var input = Tensor.uniform(shape: g.inputShape, in: -1...1, using: &rng).scalars
        // Few distinct values make ties in most windows; both kernels must pick the first.
        if withTies { input = input.map { ($0 * 2).rounded() } }
        let fast = Kernels.maxPool2DForward(input: input, geometry: g)
        let reference = Kernels.maxPool2DForwardReference(input: input, geometry: g)
        #expect(fast.output == reference.output, "maxPool2DForward \(g.inputShape) size \(g.size) stride \(g.stride)")
        #expect(fast.argmax == reference.argmax, "argmax of \(g.inputShape) size \(g.size) stride \(g.stride)")
        #expect(fast.output.count == g.outputShape.count)
    }

    @Test(arguments: geometries, [false, true])
    func inferenceMatchesReference(_ g: Pool2DGeometry, withTies: Bool) {
        var rng = SplitMix64(seed: 13)
        var input = Tensor.uniform(shape: g.inputShape, in: -1...1, using: &rng).scalars
        if withTies { input = input.map { ($0 * 2).rounded() } }
        let reference = Kernels.maxPool2DForwardReference(input: input, geometry: g).output
        #expect(Kernels.maxPool2DInference(input: input, geometry: g) == reference,
                "maxPool2DInference \(g.inputShape) size \(g.size) stride \(g.stride)")
    }

    /// Pooling's backward with the ReLU mask equals ReLU's backward after plain pooling backward.
    @Test(arguments: geometries)
    func maskedBackwardEqualsReLUBackward(_ g: Pool2DGeometry) {
        var rng = SplitMix64(seed: 12)
        let y = Kernels.relu(Tensor.uniform(shape: g.inputShape, in: -1...1, using: &rng).scalars)
        let (output, argmax) = Kernels.maxPool2DForward(input: y, geometry: g)
        let dy = Tensor.uniform(shape: g.outputShape, in: -1...1, using: &rng).scalars
        let masked = Kernels.maxPool2DBackward(outputGradient: dy, argmax: argmax, inputCount: y.count,
                                               maskingNonPositive: output)
        let plain = Kernels.maxPool2DBackward(outputGradient: dy, argmax: argmax, inputCount: y.count)
        #expect(masked == Kernels.reluBackwardReference(outputGradient: plain, output: y),
                "masked maxPool backward \(g.inputShape) size \(g.size) stride \(g.stride)")
        // Both against the plain reference.
        #expect(plain == Kernels.maxPool2DBackwardReference(outputGradient: dy, argmax: argmax, inputCount: y.count),
                "maxPool backward \(g.inputShape) size \(g.size) stride \(g.stride)")
        #expect(masked == Kernels.maxPool2DBackwardReference(outputGradient: dy, argmax: argmax, inputCount: y.count,
                                                             maskingNonPositive: output),
                "masked maxPool backward vs reference \(g.inputShape) size \(g.size) stride \(g.stride)")
    }

    @Test func backwardRoutesToTheWinner() {
        let g = Pool2DGeometry(batch: 1, channels: 1, height: 2, width: 4, size: 2, stride: 2)
        // Windows [[1, 5], [3, 2]] and [[0, 4], [7, 7]]: winners at flat indices 1 and 6 (first of the tie).
        let (y, argmax) = Kernels.maxPool2DForward(input: [1, 5, 0, 4, 3, 2, 7, 7], geometry: g)
        #expect(y == [5, 7])
        #expect(argmax == [1, 6])
        let dx = Kernels.maxPool2DBackward(outputGradient: [10, 20], argmax: argmax, inputCount: 8)
        #expect(dx == [0, 10, 0, 0, 0, 0, 20, 0])
    }
}
