import Foundation
import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// Central-difference gradient checks for every layer and the loss (STYLE.md §8).
@Suite struct GradientCheckTests {
    @Test(arguments: [(inputSize: 7, outputSize: 5, batch: 3), (1, 1, 1), (9, 10, 2)])
    func dense(inputSize: Int, outputSize: Int, batch: Int) {
        var rng = SplitMix64(seed: 1)
        var layer = Dense(inputSize: inputSize, outputSize: outputSize, using: &rng)
        randomizeParameters(&layer, using: &rng)
        let input = Tensor.uniform(shape: [batch, inputSize], in: -1...1, using: &rng)
        checkGradients(of: layer, input: input, seed: 1)
    }

    struct ConvCase: Sendable, CustomTestStringConvertible {
        var batch: Int, inputChannels: Int, height: Int, width: Int
        var outputChannels: Int, kernelSize: Int, stride: Int, padding: Int
        var testDescription: String {
            "[\(batch),\(inputChannels),\(height),\(width)] → \(outputChannels)@\(kernelSize)x\(kernelSize) s\(stride) p\(padding)"
        }
    }

    @Test(arguments: [
        ConvCase(batch: 2, inputChannels: 2, height: 5, width: 5, outputChannels: 3, kernelSize: 3, stride: 1, padding: 0),
        ConvCase(batch: 1, inputChannels: 1, height: 6, width: 6, outputChannels: 2, kernelSize: 3, stride: 1, padding: 1),
        ConvCase(batch: 3, inputChannels: 2, height: 7, width: 5, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1),
        ConvCase(batch: 2, inputChannels: 1, height: 8, width: 7, outputChannels: 2, kernelSize: 3, stride: 2, padding: 0),
        ConvCase(batch: 1, inputChannels: 3, height: 5, width: 5, outputChannels: 2, kernelSize: 5, stride: 1, padding: 2),
        ConvCase(batch: 2, inputChannels: 3, height: 4, width: 3, outputChannels: 2, kernelSize: 1, stride: 1, padding: 0),
    ])
    func conv2D(_ c: ConvCase) {
        var rng = SplitMix64(seed: 2)
        var layer = Conv2D(inputChannels: c.inputChannels, outputChannels: c.outputChannels, kernelSize: c.kernelSize,
                           stride: c.stride, padding: c.padding, using: &rng)
        randomizeParameters(&layer, in: -0.5...0.5, using: &rng)
        let input = Tensor.uniform(shape: [c.batch, c.inputChannels, c.height, c.width], in: -1...1, using: &rng)
        checkGradients(of: layer, input: input, seed: 2)
    }

    @Test(arguments: [
        (shape: [2, 2, 6, 6], size: 2, stride: 2), ([1, 1, 7, 7], 3, 2), ([3, 2, 5, 4], 2, 1), ([1, 3, 5, 5], 2, 2),
    ] as [(shape: [Int], size: Int, stride: Int)])
    func maxPool2D(shape: [Int], size: Int, stride: Int) {
        var rng = SplitMix64(seed: 3)
        // Distinct values 0.1 apart: a ±0.01 perturbation never changes which element wins.
        let input = distinctTensor(shape: Shape(shape), using: &rng)
        checkGradients(of: MaxPool2D(size: size, stride: stride), input: input, seed: 3)
    }

    @Test(arguments: Activation.Kind.allCases)
    func activation(_ kind: Activation.Kind) {
        var rng = SplitMix64(seed: 4)
        let input: Tensor
        if kind == .relu {
            // Away from the kink at 0, on both sides of it.
            input = distinctTensor(shape: [3, 2, 2, 3], gap: 0.1, using: &rng)
            #expect(input.scalars.allSatisfy { abs($0) >= 0.05 })
        } else {
            input = .uniform(shape: [3, 2, 2, 3], in: -3...3, using: &rng)
        }
        checkGradients(of: Activation(kind), input: input, seed: 4)
    }

    @Test(arguments: [[6, 4], [3, 2, 3, 3], [2, 3, 2, 1]] as [[Int]])
    func batchNormTraining(shape: [Int]) {
        var rng = SplitMix64(seed: 5)
        var layer = BatchNorm(features: shape[1])
        randomizeParameters(&layer, in: 0.5...1.5, using: &rng)
        let input = Tensor.uniform(shape: Shape(shape), in: -2...2, using: &rng)
        checkGradients(of: layer, input: input, seed: 5, epsilon: 1e-2, tolerance: 2e-2)
    }

    @Test func flatten() {
        var rng = SplitMix64(seed: 6)
        let input = Tensor.uniform(shape: [2, 3, 2, 2], in: -1...1, using: &rng)
        checkGradients(of: Flatten(), input: input, seed: 6)
        var layer = Flatten()
        #expect(layer.forward(input, using: &rng).shape == [2, 12])
        #expect(layer.backward(Tensor(zeros: [2, 12])).shape == [2, 3, 2, 2])
    }

    @Test func dropout() {
        var rng = SplitMix64(seed: 7)
        let input = Tensor.uniform(shape: [4, 5, 3], in: 0.5...1.5, using: &rng)
        // The checker re-seeds every forward pass, so the mask is the same in all of them.
        checkGradients(of: Dropout(rate: 0.3), input: input, seed: 7)

        // Backward applies exactly the mask forward used: dx/dy = y/x, each 0 or 1/(1 − rate).
        var layer = Dropout(rate: 0.3)
        var maskRNG = SplitMix64(seed: 8)
        let y = layer.forward(input, using: &maskRNG)
        let dx = layer.backward(Tensor(repeating: 1, shape: input.shape))
        let scale: Float = 1 / 0.7
        for i in input.scalars.indices {
            let mask = y.scalars[i] / input.scalars[i]
            #expect(abs(mask - dx.scalars[i]) < 1e-6, "element \(i)")
            #expect(dx.scalars[i] == 0 || abs(dx.scalars[i] - scale) < 1e-6, "element \(i)")
        }
        let dropped = dx.scalars.filter { $0 == 0 }.count
        #expect((6...30).contains(dropped), "\(dropped) of 60 dropped at rate 0.3")
        // Inference is the identity.
        #expect(layer(input) == input)
    }

    @Test(arguments: [(batch: 4, classes: 10), (1, 10), (3, 2)])
    func softmaxCrossEntropyGradient(batch: Int, classes: Int) {
        var rng = SplitMix64(seed: 9)
        let logits = Tensor.uniform(shape: [batch, classes], in: -3...3, using: &rng)
        let labels = (0..<batch).map { _ in Int.random(in: 0..<classes, using: &rng) }
        let (_, gradient) = softmaxCrossEntropy(logits: logits, labels: labels)
        checkGradient(of: { Double(softmaxCrossEntropy(logits: $0, labels: labels).loss) },
                      at: logits, analytic: gradient, epsilon: 1e-2, label: "softmaxCrossEntropy")
    }

    /// The label `classes` ("none of them") has a uniform target: its gradient is
    /// (softmax − 1/classes) / batch, checked numerically, and it is zero at equal logits.
    @Test(arguments: [(batch: 4, classes: 10), (1, 10), (3, 2)])
    func softmaxCrossEntropyUniformTarget(batch: Int, classes: Int) {
        var rng = SplitMix64(seed: 19)
        let logits = Tensor.uniform(shape: [batch, classes], in: -3...3, using: &rng)
        let labels = (0..<batch).map { n in n % 2 == 0 ? classes : Int.random(in: 0..<classes, using: &rng) }
        let (_, gradient) = softmaxCrossEntropy(logits: logits, labels: labels)
        checkGradient(of: { Double(softmaxCrossEntropy(logits: $0, labels: labels).loss) },
                      at: logits, analytic: gradient, epsilon: 1e-2, label: "softmaxCrossEntropy, uniform target")
        let flat = softmaxCrossEntropy(logits: Tensor(zeros: [1, classes]), labels: [classes])
        #expect(flat.gradient.scalars.allSatisfy { abs($0) < 1e-7 })
        #expect(abs(flat.loss - log(Float(classes))) < 1e-5, "cross-entropy of uniform against uniform is log(classes)")
    }

    /// A whole network, through Sequential: parameter gradients only, since Sequential
    /// skips the input gradient of its first layer.
    @Test func sequentialNetwork() {
        var rng = SplitMix64(seed: 10)
        let architecture = Architecture(name: "tiny", inputShape: [1, 6, 6], layers: [
            .conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 1, padding: 1), .tanh,
            .maxPool2D(size: 2, stride: 2), .batchNorm(features: 2), .flatten,
            .dense(inputSize: 18, outputSize: 6), .sigmoid, .dense(inputSize: 6, outputSize: 10),
        ])
        var network = Sequential(architecture, using: &rng)
        randomizeParameters(&network, in: -0.5...0.5, using: &rng)
        let input = distinctTensor(shape: [3, 1, 6, 6], gap: 0.02, using: &rng)
        // ε = 3e-3: at 1e-2 a weight perturbation can change which element wins a pool window
        // two layers down; much below 1e-3 the Float rounding of the forward pass dominates.
        checkGradients(of: network, input: input, seed: 10, epsilon: 3e-3, checksInput: false)
    }

    /// conv → ReLU → pool → conv → ReLU → dense: with the ReLUs fused into the convolutions'
    /// primitives and the first ReLU's mask applied by the pooling's backward, the gradients
    /// equal those of the same network with plain ReLU and pooling layers. (A numeric check
    /// is unreliable here: ε-steps cross ReLU kinks.)
    @Test func fusedReLUsGiveTheSameGradients() {
        var rng = SplitMix64(seed: 11)
        let architecture = Architecture(name: "tiny-relu", inputShape: [1, 6, 6], layers: [
            .conv2D(inputChannels: 1, outputChannels: 3, kernelSize: 3, stride: 1, padding: 1), .relu,
            .maxPool2D(size: 2, stride: 2),
            .conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1), .relu,
            .flatten, .dense(inputSize: 36, outputSize: 10),
        ])
        var fused = Sequential(architecture, using: &rng)
        #expect((fused.layers[1] as? Activation)?.isFused == true)
        #expect((fused.layers[1] as? Activation)?.leavesMaskToPooling == true)
        #expect((fused.layers[4] as? Activation)?.isFused == true)
        randomizeParameters(&fused, in: -0.5...0.5, using: &rng)
        // Same parameters; fresh ReLU and pooling layers that do their own masking. (The
        // convolutions still apply ReLU, which the plain ReLU layers then leave unchanged.)
        var plain = fused
        plain.layers[1] = Activation(.relu)
        plain.layers[2] = MaxPool2D(size: 2, stride: 2)
        plain.layers[4] = Activation(.relu)
        let input = distinctTensor(shape: [3, 1, 6, 6], gap: 0.02, using: &rng)
        let labels = [3, 7, 1]
        func gradients(_ network: inout Sequential) -> [[Float]] {
            var dropoutRNG = SplitMix64(seed: 0)
            let logits = network.forward(input, using: &dropoutRNG)
            _ = network.backward(softmaxCrossEntropy(logits: logits, labels: labels).gradient)
            var all: [[Float]] = []
            network.visitParameters { all.append($0.gradient) }
            return all
        }
        let (a, b) = (gradients(&fused), gradients(&plain))
        #expect(a.count == b.count)
        for (i, (x, y)) in zip(a, b).enumerated() {
            expectClose(x, y, tolerance: 1e-5, "parameter \(i) with fused ReLUs")
        }
        #expect(a.contains { $0.contains { $0 != 0 } })
    }
}
