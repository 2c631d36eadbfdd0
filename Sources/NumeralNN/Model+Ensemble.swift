/// Combining trained models into one (`numeral ensemble`).
extension Model {
    /// One model whose networks are all the networks of `models` (an ensemble member that
    /// is itself an ensemble contributes each of its networks), combined by `combination`.
    ///
    /// The result is used like a single model: `probabilities` averages the members'
    /// softmax outputs (`.mean`) or counts their top-class votes (`.vote`), and it saves to
    /// one file. An ensemble of one model behaves exactly like that model.
    public init(combining models: [Model], combination: Combination) {
        precondition(!models.isEmpty, "an ensemble needs at least one model")
        self.init(ensemble: models.flatMap(\.networks), combination: combination)
        if models.count == 1 {
            recipe = models[0].recipe
            history = models[0].history
            testMetrics = models[0].testMetrics
        }
    }
}
