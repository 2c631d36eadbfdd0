import NumeralCore
public import NumeralNN
public import NumeralData
import Foundation

/// Hyper-parameter search (`numeral tune`): random or grid search over a small space, each
/// trial trained with early stopping and judged on the validation split only.
///
/// The test set is never an input: `tune` takes a training and a validation set, and
/// `tune(dataDirectory:…)` reads only the training files (a test proves it on a directory
/// that has no test files).
public struct SearchSpace: Sendable, Equatable, CustomStringConvertible {
    public enum Dimension: Sendable, Equatable {
        /// A continuous range, sampled uniformly (or log-uniformly).
        case range(lower: Double, upper: Double, log: Bool)
        /// A finite list of values.
        case choices([Double])
    }

    public var dimensions: [(name: String, dimension: Dimension)]

    /// The hyper-parameters a trial can set.
    public static let names = ["lr", "batch-size", "dropout", "weight-decay", "momentum", "epochs"]

    public static func == (a: SearchSpace, b: SearchSpace) -> Bool {
        a.dimensions.map(\.name) == b.dimensions.map(\.name) && a.dimensions.map(\.dimension) == b.dimensions.map(\.dimension)
    }

    public var description: String {
        dimensions.map { name, d in
            switch d {
            case let .range(lo, hi, log): "\(name)=\(lo)..\(hi)\(log ? " log" : "")"
            case let .choices(values): "\(name)=" + values.map { "\($0)" }.joined(separator: "|")
            }
        }.joined(separator: ", ")
    }

    /// Parses `lr=1e-4..1e-2 log, batch-size=32|64|128, dropout=0..0.5`.
    public init(parsing text: String) throws(SearchSpaceError) {
        dimensions = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformed(item) }
            let name = pair[0]
            guard Self.names.contains(name) else { throw .unknownName(name) }
            guard !dimensions.contains(where: { $0.name == name }) else { throw .malformed("\(name) appears twice") }
            var body = pair[1]
            var log = false
            if body.hasSuffix(" log") { log = true; body = String(body.dropLast(4)).trimmingCharacters(in: .whitespaces) }
            if body.contains("..") {
                let bounds = body.components(separatedBy: "..").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard bounds.count == 2, let lo = bounds[0], let hi = bounds[1], lo <= hi, lo.isFinite, hi.isFinite else {
                    throw .malformed(item)
                }
                guard !log || lo > 0 else { throw .malformed("\(item): a log range needs a positive lower bound") }
                dimensions.append((name, .range(lower: lo, upper: hi, log: log)))
            } else {
                let values = body.split(separator: "|").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite }) else { throw .malformed(item) }
                dimensions.append((name, .choices(values.map { $0! })))
            }
        }
        guard !dimensions.isEmpty else { throw .malformed("the space is empty") }
        for (name, d) in dimensions { try Self.check(name, d) }
    }

    static func check(_ name: String, _ d: Dimension) throws(SearchSpaceError) {
        let values: [Double] = switch d {
        case let .range(lo, hi, _): [lo, hi]
        case let .choices(v): v
        }
        let ok: Bool = switch name {
        case "lr": values.allSatisfy { $0 > 0 }
        case "batch-size", "epochs": values.allSatisfy { $0 >= 1 }
        case "dropout": values.allSatisfy { $0 >= 0 && $0 < 1 }
        case "weight-decay", "momentum": values.allSatisfy { $0 >= 0 }
        default: false
        }
        if !ok { throw .outOfRange(name) }
    }

    /// `count` random points (each dimension independently).
    public func randomTrials(_ count: Int, using rng: inout some RandomNumberGenerator) -> [[String: Double]] {
        (0..<count).map { _ in
            var point: [String: Double] = [:]
            for (name, d) in dimensions {
                switch d {
                case let .range(lo, hi, log):
                    point[name] = lo == hi ? lo
                        : log ? Foundation.exp(Double.random(in: Foundation.log(lo)...Foundation.log(hi), using: &rng))
                        : Double.random(in: lo...hi, using: &rng)
                case let .choices(values): point[name] = values.randomElement(using: &rng)!
                }
            }
            return point
        }
    }

    /// Every combination, ranges cut into `pointsPerRange` evenly (or log-evenly) spaced
    /// values, in a fixed order; the first `limit` of them when there are more.
    public func gridTrials(pointsPerRange: Int = 3, limit: Int? = nil) -> [[String: Double]] {
        var points: [[String: Double]] = [[:]]
        for (name, d) in dimensions {
            let values: [Double]
            switch d {
            case let .choices(v): values = v
            case let .range(lo, hi, log):
                let k = max(pointsPerRange, 1)
                values = k == 1 || lo == hi ? [lo] : (0..<k).map { i in
                    let t = Double(i) / Double(k - 1)
                    return log ? Foundation.exp(Foundation.log(lo) + t * (Foundation.log(hi) - Foundation.log(lo))) : lo + t * (hi - lo)
                }
            }
            points = points.flatMap { p in values.map { v in var q = p; q[name] = v; return q } }
        }
        if let limit { return Array(points.prefix(limit)) }
        return points
    }
}

public enum SearchSpaceError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownName(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case let .malformed(item):
            "search space: cannot read '\(item)'; write NAME=LOW..HIGH [log] or NAME=A|B|C, separated by commas"
        case let .unknownName(name):
            "search space: unknown hyper-parameter '\(name)'; choose from \(SearchSpace.names.joined(separator: ", "))"
        case let .outOfRange(name):
            "search space: values of \(name) out of range (lr > 0, batch-size and epochs ≥ 1, dropout in [0, 1), weight-decay and momentum ≥ 0)"
        }
    }
}

/// What every trial shares; a trial's point overrides some of it.
public struct TuningBase: Sendable {
    public var architecture: Architecture
    public var optimizer: OptimizerConfiguration
    public var epochs: Int
    public var batchSize: Int
    public var patience: Int
    public var seed: UInt64
    public var augmentation: Augmentation?

    public init(architecture: Architecture, optimizer: OptimizerConfiguration, epochs: Int, batchSize: Int,
                patience: Int, seed: UInt64, augmentation: Augmentation? = nil) {
        self.architecture = architecture; self.optimizer = optimizer; self.epochs = epochs
        self.batchSize = batchSize; self.patience = patience; self.seed = seed; self.augmentation = augmentation
    }

    /// The architecture with every dropout rate replaced by `rate`; one without dropout
    /// (the reference MLP) gets a dropout layer after each hidden dense layer's activation.
    func architecture(dropout rate: Double?) -> Architecture {
        guard let rate else { return architecture }
        var a = architecture
        if a.layers.contains(where: { if case .dropout = $0 { true } else { false } }) {
            a.layers = a.layers.map { if case .dropout = $0 { .dropout(rate: Float(rate)) } else { $0 } }
            return a
        }
        var layers: [LayerSpec] = []
        var afterDense = false
        for layer in a.layers {
            layers.append(layer)
            switch layer {
            case .dense: afterDense = true
            case .relu, .sigmoid, .tanh:
                if afterDense { layers.append(.dropout(rate: Float(rate))) }
                afterDense = false
            default: afterDense = false
            }
        }
        a.layers = layers
        return a
    }
}

/// One trial's outcome, judged on the validation set.
public struct TrialResult: Codable, Sendable, Equatable {
    public var trial: Int
    public var hyperparameters: [String: Double]
    public var bestEpoch: Int
    public var epochsRun: Int
    public var validationAccuracy: Double
    public var validationLoss: Double
    public var seconds: Double
}

/// Runs the trials and returns their results (best first) and the best trial's model,
/// restored to its best epoch. Every trial starts from the same seed, so the only thing
/// that differs between two trials is their hyper-parameters.
public func tune(_ base: TuningBase, trials points: [[String: Double]], training: Dataset, validation: Dataset,
                 onTrial: (TrialResult) -> Void = { _ in },
                 onEpoch: (Int, EpochRecord) -> Void = { _, _ in }) -> (results: [TrialResult], best: Model?) {
    precondition(validation.count > 0, "tuning needs a validation set")
    var results: [TrialResult] = []
    var best: (accuracy: Double, model: Model)?
    for (index, point) in points.enumerated() {
        var configuration = base.optimizer
        if let lr = point["lr"] { configuration.learningRate = Float(lr) }
        if let wd = point["weight-decay"] { configuration.weightDecay = Float(wd) }
        if let m = point["momentum"] { configuration.momentum = Float(m) }
        let batchSize = point["batch-size"].map { Int($0.rounded()) } ?? base.batchSize
        let epochs = point["epochs"].map { Int($0.rounded()) } ?? base.epochs
        let architecture = base.architecture(dropout: point["dropout"])

        var rng = SplitMix64(seed: base.seed)
        var network = Sequential(architecture, using: &rng)
        var optimizer = configuration.makeOptimizer()
        var progress = TrainingProgress(rng: rng)
        var stopper = EarlyStopping(patience: base.patience)
        let started = Date()
        _ = train(&network, optimizer: &optimizer, on: training, validation: validation, epochs: epochs,
                  batchSize: batchSize, progress: &progress,
                  augment: base.augmentation.map { a in { images, rng in a.apply(to: images, using: &rng) } },
                  stopAfterEpoch: { record, network in stopper.observe(record, network: network) },
                  onEpoch: { onEpoch(index + 1, $0) })
        guard let kept = stopper.best else { continue }
        let record = progress.history[kept.epoch - 1]
        let result = TrialResult(trial: index + 1, hyperparameters: point, bestEpoch: kept.epoch,
                                 epochsRun: progress.history.count, validationAccuracy: kept.validationAccuracy,
                                 validationLoss: record.validationLoss ?? .nan,
                                 seconds: Date().timeIntervalSince(started))
        results.append(result)
        onTrial(result)
        if best == nil || kept.validationAccuracy > best!.accuracy {
            var model = Model(network: kept.network, recipe: TrainingRecipe(
                model: architecture.name, optimizer: configuration, epochs: epochs, batchSize: batchSize,
                seed: base.seed, validationSplit: 0, augmentation: base.augmentation?.description))
            // The recipe keeps the planned epochs (the schedule's length); the history ends at
            // the kept epoch, whose weights these are.
            model.history = Array(progress.history.prefix(kept.epoch))
            best = (kept.validationAccuracy, model)
        }
    }
    // Best first; ties keep trial order.
    let sorted = results.enumerated().sorted {
        ($0.element.validationAccuracy, -$0.offset) > ($1.element.validationAccuracy, -$1.offset)
    }.map(\.element)
    return (sorted, best?.model)
}

/// `tune` on the MNIST *training* files of `directory`, split into training and validation
/// by `validationFraction` with its own seeded generator. The test files are never opened.
public func tune(_ base: TuningBase, trials points: [[String: Double]], dataDirectory directory: String,
                 validationFraction: Double, limit: Int? = nil,
                 onTrial: (TrialResult) -> Void = { _ in },
                 onEpoch: (Int, EpochRecord) -> Void = { _, _ in })
    throws(IDXError) -> (results: [TrialResult], best: Model?) {
    var all = try MNIST.loadTraining(from: directory)
    if let limit { all = all.prefix(limit) }
    var splitRNG = SplitMix64(seed: base.seed ^ 0x5EED_5A17)
    let (training, validation) = all.split(validationFraction: validationFraction, using: &splitRNG)
    return tune(base, trials: points, training: training, validation: validation, onTrial: onTrial, onEpoch: onEpoch)
}
