public import NumeralNN

/// Early stopping on validation accuracy, keeping the best epoch's weights.
///
/// Feed it every epoch (`train`'s `stopAfterEpoch`); it remembers the network of the epoch
/// with the highest validation accuracy (the first one on ties) and says stop once
/// `patience` epochs in a row have not beaten it. Afterwards `best` holds that network.
/// Epochs without a validation accuracy never count as an improvement or as patience spent.
public struct EarlyStopping: Sendable {
    public var patience: Int {
        didSet { precondition(patience >= 1, "early-stopping patience \(patience) must be at least 1") }
    }
    public private(set) var best: (epoch: Int, validationAccuracy: Double, network: Sequential)?
    public private(set) var epochsWithoutImprovement = 0

    /// `patience` = epochs without a new best before stopping; `Int.max` only keeps the best.
    public init(patience: Int) {
        precondition(patience >= 1, "early-stopping patience \(patience) must be at least 1")
        self.patience = patience
    }

    /// Records one epoch; returns true when training should stop.
    public mutating func observe(_ record: EpochRecord, network: Sequential) -> Bool {
        guard let accuracy = record.validationAccuracy else { return false }
        if let best, accuracy <= best.validationAccuracy {
            epochsWithoutImprovement += 1
            return epochsWithoutImprovement >= patience
        }
        best = (record.epoch, accuracy, network)
        epochsWithoutImprovement = 0
        return false
    }

    /// The state after `history`, whose best epoch's weights were `bestNetwork` (a resumed run:
    /// the checkpoint keeps only the best network, the rest follows from the history).
    public init(patience: Int, replaying history: [EpochRecord], bestNetwork: Sequential) {
        self.init(patience: patience)
        for record in history { _ = observe(record, network: bestNetwork) }
    }
}
