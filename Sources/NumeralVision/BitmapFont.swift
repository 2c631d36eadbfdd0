/// A 5x7 pixel font for the characters the debug pictures need: digits, `? . , -`.
/// Each glyph is seven rows of five bits, most significant bit leftmost.
public enum BitmapFont {
    public static let glyphWidth = 5, glyphHeight = 7

    static let glyphs: [Character: [UInt8]] = [
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "?": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04],
        ".": [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ",": [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        "-": [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
    ]

    /// Draws `text` into an RGB raster with its top-left corner at (x, y), each font
    /// pixel a `scale x scale` square. Characters without a glyph are skipped; pixels
    /// outside the raster are clipped.
    public static func draw(_ text: String, into raster: inout Raster, x: Int, y: Int, scale: Int = 1,
                            color: (UInt8, UInt8, UInt8)) {
        precondition(raster.channels == 3, "BitmapFont draws into RGB, got \(raster.channels) channels")
        var penX = x
        for character in text {
            if let rows = glyphs[character] {
                for (row, bits) in rows.enumerated() {
                    for column in 0..<glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                        Drawing.fill(&raster, BoundingBox(minX: penX + column * scale, minY: y + row * scale,
                                                          maxX: penX + (column + 1) * scale, maxY: y + (row + 1) * scale),
                                     color: color)
                    }
                }
            }
            penX += (glyphWidth + 1) * scale
        }
    }
}

/// Rectangles on RGB rasters, clipped.
public enum Drawing {
    public static func fill(_ raster: inout Raster, _ box: BoundingBox, color: (UInt8, UInt8, UInt8)) {
        for y in max(0, box.minY)..<min(raster.height, box.maxY) {
            for x in max(0, box.minX)..<min(raster.width, box.maxX) {
                let i = (y * raster.width + x) * 3
                raster.pixels[i] = color.0; raster.pixels[i + 1] = color.1; raster.pixels[i + 2] = color.2
            }
        }
    }

    /// The outline of `box`, `thickness` pixels wide, inside the box.
    public static func outline(_ raster: inout Raster, _ box: BoundingBox, thickness: Int, color: (UInt8, UInt8, UInt8)) {
        let t = thickness
        fill(&raster, BoundingBox(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.minY + t), color: color)
        fill(&raster, BoundingBox(minX: box.minX, minY: box.maxY - t, maxX: box.maxX, maxY: box.maxY), color: color)
        fill(&raster, BoundingBox(minX: box.minX, minY: box.minY, maxX: box.minX + t, maxY: box.maxY), color: color)
        fill(&raster, BoundingBox(minX: box.maxX - t, minY: box.minY, maxX: box.maxX, maxY: box.maxY), color: color)
    }

    /// Gray, RGB or RGBA to RGB (alpha composited as `Grayscale.flattenAlpha` does).
    public static func rgb(_ raster: Raster) -> Raster {
        switch raster.channels {
        case 3: return raster
        case 4: return Grayscale.flattenAlpha(raster)
        default:
            return Raster(width: raster.width, height: raster.height, channels: 3,
                          pixels: raster.pixels.flatMap { [$0, $0, $0] })
        }
    }
}
