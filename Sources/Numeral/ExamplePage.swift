/// Composes a photo-like page from 28x28 digit images (ink = 1): digits scaled to a
/// height and set side by side on textured, tinted paper under uneven light, with
/// coloured ink and sensor noise. Used for the shipped example image, the read-speed
/// benchmark and tests; the full synthetic benchmark is `numeral synth`'s job.
public struct ExamplePage: Sendable {
    public var width: Int, height: Int
    /// Paper and ink colours, RGB 0...255.
    public var paper: (Double, Double, Double) = (236, 230, 212)
    public var ink: (Double, Double, Double) = (28, 38, 120)
    /// Light falls off linearly from the top-left to this fraction at the bottom-right.
    public var darkestLight = 0.7
    /// Standard deviation of the paper texture and of the sensor noise, 0...255.
    public var texture = 6.0, noise = 4.0

    public init(width: Int, height: Int) { self.width = width; self.height = height }

    /// Places `digits` left to right starting at `origin` (top-left of the first), each
    /// `digitHeight` pixels high, `gap` pixels apart (negative gaps overlap them).
    public func compose(_ digits: [[Float]], origin: (x: Int, y: Int), digitHeight: Int, gap: Int,
                        using rng: inout some RandomNumberGenerator) -> Raster {
        var alpha = [Float](repeating: 0, count: width * height)
        var x = origin.x
        for digit in digits {
            let image = GrayImage(width: 28, height: 28, pixels: digit)
            guard let box = MNISTNormalization.inkBox(image, level: 0.05) else { continue }
            let cropped = MNISTNormalization.crop(image, to: box)
            let scale = Double(digitHeight) / Double(box.height)
            let w = max(1, Int((Double(box.width) * scale).rounded()))
            let scaled = Resample.resize(cropped, width: w, height: digitHeight)
            for yy in 0..<digitHeight {
                for xx in 0..<w {
                    let (px, py) = (x + xx, origin.y + yy)
                    guard px >= 0, py >= 0, px < width, py < height else { continue }
                    let v = min(Float(1), scaled.pixels[yy * w + xx])
                    alpha[py * width + px] = max(alpha[py * width + px], v)
                }
            }
            x += w + gap
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let diagonal = Double(width + height)
        for py in 0..<height {
            for px in 0..<width {
                let light = 1 - (1 - darkestLight) * Double(px + py) / diagonal
                let grain = texture * Double(Float.standardNormal(using: &rng))
                let a = Double(alpha[py * width + px])
                let paperColor = [paper.0, paper.1, paper.2], inkColor = [ink.0, ink.1, ink.2]
                for c in 0..<3 {
                    let surface = (paperColor[c] + grain) * (1 - a) + inkColor[c] * a
                    let v = surface * light + noise * Double(Float.standardNormal(using: &rng))
                    pixels[(py * width + px) * 3 + c] = UInt8(max(0, min(255, v.rounded())))
                }
            }
        }
        return Raster(width: width, height: height, channels: 3, pixels: pixels)
    }
}
