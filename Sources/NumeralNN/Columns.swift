public import NumeralCore

/// Turns a feature map into a sequence of columns, one row per column:
/// `[batch, channels, H, W]` → `[batch·W, channels·H]`, row `n·W + w`, feature `c·H + h`.
///
/// What a line recogniser's per-column classifier reads: the `Dense` layers after it see
/// every column of every image as one sample, and `CTC` reads the rows back as `W` frames
/// per image.
public struct Columns: Layer {
    private var cachedInputShape: Shape?
    public init() {}
    public var spec: LayerSpec { .columns }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.rank == 4, "Columns needs [batch, channels, H, W], got \(input.shape)")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var out = [Float](repeating: 0, count: input.shape.count)
        input.scalars.withUnsafeBufferPointer { x in
            for b in 0..<n {
                for ch in 0..<c {
                    for y in 0..<h {
                        let source = ((b * c + ch) * h + y) * w
                        let feature = ch * h + y
                        for col in 0..<w { out[(b * w + col) * c * h + feature] = x[source + col] }
                    }
                }
            }
        }
        return Tensor(shape: [n * w, c * h], scalars: out)
    }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        cachedInputShape = input.shape
        return self(input)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let shape = cachedInputShape else { preconditionFailure("Columns.backward called before forward") }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        precondition(outputGradient.shape == [n * w, c * h], "Columns backward got \(outputGradient.shape)")
        var dx = [Float](repeating: 0, count: shape.count)
        outputGradient.scalars.withUnsafeBufferPointer { g in
            for b in 0..<n {
                for ch in 0..<c {
                    for y in 0..<h {
                        let target = ((b * c + ch) * h + y) * w
                        let feature = ch * h + y
                        for col in 0..<w { dx[target + col] = g[(b * w + col) * c * h + feature] }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: dx)
    }
}
