public import NumeralCore
public import NumeralNN

/// Sets every trainable parameter of `layer` to uniform random values in `range`
/// (initialisers leave biases at zero and batch-norm scales at one, which hides bugs).
public func randomizeParameters(_ layer: inout some Layer, in range: ClosedRange<Float> = -1...1,
                                using rng: inout some RandomNumberGenerator) {
    layer.visitParameters { p in
        guard p.isTrainable else { return }
        p.value = .uniform(shape: p.value.shape, in: range, using: &rng)
    }
}

/// A tensor whose scalars are distinct and at least `gap` apart (a shuffled ramp), so max
/// pooling has no ties and ReLU no inputs near its kink.
public func distinctTensor(shape: Shape, gap: Float = 0.1, using rng: inout some RandomNumberGenerator) -> Tensor {
    let count = shape.count
    let ramp = (0..<count).map { (Float($0) - Float(count) / 2 + 0.5) * gap }
    return Tensor(shape: shape, scalars: ramp.shuffled(using: &rng))
}
