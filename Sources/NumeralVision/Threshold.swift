// Global and local thresholds.
//
// Otsu 1979, "A threshold selection method from gray-level histograms": the threshold
// that maximises the between-class variance of the histogram.
// Sauvola & Pietikäinen 2000, "Adaptive document image binarization": a pixel is ink
// when it is darker than m·(1 + k·(s/R − 1)), m and s the mean and standard deviation
// of a window around it; computed with integral images in constant time per pixel
// (Shafait, Keysers & Breuel 2008, "Efficient implementation of local adaptive
// thresholding techniques using integral images").

public enum Threshold {
    public struct Otsu: Sendable, Equatable {
        /// Bins `0...threshold` are one class, the rest the other.
        public var threshold: Int
        public var betweenClassVariance: Double
        /// Mean bin of the lower and upper class.
        public var lowerMean: Double, upperMean: Double
        /// Fraction of the samples in the lower class.
        public var lowerFraction: Double
    }

    /// Otsu's threshold of a histogram of any number of bins.
    public static func otsu(histogram: [Int]) -> Otsu {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return Otsu(threshold: 0, betweenClassVariance: 0, lowerMean: 0, upperMean: 0, lowerFraction: 0) }
        var sumAll = 0.0
        for (i, c) in histogram.enumerated() { sumAll += Double(i) * Double(c) }
        var best = Otsu(threshold: 0, betweenClassVariance: -1, lowerMean: 0, upperMean: 0, lowerFraction: 0)
        var w0 = 0.0, sum0 = 0.0
        let n = Double(total)
        for t in 0..<(histogram.count - 1) {
            w0 += Double(histogram[t]); sum0 += Double(t) * Double(histogram[t])
            let w1 = n - w0
            if w0 == 0 || w1 == 0 { continue }
            let m0 = sum0 / w0, m1 = (sumAll - sum0) / w1
            let variance = (w0 / n) * (w1 / n) * (m0 - m1) * (m0 - m1)
            if variance > best.betweenClassVariance {
                best = Otsu(threshold: t, betweenClassVariance: variance, lowerMean: m0, upperMean: m1, lowerFraction: w0 / n)
            }
        }
        if best.betweenClassVariance < 0 {
            // One populated bin: everything is one class.
            let only = histogram.firstIndex { $0 > 0 } ?? 0
            return Otsu(threshold: only, betweenClassVariance: 0, lowerMean: Double(only), upperMean: Double(only), lowerFraction: 1)
        }
        return best
    }

    /// 256-bin histogram of values in 0...1.
    public static func histogram(_ values: [Float], bins: Int = 256) -> [Int] {
        var h = [Int](repeating: 0, count: bins)
        let scale = Float(bins - 1)
        for v in values { h[Int(min(max(v, 0), 1) * scale + 0.5)] += 1 }
        return h
    }

    /// Sauvola's local threshold on an ink map (ink = 1, so the test is inverted:
    /// a pixel is ink when its value is above `m + k·s'`-style bound computed on the
    /// paper-is-bright image `1 − ink`). Returns a 0/1 mask.
    ///
    /// - Parameters:
    ///   - window: side of the square window, in pixels (odd).
    ///   - k: Sauvola's k (0.2–0.5); R is 0.5, the largest standard deviation in 0...1.
    ///   - minimumContrast: a pixel is never ink when its ink value is below this, so
    ///     flat paper with sensor noise gives no ink.
    public static func sauvola(_ ink: GrayImage, window: Int, k: Float = 0.3, minimumContrast: Float) -> [UInt8] {
        let (w, h) = (ink.width, ink.height)
        // Integral images of luminance L = 1 - ink and L², one row and column of zeros in front.
        var sum = [Double](repeating: 0, count: (w + 1) * (h + 1))
        var sumSquares = [Double](repeating: 0, count: (w + 1) * (h + 1))
        for y in 0..<h {
            var rowSum = 0.0, rowSquares = 0.0
            for x in 0..<w {
                let l = Double(1 - ink.pixels[y * w + x])
                rowSum += l; rowSquares += l * l
                sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + rowSum
                sumSquares[(y + 1) * (w + 1) + x + 1] = sumSquares[y * (w + 1) + x + 1] + rowSquares
            }
        }
        let r = window / 2
        var mask = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let y0 = max(0, y - r), y1 = min(h, y + r + 1)
            for x in 0..<w {
                let v = ink.pixels[y * w + x]
                if v < minimumContrast { continue }
                let x0 = max(0, x - r), x1 = min(w, x + r + 1)
                let count = Double((x1 - x0) * (y1 - y0))
                let s1 = sum[y1 * (w + 1) + x1] - sum[y0 * (w + 1) + x1] - sum[y1 * (w + 1) + x0] + sum[y0 * (w + 1) + x0]
                let s2 = sumSquares[y1 * (w + 1) + x1] - sumSquares[y0 * (w + 1) + x1]
                    - sumSquares[y1 * (w + 1) + x0] + sumSquares[y0 * (w + 1) + x0]
                let mean = s1 / count
                let sd = (max(0, s2 / count - mean * mean)).squareRoot()
                let t = mean * (1 + Double(k) * (sd / 0.5 - 1))
                if Double(1 - v) < t { mask[y * w + x] = 1 }
            }
        }
        return mask
    }
}
