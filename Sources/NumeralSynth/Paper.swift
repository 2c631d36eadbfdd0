import Foundation

/// RGB reflectance or colour, each channel in [0, 1].
struct RGB: Sendable, Equatable {
    var r: Float, g: Float, b: Float
    init(_ r: Float, _ g: Float, _ b: Float) { (self.r, self.g, self.b) = (r, g, b) }
}

/// The sheet the number is written on: its colour and fibre texture.
struct Paper: Sendable {
    var kind: String
    var colour: RGB
    var textureAmplitude: Float

    static let tints: [(String, RGB)] = [
        ("cream", RGB(1, 0.96, 0.84)), ("grey", RGB(0.86, 0.86, 0.84)), ("bluish", RGB(0.88, 0.93, 1)),
        ("pink", RGB(1, 0.89, 0.9)), ("green", RGB(0.9, 0.98, 0.88)), ("kraft", RGB(0.78, 0.66, 0.5)),
    ]

    static func random(_ configuration: SynthConfiguration, using rng: inout some RandomNumberGenerator) -> Paper {
        let amplitude = Float(Double.random(in: configuration.textureAmplitude, using: &rng))
        if Double.random(in: 0..<1, using: &rng) < configuration.tintedPaperFraction {
            let (kind, colour) = tints.randomElement(using: &rng)!
            let shade = Float.random(in: 0.92...1, using: &rng)
            return Paper(kind: kind, colour: RGB(colour.r * shade, colour.g * shade, colour.b * shade),
                         textureAmplitude: amplitude)
        }
        let white = Float.random(in: 0.93...1, using: &rng)
        return Paper(kind: "white", colour: RGB(white, white, white), textureAmplitude: amplitude)
    }

    /// Reflectance multiplier around 1: blotches about a digit wide, finer fibres, and grain.
    func texture(width: Int, height: Int, digitHeight: Float,
                 using rng: inout some RandomNumberGenerator) -> Plane {
        guard textureAmplitude > 0 else { return Plane(width: width, height: height, fill: 1) }
        let coarse = Plane.valueNoise(width: width, height: height, cell: digitHeight * 0.8, using: &rng)
        let fine = Plane.valueNoise(width: width, height: height, cell: max(2, digitHeight * 0.06), using: &rng)
        var out = Plane(width: width, height: height)
        for i in out.values.indices {
            out.values[i] = 1 + textureAmplitude * (0.55 * coarse.values[i] + 0.45 * fine.values[i])
        }
        return out
    }
}

/// Printed rules on the paper, in line coordinates (the baseline of the writing at y = baseline).
///
/// Notebook lines and grids are light; form underlines and boxes are dark. The paper is allowed a
/// small angle against the writing, as real handwriting drifts off its lines.
struct Ruling: Sendable {
    enum Kind: String, Sendable { case none, notebook, underline, grid, box }
    var kind: Kind
    var colour: RGB
    var thickness: Float
    var spacing: Float = 0
    var offset: Float = 0
    /// Box edges, line coordinates.
    var box: (minX: Float, minY: Float, maxX: Float, maxY: Float) = (0, 0, 0, 0)
    /// Angle of the paper relative to the writing, radians.
    var angle: Float = 0

    static let none = Ruling(kind: .none, colour: RGB(1, 1, 1), thickness: 0)

    static func random(_ configuration: SynthConfiguration, layout: NumberLayout, digitHeight h: Float,
                       pixel: Float, using rng: inout some RandomNumberGenerator) -> Ruling {
        let roll = Double.random(in: 0..<1, using: &rng)
        let light = [RGB(0.55, 0.7, 0.92), RGB(0.62, 0.78, 0.95), RGB(0.72, 0.72, 0.74)].randomElement(using: &rng)!
        let dark = [RGB(0.15, 0.15, 0.17), RGB(0.35, 0.35, 0.38), RGB(0.75, 0.25, 0.25), RGB(0.2, 0.3, 0.6)]
            .randomElement(using: &rng)!
        let angle = Float.random(in: -2...2, using: &rng) * .pi / 180
        if roll < configuration.ruledFraction {
            let style = Double.random(in: 0..<1, using: &rng)
            if style < 0.4 {
                return Ruling(kind: .notebook, colour: light,
                              thickness: max(pixel, h * Float.random(in: 0.015...0.035, using: &rng)),
                              spacing: h * Float.random(in: 1.15...1.6, using: &rng),
                              offset: layout.baseline + h * Float.random(in: -0.04...0.1, using: &rng), angle: angle)
            } else if style < 0.7 {
                return Ruling(kind: .underline, colour: Bool.random(using: &rng) ? dark : light,
                              thickness: max(pixel, h * Float.random(in: 0.015...0.05, using: &rng)),
                              offset: layout.baseline + h * Float.random(in: 0...0.15, using: &rng), angle: angle)
            } else {
                return Ruling(kind: .grid, colour: light,
                              thickness: max(pixel, h * Float.random(in: 0.01...0.025, using: &rng)),
                              spacing: h * Float.random(in: 0.45...0.75, using: &rng),
                              offset: layout.baseline + h * Float.random(in: -0.05...0.1, using: &rng), angle: angle)
            }
        }
        if roll < configuration.ruledFraction + configuration.boxFraction {
            let margins = (0..<4).map { _ in h * Float.random(in: 0.1...0.4, using: &rng) }
            return Ruling(kind: .box, colour: dark,
                          thickness: max(pixel, h * Float.random(in: 0.015...0.05, using: &rng)),
                          box: (layout.inkMinX - margins[0], layout.inkMinY - margins[1],
                                layout.inkMaxX + margins[2], layout.inkMaxY + margins[3]),
                          angle: angle / 2)
        }
        return .none
    }

    /// Coverage of the printed rules at line coordinates (x, y), anti-aliased over one pixel.
    func coverage(x: Float, y: Float) -> Float {
        func line(_ distance: Float) -> Float { clamp01(thickness / 2 - distance + 0.5) }
        switch kind {
        case .none:
            return 0
        case .underline:
            return line(abs(y - offset))
        case .notebook:
            let d = (y - offset).truncatingRemainder(dividingBy: spacing)
            return line(min(abs(d), spacing - abs(d)))
        case .grid:
            let dy = (y - offset).truncatingRemainder(dividingBy: spacing)
            let dx = x.truncatingRemainder(dividingBy: spacing)
            return max(line(min(abs(dy), spacing - abs(dy))), line(min(abs(dx), spacing - abs(dx))))
        case .box:
            let outside = max(box.minX - x, 0, x - box.maxX), below = max(box.minY - y, 0, y - box.maxY)
            let distance = outside > 0 || below > 0
                ? (outside * outside + below * below).squareRoot()
                : min(x - box.minX, box.maxX - x, y - box.minY, box.maxY - y)
            return line(distance)
        }
    }
}

/// The light on the page: overall brightness, a linear gradient, an optional soft shadow
/// (a hand or phone between lamp and paper) and an optional vignette (a phone lens).
struct Illumination: Sendable {
    var brightness: Float
    var gradient: (x: Float, y: Float)
    /// Shadow: points with `normal · p > offset` are darkened by `depth`, over `softness` px.
    var shadow: (normalX: Float, normalY: Float, offset: Float, softness: Float, depth: Float)?
    var vignette: Float

    var kind: String { shadow != nil ? "shadow" : (abs(gradient.x) + abs(gradient.y) > 0.12 ? "gradient" : "even") }

    static func random(_ configuration: SynthConfiguration, width: Int, height: Int,
                       using rng: inout some RandomNumberGenerator) -> Illumination {
        let brightness = Float(Double.random(in: configuration.brightness, using: &rng))
        let angle = Float.random(in: 0..<(2 * .pi), using: &rng)
        let strength = Float.random(in: 0...Float(configuration.gradientStrength), using: &rng)
        var shadow: (Float, Float, Float, Float, Float)?
        if Double.random(in: 0..<1, using: &rng) < configuration.shadowFraction {
            let direction = Float.random(in: 0..<(2 * .pi), using: &rng)
            let (nx, ny) = (cos(direction), sin(direction))
            // Through a random point of the image, so the shadow covers part of it.
            let px = Float.random(in: 0.2...0.8, using: &rng) * Float(width)
            let py = Float.random(in: 0.2...0.8, using: &rng) * Float(height)
            let diagonal = Float(width * width + height * height).squareRoot()
            shadow = (nx, ny, nx * px + ny * py, diagonal * Float.random(in: 0.03...0.3, using: &rng),
                      Float(Double.random(in: configuration.shadowDepth, using: &rng)))
        }
        let vignette = Double.random(in: 0..<1, using: &rng) < configuration.vignetteFraction
            ? Float.random(in: 0.1...0.3, using: &rng) : 0
        return Illumination(brightness: brightness, gradient: (strength * cos(angle), strength * sin(angle)),
                            shadow: shadow, vignette: vignette)
    }

    /// Light factor per pixel (multiplies reflectance).
    func plane(width: Int, height: Int) -> Plane {
        var out = Plane(width: width, height: height)
        let cx = Float(width) / 2, cy = Float(height) / 2
        let radius = max(cx, cy, 1)
        for y in 0..<height {
            for x in 0..<width {
                let px = Float(x) + 0.5, py = Float(y) + 0.5
                let nx = (px - cx) / radius, ny = (py - cy) / radius
                var light = brightness * (1 + gradient.x * nx + gradient.y * ny)
                if let s = shadow {
                    let t = (s.normalX * px + s.normalY * py - s.offset) / s.softness
                    light *= 1 - s.depth * smoothstep(clamp01(t + 0.5))
                }
                light *= 1 - vignette * (nx * nx + ny * ny) / 2
                out.values[y * width + x] = light
            }
        }
        return out
    }
}
