import Foundation

/// A rendered mark: ink coverage and the point of it that layout positions.
struct Glyph: Sendable {
    var plane: Plane
    /// The reference point in plane coordinates: the ink-box centre of a digit, the centre of a
    /// separator.
    var anchorX: Float
    var anchorY: Float
}

/// An MNIST digit prepared for rendering at any size: upsampled 3× (so thickness changes and
/// large magnifications stay smooth) and thickened or thinned.
///
/// MNIST digits are anti-aliased strokes fitted in a 20×20 box inside 28×28 (LeCun et al. 1998).
/// Here the digit's own ink box, not the 20×20 box, sets its written height, so a "1" is as tall
/// as a "0" and wide digits keep their proportions.
struct DigitSource: Sendable {
    static let factor = 3
    static let pad = 6

    /// `(28·3 + 2·pad)²` coverage.
    let plane: Plane
    /// Ink box in MNIST pixel units: [minX, maxX) × [minY, maxY).
    let minX: Float, maxX: Float, minY: Float, maxY: Float

    /// - Parameters:
    ///   - pixels: 784 values in [0, 1], ink = 1.
    ///   - thickness: change of stroke radius in MNIST pixels (negative thins).
    init(pixels: ArraySlice<Float>, thickness: Float) {
        precondition(pixels.count == 784, "an MNIST digit has 784 pixels, got \(pixels.count)")
        let source = Array(pixels)
        var x0 = 28, x1 = 0, y0 = 28, y1 = 0
        for y in 0..<28 {
            for x in 0..<28 where source[y * 28 + x] > 0.25 {
                x0 = min(x0, x); x1 = max(x1, x + 1); y0 = min(y0, y); y1 = max(y1, y + 1)
            }
        }
        if x0 >= x1 { (x0, x1, y0, y1) = (4, 24, 4, 24) }  // blank digit: keep the nominal box
        (minX, maxX, minY, maxY) = (Float(x0), Float(x1), Float(y0), Float(y1))

        var digit = Plane(width: 28, height: 28)
        digit.values = source
        let side = 28 * Self.factor + 2 * Self.pad
        var up = Plane(width: side, height: side)
        for y in 0..<side {
            for x in 0..<side {
                up[x, y] = digit.sample(x: Self.mnist(x), y: Self.mnist(y))
            }
        }
        // A slight blur rounds the 28×28 grid's corners so large renderings have smooth contours.
        plane = Self.morph(up.blurred(sigma: 1.6), radius: thickness * Float(Self.factor))
    }

    /// MNIST coordinate of the centre of upsampled pixel `i`.
    private static func mnist(_ i: Int) -> Float { (Float(i - pad) + 0.5) / Float(factor) }

    /// Coverage at MNIST continuous coordinates (u, v).
    func value(u: Float, v: Float) -> Float {
        plane.sample(x: u * Float(Self.factor) + Float(Self.pad), y: v * Float(Self.factor) + Float(Self.pad))
    }

    /// Grey-scale dilation (radius > 0) or erosion (radius < 0) with a soft-edged disc, so a
    /// fractional radius changes the stroke smoothly.
    static func morph(_ plane: Plane, radius: Float) -> Plane {
        let r = abs(radius)
        guard r > 0.05 else { return plane }
        let reach = Int((r + 0.5).rounded(.up))
        var offsets: [(dx: Int, dy: Int, weight: Float)] = []
        for dy in -reach...reach {
            for dx in -reach...reach {
                let distance = Float(dx * dx + dy * dy).squareRoot()
                let weight = dx == 0 && dy == 0 ? 1 : clamp01(r + 0.5 - distance)
                if weight > 0 { offsets.append((dx, dy, weight)) }
            }
        }
        let dilate = radius > 0
        var out = plane
        for y in 0..<plane.height {
            for x in 0..<plane.width {
                var best: Float = 0
                for o in offsets {
                    let sx = x + o.dx, sy = y + o.dy
                    let inside = sx >= 0 && sy >= 0 && sx < plane.width && sy < plane.height
                    let v = inside ? plane.values[sy * plane.width + sx] : 0
                    best = max(best, o.weight * (dilate ? v : 1 - v))
                }
                out.values[y * plane.width + x] = dilate ? best : 1 - best
            }
        }
        return out
    }
}

/// How one digit is drawn: size, rotation and slant.
struct DigitPose {
    /// Render pixels per MNIST pixel.
    var scale: Float
    /// Radians, positive = clockwise on screen.
    var rotation: Float
    /// Horizontal shear: x moves by −slant·y (y down), so positive slant leans right.
    var slant: Float
}

enum GlyphRenderer {
    /// Renders a prepared digit: MNIST offsets q from the ink-box centre go to
    /// p = R(rotation) · Shear(slant) · scale · q, sampled backwards with bilinear interpolation.
    ///
    /// MNIST edges are soft (about 1.5 MNIST px), which a large magnification turns into a blur;
    /// a contrast ramp `k = max(1, 1.2·scale)` around coverage 0.5 restores pen-sharp edges about
    /// 1.2 px wide at any size.
    static func render(_ digit: DigitSource, pose: DigitPose) -> Glyph {
        let (c, s) = (cos(pose.rotation), sin(pose.rotation))
        let centreU = (digit.minX + digit.maxX) / 2, centreV = (digit.minY + digit.maxY) / 2
        let margin: Float = 3
        let halfW = (digit.maxX - digit.minX) / 2 + margin, halfH = (digit.maxY - digit.minY) / 2 + margin
        func forward(_ qx: Float, _ qy: Float) -> (Float, Float) {
            let sx = (qx - pose.slant * qy) * pose.scale, sy = qy * pose.scale
            return (c * sx - s * sy, s * sx + c * sy)
        }
        let corners = [forward(-halfW, -halfH), forward(halfW, -halfH), forward(-halfW, halfH), forward(halfW, halfH)]
        let minX = corners.map(\.0).min()!, maxX = corners.map(\.0).max()!
        let minY = corners.map(\.1).min()!, maxY = corners.map(\.1).max()!
        let width = Int((maxX - minX).rounded(.up)) + 2, height = Int((maxY - minY).rounded(.up)) + 2
        let anchorX = -minX + 1, anchorY = -minY + 1
        let contrast = max(1, 1.2 * pose.scale)
        var plane = Plane(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let px = Float(x) + 0.5 - anchorX, py = Float(y) + 0.5 - anchorY
                // Inverse: rotate back, divide by scale, undo the shear.
                let rx = (c * px + s * py) / pose.scale, ry = (-s * px + c * py) / pose.scale
                let qx = rx + pose.slant * ry, qy = ry
                let v = digit.value(u: qx + centreU, v: qy + centreV)
                plane.values[y * width + x] = clamp01((v - 0.5) * contrast + 0.5)
            }
        }
        return Glyph(plane: plane, anchorX: anchorX, anchorY: anchorY)
    }

    /// A separator drawn as pen strokes of width `strokeWidth` (render px) for digits `height` tall.
    ///
    /// - point: a dot about one stroke wide; comma: a dot with a tail down and left;
    ///   minus: a bar 0.3…0.55·height long, tilted up to ±3°.
    static func separator(_ mark: NumberText.Mark, height: Float, strokeWidth: Float,
                          using rng: inout some RandomNumberGenerator) -> Glyph {
        var segments: [(Float, Float, Float, Float)] = []
        var width = strokeWidth
        switch mark {
        case .point:
            width = strokeWidth * Float.random(in: 1.1...1.6, using: &rng)
            segments = [(0, 0, strokeWidth * 0.15, 0)]
        case .comma:
            width = strokeWidth * Float.random(in: 1.1...1.4, using: &rng)
            segments = [(0, 0, -height * Float.random(in: 0.04...0.1, using: &rng),
                         height * Float.random(in: 0.15...0.28, using: &rng))]
        case .minus:
            let half = height * Float.random(in: 0.15...0.28, using: &rng)
            let tilt = Float.random(in: -0.05...0.05, using: &rng) * half
            segments = [(-half, tilt, half, -tilt)]
        case .digit:
            preconditionFailure("digits are rendered from MNIST, not drawn")
        }
        let xs = segments.flatMap { [$0.0, $0.2] }, ys = segments.flatMap { [$0.1, $0.3] }
        let reach = width / 2 + 2
        let minX = xs.min()! - reach, minY = ys.min()! - reach
        let planeWidth = Int((xs.max()! + reach - minX).rounded(.up)), planeHeight = Int((ys.max()! + reach - minY).rounded(.up))
        var plane = Plane(width: planeWidth, height: planeHeight)
        for y in 0..<planeHeight {
            for x in 0..<planeWidth {
                let px = Float(x) + 0.5 + minX, py = Float(y) + 0.5 + minY
                let d = segments.map { distanceToSegment(px, py, $0) }.min()!
                plane.values[y * planeWidth + x] = clamp01(width / 2 - d + 0.5)
            }
        }
        return Glyph(plane: plane, anchorX: -minX, anchorY: -minY)
    }

    /// Distance from (x, y) to the segment (x0, y0)–(x1, y1).
    static func distanceToSegment(_ x: Float, _ y: Float, _ s: (Float, Float, Float, Float)) -> Float {
        let (dx, dy) = (s.2 - s.0, s.3 - s.1)
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? clamp01(((x - s.0) * dx + (y - s.1) * dy) / length2) : 0
        let (ex, ey) = (x - s.0 - t * dx, y - s.1 - t * dy)
        return (ex * ex + ey * ey).squareRoot()
    }
}
