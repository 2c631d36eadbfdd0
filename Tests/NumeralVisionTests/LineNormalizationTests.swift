import NumeralVision
import Testing

@Suite struct LineNormalizationTests {
    /// A crop with a filled square per centre, `side` pixels, ink = 1.
    func squares(width: Int, height: Int, centres: [(x: Int, y: Int)], side: Int) -> GrayImage {
        var image = GrayImage(width: width, height: height)
        for c in centres {
            for y in (c.y - side / 2)..<(c.y + side / 2) {
                for x in (c.x - side / 2)..<(c.x + side / 2) { image.pixels[y * width + x] = 1 }
            }
        }
        return image
    }

    /// The ink-weighted mean row of the columns `range`.
    func meanRow(_ line: LineNormalization.Line, columns range: Range<Int>) -> Double {
        var sum = 0.0, mass = 0.0
        for r in 0..<LineNormalization.height {
            for c in range {
                let v = Double(line.pixels[r * line.width + c]); sum += v * Double(r); mass += v
            }
        }
        return sum / mass
    }

    @Test func digitsAreScaledToTwentyRowsOnTheMiddleRow() {
        // Two 40-pixel squares, one 40 pixels lower than the other: the line slopes, and
        // straightening puts both on the middle row.
        let crop = squares(width: 200, height: 120, centres: [(40, 40), (160, 80)], side: 40)
        let line = LineNormalization.normalize(crop, x: 10, y: 5, digitHeight: 40,
                                               centres: [(50, 45), (170, 85)])
        #expect(line.width % LineNormalization.columnMultiple == 0)
        #expect(abs(line.scale - 0.5) < 1e-9)
        #expect(line.width == 100 + 2 * LineNormalization.margin)
        let middle = Double(LineNormalization.height) / 2 - 0.5
        #expect(abs(meanRow(line, columns: 4..<44) - middle) < 0.6)
        #expect(abs(meanRow(line, columns: 64..<104) - middle) < 0.6)
        // Each square is 20 rows high: its column holds 20 rows of ink.
        let column = 24
        let ink = (0..<LineNormalization.height).map { line.pixels[$0 * line.width + column] }.reduce(0, +)
        #expect(abs(ink - 20) < 0.5)
        // Column 0's left edge is the crop's left edge less the margin.
        #expect(abs(line.imageX(column: Double(LineNormalization.margin)) - 10) < 1e-9)
    }

    @Test func aStretchWidensTheLineOnly() {
        // Two 40-pixel squares, 120 pixels apart: stretched 1.2, each is 24 columns wide and
        // still 20 rows high, and the columns map back to the same image x.
        let crop = squares(width: 200, height: 60, centres: [(40, 30), (160, 30)], side: 40)
        let plain = LineNormalization.normalize(crop, x: 10, y: 5, digitHeight: 40, centres: [(50, 35), (170, 35)])
        let wide = LineNormalization.normalize(crop, x: 10, y: 5, digitHeight: 40, centres: [(50, 35), (170, 35)], stretch: 1.2)
        #expect(abs(wide.scale - 0.6) < 1e-9 && abs(plain.scale - 0.5) < 1e-9)
        #expect(wide.width == 120 + 2 * LineNormalization.margin)
        func inkColumns(_ line: LineNormalization.Line, row: Int) -> Int {
            (0..<line.width).filter { line.pixels[row * line.width + $0] > 0.5 }.count
        }
        func inkRows(_ line: LineNormalization.Line, column: Int) -> Float {
            (0..<LineNormalization.height).map { line.pixels[$0 * line.width + column] }.reduce(0, +)
        }
        let middle = LineNormalization.height / 2
        #expect(inkColumns(plain, row: middle) == 40 && inkColumns(wide, row: middle) == 48)
        #expect(abs(inkRows(wide, column: 28) - 20) < 0.5)
        // The first square's centre: image x 50, column 4 + 20 plain and 4 + 24 stretched.
        #expect(abs(plain.imageX(column: 24) - 50) < 1e-9 && abs(wide.imageX(column: 28) - 50) < 1e-9)
        #expect(abs(wide.column(imageX: 50) - 28) < 1e-9 && abs(wide.column(imageX: wide.imageX(column: 7.5)) - 7.5) < 1e-9)
    }

    @Test func longLinesAreScaledDownToTheWidestLine() {
        let crop = squares(width: 4000, height: 40, centres: [(20, 20), (3980, 20)], side: 20)
        let line = LineNormalization.normalize(crop, x: 0, y: 0, digitHeight: 20, centres: [])
        #expect(line.width <= LineNormalization.maxWidth)
        #expect(line.pixels.count == line.width * LineNormalization.height)
        let wide = LineNormalization.normalize(crop, x: 0, y: 0, digitHeight: 20, centres: [], stretch: 1.2)
        #expect(wide.width <= LineNormalization.maxWidth && abs(wide.scale - line.scale) < 1e-9)
    }

    @Test func emptyInkGivesAnEmptyLine() {
        let line = LineNormalization.normalize(GrayImage(width: 30, height: 30), x: 0, y: 0, digitHeight: 30, centres: [(15, 15)])
        #expect(line.pixels.allSatisfy { $0 == 0 })
    }
}
