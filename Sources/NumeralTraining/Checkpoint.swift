public import NumeralCore
public import NumeralNN
import Foundation

/// A training run that can be continued: the model file plus the optimizer state and the
/// `TrainingProgress`, in one safetensors file (optimizer state as tensors `optimizer.N`,
/// progress as JSON in the metadata), and early stopping's best network so far (tensors
/// `early_stopping.NAME`, its patience in the metadata).
public struct Checkpoint: Sendable {
    public var model: Model
    public var optimizer: any Optimizer
    public var progress: TrainingProgress
    public var earlyStopping: EarlyStopping?

    public init(model: Model, optimizer: any Optimizer, progress: TrainingProgress, earlyStopping: EarlyStopping? = nil) {
        self.model = model; self.optimizer = optimizer; self.progress = progress; self.earlyStopping = earlyStopping
    }

    static let progressKey = "checkpoint.progress"
    static let patienceKey = "checkpoint.early_stopping.patience"
    static let bestPrefix = "early_stopping."

    public func save(to path: String) throws(FileWriteError) {
        let encoder = JSONEncoder()
        let progressJSON = String(decoding: (try? encoder.encode(progress)) ?? Data(), as: UTF8.self)
        let state = optimizer.state.enumerated().map { slot, values in
            (name: "optimizer.\(slot)", tensor: Tensor(shape: [values.count], scalars: values))
        }
        var extraTensors = state
        var extraMetadata = [Self.progressKey: progressJSON]
        if let earlyStopping {
            extraMetadata[Self.patienceKey] = String(earlyStopping.patience)
            if var best = earlyStopping.best?.network {
                best.visitNamedParameters { name, p in extraTensors.append((Self.bestPrefix + name, p.value)) }
            }
        }
        var model = model
        model.history = progress.history
        try writeAtomically(model.encoded(extraTensors: extraTensors, extraMetadata: extraMetadata), to: path)
    }

    public static func load(from path: String) throws(ModelFileError) -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "I/O error" : "no such file")
        }
        let (model, tensors, metadata) = try Model.decode(data, path: path)
        guard let text = metadata[progressKey],
              let progress = try? JSONDecoder().decode(TrainingProgress.self, from: Data(text.utf8)) else {
            throw .invalid(path: path, reason: "it is a finished model, not a training checkpoint (no progress to resume)")
        }
        guard let recipe = model.recipe, model.networks.count == 1 else {
            throw .invalid(path: path, reason: "the checkpoint has no training recipe")
        }
        var optimizer = recipe.optimizer.makeOptimizer()
        var slot = 0
        while let t = tensors["optimizer.\(slot)"] {
            optimizer.state.append(t.scalars)
            slot += 1
        }
        // Each slot holds one value per scalar of its trainable parameter (Adam: two), or
        // nothing yet; anything else would index out of range on the first resumed step.
        var sizes: [Int] = []
        var network = model.networks[0]
        network.visitParameters { if $0.isTrainable { sizes.append($0.value.shape.count) } }
        let perScalar = recipe.optimizer.kind == .adam || recipe.optimizer.kind == .adamw ? 2 : 1
        for (slot, values) in optimizer.state.enumerated() where !values.isEmpty {
            let needed = slot < sizes.count ? perScalar * sizes[slot] : 0
            guard values.count == needed else {
                throw .invalid(path: path, reason: "optimizer.\(slot) holds \(values.count) values, the model needs \(needed)")
            }
        }
        optimizer.stepCount = progress.stepCount

        var earlyStopping: EarlyStopping?
        if let text = metadata[patienceKey] {
            guard let patience = Int(text), patience >= 1 else {
                throw .invalid(path: path, reason: "early-stopping patience \(text) is not a positive whole number")
            }
            // The best network has the model's architecture; before the first validation epoch none is stored.
            if tensors.keys.contains(where: { $0.hasPrefix(bestPrefix) }) {
                var best = network
                var rest = tensors
                if let problem = best.takeParameters(from: &rest, prefix: bestPrefix) {
                    throw .invalid(path: path, reason: "early stopping's best network: \(problem)")
                }
                earlyStopping = EarlyStopping(patience: patience, replaying: progress.history, bestNetwork: best)
            } else {
                earlyStopping = EarlyStopping(patience: patience)
            }
        }
        return Checkpoint(model: model, optimizer: optimizer, progress: progress, earlyStopping: earlyStopping)
    }
}
