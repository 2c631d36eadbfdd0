/// The named architectures `numeral train --model NAME` knows.
public enum Zoo {
    /// The reference paper's MLP: Flatten → Dense(50) ReLU → Dense(50) ReLU → Dense(10).
    public static let mlp = Architecture(name: "mlp", layers: [
        .flatten,
        .dense(inputSize: 784, outputSize: 50), .relu,
        .dense(inputSize: 50, outputSize: 50), .relu,
        .dense(inputSize: 50, outputSize: 10),
    ])

    /// LeNet-5 (LeCun et al. 1998) with ReLU instead of scaled tanh and max instead of
    /// average pooling, as in swift-models' `LeNet-5.swift`: the 32×32 input of the paper
    /// becomes 28×28 with 2 pixels of padding on the first convolution.
    public static let lenet = Architecture(name: "lenet", layers: [
        .conv2D(inputChannels: 1, outputChannels: 6, kernelSize: 5, stride: 1, padding: 2), .relu,
        .maxPool2D(size: 2, stride: 2),
        .conv2D(inputChannels: 6, outputChannels: 16, kernelSize: 5, stride: 1, padding: 0), .relu,
        .maxPool2D(size: 2, stride: 2),
        .flatten,
        .dense(inputSize: 16 * 5 * 5, outputSize: 120), .relu,
        .dense(inputSize: 120, outputSize: 84), .relu,
        .dense(inputSize: 84, outputSize: 10),
    ])

    /// The Keras MNIST example CNN: conv 32@3×3 → conv 64@3×3 → maxpool 2 → dropout 0.25 →
    /// dense 128 → dropout 0.5 → dense 10.
    public static let cnn = Architecture(name: "cnn", layers: [
        .conv2D(inputChannels: 1, outputChannels: 32, kernelSize: 3, stride: 1, padding: 0), .relu,
        .conv2D(inputChannels: 32, outputChannels: 64, kernelSize: 3, stride: 1, padding: 0), .relu,
        .maxPool2D(size: 2, stride: 2),
        .dropout(rate: 0.25),
        .flatten,
        .dense(inputSize: 64 * 12 * 12, outputSize: 128), .relu,
        .dropout(rate: 0.5),
        .dense(inputSize: 128, outputSize: 10),
    ])

    public static let all: [Architecture] = [mlp, lenet, cnn, cnnBN, cnn3, cnn3Small, cnn5, cnn7, cnnFast, lstm]

    public static func architecture(named name: String) -> Architecture? {
        all.first { $0.name == name }
    }
}

// MARK: - The accuracy family (issue 6)

extension Zoo {
    /// conv k×k (same padding) → batch norm → ReLU: one block of the accuracy family.
    static func convBlock(_ input: Int, _ output: Int, kernel: Int) -> [LayerSpec] {
        [.conv2D(inputChannels: input, outputChannels: output, kernelSize: kernel, stride: 1, padding: kernel / 2),
         .batchNorm(features: output), .relu]
    }

    /// The head shared by the family: flatten → dense → batch norm → ReLU → dropout → dense 10.
    static func head(_ input: Int, hidden: Int, dropout: Float) -> [LayerSpec] {
        [.flatten, .dense(inputSize: input, outputSize: hidden), .batchNorm(features: hidden), .relu,
         .dropout(rate: dropout), .dense(inputSize: hidden, outputSize: 10)]
    }

    /// Two conv blocks of kernel `k` with 2×2 pooling after each (28 → 14 → 7), then the head.
    /// The 3×3/5×5/7×7 variants follow An et al. 2020 ("An ensemble of simple convolutional
    /// neural network models for MNIST digit recognition"), who ensemble the same network
    /// with three kernel sizes; ours are shallower (2 conv layers instead of 10) to fit a
    /// 2-core CPU, and pool instead of shrinking by valid convolutions.
    static func kernelVariant(_ k: Int, name: String? = nil, widths: (Int, Int) = (32, 64)) -> Architecture {
        Architecture(name: name ?? "cnn\(k)", layers:
            convBlock(1, widths.0, kernel: k) + [.maxPool2D(size: 2, stride: 2)] +
            convBlock(widths.0, widths.1, kernel: k) + [.maxPool2D(size: 2, stride: 2)] +
            head(widths.1 * 7 * 7, hidden: 128, dropout: 0.3))
    }

    public static let cnn3 = kernelVariant(3)
    public static let cnn5 = kernelVariant(5)
    public static let cnn7 = kernelVariant(7)
    /// `cnn3` at half the width (16 and 32 channels): about a quarter of its arithmetic.
    public static let cnn3Small = kernelVariant(3, name: "cnn3-small", widths: (16, 32))

    /// The strongest single network of the family: VGG-style pairs of 3×3 conv blocks
    /// (32, 32 | pool | 64, 64 | pool), a 256-unit head with dropout 0.4.
    public static let cnnBN = Architecture(name: "cnn-bn", layers:
        convBlock(1, 32, kernel: 3) + convBlock(32, 32, kernel: 3) + [.maxPool2D(size: 2, stride: 2)] +
        convBlock(32, 64, kernel: 3) + convBlock(64, 64, kernel: 3) + [.maxPool2D(size: 2, stride: 2)] +
        head(64 * 7 * 7, hidden: 256, dropout: 0.4))

    /// The cheapest network that still reaches 99% quickly: 16 and 32 channels of 5×5,
    /// batch norm, no hidden dense layer (about 1/10 of `cnn`'s arithmetic).
    public static let cnnFast = Architecture(name: "cnn-fast", layers:
        convBlock(1, 16, kernel: 5) + [.maxPool2D(size: 2, stride: 2)] +
        convBlock(16, 32, kernel: 5) + [.maxPool2D(size: 2, stride: 2)] +
        [.flatten, .dense(inputSize: 32 * 7 * 7, outputSize: 10)])

    /// Reads the image row by row: 28 steps of 28 pixels into an LSTM of 128 units, whose
    /// last hidden state feeds a dense layer of 10 (the recurrent option of the paper).
    public static let lstm = Architecture(name: "lstm", layers: [
        .lstm(inputSize: 28, hiddenSize: 128),
        .dense(inputSize: 128, outputSize: 10),
    ])
}
