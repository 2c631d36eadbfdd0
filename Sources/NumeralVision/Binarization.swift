// From a gray photo to an ink map and an ink mask.
//
//   1. polarity (`Polarity`): light ink on dark ground is inverted;
//   2. illumination flattening (`Background`): ink darkness relative to the local paper;
//   3. thresholding: Otsu's global threshold when the light is even, Sauvola's local one
//      when the background estimate varies (shadows, gradients the flattening left);
//      both with a floor above the paper's noise, so a blank page has no ink at all,
//      and with hysteresis: faint pixels joined to ink are ink;
//   4. a soft ink map (0 = paper, 1 = the pen's full darkness) that normalisation uses
//      to draw anti-aliased digits.

public struct InkImage: Sendable {
    public enum Method: String, Sendable { case otsu, sauvola, blank }

    /// Ink = 1, paper = 0, anti-aliased.
    public var ink: GrayImage
    /// 1 where a pixel is ink.
    public var mask: [UInt8]
    public var method: Method
    public var inverted: Bool
    /// How clearly the page showed its polarity (`Polarity.darkGroundShare`).
    public var darkGroundShare: Double
    public var width: Int { ink.width }
    public var height: Int { ink.height }
}

public enum Binarization {
    /// Light is called uneven above this background spread (standard deviation / mean).
    public static let unevenLight = 0.06

    /// The `q`-quantile of values in 0...1, from a 4096-bin histogram (no sorting).
    static func quantile(_ values: [Float], _ q: Double) -> Float {
        let bins = 4096
        var histogram = [Int](repeating: 0, count: bins)
        for v in values { histogram[Int(min(max(v, 0), 1) * Float(bins - 1))] += 1 }
        let target = Int(Double(values.count) * q)
        var seen = 0
        for (bin, count) in histogram.enumerated() {
            seen += count
            if seen > target { return (Float(bin) + 0.5) / Float(bins - 1) }
        }
        return 1
    }

    /// The ink of `gray`; light ink on a dark ground when `inverted` says so, else when
    /// `Polarity` finds a dark ground.
    public static func run(_ gray: GrayImage, inverted: Bool? = nil) -> InkImage {
        let share = Polarity.darkGroundShare(gray)
        let inverted = inverted ?? (share > 0.5)
        var luminance = gray
        if inverted { for i in luminance.pixels.indices { luminance.pixels[i] = 1 - luminance.pixels[i] } }
        return threshold(luminance, background: Background(estimating: luminance), inverted: inverted, darkGroundShare: share)
    }

    static func threshold(_ luminance: GrayImage, background: Background, inverted: Bool, darkGroundShare: Double) -> InkImage {
        let (w, h) = (luminance.width, luminance.height)
        let darkness = background.flatten(luminance)

        // Paper level and noise from a subsample: the paper is most of the image, so the
        // median and the median absolute deviation describe it.
        let sample = Polarity.subsample(darkness)
        let paper = quantile(sample, 0.5)
        let noise = 1.4826 * quantile(sample.map { abs($0 - paper) }, 0.5)
        let floor = min(0.9, max(0.1, paper + 4 * noise))

        let even = background.unevenness < unevenLight
        var mask = [UInt8](repeating: 0, count: w * h)
        var method = InkImage.Method.otsu
        if even {
            let otsu = Threshold.otsu(histogram: Threshold.histogram(darkness.pixels))
            let t = max((Float(otsu.threshold) + 0.5) / 255, floor)
            if Float(otsu.upperMean - otsu.lowerMean) / 255 < max(0.12, 3 * noise) {
                method = .blank
            } else {
                for i in 0..<(w * h) where darkness.pixels[i] > t { mask[i] = 1 }
            }
        } else {
            method = .sauvola
            let window = max(15, (min(w, h) / 8) | 1)
            mask = Threshold.sauvola(darkness, window: window, k: 0.3, minimumContrast: floor)
        }

        // The pen's darkness: the median ink pixel, so stroke cores map to 1.
        var inkValues: [Float] = []
        inkValues.reserveCapacity(4096)
        let step = max(1, (w * h) / 200_000)
        for i in stride(from: 0, to: w * h, by: step) where mask[i] != 0 { inkValues.append(darkness.pixels[i]) }
        var ink = GrayImage(width: w, height: h)
        if !inkValues.isEmpty {
            let level = max(quantile(inkValues, 0.5), paper + 0.05)
            // Hysteresis: a stroke's faint parts (light pressure, a pen running dry, blur)
            // are ink where they join ink that passed the threshold, down to half the pen's
            // darkness (never below the paper's noise floor).
            let faint = max(floor, paper + 0.5 * (level - paper))
            if faint < level { mask = grow(mask, into: darkness, above: faint) }
            let low = min(paper + 2 * noise, level * 0.5)
            let scale = 1 / max(level - low, 1e-3)
            for i in 0..<(w * h) {
                ink.pixels[i] = min(1, max(0, (darkness.pixels[i] - low) * scale))
            }
        } else {
            method = .blank
        }
        return InkImage(ink: ink, mask: mask, method: method, inverted: inverted, darkGroundShare: darkGroundShare)
    }

    /// `mask` grown, 8-connected, into every pixel darker than `level` that touches it.
    static func grow(_ mask: [UInt8], into darkness: GrayImage, above level: Float) -> [UInt8] {
        let (w, h) = (darkness.width, darkness.height)
        var out = mask
        var stack: [Int] = []
        for i in out.indices where out[i] != 0 { stack.append(i) }
        while let i = stack.popLast() {
            let (x, y) = (i % w, i / w)
            for dy in -1...1 where y + dy >= 0 && y + dy < h {
                for dx in -1...1 where x + dx >= 0 && x + dx < w {
                    let j = (y + dy) * w + x + dx
                    if out[j] == 0 && darkness.pixels[j] > level { out[j] = 1; stack.append(j) }
                }
            }
        }
        return out
    }
}
