public import NumeralCore
public import Foundation

/// A recogniser of whole lines: a convolutional network reads a line of handwriting
/// `[1, 32, W]` (W a multiple of 4) and scores every 4-pixel column ("frame") for each
/// symbol of `alphabet` and the blank; `CTC` turns the frames into text.
///
/// It needs no cuts between the digits, so it reads touching and overlapping ones
/// (which a digit classifier only sees when the segmenter found the seam) as well as the
/// point, comma and minus in the same pass.
public struct LineModel: Sendable {
    /// The symbols of the line model the page reader runs on binarised ink; class
    /// `alphabet.count` is the blank.
    public static let alphabet: [Character] = Array("0123456789.,-")
    public static var blank: Int { alphabet.count }
    public static var classes: Int { alphabet.count + 1 }
    /// The symbols of a field model (`FieldReader`, grey levels): the digits, the separators
    /// and the marks written around amounts (`12.500,-` `300=` `75/-`). Its first symbols are
    /// `alphabet`'s, in the same order, so a text's symbol indices mean the same in both.
    public static let amountAlphabet: [Character] = Array("0123456789.,-=/")
    /// The alphabets a line model file may have, told apart by the number of classes.
    public static let alphabets = [alphabet, amountAlphabet]

    /// This model's symbols (one of `alphabets`, from its number of output classes); class
    /// `symbols.count` is the blank.
    public var symbols: [Character] { Self.alphabets.first { $0.count + 1 == outputClasses } ?? Self.alphabet }
    public var outputClasses: Int { network.architecture.outputShape?.last ?? Self.classes }
    public var blankClass: Int { outputClasses - 1 }
    /// Input rows; a line's digits are scaled to `LineNormalization.digitHeight` in them.
    public static let height = 32
    /// Input columns per output frame (two 2x2 poolings).
    public static let frameWidth = 4
    /// The width the architecture is described (and checked) at; any multiple of
    /// `frameWidth` runs.
    public static let nominalWidth = 256

    public var network: Sequential { didSet { inference = InferenceNetwork(network) } }
    public private(set) var inference: InferenceNetwork
    public var history: [EpochRecord] = []
    /// What the model was trained on, for `numeral info` and the README.
    public var notes: String?

    public init(network: Sequential) {
        precondition(network.architecture.inputShape.prefix(2) == [1, Self.height], "a line model reads [1, \(Self.height), W]")
        precondition(Self.alphabets.contains { $0.count + 1 == network.architecture.outputShape?.last }, "a line model scores one of the alphabets and the blank")
        self.network = network
        inference = InferenceNetwork(network)
    }

    /// conv 3x3 (32, 64, 96, 96) with batch norm and ReLU, 2x2 pooling after the first two,
    /// three more conv 3x3 (96) with ReLU, then per column a dense layer of 768 and the class
    /// scores. A frame sees 50 input columns, about three digits at the line's scale.
    public static func architecture(classes: Int = classes) -> Architecture { architecture(stage: stages.count - 1, classes: classes) }

    /// The line architectures in the order they grew, each the one before with one more
    /// conv 3x3 (96, ReLU) just before `.columns` and a wider dense layer: "line-cnn" (four
    /// convolutions, 192 units; a frame sees 26 input columns), "line-cnn-2" (five, 320; 34
    /// columns), "line-cnn-3" (six, 512; 42 columns), "line-cnn-4" (seven, 768; 50 columns).
    /// `grown` takes a model along them.
    public static let stages: [(name: String, denseWidth: Int)] = [("line-cnn", 192), ("line-cnn-2", 320), ("line-cnn-3", 512),
                                                                     ("line-cnn-4", 768)]

    /// The architecture of stage `stage` of `stages`.
    public static func architecture(stage: Int, classes: Int = classes) -> Architecture {
        var a = Architecture(name: stages[0].name, inputShape: [1, height, nominalWidth], layers: [
            .conv2D(inputChannels: 1, outputChannels: 32, kernelSize: 3, stride: 1, padding: 1), .batchNorm(features: 32), .relu,
            .maxPool2D(size: 2, stride: 2),
            .conv2D(inputChannels: 32, outputChannels: 64, kernelSize: 3, stride: 1, padding: 1), .batchNorm(features: 64), .relu,
            .maxPool2D(size: 2, stride: 2),
            .conv2D(inputChannels: 64, outputChannels: 96, kernelSize: 3, stride: 1, padding: 1), .batchNorm(features: 96), .relu,
            .conv2D(inputChannels: 96, outputChannels: 96, kernelSize: 3, stride: 1, padding: 1), .batchNorm(features: 96), .relu,
            .columns,
            .dense(inputSize: frameFeatures, outputSize: stages[0].denseWidth), .relu, .dropout(rate: 0.2),
            .dense(inputSize: stages[0].denseWidth, outputSize: classes),
        ])
        for next in stages.dropFirst().prefix(stage) {
            let columns = a.layers.firstIndex(of: .columns)!
            a.layers.replaceSubrange((columns + 1)..., with: [
                .dense(inputSize: frameFeatures, outputSize: next.denseWidth), .relu, .dropout(rate: 0.2),
                .dense(inputSize: next.denseWidth, outputSize: classes),
            ])
            a.layers.insert(contentsOf: [.conv2D(inputChannels: channels, outputChannels: channels, kernelSize: 3, stride: 1, padding: 1), .relu],
                            at: columns)
            a.name = next.name
        }
        return a
    }

    /// The channels of the convolutions before `.columns` (the fourth and the ones growth adds).
    static let channels = 96
    /// A frame's features: the last convolution's channels over the `height / 4` rows left.
    static let frameFeatures = channels * height / 4

    /// A network of an earlier stage of `stages` grown, stage by stage, into one of
    /// `architecture` that computes the same (function-preserving growth, "Net2Net", Chen,
    /// Goodfellow & Shlens 2016), so training goes on from what it knew with more room: each
    /// new convolution starts as the identity (its input is past a ReLU, so its ReLU passes
    /// it unchanged) and the dense layer's new units start with zero outgoing weights (their
    /// incoming weights are drawn, He scaled by a half, so they get gradients and differ).
    /// Nil for a network of the present architecture or of none of the stages.
    public static func grown(_ network: Sequential, using rng: inout some RandomNumberGenerator) -> Sequential? {
        let last = stages.count - 1
        guard let stage = (0..<last).first(where: { network.architecture.layers == architecture(stage: $0).layers }) else { return nil }
        var tensors: [String: Tensor] = [:]
        var copy = network
        copy.visitNamedParameters { name, p in tensors[name] = p.value }
        for next in (stage + 1)...last { tensors = grownStep(tensors, to: next, using: &rng) }
        var grown = Sequential(loading: architecture())
        let problem = grown.takeParameters(from: &tensors, prefix: "")
        precondition(problem == nil && tensors.isEmpty, "growing a line model: \(problem ?? "tensors left over: \(tensors.keys.sorted())")")
        return grown
    }

    /// The parameters of a stage `next - 1` network grown to stage `next`. Layers are named by
    /// index: the old one's `.columns` at `c` has its dense layers at `c + 1` and `c + 4`; the
    /// new convolution takes index `c`, pushing them to `c + 3` and `c + 6`.
    static func grownStep(_ old: [String: Tensor], to next: Int, using rng: inout some RandomNumberGenerator) -> [String: Tensor] {
        let c = architecture(stage: next - 1).layers.firstIndex(of: .columns)!
        var tensors = old.filter { Int($0.key.prefix { $0 != "." })! < c }
        let (features, wide, narrow) = (frameFeatures, stages[next].denseWidth, stages[next - 1].denseWidth)
        var identity = [Float](repeating: 0, count: channels * channels * 9)
        for k in 0..<channels { identity[(k * channels + k) * 9 + 4] = 1 }
        tensors["\(c).weight"] = Tensor(shape: [channels, channels, 3, 3], scalars: identity)
        tensors["\(c).bias"] = Tensor(shape: [channels], scalars: [Float](repeating: 0, count: channels))
        let (w1, b1, w2) = (old["\(c + 1).weight"]!.scalars, old["\(c + 1).bias"]!.scalars, old["\(c + 4).weight"]!.scalars)
        let drawn = Tensor.normal(shape: [wide - narrow, features], standardDeviation: 0.5 * (2 / Float(features)).squareRoot(), using: &rng)
        tensors["\(c + 3).weight"] = Tensor(shape: [wide, features], scalars: w1 + drawn.scalars)
        tensors["\(c + 3).bias"] = Tensor(shape: [wide], scalars: b1 + [Float](repeating: 0, count: wide - narrow))
        var outgoing = [Float](repeating: 0, count: classes * wide)
        for k in 0..<classes { outgoing.replaceSubrange((k * wide)..<(k * wide + narrow), with: w2[(k * narrow)..<((k + 1) * narrow)]) }
        tensors["\(c + 6).weight"] = Tensor(shape: [classes, wide], scalars: outgoing)
        tensors["\(c + 6).bias"] = old["\(c + 4).bias"]!
        return tensors
    }

    /// A digit-alphabet network made an `amountAlphabet` one that reads the same: the score
    /// layer gains rows for the new symbols (zero weights, bias -10, so they start
    /// improbable) and its blank row moves last. Training a field model starts from the page
    /// reader's line model this way. Nil if the network is not of the digit alphabet.
    public static func widenedToAmounts(_ network: Sequential) -> Sequential? {
        guard network.architecture.outputShape?.last == classes,
              let last = network.architecture.layers.indices.last,
              case .dense(let inputs, _) = network.architecture.layers[last] else { return nil }
        var tensors: [String: Tensor] = [:]
        var copy = network
        copy.visitNamedParameters { name, p in tensors[name] = p.value }
        let added = amountAlphabet.count - alphabet.count
        let w = tensors["\(last).weight"]!.scalars, b = tensors["\(last).bias"]!.scalars
        let symbolsW = w[0..<(alphabet.count * inputs)], blankW = w[(alphabet.count * inputs)...]
        tensors["\(last).weight"] = Tensor(shape: [classes + added, inputs],
                                          scalars: Array(symbolsW) + [Float](repeating: 0, count: added * inputs) + Array(blankW))
        tensors["\(last).bias"] = Tensor(shape: [classes + added],
                                        scalars: Array(b[0..<alphabet.count]) + [Float](repeating: -10, count: added) + [b[alphabet.count]])
        var architecture = network.architecture
        architecture.layers[last] = .dense(inputSize: inputs, outputSize: classes + added)
        var widened = Sequential(loading: architecture)
        let problem = widened.takeParameters(from: &tensors, prefix: "")
        precondition(problem == nil && tensors.isEmpty, "widening a line model: \(problem ?? "tensors left over")")
        return widened
    }

    /// Per-frame probabilities `[width / 4, classes]` of one line image (`height` rows of
    /// `width` values, ink = 1).
    public func probabilities(line pixels: [Float], width: Int) -> [Float] {
        precondition(width > 0 && width % Self.frameWidth == 0 && pixels.count == Self.height * width,
                     "a line image is \(Self.height) rows of a multiple of \(Self.frameWidth) columns")
        let logits = inference(Tensor(shape: [1, 1, Self.height, width], scalars: pixels))
        return softmax(logits).scalars
    }

    // MARK: - Files

    static let formatKey = "numeral.format"
    static let formatValue = "numeral-line-model-1"

    public func encoded() -> Data {
        var tensors: [(name: String, tensor: Tensor)] = []
        var copy = network
        copy.visitNamedParameters { name, p in tensors.append((name, p.value)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) -> String {
            String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
        }
        var metadata = [Self.formatKey: Self.formatValue, "architecture": json(network.architecture),
                        "alphabet": String(symbols), "history": json(history)]
        if let notes { metadata["notes"] = notes }
        return SafeTensors.encode(tensors: tensors, metadata: metadata)
    }

    /// Writes the model atomically.
    public func save(to path: String) throws(FileWriteError) {
        try writeAtomically(encoded(), to: path)
    }

    public static func load(from path: String) throws(ModelFileError) -> LineModel {
        try decode(SafeTensors.read(path), path: path)
    }

    public static func decode(_ data: Data, path: String) throws(ModelFileError) -> LineModel {
        var (tensors, metadata) = try SafeTensors.decode(data, path: path)
        guard metadata[formatKey] == formatValue else { throw .notNumeralModel(path: path) }
        guard let symbols = alphabets.first(where: { metadata["alphabet"] == String($0) }) else {
            throw .invalid(path: path, reason: "the line model's alphabet is none of \(alphabets.map { "\"\(String($0))\"" }.joined(separator: ", "))")
        }
        guard let text = metadata["architecture"],
              let architecture = try? JSONDecoder().decode(Architecture.self, from: Data(text.utf8)) else {
            throw .invalid(path: path, reason: "no architecture in the metadata")
        }
        guard architecture.inputShape == [1, height, nominalWidth],
              architecture.outputShape == [nominalWidth / frameWidth, symbols.count + 1] else {
            throw .invalid(path: path, reason: "architecture \(architecture.name) does not map [1, \(height), \(nominalWidth)] lines to \(nominalWidth / frameWidth) frames of \(symbols.count + 1) classes")
        }
        try checkParameterCount(of: architecture, against: tensors, path: path)
        var network = Sequential(loading: architecture)
        if let problem = network.takeParameters(from: &tensors, prefix: "") { throw .invalid(path: path, reason: problem) }
        var model = LineModel(network: network)
        if let history = metadata["history"] { model.history = (try? JSONDecoder().decode([EpochRecord].self, from: Data(history.utf8))) ?? [] }
        model.notes = metadata["notes"]
        return model
    }
}
