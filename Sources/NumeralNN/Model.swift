public import NumeralCore
public import Foundation

/// One epoch of training as Keras reports it.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var seconds: Double
    public init(epoch: Int, loss: Double, accuracy: Double, validationLoss: Double? = nil,
                validationAccuracy: Double? = nil, seconds: Double) {
        self.epoch = epoch; self.loss = loss; self.accuracy = accuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy; self.seconds = seconds
    }
}

/// How a model was trained: enough to reproduce it with `numeral train`.
public struct TrainingRecipe: Codable, Equatable, Sendable {
    public var model: String
    public var optimizer: OptimizerConfiguration
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    public var validationSplit: Double
    public var augmentation: String?
    /// The model file training started from (fine-tuning), nil for a random start.
    public var initialModel: String?
    /// Directories of extra training samples added to MNIST's (`numeral crops`).
    public var extraData: [String]?
    /// How the random start was drawn; nil in files from before the choice existed (He).
    public var initialization: WeightInitialization?
    public init(model: String, optimizer: OptimizerConfiguration, epochs: Int, batchSize: Int, seed: UInt64,
                validationSplit: Double, augmentation: String? = nil) {
        self.model = model; self.optimizer = optimizer; self.epochs = epochs; self.batchSize = batchSize
        self.seed = seed; self.validationSplit = validationSplit; self.augmentation = augmentation
    }
}

/// Test-set results stored with the model.
public struct TestMetrics: Codable, Equatable, Sendable {
    public var accuracy: Double
    public var loss: Double
    public var samples: Int
    public init(accuracy: Double, loss: Double, samples: Int) {
        self.accuracy = accuracy; self.loss = loss; self.samples = samples
    }
}

/// A network with everything a model file stores about it.
///
/// An ensemble is a model with several networks whose probabilities are averaged
/// (or whose votes are counted); every command uses it like a single model.
public struct Model: Sendable {
    public enum Combination: String, Codable, Sendable { case mean, vote }

    /// The networks as trained and saved. Setting them re-derives `inferenceNetworks`.
    public var networks: [Sequential] { didSet { inferenceNetworks = networks.map(InferenceNetwork.init) } }
    /// `networks` with batch norms folded (see `InferenceNetwork`): what `probabilities` runs.
    public private(set) var inferenceNetworks: [InferenceNetwork]
    public var combination: Combination = .mean
    public var recipe: TrainingRecipe?
    public var history: [EpochRecord] = []
    public var testMetrics: TestMetrics?
    /// How an input must be prepared; fixed for every Numeral model.
    public static let preprocessing = "28x28 grayscale, float32 in [0,1], ink=1 (white on black), NCHW [batch,1,28,28]; images are normalised the MNIST way: digit fitted in 20x20 keeping aspect ratio, centred by centre of mass"

    public init(network: Sequential, recipe: TrainingRecipe? = nil) {
        networks = [network]
        inferenceNetworks = [InferenceNetwork(network)]
        self.recipe = recipe
    }

    public init(ensemble networks: [Sequential], combination: Combination) {
        precondition(!networks.isEmpty, "an ensemble needs at least one network")
        self.networks = networks
        inferenceNetworks = networks.map(InferenceNetwork.init)
        self.combination = combination
    }

    public var name: String {
        networks.count == 1 ? networks[0].architecture.name
            : "ensemble(\(networks.map(\.architecture.name).joined(separator: ",")))"
    }

    public var parameterCount: Int { networks.reduce(0) { $0 + $1.parameterCount } }

    /// Class probabilities `[batch, 10]` for a batch `[batch, 1, 28, 28]`.
    ///
    /// Large batches are cut into chunks that run in parallel, each small enough for its
    /// activations to stay in cache.
    public func probabilities(_ input: Tensor) -> Tensor {
        let batch = input.shape[0]
        let chunkSize = 32
        guard batch > chunkSize else { return probabilitiesOfChunk(input) }
        var output = [[Float]](repeating: [], count: (batch + chunkSize - 1) / chunkSize)
        let lock = NSLock()
        Kernels.forEachChunk(count: batch, chunkSize: chunkSize) { range in
            let p = probabilitiesOfChunk(input.slice(range)).scalars
            lock.lock(); output[range.lowerBound / chunkSize] = p; lock.unlock()
        }
        return Tensor(shape: [batch, 10], scalars: output.flatMap { $0 })
    }

    private func probabilitiesOfChunk(_ input: Tensor) -> Tensor {
        if inferenceNetworks.count == 1 { return softmax(inferenceNetworks[0](input)) }
        var sum = Tensor(zeros: [input.shape[0], 10])
        for network in inferenceNetworks {
            let p = softmax(network(input))
            switch combination {
            case .mean:
                for i in sum.scalars.indices { sum.scalars[i] += p.scalars[i] / Float(networks.count) }
            case .vote:
                // One vote per network for its top class; ties broken by the mean probability.
                for n in 0..<input.shape[0] {
                    let row = Array(p.scalars[(n * 10)..<(n * 10 + 10)])
                    let best = row.indices.max { row[$0] < row[$1] }!
                    sum.scalars[n * 10 + best] += 1
                    for j in 0..<10 { sum.scalars[n * 10 + j] += 1e-3 * row[j] }
                }
            }
        }
        if combination == .vote {
            for n in 0..<input.shape[0] {
                let total = sum.scalars[(n * 10)..<(n * 10 + 10)].reduce(0, +)
                for j in 0..<10 { sum.scalars[n * 10 + j] /= total }
            }
        }
        return sum
    }
}

// MARK: - Files

extension Model {
    static let formatKey = "numeral.format"
    static let formatValue = "numeral-model-1"

    private func tensorPrefix(_ k: Int) -> String { networks.count == 1 ? "" : "members.\(k)." }

    /// The networks' parameters under their file names.
    private var namedParameters: [(name: String, tensor: Tensor)] {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (k, network) in networks.enumerated() {
            var copy = network
            copy.visitNamedParameters { name, p in tensors.append((tensorPrefix(k) + name, p.value)) }
        }
        return tensors
    }

    /// The largest magnitude among the parameters: `.float16` files hold at most 65504.
    public var largestParameterMagnitude: Float {
        namedParameters.reduce(0) { max($0, $1.tensor.scalars.reduce(0) { max($0, abs($1)) }) }
    }

    /// Safetensors bytes, parameters stored as `type` (the parameters must fit it:
    /// `largestParameterMagnitude`); `extra` tensors and metadata are added (checkpoints use them).
    public func encoded(as type: SafeTensors.ScalarType = .float32, extraTensors: [(name: String, tensor: Tensor)] = [],
                        extraMetadata: [String: String] = [:]) -> Data {
        let tensors = namedParameters
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) -> String {
            String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
        }
        var metadata = extraMetadata
        metadata[Self.formatKey] = Self.formatValue
        metadata["architecture"] = json(networks.map(\.architecture))
        metadata["combination"] = combination.rawValue
        metadata["preprocessing"] = Self.preprocessing
        if let recipe { metadata["recipe"] = json(recipe) }
        metadata["history"] = json(history)
        if let testMetrics { metadata["metrics"] = json(testMetrics) }
        return SafeTensors.encode(tensors: tensors + extraTensors, metadata: metadata, as: type)
    }

    /// Writes the model atomically, parameters stored as `type`.
    public func save(to path: String, as type: SafeTensors.ScalarType = .float32) throws(FileWriteError) {
        try writeAtomically(encoded(as: type), to: path)
    }

    /// Reads a model file; every problem is a `ModelFileError` naming the file.
    public static func load(from path: String) throws(ModelFileError) -> Model {
        try decode(SafeTensors.read(path), path: path).model
    }

    /// Decodes model bytes; also returns the tensors and metadata it did not use.
    public static func decode(_ data: Data, path: String) throws(ModelFileError)
        -> (model: Model, tensors: [String: Tensor], metadata: [String: String]) {
        var (tensors, metadata) = try SafeTensors.decode(data, path: path)
        guard metadata[formatKey] == formatValue else { throw .notNumeralModel(path: path) }
        let decoder = JSONDecoder()
        func field<T: Decodable>(_ key: String, _ type: T.Type) throws(ModelFileError) -> T? {
            guard let text = metadata[key] else { return nil }
            do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                throw .invalid(path: path, reason: "metadata \(key) does not parse")
            }
        }
        guard let architectures = try field("architecture", [Architecture].self), !architectures.isEmpty else {
            throw .invalid(path: path, reason: "no architecture in the metadata")
        }
        var networks: [Sequential] = []
        for (k, architecture) in architectures.enumerated() {
            // Every Numeral model reads [1, 28, 28] images (see `preprocessing`); checked first,
            // since any other input shape from a file could overflow the shape arithmetic.
            guard architecture.inputShape == [1, 28, 28] else {
                throw .invalid(path: path, reason: "architecture \(architecture.name) reads \(architecture.inputShape), not [1, 28, 28] images")
            }
            guard architecture.outputShape == [10] else {
                throw .invalid(path: path, reason: "architecture \(architecture.name) does not map \(architecture.inputShape) to 10 classes")
            }
            try checkParameterCount(of: architecture, against: tensors, path: path)
            var network = Sequential(loading: architecture)
            let prefix = architectures.count == 1 ? "" : "members.\(k)."
            if let problem = network.takeParameters(from: &tensors, prefix: prefix) { throw .invalid(path: path, reason: problem) }
            networks.append(network)
        }
        var model = Model(ensemble: networks, combination: Combination(rawValue: metadata["combination"] ?? "mean") ?? .mean)
        model.recipe = try field("recipe", TrainingRecipe.self)
        model.history = try field("history", [EpochRecord].self) ?? []
        model.testMetrics = try field("metrics", TestMetrics.self)
        return (model, tensors, metadata)
    }
}

extension Sequential {
    /// Sets every parameter from `tensors[prefix + name]`, removing the tensors it uses; returns
    /// what is wrong (a tensor missing, of the wrong shape, not finite, or a negative variance) instead, if anything.
    public mutating func takeParameters(from tensors: inout [String: Tensor], prefix: String) -> String? {
        var problem: String?
        visitNamedParameters { name, p in
            guard problem == nil else { return }
            guard let t = tensors.removeValue(forKey: prefix + name) else { problem = "tensor \(prefix + name) is missing"; return }
            guard t.shape == p.value.shape else {
                problem = "tensor \(prefix + name) has shape \(t.shape), the architecture needs \(p.value.shape)"; return
            }
            guard t.scalars.allSatisfy(\.isFinite) else { problem = "tensor \(prefix + name) holds NaN or infinity"; return }
            // A batch norm divides by the square root of its running variance.
            guard p.name != "runningVariance" || t.scalars.allSatisfy({ $0 >= 0 }) else {
                problem = "tensor \(prefix + name) holds a negative variance"; return
            }
            p.value = t
        }
        return problem
    }
}
