import Foundation
import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// Model files: safetensors round trips, atomic writes, and damaged or foreign files.
@Suite final class ModelFileTests {
    let directory: URL
    init() throws { directory = try TestLocations.temporaryDirectory("numeral-models") }
    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func trainedLookingModel(_ architecture: Architecture = Zoo.lenet, seed: UInt64 = 1) -> Model {
        var rng = SplitMix64(seed: seed)
        var network = Sequential(architecture, using: &rng)
        randomizeParameters(&network, in: -0.3...0.3, using: &rng)
        var model = Model(network: network, recipe: TrainingRecipe(
            model: architecture.name,
            optimizer: OptimizerConfiguration(kind: .adamw, learningRate: 1e-3, weightDecay: 1e-4, schedule: .oneCycle(warmup: 0.3)),
            epochs: 2, batchSize: 64, seed: seed, validationSplit: 0.1, augmentation: "shift2"))
        model.history = [
            EpochRecord(epoch: 1, loss: 0.31, accuracy: 0.91, validationLoss: 0.2, validationAccuracy: 0.94, seconds: 12.5),
            EpochRecord(epoch: 2, loss: 0.12, accuracy: 0.965, seconds: 11.25),
        ]
        model.testMetrics = TestMetrics(accuracy: 0.9876, loss: 0.0412, samples: 10_000)
        return model
    }

    static func parameters(_ network: Sequential) -> [String: Tensor] {
        var copy = network
        var result: [String: Tensor] = [:]
        copy.visitNamedParameters { result[$0] = $1.value }
        return result
    }

    @Test func roundTripKeepsTensorsAndMetadata() throws {
        let model = Self.trainedLookingModel()
        let file = path("lenet.safetensors")
        try model.save(to: file)
        let loaded = try Model.load(from: file)
        #expect(loaded.networks.count == 1)
        #expect(loaded.networks[0].architecture == model.networks[0].architecture)
        #expect(Self.parameters(loaded.networks[0]) == Self.parameters(model.networks[0]), "tensors differ after a round trip")
        #expect(loaded.recipe == model.recipe)
        #expect(loaded.history == model.history)
        #expect(loaded.testMetrics == model.testMetrics)
        #expect(loaded.parameterCount == 61_706)
        // Encoding is deterministic: the loaded model writes the same bytes.
        #expect(loaded.encoded() == model.encoded())
        var rng = SplitMix64(seed: 2)
        let input = Tensor.uniform(shape: [2, 1, 28, 28], in: 0...1, using: &rng)
        #expect(loaded.probabilities(input) == model.probabilities(input))
    }

    @Test func float16FilesHoldTheRoundedWeightsInHalfTheBytes() throws {
        let model = Self.trainedLookingModel(Zoo.lenet, seed: 4)
        let full = path("lenet-f32.safetensors"), half = path("lenet-f16.safetensors")
        try model.save(to: full)
        try model.save(to: half, as: .float16)
        let fullBytes = try Data(contentsOf: URL(fileURLWithPath: full)).count
        let halfBytes = try Data(contentsOf: URL(fileURLWithPath: half)).count
        // The tensors shrink from 4 to 2 bytes a value; the header only loses offset digits.
        #expect(abs(fullBytes - halfBytes - 2 * model.parameterCount) < 64, "\(fullBytes) vs \(halfBytes) bytes")

        let loaded = try Model.load(from: half)
        let rounded = Self.parameters(model.networks[0]).mapValues { t in
            Tensor(shape: t.shape, scalars: t.scalars.map { Float(Float16($0)) })
        }
        #expect(Self.parameters(loaded.networks[0]) == rounded, "a float16 file holds each weight rounded to float16")
        #expect(rounded != Self.parameters(model.networks[0]), "the weights are not all float16 numbers already")
        #expect(loaded.recipe == model.recipe && loaded.history == model.history && loaded.testMetrics == model.testMetrics)
        // Rounded weights are float16 numbers: writing them again as float16 changes nothing.
        #expect(loaded.encoded(as: .float16) == model.encoded(as: .float16))

        var rng = SplitMix64(seed: 5)
        let input = Tensor.uniform(shape: [8, 1, 28, 28], in: 0...1, using: &rng)
        let difference = zip(loaded.probabilities(input).scalars, model.probabilities(input).scalars).map { abs($0 - $1) }.max()!
        #expect(difference > 0 && difference < 1e-2, "probabilities move by \(difference)")
    }

    @Test func largestParameterMagnitudeSeesEveryMember() {
        var rng = SplitMix64(seed: 6)
        var networks = [Sequential(Zoo.mlp, using: &rng), Sequential(Zoo.mlp, using: &rng)]
        networks[1].visitParameters { p in if p.name == "bias" { p.value.scalars[0] = -70_000 } }
        #expect(Model(network: networks[0]).largestParameterMagnitude < 1)
        #expect(Model(ensemble: networks, combination: .mean).largestParameterMagnitude == 70_000)
    }

    @Test func batchNormRunningStatisticsAreSaved() throws {
        var rng = SplitMix64(seed: 3)
        var network = Sequential(Architecture(name: "bn", layers: [
            .flatten, .dense(inputSize: 784, outputSize: 8), .batchNorm(features: 8), .relu, .dense(inputSize: 8, outputSize: 10),
        ]), using: &rng)
        // A training pass moves the running mean and variance away from 0 and 1.
        _ = network.forward(.uniform(shape: [4, 1, 28, 28], in: 0...1, using: &rng), using: &rng)
        let file = path("bn.safetensors")
        try Model(network: network).save(to: file)
        let loaded = try Model.load(from: file)
        #expect(Self.parameters(loaded.networks[0]) == Self.parameters(network))
        #expect(Self.parameters(loaded.networks[0])["2.runningMean"] != Tensor(zeros: [8]))
    }

    @Test func negativeRunningVarianceIsRefused() throws {
        var rng = SplitMix64(seed: 3)
        var network = Sequential(Architecture(name: "bn", layers: [
            .flatten, .dense(inputSize: 784, outputSize: 8), .batchNorm(features: 8), .relu, .dense(inputSize: 8, outputSize: 10),
        ]), using: &rng)
        // Inference divides by the square root of variance + epsilon: a negative one is no model's.
        network.visitParameters { p in if p.name == "runningVariance" { p.value.scalars[3] = -0.5 } }
        let file = path("negative-variance.safetensors")
        try Model(network: network).save(to: file)
        try expectLoadError(Data(contentsOf: URL(fileURLWithPath: file)), named: "negative-variance") {
            Self.reason($0, contains: "tensor 2.runningVariance holds a negative variance")
        }
    }

    @Test(arguments: [Model.Combination.mean, .vote])
    func ensembleRoundTrip(_ combination: Model.Combination) throws {
        let members = [Self.trainedLookingModel(Zoo.mlp, seed: 4), Self.trainedLookingModel(Zoo.lenet, seed: 5),
                       Self.trainedLookingModel(Zoo.mlp, seed: 6)].map { $0.networks[0] }
        let ensemble = Model(ensemble: members, combination: combination)
        let file = path("ensemble-\(combination).safetensors")
        try ensemble.save(to: file)
        let loaded = try Model.load(from: file)
        #expect(loaded.combination == combination)
        #expect(loaded.name == "ensemble(mlp,lenet,mlp)")
        #expect(loaded.networks.count == 3)
        for (a, b) in zip(loaded.networks, members) { #expect(Self.parameters(a) == Self.parameters(b)) }
        var rng = SplitMix64(seed: 7)
        let input = Tensor.uniform(shape: [3, 1, 28, 28], in: 0...1, using: &rng)
        let p = loaded.probabilities(input)
        #expect(p == ensemble.probabilities(input))
        for n in 0..<3 { #expect(abs(p.scalars[(n * 10)..<(n * 10 + 10)].reduce(0, +) - 1) < 1e-5) }
    }

    // MARK: - Atomic writes

    func directoryContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func writesLeaveNoTemporaryFiles() throws {
        let file = path("model.safetensors")
        try Self.trainedLookingModel(Zoo.mlp, seed: 1).save(to: file)
        let second = Self.trainedLookingModel(Zoo.mlp, seed: 2)
        try second.save(to: file)  // replaces the first
        #expect(try directoryContents() == ["model.safetensors"])
        #expect(Self.parameters(try Model.load(from: file).networks[0]) == Self.parameters(second.networks[0]))
    }

    @Test func writingIntoAMissingDirectoryThrowsAndLeavesNothing() throws {
        let file = path("no/such/dir/model.safetensors")
        #expect(throws: FileWriteError.self) { try Self.trainedLookingModel(Zoo.mlp).save(to: file) }
        do { try Self.trainedLookingModel(Zoo.mlp).save(to: file) } catch {
            #expect(error.path == file)
            #expect(error.description.contains(file))
        }
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(try directoryContents().isEmpty)
    }

    @Test func failedRenameRemovesTheTemporaryFile() throws {
        // The target is a non-empty directory, so the final rename fails.
        let target = path("occupied")
        try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
        #expect(throws: FileWriteError.self) { try Self.trainedLookingModel(Zoo.mlp).save(to: target) }
        #expect(try directoryContents() == ["occupied"])
    }

    // MARK: - Damaged and foreign files

    /// Writes `data` and expects `Model.load` to throw a `ModelFileError` that names the file
    /// and satisfies `matches`.
    func expectLoadError(_ data: Data, named name: String, sourceLocation: SourceLocation = #_sourceLocation,
                         _ matches: (ModelFileError) -> Bool) throws {
        let file = path(name)
        try data.write(to: URL(fileURLWithPath: file))
        do {
            let model = try Model.load(from: file)
            Issue.record("\(name) loaded as \(model.name)", sourceLocation: sourceLocation)
        } catch {
            #expect(matches(error), "\(name): unexpected error \(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(file), "\(error.description) does not name the file", sourceLocation: sourceLocation)
        }
    }

    /// The tensors and metadata of a valid lenet file, to damage one thing at a time.
    static func validParts() throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let (tensors, metadata) = try SafeTensors.decode(trainedLookingModel().encoded(), path: "valid")
        return (tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }, metadata)
    }

    static func reason(_ e: ModelFileError, contains text: String) -> Bool {
        switch e {
        case let .invalid(_, reason), let .notSafetensors(_, reason), let .unreadable(_, reason): reason.contains(text)
        case .notNumeralModel: false
        }
    }

    @Test func randomBytes() throws {
        withEvery("seed", in: 0..<20 as Range<UInt64>) { seed in
            var rng = SplitMix64(seed: seed)
            let bytes = Data((0..<Int.random(in: 0...4096, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            do {
                _ = try Model.decode(bytes, path: "random-\(seed)")
                throw CheckFailure("\(bytes.count) random bytes decoded as a model")
            } catch let error as ModelFileError {
                try check(error.description.contains("random-\(seed)"), "\(error) does not name the file")
            }
        }
        try expectLoadError(Data(), named: "empty.safetensors") { if case .notSafetensors = $0 { true } else { false } }
        try expectLoadError(Data("not a model at all".utf8), named: "text.safetensors") {
            if case .notSafetensors = $0 { true } else { false }
        }
    }

    @Test func truncatedFiles() throws {
        let whole = Self.trainedLookingModel().encoded()
        try expectLoadError(whole.prefix(5), named: "cut-5") { if case .notSafetensors = $0 { true } else { false } }
        try expectLoadError(whole.prefix(100), named: "cut-header") { if case .notSafetensors = $0 { true } else { false } }
        try expectLoadError(whole.prefix(whole.count / 2), named: "cut-half") { Self.reason($0, contains: "body") }
        try expectLoadError(whole.prefix(whole.count - 1), named: "cut-1") { Self.reason($0, contains: "body") }
    }

    @Test func safetensorsWithoutNumeralMetadata() throws {
        let foreign = SafeTensors.encode(tensors: [(name: "weight", tensor: Tensor(zeros: [2, 2]))], metadata: ["format": "pt"])
        try expectLoadError(foreign, named: "foreign.safetensors") { if case .notNumeralModel = $0 { true } else { false } }
    }

    @Test func wrongShapeMissingTensorAndNaN() throws {
        let (tensors, metadata) = try Self.validParts()
        // A tensor with the right count but the wrong shape.
        var reshaped = tensors
        let i = try #require(reshaped.firstIndex { $0.name == "7.weight" })
        reshaped[i].tensor = reshaped[i].tensor.reshaped([400, 120])
        try expectLoadError(SafeTensors.encode(tensors: reshaped, metadata: metadata), named: "shape") {
            Self.reason($0, contains: "7.weight") && Self.reason($0, contains: "shape")
        }
        // A missing tensor: the file then holds fewer numbers than the architecture needs.
        try expectLoadError(SafeTensors.encode(tensors: tensors.filter { $0.name != "0.bias" }, metadata: metadata),
                            named: "missing") { Self.reason($0, contains: "needs 61706 parameters, the file holds 61700 numbers") }
        // A tensor under another name.
        let renamed = tensors.map { $0.name == "0.bias" ? (name: "0.bias-renamed", tensor: $0.tensor) : $0 }
        try expectLoadError(SafeTensors.encode(tensors: renamed, metadata: metadata), named: "renamed") {
            Self.reason($0, contains: "0.bias is missing")
        }
        // A NaN and an infinity in the weights.
        for (value, name) in [(Float.nan, "nan"), (.infinity, "inf")] {
            var poisoned = tensors
            poisoned[i].tensor.scalars[17] = value
            try expectLoadError(SafeTensors.encode(tensors: poisoned, metadata: metadata), named: name) {
                Self.reason($0, contains: "NaN or infinity")
            }
        }
    }

    @Test func badMetadata() throws {
        let (tensors, metadata) = try Self.validParts()
        var broken = metadata
        broken["architecture"] = "[{\"name\": \"lenet\", \"layers\": [{\"transformer\": {}}]}]"
        try expectLoadError(SafeTensors.encode(tensors: tensors, metadata: broken), named: "unknown-layer") {
            Self.reason($0, contains: "architecture does not parse")
        }
        broken = metadata
        broken.removeValue(forKey: "architecture")
        try expectLoadError(SafeTensors.encode(tensors: tensors, metadata: broken), named: "no-architecture") {
            Self.reason($0, contains: "no architecture")
        }
        // An architecture that does not end in 10 classes.
        let eleven = Architecture(name: "eleven", layers: [.flatten, .dense(inputSize: 784, outputSize: 11)])
        broken = metadata
        broken["architecture"] = String(decoding: try JSONEncoder().encode([eleven]), as: UTF8.self)
        try expectLoadError(SafeTensors.encode(tensors: tensors, metadata: broken), named: "eleven") {
            Self.reason($0, contains: "10 classes")
        }
        broken = metadata
        broken["recipe"] = "{not json"
        try expectLoadError(SafeTensors.encode(tensors: tensors, metadata: broken), named: "recipe") {
            Self.reason($0, contains: "recipe does not parse")
        }
    }

    /// Architectures no Numeral writes (zero strides, negative sizes, impossible dropout
    /// rates) must be rejected with a thrown error before any layer is built: building
    /// them would divide by zero or trip a precondition.
    @Test(arguments: [
        LayerSpec.conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 0, padding: 0),
        .conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 0, stride: 1, padding: 0),
        .conv2D(inputChannels: 1, outputChannels: -2, kernelSize: 3, stride: 1, padding: 0),
        .conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 1, padding: -1),
        .maxPool2D(size: 2, stride: 0),
        .maxPool2D(size: 0, stride: 1),
        .dropout(rate: 1.5),
        .dropout(rate: -0.1),
    ])
    func hostileArchitectures(_ layer: LayerSpec) throws {
        let architecture = Architecture(name: "hostile", layers: [layer, .flatten, .dense(inputSize: 784, outputSize: 10)])
        try expectHostile(architecture)
    }

    @Test func negativeDenseSizes() throws {
        try expectHostile(Architecture(name: "negative", layers: [
            .flatten, .dense(inputSize: 784, outputSize: -5), .dense(inputSize: -5, outputSize: 10),
        ]))
    }

    @Test func foreignInputShapes() throws {
        // Not MNIST images; and a shape whose flattened size overflows Int.
        try expectHostile(Architecture(name: "flat", inputShape: [784], layers: [.dense(inputSize: 784, outputSize: 10)]))
        try expectHostile(Architecture(name: "huge", inputShape: [1 << 40, 1 << 40], layers: [
            .flatten, .dense(inputSize: 784, outputSize: 10),
        ]))
    }

    /// Layers far larger than the file, which building would try to allocate (terabytes, or a
    /// count that overflows Int), and sizes beyond 2³¹, whose shape arithmetic could overflow.
    @Test func architecturesLargerThanTheFile() throws {
        let huge = 1 << 30
        try expectHostile(Architecture(name: "wide", layers: [
            .flatten, .dense(inputSize: 784, outputSize: huge), .dense(inputSize: huge, outputSize: 10),
        ]), reason: "needs 853624750090 parameters, the file holds 61706")
        try expectHostile(Architecture(name: "deep", layers: [
            .conv2D(inputChannels: 1, outputChannels: 1 << 20, kernelSize: 3, stride: 1, padding: 1),
            .flatten, .dense(inputSize: 784 << 20, outputSize: 10),
        ]), reason: "needs 8231321610 parameters")
        try expectHostile(Architecture(name: "lstm", layers: [
            .lstm(inputSize: 28, hiddenSize: huge), .dense(inputSize: huge, outputSize: 10),
        ]), reason: "needs 4611686149423890442 parameters")
        try expectHostile(Architecture(name: "beyond", layers: [
            .flatten, .dense(inputSize: 784, outputSize: 1 << 40), .dense(inputSize: 1 << 40, outputSize: 10),
        ]), reason: "10 classes")
        try expectHostile(Architecture(name: "padding", layers: [
            .conv2D(inputChannels: 1, outputChannels: 1, kernelSize: Int.max, stride: 1, padding: Int.max - 1),
            .flatten, .dense(inputSize: 784, outputSize: 10),
        ]), reason: "10 classes")
        #expect(LayerSpec.conv2D(inputChannels: 1 << 30, outputChannels: 1 << 30, kernelSize: 1 << 30, stride: 1, padding: 0)
            .parameterCount == nil)
    }

    /// After `.columns` each column runs as a sample of its own, so a flatten, an LSTM or a
    /// batch norm there would see other shapes than the architecture says; such files crashed
    /// at the first reading (found by `scripts/fuzz architecture`).
    @Test func layersThatCannotReadColumns() throws {
        try expectHostile(Architecture(name: "flatten", layers: [
            .columns, .dense(inputSize: 28, outputSize: 55), .flatten, .dense(inputSize: 28 * 55, outputSize: 10),
        ]), reason: "10 classes")
        try expectHostile(Architecture(name: "lstm", layers: [
            .columns, .lstm(inputSize: 28, hiddenSize: 10),
        ]), reason: "10 classes")
        #expect(Architecture(name: "batchnorm", layers: [
            .columns, .dense(inputSize: 28, outputSize: 28), .batchNorm(features: 28),
        ]).outputShape == nil)
        // Rows given as the input: an LSTM reads them, a dense layer cannot.
        #expect(Architecture(name: "rows", inputShape: [28, 28], layers: [.lstm(inputSize: 28, hiddenSize: 10)]).outputShape == [10])
        #expect(Architecture(name: "rows", inputShape: [28, 28], layers: [.dense(inputSize: 28, outputSize: 10)]).outputShape == nil)
        #expect(LineModel.architecture().outputShape == [LineModel.nominalWidth / LineModel.frameWidth, LineModel.classes])
    }

    func expectHostile(_ architecture: Architecture, reason: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (tensors, metadata) = try Self.validParts()
        var hostile = metadata
        hostile["architecture"] = String(decoding: try JSONEncoder().encode([architecture]), as: UTF8.self)
        try expectLoadError(SafeTensors.encode(tensors: tensors, metadata: hostile), named: "hostile.safetensors",
                            sourceLocation: sourceLocation) { error in
            guard case .invalid = error else { return false }
            return reason.map { Self.reason(error, contains: $0) } ?? true
        }
    }

    /// A header whose shape has more elements than Int can count.
    @Test func overflowingShape() throws {
        let json = #"{"x": {"dtype": "F32", "shape": [1073741824, 1073741824, 1073741824], "data_offsets": [0, 8]}}"#
        var header = Data(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var data = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data += header + Data(count: 8)
        #expect(throws: ModelFileError.self) { _ = try SafeTensors.decode(data, path: "overflow") }
    }

    @Test func wrongDtypeAndOffsets() throws {
        let valid = SafeTensors.encode(tensors: [(name: "x", tensor: Tensor(zeros: [2]))], metadata: [:])
        func withHeader(_ json: String) -> Data {
            var header = Data(json.utf8)
            while header.count % 8 != 0 { header.append(0x20) }
            var out = Data()
            withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
            return out + header + Data(count: 8)
        }
        #expect(throws: ModelFileError.self) {
            _ = try SafeTensors.decode(withHeader(#"{"x": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}"#), path: "bf16")
        }
        #expect(throws: ModelFileError.self) {
            // Four float16 values are 8 bytes, not 16.
            _ = try SafeTensors.decode(withHeader(#"{"x": {"dtype": "F16", "shape": [4], "data_offsets": [0, 16]}}"#), path: "f16")
        }
        #expect(throws: ModelFileError.self) {
            _ = try SafeTensors.decode(withHeader(#"{"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#), path: "overrun")
        }
        #expect(throws: ModelFileError.self) {
            _ = try SafeTensors.decode(withHeader(#"{"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 8]}}"#), path: "negative")
        }
        #expect(throws: ModelFileError.self) {
            _ = try SafeTensors.decode(withHeader(#"["not", "an", "object"]"#), path: "array")
        }
        let decoded = try SafeTensors.decode(valid, path: "valid")
        #expect(decoded.tensors["x"] == Tensor(zeros: [2]))
    }

    @Test func missingFile() {
        let file = path("absent.safetensors")
        #expect(throws: ModelFileError.unreadable(path: file, reason: "no such file")) { try Model.load(from: file) }
    }
}
