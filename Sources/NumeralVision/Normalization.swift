// MNIST normalisation of one digit (LeCun, Bottou, Bengio & Haffner 1998, and the MNIST
// page: "the images were size normalized to fit in a 20x20 pixel box while preserving
// their aspect ratio ... anti-aliasing ... centered in a 28x28 image by computing the
// center of mass of the pixels").
//
// Deliberate additions: pixels of other digits inside the box are left out (only the
// digit's own components, and their anti-aliased rims, are drawn), and the stroke is
// thickened or thinned towards MNIST's typical width when it is far from it (a
// ballpoint line on a 400-pixel digit would otherwise shrink to a faint hairline).

public enum MNISTNormalization {
    public static let side = 28
    public static let box = 20
    /// Median MNIST stroke width in 28x28 pixels as `strokeWidth` measures it (test set:
    /// 1st percentile 2.0, median 2.88, 99.5th percentile 5.8).
    public static let targetStrokeWidth: Float = 2.9
    /// Strokes within this factor of the target are left alone: the range holds more
    /// than 99.5% of MNIST, so MNIST-like digits pass through unchanged. Only strokes far
    /// off are corrected (a hairline on a 400 px digit): on synthetic numbers (seeds 7
    /// and 8) correcting from 0.6...2.2 read fewer strings right than from 0.45...3.0.
    public static let strokeTolerance: ClosedRange<Float> = 0.45...3.0

    /// The 28x28 input (ink = 1) for the ink of `parts` of `ink`.
    ///
    /// - Parameters:
    ///   - ink: the soft ink map (ink = 1).
    ///   - labelImage: component labels of the ink mask, same size.
    ///   - parts: the components (each between two cut paths) that make up this digit.
    ///   - region: the bounding box of those pixels.
    public static func normalize(ink: GrayImage, labelImage: [Int32], parts: [DigitPart],
                                 region: BoundingBox) -> [Float] {
        normalize(digit: extract(ink: ink, labelImage: labelImage, parts: parts, region: region))
    }

    /// The same for whole components inside `region`.
    public static func normalize(ink: GrayImage, labelImage: [Int32], labels: [Int32],
                                 region: BoundingBox) -> [Float] {
        normalize(ink: ink, labelImage: labelImage, parts: [DigitPart(labels: labels, box: region)], region: region)
    }

    /// The digit's ink, cropped to `region` grown by a 2-pixel rim; other ink is zeroed.
    public static func extract(ink: GrayImage, labelImage: [Int32], parts: [DigitPart],
                               region: BoundingBox) -> GrayImage {
        let rim = 2
        let x0 = max(0, region.minX - rim), y0 = max(0, region.minY - rim)
        let x1 = min(ink.width, region.maxX + rim), y1 = min(ink.height, region.maxY + rim)
        let (w, h) = (x1 - x0, y1 - y0)
        guard w > 0, h > 0 else { return GrayImage(width: 1, height: 1) }
        // Own pixels, then grown by the rim (separable maximum) to take in the anti-aliased
        // edge, which the threshold left out.
        var own = [Float](repeating: 0, count: w * h)
        for y in y0..<y1 {
            for x in x0..<x1 {
                let l = labelImage[y * ink.width + x]
                if l != 0 && parts.contains(where: { $0.contains(label: l, x: x, y: y) }) {
                    own[(y - y0) * w + x - x0] = 1
                }
            }
        }
        let grown = Background.filter(GrayImage(width: w, height: h, pixels: own), radius: rim, combine: max)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w where grown.pixels[y * w + x] > 0 {
                let l = labelImage[(y + y0) * ink.width + x + x0]
                // Never take pixels that belong to another component.
                if l == 0 || own[y * w + x] > 0 { out[y * w + x] = ink.pixels[(y + y0) * ink.width + x + x0] }
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// The 28x28 MNIST-style image of a cropped digit (ink = 1, any size).
    public static func normalize(digit source: GrayImage) -> [Float] {
        var digit = source
        guard var box = inkBox(digit, level: 0.5) ?? inkBox(digit, level: 0.01) else {
            return [Float](repeating: 0, count: side * side)
        }
        // Work at most at 2x the target resolution: shrink large digits by block maximum
        // (thin strokes survive it) so stroke correction stays cheap.
        let longest = max(box.width, box.height)
        let factor = longest > 2 * 2 * self.box ? longest / (2 * self.box) : 1
        if factor > 1 {
            digit = Resample.maxPool(crop(digit, to: box), factor: factor)
            box = inkBox(digit, level: 0.5) ?? BoundingBox(minX: 0, minY: 0, maxX: digit.width, maxY: digit.height)
        }
        // Stroke width towards MNIST's.
        let scale = Float(self.box) / Float(max(box.width, box.height))
        let width = strokeWidth(digit)
        if width > 0 {
            let ratio = width * scale / targetStrokeWidth
            let target = targetStrokeWidth / scale
            if ratio < strokeTolerance.lowerBound {
                let r = max(1, Int(((target - width) / 2).rounded()))
                digit = pad(digit, by: r)
                digit = Background.filter(digit, radius: r, combine: max)
            } else if ratio > strokeTolerance.upperBound {
                let r = max(1, Int(((width - target) / 2).rounded()))
                digit = Background.filter(digit, radius: r, combine: min)
            }
            box = inkBox(digit, level: 0.5) ?? box
        }
        // Fit the box in 20x20 keeping the aspect ratio, keeping the anti-aliased rim.
        let (bw, bh) = (box.width, box.height)
        let s = Float(self.box) / Float(max(bw, bh))
        let rim = 2
        let padded = BoundingBox(minX: max(0, box.minX - rim), minY: max(0, box.minY - rim),
                                 maxX: min(digit.width, box.maxX + rim), maxY: min(digit.height, box.maxY + rim))
        let source = crop(digit, to: padded)
        let nw = max(1, Int((Float(padded.width) * s).rounded()))
        let nh = max(1, Int((Float(padded.height) * s).rounded()))
        let fitted = (nw == source.width && nh == source.height) ? source : Resample.resize(source, width: nw, height: nh)
        // Centre of mass to the centre of the 28x28 field.
        var mass: Float = 0, mx: Float = 0, my: Float = 0
        for y in 0..<fitted.height {
            for x in 0..<fitted.width {
                let v = fitted.pixels[y * fitted.width + x]
                mass += v; mx += v * Float(x); my += v * Float(y)
            }
        }
        guard mass > 0 else { return [Float](repeating: 0, count: side * side) }
        // MNIST's centres of mass sit at pixel (14, 14) on average (test set: 13.99, 14.01),
        // moved by whole pixels (95% within 13.5...14.5).
        let dx = Int((Float(side) / 2 - mx / mass).rounded())
        let dy = Int((Float(side) / 2 - my / mass).rounded())
        var out = [Float](repeating: 0, count: side * side)
        for y in 0..<fitted.height {
            let ty = y + dy
            guard ty >= 0 && ty < side else { continue }
            for x in 0..<fitted.width {
                let tx = x + dx
                guard tx >= 0 && tx < side else { continue }
                out[ty * side + tx] = min(1, max(0, fitted.pixels[y * fitted.width + x]))
            }
        }
        return out
    }

    /// Mean stroke width: ink area over half the boundary length, on `ink > 0.5`
    /// (a stroke of width w and length L has area wL and about 2L boundary pixels).
    public static func strokeWidth(_ image: GrayImage) -> Float {
        let (w, h) = (image.width, image.height)
        var area = 0, boundary = 0
        for y in 0..<h {
            for x in 0..<w where image.pixels[y * w + x] > 0.5 {
                area += 1
                let outside = x == 0 || y == 0 || x == w - 1 || y == h - 1
                    || image.pixels[y * w + x - 1] <= 0.5 || image.pixels[y * w + x + 1] <= 0.5
                    || image.pixels[(y - 1) * w + x] <= 0.5 || image.pixels[(y + 1) * w + x] <= 0.5
                if outside { boundary += 1 }
            }
        }
        return boundary == 0 ? 0 : Float(area) / (Float(boundary) / 2)
    }

    /// Bounding box of the pixels above `level`, nil when there are none.
    public static func inkBox(_ image: GrayImage, level: Float) -> BoundingBox? {
        var box = BoundingBox.empty
        for y in 0..<image.height {
            for x in 0..<image.width where image.pixels[y * image.width + x] > level { box.include(x: x, y: y) }
        }
        return box.isEmpty ? nil : box
    }

    public static func crop(_ image: GrayImage, to box: BoundingBox) -> GrayImage {
        var out = [Float](repeating: 0, count: box.width * box.height)
        for y in 0..<box.height {
            for x in 0..<box.width { out[y * box.width + x] = image.pixels[(y + box.minY) * image.width + x + box.minX] }
        }
        return GrayImage(width: box.width, height: box.height, pixels: out)
    }

    static func pad(_ image: GrayImage, by r: Int) -> GrayImage {
        let (w, h) = (image.width + 2 * r, image.height + 2 * r)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<image.height {
            for x in 0..<image.width { out[(y + r) * w + x + r] = image.pixels[y * image.width + x] }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }
}
