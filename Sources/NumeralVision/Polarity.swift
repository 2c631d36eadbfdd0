// Polarity: is the ink dark on light paper, or light on a dark ground (a whiteboard
// photo inverted, chalk, MNIST itself)?
//
// Decided block by block, so a shadow over half the page does not make the shadowed
// paper look like a dark ground: in every block with some contrast, the ground is the
// majority, so the block mean lies nearer the ground's end of the block's range.
// Blocks vote with their contrast as weight.

public enum Polarity {
    /// True when the background is darker than the ink.
    public static func hasDarkBackground(_ gray: GrayImage) -> Bool {
        darkGroundShare(gray) > 0.5
    }

    /// The share of the blocks' votes (weighted by contrast) for a dark ground, 0...1; 0 or
    /// 1 when no block stands out (then the majority of all pixels decides). Near 0.5 the
    /// page itself does not tell: a thick blurred digit fills its blocks as a dark ground does.
    public static func darkGroundShare(_ gray: GrayImage) -> Double {
        let (w, h) = (gray.width, gray.height)
        guard w > 0, h > 0 else { return 0 }
        let block = max(16, max(w, h) / 12)
        var blocks: [(contrast: Float, darkGround: Bool)] = []
        for by in stride(from: 0, to: h, by: block) {
            for bx in stride(from: 0, to: w, by: block) {
                var lo: Float = 1, hi: Float = 0, sum: Float = 0, n: Float = 0
                for y in by..<min(h, by + block) {
                    for x in bx..<min(w, bx + block) {
                        let v = gray.pixels[y * w + x]
                        lo = min(lo, v); hi = max(hi, v); sum += v; n += 1
                    }
                }
                let mean = sum / n
                blocks.append((hi - lo, mean - lo < hi - mean))
            }
        }
        // Blocks with no more contrast than sensor noise (twice the median block's range,
        // at least 0.1) do not vote.
        let contrasts = blocks.map(\.contrast).sorted()
        let minimum = max(0.1, min(0.5, 2 * contrasts[contrasts.count / 2]))
        var darkVotes = 0.0, lightVotes = 0.0
        for b in blocks where b.contrast > minimum {
            if b.darkGround { darkVotes += Double(b.contrast) } else { lightVotes += Double(b.contrast) }
        }
        if darkVotes == 0 && lightVotes == 0 {
            // No block stands out: the majority of all pixels is the ground.
            let otsu = Threshold.otsu(histogram: Threshold.histogram(subsample(gray)))
            return otsu.lowerFraction > 0.5 && otsu.upperMean - otsu.lowerMean > 0.1 * 255 ? 1 : 0
        }
        return darkVotes / (darkVotes + lightVotes)
    }

    /// About 65k evenly spread pixels.
    static func subsample(_ gray: GrayImage) -> [Float] {
        let step = max(1, gray.pixels.count / 65_536)
        return stride(from: 0, to: gray.pixels.count, by: step).map { gray.pixels[$0] }
    }
}
