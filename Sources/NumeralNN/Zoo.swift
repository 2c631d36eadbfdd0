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

    public static let all: [Architecture] = [mlp, lenet, cnn]

    public static func architecture(named name: String) -> Architecture? {
        all.first { $0.name == name }
    }
}
