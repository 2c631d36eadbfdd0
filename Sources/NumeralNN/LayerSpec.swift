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
        // Sizes from a file are bounded first, so that the arithmetic below cannot overflow;
        // products of dimensions are checked.
        guard sizes.allSatisfy({ $0 < LayerSpec.sizeLimit }) else { return nil }
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
        case .flatten: return Shape.checkedCount(input).map { [$0] }
        case let .lstm(i, h):
            guard i > 0, h > 0, let count = Shape.checkedCount(input) else { return nil }
            return count > 0 && count % i == 0 ? [h] : nil
        case .columns:
            guard input.count == 3, input.allSatisfy({ $0 > 0 }), let features = Shape.checkedCount(Array(input[0...1])) else { return nil }
            return [input[2], features]
        }
    }

    /// The weights and biases a file must hold for this layer (at least; batch norm's running
    /// statistics are not counted), or nil when the count overflows.
    public var parameterCount: Int? {
        switch self {
        case let .dense(i, o): Shape.checkedCount([i, o]).map { $0 + o }
        case let .conv2D(i, o, k, _, _): Shape.checkedCount([o, i, k, k]).map { $0 + o }
        case let .batchNorm(f): 2 * f
        case let .lstm(i, h): Shape.checkedCount([4, h, i + h])
        case .maxPool2D, .relu, .sigmoid, .tanh, .dropout, .flatten, .columns: 0
        }
    }

    /// Every size and step the layer is set with; each must be under `sizeLimit`.
    var sizes: [Int] {
        switch self {
        case let .dense(i, o): [i, o]
        case let .conv2D(i, o, k, s, p): [i, o, k, s, p]
        case let .maxPool2D(size, stride): [size, stride]
        case let .batchNorm(f): [f]
        case let .lstm(i, h): [i, h]
        case .relu, .sigmoid, .tanh, .dropout, .flatten, .columns: []
        }
    }

    static let sizeLimit = 1 << 31
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
    ///
    /// A sample of two axes is read one of two ways. After `.columns` it is a sequence of
    /// columns, [W, features], and each column runs as a sample of its own: only dense layers,
    /// activations and dropout may follow. Given as the input shape, it is rows of one sample
    /// ([steps, features]), for an LSTM, a flatten, activations or dropout; not a dense
    /// layer or a batch norm, which take a sample of one axis.
    public var outputShape: [Int]? {
        guard inputShape.allSatisfy({ $0 > 0 && $0 < LayerSpec.sizeLimit }) else { return nil }
        var shape = inputShape
        var columns = false
        for layer in layers {
            switch layer {
            case .dense: guard shape.count != 2 || columns else { return nil }
            case .relu, .sigmoid, .tanh, .dropout: break
            case .batchNorm: guard shape.count != 2, !columns else { return nil }
            default: guard !columns else { return nil }
            }
            if case .columns = layer { columns = true }
            guard let next = layer.outputShape(for: shape) else { return nil }
            shape = next
        }
        return shape
    }

    /// The weights and biases a file of this architecture must hold (at least), or nil when
    /// the count overflows. Checked against the file before any layer is built, so a file
    /// cannot make the loader allocate more than it holds.
    public var parameterCount: Int? {
        var total = 0
        for layer in layers {
            guard let count = layer.parameterCount else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return nil }
            total = sum
        }
        return total
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

/// Throws unless `tensors` hold at least as many numbers as `architecture` has parameters:
/// a file's architecture is checked against the file before a layer is built, so that no
/// file makes the loader allocate more than it holds.
func checkParameterCount(of architecture: Architecture, against tensors: [String: Tensor], path: String) throws(ModelFileError) {
    let held = tensors.values.reduce(0) { $0 + $1.scalars.count }
    guard let needed = architecture.parameterCount, needed <= held else {
        let count = architecture.parameterCount.map(String.init) ?? "more than 2⁶³"
        throw .invalid(path: path, reason: "architecture \(architecture.name) needs \(count) parameters, the file holds \(held) numbers (a tensor is missing, or the architecture is not the file's)")
    }
}
