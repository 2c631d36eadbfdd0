public import NumeralCore
import Foundation

/// On-the-fly distortions of 28×28 training images (pixels in [0, 1], ink = 1).
///
/// Every image gets its own random affine map (rotation, scaling, translation), optionally
/// composed with an elastic displacement field (Simard, Steinkraus & Platt 2003, "Best
/// Practices for Convolutional Neural Networks Applied to Visual Document Analysis": a
/// uniform random field in [−1, 1] smoothed by a Gaussian of width σ and scaled by α),
/// sampled once with bilinear interpolation; then optional stroke thickening/thinning
/// (grey-level dilation / soft erosion over a 3×3 cross) and Gaussian pixel noise. Labels never
/// change and pixels stay in [0, 1].
///
/// Parsed from the CLI's `--augment rotate=10,shift=2,scale=0.1,elastic=34:4,noise=0.05,thickness=1`.
public struct Augmentation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Largest rotation, in degrees either way.
    public var rotation: Float = 0
    /// Largest translation, in pixels along each axis.
    public var shift: Float = 0
    /// Largest relative change of size: the scale factor is drawn from 1 ± `scale`.
    public var scale: Float = 0
    /// Elastic strength α (pixels) and smoothness σ (pixels); α = 0 switches it off.
    public var elasticAlpha: Float = 0
    public var elasticSigma: Float = 4
    /// Standard deviation of the additive Gaussian pixel noise.
    public var noise: Float = 0
    /// Largest number of dilation (thicker) or erosion (thinner) passes.
    public var thickness: Int = 0

    public init(rotation: Float = 0, shift: Float = 0, scale: Float = 0, elasticAlpha: Float = 0,
                elasticSigma: Float = 4, noise: Float = 0, thickness: Int = 0) {
        self.rotation = rotation; self.shift = shift; self.scale = scale
        self.elasticAlpha = elasticAlpha; self.elasticSigma = elasticSigma
        self.noise = noise; self.thickness = thickness
    }

    /// True when every distortion is off (`apply` then returns its input unchanged).
    public var isIdentity: Bool {
        rotation == 0 && shift == 0 && scale == 0 && elasticAlpha == 0 && noise == 0 && thickness == 0
    }

    public var description: String {
        var parts: [String] = []
        if rotation != 0 { parts.append("rotate=\(rotation.compact)") }
        if shift != 0 { parts.append("shift=\(shift.compact)") }
        if scale != 0 { parts.append("scale=\(scale.compact)") }
        if elasticAlpha != 0 { parts.append("elastic=\(elasticAlpha.compact):\(elasticSigma.compact)") }
        if noise != 0 { parts.append("noise=\(noise.compact)") }
        if thickness != 0 { parts.append("thickness=\(thickness)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }
}

/// A bad `--augment` specification.
public enum AugmentationError: Error, Equatable, CustomStringConvertible {
    case unknownKey(String)
    case badValue(key: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .unknownKey(key):
            "unknown augmentation '\(key)'; use rotate=DEG, shift=PX, scale=F, elastic=ALPHA:SIGMA, noise=STD, thickness=N"
        case let .badValue(key, value, expected):
            "augmentation \(key)=\(value): expected \(expected)"
        }
    }
}

extension Augmentation {
    /// Parses `rotate=10,shift=2,scale=0.1,elastic=34:4,noise=0.05,thickness=1` (any subset,
    /// any order). A key without a value takes its default: `rotate` = 10°, `shift` = 2,
    /// `scale` = 0.1, `elastic` = 34:4 (Simard et al.), `noise` = 0.05, `thickness` = 1.
    /// "none" or "" is the identity.
    public init(parsing text: String) throws(AugmentationError) {
        self.init()
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            if item == "none" { continue }
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            let key = pair[0], value = pair.count > 1 ? pair[1] : nil
            func number(_ fallback: Float, _ expected: String = "a number ≥ 0") throws(AugmentationError) -> Float {
                guard let value else { return fallback }
                guard let x = Float(value), x >= 0, x.isFinite else {
                    throw .badValue(key: key, value: value, expected: expected)
                }
                return x
            }
            switch key {
            case "rotate", "rotation": rotation = try number(10, "degrees ≥ 0")
            case "shift", "translate": shift = try number(2, "pixels ≥ 0")
            case "scale":
                scale = try number(0.1, "a fraction in [0, 1)")
                guard scale < 1 else { throw .badValue(key: key, value: value ?? "", expected: "a fraction in [0, 1)") }
            case "elastic":
                guard let value else { elasticAlpha = 34; elasticSigma = 4; continue }
                let parts = value.split(separator: ":").map { Float($0) }
                guard (1...2).contains(parts.count), let alpha = parts[0], alpha >= 0,
                      parts.count == 1 || (parts[1] ?? 0) > 0 else {
                    throw .badValue(key: key, value: value, expected: "ALPHA:SIGMA, e.g. 34:4")
                }
                elasticAlpha = alpha
                if parts.count == 2 { elasticSigma = parts[1]! }
            case "noise": noise = try number(0.05, "a standard deviation ≥ 0")
            case "thickness":
                let t = try number(1, "a whole number of passes ≥ 0")
                guard t == t.rounded(), t <= 3 else {
                    throw .badValue(key: key, value: value ?? "", expected: "a whole number of passes, 0 to 3")
                }
                thickness = Int(t)
            default: throw .unknownKey(key)
            }
        }
    }
}

// MARK: - Applying it

extension Augmentation {
    static let side = 28

    /// One distorted copy of a 28×28 image (784 pixels, row-major).
    public func apply(to image: [Float], using rng: inout some RandomNumberGenerator) -> [Float] {
        precondition(image.count == Self.side * Self.side, "augmentation needs 784 pixels, got \(image.count)")
        if isIdentity { return image }
        var out = image
        if rotation != 0 || shift != 0 || scale != 0 || elasticAlpha != 0 {
            out = warp(image, using: &rng)
        }
        if thickness > 0 {
            let passes = Int.random(in: -thickness...thickness, using: &rng)
            for _ in 0..<abs(passes) { out = Self.morph(out, dilate: passes > 0) }
        }
        if noise > 0 {
            for i in out.indices { out[i] = min(1, max(0, out[i] + noise * Float.standardNormal(using: &rng))) }
        }
        return out
    }

    /// A batch `[batch, 1, 28, 28]`, each image with its own distortion.
    ///
    /// One seed per image is drawn from `rng` in order, so the result does not depend on how
    /// the images are spread over the cores; the images are distorted in parallel.
    public func apply(to images: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let pixels = Self.side * Self.side
        precondition(images.shape.count % pixels == 0, "augmentation needs 28×28 images, got \(images.shape)")
        if isIdentity { return images }
        let count = images.shape.count / pixels
        let seeds = (0..<count).map { _ in rng.next() }
        let scalars = Kernels.parallelConcatenate(count: count, chunkSize: pixels) { i in
            var imageRNG = SplitMix64(seed: seeds[i])
            return apply(to: Array(images.scalars[(i * pixels)..<((i + 1) * pixels)]), using: &imageRNG)
        }
        return Tensor(shape: images.shape, scalars: scalars)
    }

    /// Resamples `image` through a random affine map plus (optionally) an elastic field.
    /// For every output pixel p the source point is A⁻¹(p − centre) + centre + d(p).
    func warp(_ image: [Float], using rng: inout some RandomNumberGenerator) -> [Float] {
        let n = Self.side
        let angle = rotation == 0 ? 0 : Float.random(in: -rotation...rotation, using: &rng) * .pi / 180
        let factor = scale == 0 ? 1 : Float.random(in: (1 - scale)...(1 + scale), using: &rng)
        let dx = shift == 0 ? 0 : Float.random(in: -shift...shift, using: &rng)
        let dy = shift == 0 ? 0 : Float.random(in: -shift...shift, using: &rng)
        var fieldX: [Float] = [], fieldY: [Float] = []
        if elasticAlpha != 0 {
            fieldX = elasticField(using: &rng)
            fieldY = elasticField(using: &rng)
        }
        // Inverse of "scale by `factor`, rotate by `angle`, then shift": rotate back by −angle
        // and divide by the factor.
        let c = cos(angle) / factor, s = sin(angle) / factor
        let centre = Float(n - 1) / 2
        var out = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let u = Float(x) - centre - dx, v = Float(y) - centre - dy
                var sx = c * u + s * v + centre, sy = -s * u + c * v + centre
                if elasticAlpha != 0 { sx += fieldX[y * n + x]; sy += fieldY[y * n + x] }
                out[y * n + x] = Self.bilinear(image, x: sx, y: sy)
            }
        }
        return out
    }

    /// Bilinear sample with zero outside the image; exact at integer coordinates.
    static func bilinear(_ image: [Float], x: Float, y: Float) -> Float {
        let n = side
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let fx = x - Float(x0), fy = y - Float(y0)
        func pixel(_ px: Int, _ py: Int) -> Float {
            px >= 0 && px < n && py >= 0 && py < n ? image[py * n + px] : 0
        }
        if fx == 0 && fy == 0 { return pixel(x0, y0) }
        let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
        let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
        return min(1, max(0, top * (1 - fy) + bottom * fy))
    }

    /// α · (uniform noise in [−1, 1] convolved with a normalised Gaussian of width σ), the
    /// common reading of Simard et al. (scipy `gaussian_filter(…, mode="constant") * alpha`).
    /// With their α = 34, σ = 4 the displacement is about 1.4 pixels RMS.
    func elasticField(using rng: inout some RandomNumberGenerator) -> [Float] {
        let n = Self.side
        let raw = (0..<(n * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        let radius = max(1, Int((3 * elasticSigma).rounded(.up)))
        let kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * elasticSigma * elasticSigma)) }
        let total = kernel.reduce(0, +)
        let weights = kernel.map { $0 / total }
        // Separable blur with zero padding: rows, then columns.
        var rows = [Float](repeating: 0, count: n * n), field = [Float](repeating: 0, count: n * n)
        for y in 0..<n { for x in 0..<n {
            var sum: Float = 0
            for k in -radius...radius where x + k >= 0 && x + k < n { sum += weights[k + radius] * raw[y * n + x + k] }
            rows[y * n + x] = sum
        } }
        for y in 0..<n { for x in 0..<n {
            var sum: Float = 0
            for k in -radius...radius where y + k >= 0 && y + k < n { sum += weights[k + radius] * rows[(y + k) * n + x] }
            field[y * n + x] = sum
        } }
        return field.map { $0 * elasticAlpha }
    }

    /// One pass of grey-level dilation (max over the 3×3 cross) or of soft erosion (halfway
    /// to the min over the cross: a full erosion wipes out MNIST's 2-pixel strokes).
    static func morph(_ image: [Float], dilate: Bool) -> [Float] {
        let n = side
        var out = image
        for y in 0..<n { for x in 0..<n {
            var v = image[y * n + x]
            for (ox, oy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let px = x + ox, py = y + oy
                let neighbour = px >= 0 && px < n && py >= 0 && py < n ? image[py * n + px] : 0
                v = dilate ? max(v, neighbour) : min(v, neighbour)
            }
            out[y * n + x] = dilate ? v : (v + image[y * n + x]) / 2
        } }
        return out
    }
}

extension Float {
    /// "10" rather than "10.0".
    fileprivate var compact: String { self == rounded() && abs(self) < 1e6 ? String(Int(self)) : "\(self)" }
}
