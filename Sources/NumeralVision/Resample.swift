// Resampling for normalisation and for working at a lower resolution.
//
// Shrinking averages every source pixel a target pixel covers (area averaging, the
// anti-aliasing filter MNIST's own normalisation used); enlarging interpolates linearly.
// Both are separable: rows first, then columns.

public enum Resample {
    /// `source` (`width x height`) resized to `newWidth x newHeight`.
    public static func resize(_ source: GrayImage, width newWidth: Int, height newHeight: Int) -> GrayImage {
        precondition(newWidth > 0 && newHeight > 0, "resize to \(newWidth)x\(newHeight)")
        let (w, h) = (source.width, source.height)
        var rows = [Float](repeating: 0, count: newWidth * h)
        let xWeights = weights(from: w, to: newWidth)
        for y in 0..<h {
            for (x, taps) in xWeights.enumerated() {
                var s: Float = 0
                for (i, weight) in taps { s += source.pixels[y * w + i] * weight }
                rows[y * newWidth + x] = s
            }
        }
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        let yWeights = weights(from: h, to: newHeight)
        for (y, taps) in yWeights.enumerated() {
            for (i, weight) in taps {
                for x in 0..<newWidth { out[y * newWidth + x] += rows[i * newWidth + x] * weight }
            }
        }
        return GrayImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// For each target index, the source indices and weights (summing to 1).
    static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        if scale >= 1 {
            // Area: target pixel j covers source [j·scale, (j+1)·scale).
            return (0..<m).map { j in
                let a = Double(j) * scale, b = Double(j + 1) * scale
                var taps: [(Int, Float)] = []
                var i = Int(a)
                while Double(i) < b && i < n {
                    let overlap = min(b, Double(i + 1)) - max(a, Double(i))
                    if overlap > 1e-9 { taps.append((i, Float(overlap / scale))) }
                    i += 1
                }
                return taps
            }
        }
        // Linear: centres aligned.
        return (0..<m).map { j in
            let x = max(0, min(Double(n - 1), (Double(j) + 0.5) * scale - 0.5))
            let i0 = Int(x), i1 = min(n - 1, i0 + 1), f = Float(x - Double(i0))
            return i0 == i1 ? [(i0, Float(1))] : [(i0, 1 - f), (i1, f)]
        }
    }

    /// Block maximum: each target pixel is the maximum of a `factor x factor` block.
    /// Shrinks an ink map without losing thin strokes.
    public static func maxPool(_ source: GrayImage, factor: Int) -> GrayImage {
        precondition(factor >= 1, "maxPool factor \(factor)")
        if factor == 1 { return source }
        let (w, h) = ((source.width + factor - 1) / factor, (source.height + factor - 1) / factor)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<source.height {
            let row = (y / factor) * w
            for x in 0..<source.width {
                let v = source.pixels[y * source.width + x]
                if v > out[row + x / factor] { out[row + x / factor] = v }
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Block mean with an integer factor (fast path for shrinking whole photos).
    /// Leftover columns and rows at the right and bottom edges are dropped.
    public static func shrink(_ source: GrayImage, factor: Int) -> GrayImage {
        precondition(factor >= 1, "shrink factor \(factor)")
        if factor == 1 { return source }
        let (w, h) = (source.width / factor, source.height / factor)
        var out = [Float](repeating: 0, count: w * h)
        let inverse = 1 / Float(factor * factor)
        // Row sums of `factor` source rows, then sums of `factor` adjacent columns.
        var rowSum = [Float](repeating: 0, count: source.width)
        for oy in 0..<h {
            for x in 0..<source.width { rowSum[x] = 0 }
            for dy in 0..<factor {
                let base = (oy * factor + dy) * source.width
                for x in 0..<source.width { rowSum[x] += source.pixels[base + x] }
            }
            for ox in 0..<w {
                var s: Float = 0
                let start = ox * factor
                for dx in 0..<factor { s += rowSum[start + dx] }
                out[oy * w + ox] = s * inverse
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }
}
