// Colour to gray, choosing the view of the image in which the ink stands out most.
//
// Luminance (ITU-R BT.601 weights) is the default, but blue ink on yellow or pink paper
// can have nearly the paper's luminance while differing a lot in one channel. So the
// candidates are luminance, R, G and B, and the one with the largest Otsu between-class
// variance (Otsu 1979, "A threshold selection method from gray-level histograms")
// on a subsample wins: the most bimodal view is the one where ink and paper separate.

/// How the gray image was made, for the debug output.
public enum GrayChannel: String, Sendable { case luminance, red, green, blue }

public enum Grayscale {
    /// Composites alpha (see `flattenAlpha`) and converts to gray in 0...1 (0 = black),
    /// using the channel with the best ink contrast.
    public static func convert(_ raster: Raster) -> (image: GrayImage, channel: GrayChannel) {
        let rgb = raster.channels == 4 ? flattenAlpha(raster) : raster
        let n = rgb.width * rgb.height
        if rgb.channels == 1 {
            return (GrayImage(width: rgb.width, height: rgb.height,
                              pixels: rgb.pixels.map { Float($0) * (1 / 255) }), .luminance)
        }
        let channel = bestChannel(rgb)
        var out = [Float](repeating: 0, count: n)
        let p = rgb.pixels
        switch channel {
        case .luminance:
            for i in 0..<n {
                let r = Float(p[3 * i]), g = Float(p[3 * i + 1]), b = Float(p[3 * i + 2])
                out[i] = (0.299 * r + 0.587 * g + 0.114 * b) * (1 / 255)
            }
        case .red, .green, .blue:
            let c = channel == .red ? 0 : channel == .green ? 1 : 2
            for i in 0..<n { out[i] = Float(p[3 * i + c]) * (1 / 255) }
        }
        return (GrayImage(width: rgb.width, height: rgb.height, pixels: out), channel)
    }

    /// RGBA to RGB. Transparent pixels are the background, so they are composited on the
    /// colour that contrasts with the opaque content: white under dark ink, black under
    /// light ink (a white digit drawn on a transparent canvas stays readable).
    public static func flattenAlpha(_ raster: Raster) -> Raster {
        precondition(raster.channels == 4, "flattenAlpha needs RGBA, got \(raster.channels) channels")
        let n = raster.width * raster.height
        let p = raster.pixels
        var anyTransparent = false
        for i in 0..<n where p[4 * i + 3] != 255 { anyTransparent = true; break }
        var opaqueLuma = 0.0, opaqueWeight = 0.0
        if anyTransparent {
            for i in 0..<n {
                let a = Double(p[4 * i + 3]) / 255
                let luma = 0.299 * Double(p[4 * i]) + 0.587 * Double(p[4 * i + 1]) + 0.114 * Double(p[4 * i + 2])
                opaqueLuma += a * luma; opaqueWeight += a
            }
        }
        var out = [UInt8](repeating: 0, count: n * 3)
        if !anyTransparent {
            for i in 0..<n { out[3 * i] = p[4 * i]; out[3 * i + 1] = p[4 * i + 1]; out[3 * i + 2] = p[4 * i + 2] }
            return Raster(width: raster.width, height: raster.height, channels: 3, pixels: out)
        }
        let background: Float = opaqueWeight == 0 || opaqueLuma / opaqueWeight < 128 ? 255 : 0
        for i in 0..<n {
            let a = Float(p[4 * i + 3]) / 255
            for c in 0..<3 {
                out[3 * i + c] = UInt8((Float(p[4 * i + c]) * a + background * (1 - a)).rounded())
            }
        }
        return Raster(width: raster.width, height: raster.height, channels: 3, pixels: out)
    }

    /// The candidate view with the largest Otsu between-class variance on a subsample.
    static func bestChannel(_ rgb: Raster) -> GrayChannel {
        let n = rgb.width * rgb.height
        let step = max(1, n / 65_536)
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: 256), count: 4)
        var isGray = true
        let p = rgb.pixels
        var i = 0
        while i < n {
            let r = Int(p[3 * i]), g = Int(p[3 * i + 1]), b = Int(p[3 * i + 2])
            if r != g || g != b { isGray = false }
            histograms[0][(299 * r + 587 * g + 114 * b) / 1000] += 1
            histograms[1][r] += 1; histograms[2][g] += 1; histograms[3][b] += 1
            i += step
        }
        if isGray { return .luminance }
        let scores = histograms.map { Threshold.otsu(histogram: $0).betweenClassVariance }
        // Luminance wins ties: a separate channel has to be clearly better (10%).
        var best = 0
        for k in 1..<4 where scores[k] > scores[best] * 1.1 { best = k }
        return [GrayChannel.luminance, .red, .green, .blue][best]
    }
}
