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

    @Test func longLinesAreScaledDownToTheWidestLine() {
        let crop = squares(width: 4000, height: 40, centres: [(20, 20), (3980, 20)], side: 20)
        let line = LineNormalization.normalize(crop, x: 0, y: 0, digitHeight: 20, centres: [])
        #expect(line.width <= LineNormalization.maxWidth)
        #expect(line.pixels.count == line.width * LineNormalization.height)
    }

    @Test func emptyInkGivesAnEmptyLine() {
        let line = LineNormalization.normalize(GrayImage(width: 30, height: 30), x: 0, y: 0, digitHeight: 30, centres: [(15, 15)])
        #expect(line.pixels.allSatisfy { $0 == 0 })
    }
}
