public import NumeralCore

/// A bidirectional LSTM along the columns of a feature map, its states appended to each
/// column's features: `[batch, channels, H, W]` → `[batch, channels·H + 2·hiddenSize, 1, W]`.
///
/// Column w's `channels·H` features (feature `c·H + h`, the order `Columns` uses) are step w
/// of two `LSTM`s, one reading left to right and one right to left (Graves & Schmidhuber
/// 2005; the CRNN of Shi, Bai & Yao 2015 reads its convolutional columns the same way). The
/// output keeps the features and adds both hidden states, so every column sees the whole
/// line: a convolution's frame sees a fixed window, this one what lies to either side.
///
/// Because the input passes through, a layer after it whose weights on the added states
/// are zero computes what it did without this layer (`LineModel.grown` relies on it).
public struct ColumnLSTM: Layer {
    public var leftToRight: LSTM
    public var rightToLeft: LSTM
    public let features: Int, hiddenSize: Int
    private var cache: (inputShape: Shape, leftToRight: LSTM.Cache, rightToLeft: LSTM.Cache)?

    /// Both directions drawn as `LSTM` draws them.
    public init(features: Int, hiddenSize: Int, using rng: inout some RandomNumberGenerator) {
        self.init(features: features, hiddenSize: hiddenSize,
                  leftToRight: LSTM(inputSize: features, hiddenSize: hiddenSize, using: &rng),
                  rightToLeft: LSTM(inputSize: features, hiddenSize: hiddenSize, using: &rng))
    }

    /// Zero weights (parameters to be loaded).
    public init(features: Int, hiddenSize: Int) {
        self.init(features: features, hiddenSize: hiddenSize,
                  leftToRight: LSTM(inputSize: features, hiddenSize: hiddenSize),
                  rightToLeft: LSTM(inputSize: features, hiddenSize: hiddenSize))
    }

    private init(features: Int, hiddenSize: Int, leftToRight: LSTM, rightToLeft: LSTM) {
        self.features = features
        self.hiddenSize = hiddenSize
        self.leftToRight = leftToRight
        self.rightToLeft = rightToLeft
        // Parameter names are unique within a layer.
        self.leftToRight.visitParameters { $0.name = "leftToRight." + $0.name }
        self.rightToLeft.visitParameters { $0.name = "rightToLeft." + $0.name }
    }

    public var spec: LayerSpec { .columnLSTM(features: features, hiddenSize: hiddenSize) }

    public func callAsFunction(_ input: Tensor) -> Tensor { run(input).output }

    public mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let (output, cache) = run(input)
        self.cache = cache
        return output
    }

    private func run(_ input: Tensor) -> (output: Tensor, cache: (inputShape: Shape, leftToRight: LSTM.Cache, rightToLeft: LSTM.Cache)) {
        precondition(input.shape.rank == 4 && input.shape[1] * input.shape[2] == features,
                     "ColumnLSTM(\(features)→+2×\(hiddenSize)) needs [batch, channels, H, W] with channels·H = \(features), got \(input.shape)")
        let (batch, width, hs) = (input.shape[0], input.shape[3], hiddenSize)
        // Time-major columns, in reading order for one direction and reversed for the other:
        // row (t, n) of `ahead` is column t of sample n, of `back` column width − 1 − t.
        var ahead = [Float](repeating: 0, count: width * batch * features)
        var back = ahead
        input.scalars.withUnsafeBufferPointer { x in
            for n in 0..<batch {
                for f in 0..<features {
                    let source = (n * features + f) * width
                    for t in 0..<width {
                        ahead[(t * batch + n) * features + f] = x[source + t]
                        back[((width - 1 - t) * batch + n) * features + f] = x[source + t]
                    }
                }
            }
        }
        let shape = input.shape
        let right = leftToRight.sequence(timeMajor: ahead, steps: width, batch: batch, inputShape: shape)
        let left = rightToLeft.sequence(timeMajor: back, steps: width, batch: batch, inputShape: shape)
        let outFeatures = features + 2 * hs
        var out = [Float](repeating: 0, count: batch * outFeatures * width)
        for n in 0..<batch {
            // The features pass through: for one sample they are one contiguous block.
            out.replaceSubrange((n * outFeatures * width)..<((n * outFeatures + features) * width),
                                with: input.scalars[(n * features * width)..<((n + 1) * features * width)])
            for t in 0..<width {
                // h_t is row t + 1 of `hidden` (row 0 is h_{−1}).
                let ltr = ((t + 1) * batch + n) * hs, rtl = ((width - t) * batch + n) * hs
                for j in 0..<hs {
                    out[(n * outFeatures + features + j) * width + t] = right.hidden[ltr + j]
                    out[(n * outFeatures + features + hs + j) * width + t] = left.hidden[rtl + j]
                }
            }
        }
        return (Tensor(shape: [batch, outFeatures, 1, width], scalars: out), (shape, right, left))
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let cache else { preconditionFailure("ColumnLSTM.backward called before forward") }
        let (batch, width, hs) = (cache.inputShape[0], cache.inputShape[3], hiddenSize)
        let outFeatures = features + 2 * hs
        precondition(outputGradient.shape == [batch, outFeatures, 1, width], "ColumnLSTM backward got \(outputGradient.shape)")
        let g = outputGradient.scalars
        var dRight = [Float](repeating: 0, count: width * batch * hs), dLeft = dRight
        var dx = [Float](repeating: 0, count: cache.inputShape.count)
        for n in 0..<batch {
            dx.replaceSubrange((n * features * width)..<((n + 1) * features * width),
                               with: g[(n * outFeatures * width)..<((n * outFeatures + features) * width)])
            for t in 0..<width {
                let ltr = (t * batch + n) * hs, rtl = ((width - 1 - t) * batch + n) * hs
                for j in 0..<hs {
                    dRight[ltr + j] = g[(n * outFeatures + features + j) * width + t]
                    dLeft[rtl + j] = g[(n * outFeatures + features + hs + j) * width + t]
                }
            }
        }
        let ahead = leftToRight.backThroughTime(cache.leftToRight, hiddenGradient: dRight, needsInputGradient: true)!
        let back = rightToLeft.backThroughTime(cache.rightToLeft, hiddenGradient: dLeft, needsInputGradient: true)!
        for n in 0..<batch {
            for f in 0..<features {
                let target = (n * features + f) * width
                for t in 0..<width {
                    dx[target + t] += ahead[(t * batch + n) * features + f] + back[((width - 1 - t) * batch + n) * features + f]
                }
            }
        }
        return Tensor(shape: cache.inputShape, scalars: dx)
    }

    public mutating func visitParameters(_ visit: (inout Parameter) -> Void) {
        leftToRight.visitParameters(visit)
        rightToLeft.visitParameters(visit)
    }
}
