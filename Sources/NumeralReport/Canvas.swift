import NumeralVision

/// An sRGB colour with 8 bits per channel.
struct Color: Equatable {
    var red: UInt8, green: UInt8, blue: UInt8

    static let white = Color(red: 255, green: 255, blue: 255)
    static let black = Color(red: 0, green: 0, blue: 0)
    static let gray = Color(red: 120, green: 120, blue: 120)
    static let lightGray = Color(red: 225, green: 225, blue: 225)
    static let blue = Color(red: 31, green: 90, blue: 170)
    static let red = Color(red: 190, green: 30, blue: 45)
    static let green = Color(red: 20, green: 120, blue: 60)

    /// Linear blend: `t` = 0 gives `self`, 1 gives `other`.
    func mixed(with other: Color, _ t: Double) -> Color {
        let t = min(max(t, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return Color(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// Relative luminance in 0...1 (for picking a readable text colour).
    var luminance: Double { (0.2126 * Double(red) + 0.7152 * Double(green) + 0.0722 * Double(blue)) / 255 }
}

/// An RGB raster to draw on; drawing outside the edges is clipped.
struct Canvas {
    private(set) var raster: Raster

    init(width: Int, height: Int, background: Color = .white) {
        raster = Raster(width: width, height: height, channels: 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    var width: Int { raster.width }
    var height: Int { raster.height }

    mutating func set(_ x: Int, _ y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < raster.width, y < raster.height else { return }
        let i = (y * raster.width + x) * 3
        raster.pixels[i] = color.red; raster.pixels[i + 1] = color.green; raster.pixels[i + 2] = color.blue
    }

    mutating func fill(x: Int, y: Int, width: Int, height: Int, _ color: Color) {
        for yy in max(y, 0)..<max(min(y + height, raster.height), max(y, 0)) {
            for xx in max(x, 0)..<max(min(x + width, raster.width), max(x, 0)) { set(xx, yy, color) }
        }
    }

    /// A one-pixel rectangle outline.
    mutating func stroke(x: Int, y: Int, width: Int, height: Int, _ color: Color) {
        fill(x: x, y: y, width: width, height: 1, color)
        fill(x: x, y: y + height - 1, width: width, height: 1, color)
        fill(x: x, y: y, width: 1, height: height, color)
        fill(x: x + width - 1, y: y, width: 1, height: height, color)
    }

    /// Draws `text` with its top-left corner at (x, y); `vertical` turns it 90° counter-clockwise
    /// (read bottom to top) with (x, y) then the top-left of the turned text's box.
    mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, _ color: Color = .black, vertical: Bool = false) {
        let length = BitmapFont.width(of: text, scale: scale)
        for (k, c) in text.enumerated() {
            for (row, bits) in BitmapFont.glyph(c).enumerated() {
                for (column, bit) in bits.enumerated() where bit == "#" {
                    // Glyph pixel (u, v) in the unturned text's frame.
                    let u = k * BitmapFont.advance + column, v = row
                    for sy in 0..<scale {
                        for sx in 0..<scale {
                            if vertical {
                                set(x + v * scale + sy, y + length - 1 - (u * scale + sx), color)
                            } else {
                                set(x + u * scale + sx, y + v * scale + sy, color)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `text` centred horizontally on `centerX`.
    mutating func text(_ text: String, centerX: Int, y: Int, scale: Int = 1, _ color: Color = .black) {
        self.text(text, x: centerX - BitmapFont.width(of: text, scale: scale) / 2, y: y, scale: scale, color)
    }

    /// Draws a gray raster enlarged `scale` times (nearest neighbour), mapping 0 to `background`
    /// and 255 to `ink`.
    mutating func image(_ gray: Raster, x: Int, y: Int, scale: Int, ink: Color, background: Color) {
        precondition(gray.channels == 1, "image() draws gray rasters, got \(gray.channels) channels")
        for v in 0..<gray.height * scale {
            for u in 0..<gray.width * scale {
                let value = Double(gray[u / scale, v / scale, 0]) / 255
                set(x + u, y + v, background.mixed(with: ink, value))
            }
        }
    }
}
