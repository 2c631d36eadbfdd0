import NumeralCore

/// A serialisable description of one layer. A model file stores its architecture as a list
/// of these, so any stack of known layers loads without a new code path.
public enum LayerSpec: Codable, Equatable, Sendable {
    case dense(inputSize: Int, outputSize: Int)
    case conv2D(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int, padding: Int)
    case maxPool2D(size: Int, stride: Int)
    case relu, sigmoid, tanh
    case dropout(rate: Float)
    case batchNorm(features: Int)
    case flatten
    /// Reads each sample as steps × `inputSize` rows and returns the last hidden state.
    case lstm(inputSize: Int, hiddenSize: Int)
    /// `[channels, H, W]` → `W` rows of `channels·H` features (see `Columns`).
    case columns

    /// A freshly initialised layer of this kind; `initialization` applies to dense and
    /// convolution layers.
    public func makeLayer(initialization: WeightInitialization = .he,
                          using rng: inout some RandomNumberGenerator) -> any Layer {
        switch self {
        case let .dense(i, o): Dense(inputSize: i, outputSize: o, initialization: initialization, using: &rng)
        case let .conv2D(i, o, k, s, p):
            Conv2D(inputChannels: i, outputChannels: o, kernelSize: k, stride: s, padding: p,
                   initialization: initialization, using: &rng)
        case let .lstm(i, h): LSTM(inputSize: i, hiddenSize: h, using: &rng)
        default: makeLayerForLoading()
        }
    }

    /// The layer with zero weights, for parameters that are set next from a file.
    public func makeLayerForLoading() -> any Layer {
        switch self {
        case let .dense(i, o): Dense(inputSize: i, outputSize: o)
        case let .conv2D(i, o, k, s, p):
            Conv2D(inputChannels: i, outputChannels: o, kernelSize: k, stride: s, padding: p)
        case let .maxPool2D(size, stride): MaxPool2D(size: size, stride: stride)
        case .relu: Activation(.relu)
        case .sigmoid: Activation(.sigmoid)
        case .tanh: Activation(.tanh)
        case let .dropout(rate): Dropout(rate: rate)
        case let .batchNorm(features): BatchNorm(features: features)
        case .flatten: Flatten()
        case let .lstm(i, h): LSTM(inputSize: i, hiddenSize: h)
        case .columns: Columns()
        }
    }

    /// Output shape of one sample (no batch axis), or nil when the input does not fit or the
    /// layer's own settings are impossible (a file can hold any numbers: zero strides,
    /// negative sizes, a dropout rate of 2 must be rejected here, before a layer is built).
    public func outputShape(for input: [Int]) -> [Int]? {
        switch self {
        case let .dense(i, o):
            // One sample, or a sequence of them (the columns of a line).
            guard i > 0, o > 0 else { return nil }
            if input == [i] { return [o] }
            return input.count == 2 && input[0] > 0 && input[1] == i ? [input[0], o] : nil
        case let .conv2D(i, o, k, s, p):
            guard i > 0, o > 0, k > 0, s > 0, p >= 0, p < k, input.count == 3, input[0] == i else { return nil }
            let h = (input[1] + 2 * p - k) / s + 1, w = (input[2] + 2 * p - k) / s + 1
            return h >= 1 && w >= 1 ? [o, h, w] : nil
        case let .maxPool2D(size, stride):
            guard size > 0, stride > 0, input.count == 3, input[1] >= size, input[2] >= size else { return nil }
            return [input[0], (input[1] - size) / stride + 1, (input[2] - size) / stride + 1]
        case .relu, .sigmoid, .tanh: return input
        case let .dropout(rate): return rate >= 0 && rate < 1 ? input : nil
        case let .batchNorm(f): return f > 0 && input.first == f ? input : nil
        case .flatten: return [input.reduce(1, *)]
        case let .lstm(i, h):
            let count = input.reduce(1, *)
            return count > 0 && count % i == 0 ? [h] : nil
        case .columns:
            return input.count == 3 && input.allSatisfy({ $0 > 0 }) ? [input[2], input[0] * input[1]] : nil
        }
    }
}

/// A model's architecture: the input shape of one sample and its layers in order.
public struct Architecture: Codable, Equatable, Sendable {
    public var name: String
    public var inputShape: [Int]
    public var layers: [LayerSpec]

    public init(name: String, inputShape: [Int] = [1, 28, 28], layers: [LayerSpec]) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
    }

    /// The per-sample output shape, or nil if some layer does not fit its input.
    public var outputShape: [Int]? {
        var shape: [Int]? = inputShape
        for layer in layers { shape = shape.flatMap(layer.outputShape(for:)) }
        return shape
    }
}

extension Architecture {
    /// Floating-point operations (multiply and add counted separately) of one forward pass
    /// of one sample through the convolution and dense layers; the rest is negligible.
    public var forwardFLOPs: Int {
        var shape = inputShape, flops = 0
        for layer in layers {
            guard let next = layer.outputShape(for: shape) else { return flops }
            switch layer {
            case let .dense(i, o): flops += 2 * i * o * (shape.count == 2 ? shape[0] : 1)
            case let .conv2D(i, _, k, _, _): flops += 2 * next.reduce(1, *) * i * k * k
            default: break
            }
            shape = next
        }
        return flops
    }
}
