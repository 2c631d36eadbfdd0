import Foundation

/// A single-channel Float image, row-major, top row first: the generator's working surface.
///
/// Ink planes hold coverage in [0, 1] (1 = full ink); light and paper planes hold reflectance
/// or illumination factors. Pixel (x, y) covers the square [x, x+1) × [y, y+1), so its centre is
/// at (x + 0.5, y + 0.5) in continuous coordinates.
struct Plane: Sendable {
    var width: Int
    var height: Int
    var values: [Float]

    init(width: Int, height: Int, fill: Float = 0) {
        precondition(width >= 0 && height >= 0, "plane \(width)x\(height)")
        self.width = width; self.height = height
        values = [Float](repeating: fill, count: width * height)
    }

    subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// Bilinear sample at continuous coordinates (pixel centres at integer + 0.5); 0 outside.
    func sample(x: Float, y: Float) -> Float {
        let fx = x - 0.5, fy = y - 0.5
        let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
        let ax = fx - Float(x0), ay = fy - Float(y0)
        func at(_ x: Int, _ y: Int) -> Float {
            x >= 0 && y >= 0 && x < width && y < height ? values[y * width + x] : 0
        }
        let top = at(x0, y0) * (1 - ax) + at(x0 + 1, y0) * ax
        let bottom = at(x0, y0 + 1) * (1 - ax) + at(x0 + 1, y0 + 1) * ax
        return top * (1 - ay) + bottom * ay
    }

    /// Area-average downsampling by an integer factor (the anti-aliasing step for small sizes).
    func downsampled(by factor: Int) -> Plane {
        precondition(factor >= 1, "downsample factor \(factor)")
        if factor == 1 { return self }
        var out = Plane(width: width / factor, height: height / factor)
        let scale = 1 / Float(factor * factor)
        for y in 0..<out.height {
            for x in 0..<out.width {
                var sum: Float = 0
                for dy in 0..<factor {
                    let row = (y * factor + dy) * width + x * factor
                    for dx in 0..<factor { sum += values[row + dx] }
                }
                out.values[y * out.width + x] = sum * scale
            }
        }
        return out
    }

    /// Separable Gaussian blur with standard deviation `sigma` pixels, edges clamped.
    func blurred(sigma: Float) -> Plane {
        guard sigma > 0.05, width > 0, height > 0 else { return self }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { d in exp(-Float(d * d) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var horizontal = Plane(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var sum: Float = 0
                for k in -radius...radius {
                    sum += kernel[k + radius] * values[y * width + min(max(x + k, 0), width - 1)]
                }
                horizontal.values[y * width + x] = sum
            }
        }
        var out = Plane(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var sum: Float = 0
                for k in -radius...radius {
                    sum += kernel[k + radius] * horizontal.values[min(max(y + k, 0), height - 1) * width + x]
                }
                out.values[y * width + x] = sum
            }
        }
        return out
    }

    /// Smooth random field in [-1, 1]: random values on a grid of `cell`-pixel squares,
    /// interpolated with a smoothstep (value noise, Perlin 1985 without gradients).
    static func valueNoise(width: Int, height: Int, cell: Float,
                           using rng: inout some RandomNumberGenerator) -> Plane {
        let cell = max(cell, 1)
        let gridWidth = Int(Float(width) / cell) + 2, gridHeight = Int(Float(height) / cell) + 2
        let grid = (0..<(gridWidth * gridHeight)).map { _ in Float.random(in: -1...1, using: &rng) }
        var out = Plane(width: width, height: height)
        for y in 0..<height {
            let gy = Float(y) / cell
            let y0 = Int(gy), ty = smoothstep(gy - Float(y0))
            for x in 0..<width {
                let gx = Float(x) / cell
                let x0 = Int(gx), tx = smoothstep(gx - Float(x0))
                let a = grid[y0 * gridWidth + x0], b = grid[y0 * gridWidth + x0 + 1]
                let c = grid[(y0 + 1) * gridWidth + x0], d = grid[(y0 + 1) * gridWidth + x0 + 1]
                out.values[y * width + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty
            }
        }
        return out
    }
}

func smoothstep(_ t: Float) -> Float { t * t * (3 - 2 * t) }

func clamp01(_ v: Float) -> Float { min(max(v, 0), 1) }

/// A standard normal sample (Box–Muller).
func gaussian(using rng: inout some RandomNumberGenerator) -> Float {
    let u1 = Float.random(in: Float.ulpOfOne..<1, using: &rng)
    let u2 = Float.random(in: 0..<1, using: &rng)
    return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
}
