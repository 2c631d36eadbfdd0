// Background (paper) estimation and illumination flattening.
//
// The paper's brightness is estimated as a grayscale closing at a scale larger than any
// pen stroke: the image is reduced by taking the maximum of each block (ink, being
// darker and thinner than a block, disappears), a 5x5 maximum filter (together: 16% of
// the image side, more than any stroke is wide) closes the blocks that fell entirely
// inside a thick stroke, a 5x5 minimum filter puts the edges of what is left (a shadow's)
// back where they were, a box blur smooths the result and bilinear interpolation brings
// it back to full size. Dividing by it removes shadows, gradients
// and tinted paper (the "divide by background" normalisation of e.g. Lu, Su & Tan 2010,
// "Document image binarization using background estimation and stroke edges").

public struct Background: Sendable {
    /// The low-resolution estimate, `gridWidth x gridHeight` blocks of `block` pixels.
    public var grid: GrayImage
    public var block: Int

    /// Estimates the background of `luminance` (paper bright, ink dark). The block maxima
    /// are dilated, then eroded back (a grayscale closing), so a sharp shadow's edge stays
    /// where it is instead of the bright paper beside it reaching two blocks into the
    /// shadow, where the shadowed paper would look like ink.
    public init(estimating luminance: GrayImage) {
        let (w, h) = (luminance.width, luminance.height)
        block = max(4, Int((Double(max(w, h)) / 32).rounded()))
        let gw = (w + block - 1) / block, gh = (h + block - 1) / block
        var maxima = [Float](repeating: 0, count: gw * gh)
        for y in 0..<h {
            let row = (y / block) * gw
            for x in 0..<w {
                let v = luminance.pixels[y * w + x]
                let i = row + x / block
                if v > maxima[i] { maxima[i] = v }
            }
        }
        var g = GrayImage(width: gw, height: gh, pixels: maxima)
        g = Background.filter(g, radius: 2, combine: max)
        g = Background.filter(g, radius: 2, combine: min)
        g = Background.boxBlur(g, radius: 1)
        grid = g
    }

    /// Spread of the estimate: standard deviation over mean. Below about 0.06 the light
    /// is even.
    public var unevenness: Double {
        let n = Double(grid.pixels.count)
        let mean = grid.pixels.reduce(0.0) { $0 + Double($1) } / n
        let variance = grid.pixels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return mean > 0 ? variance.squareRoot() / mean : 0
    }

    /// Ink darkness relative to the local paper: `1 − L / background`, clamped to 0...1.
    public func flatten(_ luminance: GrayImage) -> GrayImage {
        let (w, h) = (luminance.width, luminance.height)
        var out = [Float](repeating: 0, count: w * h)
        let (gw, gh) = (grid.width, grid.height)
        let inverseBlock = 1 / Float(block)
        // Interpolation weights along x are the same for every row: precompute them.
        var x0s = [Int](repeating: 0, count: w), x1s = x0s, fxs = [Float](repeating: 0, count: w)
        for x in 0..<w {
            let gx = max(0, min(Float(gw - 1), (Float(x) + 0.5) * inverseBlock - 0.5))
            x0s[x] = Int(gx); x1s[x] = min(gw - 1, x0s[x] + 1); fxs[x] = gx - Float(x0s[x])
        }
        for y in 0..<h {
            let gy = max(0, min(Float(gh - 1), (Float(y) + 0.5) * inverseBlock - 0.5))
            let y0 = Int(gy), y1 = min(gh - 1, y0 + 1), fy = gy - Float(y0)
            for x in 0..<w {
                let a = grid.pixels[y0 * gw + x0s[x]], b = grid.pixels[y0 * gw + x1s[x]]
                let c = grid.pixels[y1 * gw + x0s[x]], d = grid.pixels[y1 * gw + x1s[x]]
                let top = a + (b - a) * fxs[x], bottom = c + (d - c) * fxs[x]
                let paper = max(0.05, top + (bottom - top) * fy)
                out[y * w + x] = min(1, max(0, 1 - luminance.pixels[y * w + x] / paper))
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Square min/max filter of side 2·radius+1, separable.
    static func filter(_ image: GrayImage, radius: Int, combine: (Float, Float) -> Float) -> GrayImage {
        let (w, h) = (image.width, image.height)
        var horizontal = image.pixels
        for y in 0..<h {
            for x in 0..<w {
                var v = image.pixels[y * w + x]
                for dx in -radius...radius where dx != 0 && x + dx >= 0 && x + dx < w {
                    v = combine(v, image.pixels[y * w + x + dx])
                }
                horizontal[y * w + x] = v
            }
        }
        var out = horizontal
        for y in 0..<h {
            for x in 0..<w {
                var v = horizontal[y * w + x]
                for dy in -radius...radius where dy != 0 && y + dy >= 0 && y + dy < h {
                    v = combine(v, horizontal[(y + dy) * w + x])
                }
                out[y * w + x] = v
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Mean over a square of side 2·radius+1 (clipped at the border).
    static func boxBlur(_ image: GrayImage, radius: Int) -> GrayImage {
        let (w, h) = (image.width, image.height)
        var out = image.pixels
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0, n: Float = 0
                for dy in -radius...radius where y + dy >= 0 && y + dy < h {
                    for dx in -radius...radius where x + dx >= 0 && x + dx < w {
                        s += image.pixels[(y + dy) * w + x + dx]; n += 1
                    }
                }
                out[y * w + x] = s / n
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }
}
