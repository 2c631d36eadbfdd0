public import Foundation
public import NumeralCore
public import NumeralNN

/// One training line for the field recogniser: `LineModel.height` rows of `width` values
/// (ink positive, paper 0) and its text as symbol indices into `LineModel.amountAlphabet`.
public struct FieldSample: Sendable {
    public var pixels: [Float], width: Int, label: [Int]
    public init(pixels: [Float], width: Int, label: [Int]) { self.pixels = pixels; self.width = width; self.label = label }
}

/// How a field recogniser is trained: a fixed number of steps of Adam with a cosine
/// schedule; every step's lines are drawn afresh from `seed` and the step's number, so an
/// interrupted run resumed from its checkpoint sees the same lines as one that was not.
public struct FieldTrainingPlan: Codable, Sendable, Equatable {
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Float
    public var seed: UInt64
    public init(steps: Int, batchSize: Int, learningRate: Float, seed: UInt64) {
        self.steps = steps; self.batchSize = batchSize; self.learningRate = learningRate; self.seed = seed
    }
}

public enum FieldTrainingError: Error, Equatable, CustomStringConvertible {
    case nonFiniteLoss(step: Int)
    case checkpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step):
            "the loss became \("NaN or infinite") at step \(step): training stopped, no model written (try a lower --lr)"
        case .checkpoint(let path, let reason): "checkpoint \(path): \(reason)"
        }
    }
}

/// A field-recogniser run that can be continued: the network, Adam's state, the plan and
/// how far it got, in one safetensors file.
public struct FieldCheckpoint: Sendable {
    public var model: LineModel
    public var optimizer: Adam
    public var plan: FieldTrainingPlan
    public var step: Int

    public init(model: LineModel, optimizer: Adam, plan: FieldTrainingPlan, step: Int) {
        self.model = model; self.optimizer = optimizer; self.plan = plan; self.step = step
    }

    static let planKey = "checkpoint.field_plan", stepKey = "checkpoint.step", updatesKey = "checkpoint.optimizer_steps"

    public func save(to path: String) throws(FileWriteError) {
        var tensors: [(name: String, tensor: Tensor)] = []
        var network = model.network
        network.visitNamedParameters { name, p in tensors.append((name, p.value)) }
        for (slot, values) in optimizer.state.enumerated() {
            tensors.append(("optimizer.\(slot)", Tensor(shape: [values.count], scalars: values)))
        }
        var (_, metadata) = (try? SafeTensors.decode(model.encoded(), path: path)) ?? ([:], [:])
        metadata[Self.planKey] = String(decoding: (try? JSONEncoder().encode(plan)) ?? Data(), as: UTF8.self)
        metadata[Self.stepKey] = String(step)
        metadata[Self.updatesKey] = String(optimizer.stepCount)
        try writeAtomically(SafeTensors.encode(tensors: tensors, metadata: metadata), to: path)
    }

    public static func load(from path: String) throws -> FieldCheckpoint {
        let data = try SafeTensors.read(path)
        let (tensors, metadata) = try SafeTensors.decode(data, path: path)
        guard let planText = metadata[planKey], let plan = try? JSONDecoder().decode(FieldTrainingPlan.self, from: Data(planText.utf8)),
              let stepText = metadata[stepKey], let step = Int(stepText), step >= 0 else {
            throw FieldTrainingError.checkpoint(path: path, reason: "not a field-training checkpoint (no plan or step)")
        }
        let model = try LineModel.decode(data, path: path)
        var optimizer = Adam(OptimizerConfiguration(kind: .adam, learningRate: plan.learningRate, schedule: .cosine))
        var sizes: [Int] = []
        var network = model.network
        network.visitParameters { if $0.isTrainable { sizes.append($0.value.shape.count) } }
        var slot = 0
        while let t = tensors["optimizer.\(slot)"] {
            guard t.scalars.isEmpty || (slot < sizes.count && t.scalars.count == 2 * sizes[slot]) else {
                throw FieldTrainingError.checkpoint(path: path, reason: "optimizer.\(slot) does not fit the model")
            }
            optimizer.state.append(t.scalars)
            slot += 1
        }
        // Adam's bias correction counts updates: two per step (the first checkpoints did not
        // record them).
        optimizer.stepCount = metadata[updatesKey].flatMap { Int($0) } ?? 2 * step
        return FieldCheckpoint(model: model, optimizer: optimizer, plan: plan, step: step)
    }
}

/// What the trainer reports after each step.
public struct FieldTrainingReport: Sendable {
    public var step: Int, steps: Int
    /// Mean CTC loss and share of lines read exactly (best path) over the last 50 steps.
    public var loss: Double, accuracy: Double
    public var linesPerSecond: Double
}

/// Trains a field recogniser with CTC from `checkpoint.step` to `plan.steps`. Each step draws
/// `2 · batchSize` lines with `sample` (line `i` of step `s` from its own generator, so the
/// lines do not depend on the thread count or on resuming), sorts them by width and makes
/// two updates, the narrow half and the wide half, so little is padding. `save` is called
/// every `checkpointInterval` seconds, when `shouldStop` says so (then training returns
/// early) and at the end. A loss that is not finite throws before anything is saved.
public func trainFields(_ checkpoint: inout FieldCheckpoint, checkpointInterval: Double,
                        sample: @Sendable (inout SplitMix64) -> FieldSample,
                        shouldStop: () -> Bool = { false },
                        onStep: (FieldTrainingReport) -> Void = { _ in },
                        save: (FieldCheckpoint) throws -> Void) throws {
    let plan = checkpoint.plan
    let blank = checkpoint.model.blankClass
    var network = checkpoint.model.network
    var lastSave = Date()
    var recent: [(loss: Double, right: Double)] = []
    let started = Date()
    var lines = 0
    while checkpoint.step < plan.steps {
        let step = checkpoint.step
        let count = 2 * plan.batchSize
        let drawn = Locked([FieldSample?](repeating: nil, count: count))
        Kernels.forEachChunk(count: count, chunkSize: 4) { range in
            for i in range {
                var rng = SplitMix64(seed: plan.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step) &* 0x1_0000 &+ UInt64(i))
                let s = sample(&rng)
                drawn.update { $0[i] = s }
            }
        }
        let samples = drawn.update { $0 }.compactMap { $0 }.sorted { $0.width < $1.width }
        var dropout = SplitMix64(seed: plan.seed ^ (UInt64(step) &* 0xD1B5_4A32_D192_ED03))
        var stepLoss = 0.0, stepRight = 0
        for half in [samples[..<plan.batchSize], samples[plan.batchSize...]] {
            let width = half.map(\.width).max()!
            var scalars = [Float](repeating: 0, count: half.count * LineModel.height * width)
            for (k, s) in half.enumerated() {
                for r in 0..<LineModel.height {
                    for c in 0..<s.width { scalars[(k * LineModel.height + r) * width + c] = s.pixels[r * s.width + c] }
                }
            }
            let frames = width / LineModel.frameWidth
            let labels = half.map(\.label)
            let logits = network.forward(Tensor(shape: [half.count, 1, LineModel.height, width], scalars: scalars), using: &dropout)
            let (loss, gradient, _) = CTC.loss(logits: logits, frames: frames, labels: labels, blank: blank)
            guard loss.isFinite, gradient.scalars.allSatisfy(\.isFinite) else { throw FieldTrainingError.nonFiniteLoss(step: step + 1) }
            _ = network.backward(gradient)
            checkpoint.optimizer.step(&network, progress: Double(step) / Double(plan.steps))
            stepLoss += Double(loss) / 2
            stepRight += zip(decode(logits, frames: frames, blank: blank), labels).filter { $0 == $1 }.count
        }
        lines += count
        checkpoint.step += 1
        recent.append((stepLoss, Double(stepRight) / Double(count)))
        if recent.count > 50 { recent.removeFirst() }
        onStep(FieldTrainingReport(step: checkpoint.step, steps: plan.steps,
                                   loss: recent.reduce(0) { $0 + $1.loss } / Double(recent.count),
                                   accuracy: recent.reduce(0) { $0 + $1.right } / Double(recent.count),
                                   linesPerSecond: Double(lines) / max(1e-9, Date().timeIntervalSince(started))))
        let stopping = shouldStop()
        if stopping || checkpoint.step == plan.steps || Date().timeIntervalSince(lastSave) >= checkpointInterval {
            checkpoint.model.network = network
            try save(checkpoint)
            lastSave = Date()
        }
        if stopping { return }
    }
}
