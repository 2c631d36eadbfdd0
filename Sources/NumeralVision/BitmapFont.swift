/// A 5×7 pixel font for the labels in Numeral's pictures (the `--debug` images, the report's
/// charts): digits, capital letters (lower case is drawn as upper case) and the punctuation
/// numbers need. Each glyph is seven rows of five columns, `#` = ink, drawn on a 6×8 cell: one
/// column and one row of spacing.
public enum BitmapFont {
    public static let glyphWidth = 5, glyphHeight = 7
    public static let advance = 6, lineHeight = 8

    /// Width in pixels of `text` drawn at `scale`, without the trailing spacing column.
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * advance - 1) * scale
    }

    /// The rows of `c`; unknown characters are drawn as a hollow box.
    public static func glyph(_ c: Character) -> [String] {
        glyphs[Character(c.uppercased())] ?? glyphs["\u{FFFD}"]!
    }

    /// Draws `text` into an RGB raster with its top-left corner at (x, y), each font
    /// pixel a `scale × scale` square. Pixels outside the raster are clipped.
    public static func draw(_ text: String, into raster: inout Raster, x: Int, y: Int, scale: Int = 1,
                            color: (UInt8, UInt8, UInt8)) {
        precondition(raster.channels == 3, "BitmapFont draws into RGB, got \(raster.channels) channels")
        for (k, character) in text.enumerated() {
            let penX = x + k * advance * scale
            for (row, bits) in glyph(character).enumerated() {
                for (column, bit) in bits.enumerated() where bit == "#" {
                    Drawing.fill(&raster, BoundingBox(minX: penX + column * scale, minY: y + row * scale,
                                                      maxX: penX + (column + 1) * scale, maxY: y + (row + 1) * scale),
                                 color: color)
                }
            }
        }
    }

    // Rows as strings so the shapes can be read (and fixed) in the source.
    private static let glyphs: [Character: [String]] = [
        "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
        "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
        "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
        "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
        "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "Q": [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "V": ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
        "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
        "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
        "Y": ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
        "Z": ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
        " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
        ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
        ",": [".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."],
        ":": [".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."],
        "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
        "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
        "=": [".....", ".....", "#####", ".....", "#####", ".....", "....."],
        ">": ["#....", ".#...", "..#..", "...#.", "..#..", ".#...", "#...."],
        "<": ["....#", "...#.", "..#..", ".#...", "..#..", "...#.", "....#"],
        "%": ["##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"],
        "/": [".....", "....#", "...#.", "..#..", ".#...", "#....", "....."],
        "(": ["...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."],
        ")": [".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."],
        "#": [".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."],
        "?": [".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."],
        "_": [".....", ".....", ".....", ".....", ".....", ".....", "#####"],
        "'": ["..#..", "..#..", ".#...", ".....", ".....", ".....", "....."],
        "\u{FFFD}": ["#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####"],
    ]
}

/// Rectangles on RGB rasters, clipped.
public enum Drawing {
    public static func fill(_ raster: inout Raster, _ box: BoundingBox, color: (UInt8, UInt8, UInt8)) {
        let (x0, x1) = (max(0, box.minX), min(raster.width, box.maxX))
        let (y0, y1) = (max(0, box.minY), min(raster.height, box.maxY))
        guard x0 < x1, y0 < y1 else { return }  // wholly outside the raster
        for y in y0..<y1 {
            for x in x0..<x1 {
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
