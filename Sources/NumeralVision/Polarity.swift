// Polarity: is the ink dark on light paper, or light on a dark ground (a whiteboard
// photo inverted, chalk, MNIST itself)?
//
// The background is what the image border mostly shows; only when the border is split
// (a digit running off the edge, a dark frame) does the majority of all pixels decide.

public enum Polarity {
    /// True when the background is darker than the ink.
    public static func hasDarkBackground(_ gray: GrayImage) -> Bool {
        let (w, h) = (gray.width, gray.height)
        guard w > 0, h > 0 else { return false }
        let otsu = Threshold.otsu(histogram: Threshold.histogram(subsample(gray)))
        // Halfway between the class means: robust when the histogram has only two levels.
        let threshold = Float(otsu.lowerMean + otsu.upperMean) / 2 / 255
        let band = max(1, min(w, h) / 50)
        var dark = 0, total = 0
        func count(_ v: Float) { total += 1; if v <= threshold { dark += 1 } }
        for y in 0..<h {
            if y < band || y >= h - band {
                for x in 0..<w { count(gray.pixels[y * w + x]) }
            } else {
                for x in 0..<min(band, w) { count(gray.pixels[y * w + x]) }
                for x in max(band, w - band)..<w { count(gray.pixels[y * w + x]) }
            }
        }
        let borderDark = Double(dark) / Double(max(total, 1))
        if borderDark > 0.65 { return true }
        if borderDark < 0.35 { return false }
        return otsu.lowerFraction > 0.5
    }

    /// About 65k evenly spread pixels.
    static func subsample(_ gray: GrayImage) -> [Float] {
        let step = max(1, gray.pixels.count / 65_536)
        return stride(from: 0, to: gray.pixels.count, by: step).map { gray.pixels[$0] }
    }
}
