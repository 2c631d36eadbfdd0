import Foundation
@testable import NumeralVision
import NumeralCore
import Testing

/// A drawn page (three 0-like rings on paper 0.92) lying on a darker surface, the page's top
/// left corner at (`x`, `y`).
func pageOnSurface(surface: Float = 0.15, width: Int = 400, height: Int = 260, x: Int = 100, y: Int = 80) -> (GrayImage, page: Page) {
    var page = Page(width: 200, height: 90)
    for i in 0..<3 { page.ring(20 + 50 * i, 25, 26, 40) }
    var image = GrayImage(width: width, height: height, fill: surface)
    for yy in 0..<page.image.height { for xx in 0..<page.image.width { image[x + xx, y + yy] = page.image[xx, yy] } }
    return (image, page)
}

@Suite("A sheet on a darker surface")
struct SheetTests {
    @Test("The surface is painted the sheet's paper, the writing kept, and the digits are read as on the page alone")
    func surfacePainted() throws {
        let (image, page) = pageOnSurface()
        let isolated = try #require(Sheet.isolated(image)).gray
        #expect(isolated[5, 5] == page.image[100, 45])                         // the surface, now paper
        #expect(isolated[100 + 20 + 1, 80 + 25 + 1] == page.image[21, 26])    // a ring's stroke, kept
        let boxes = segment(isolated).first?.digits.map(\.box)
        #expect(boxes?.count == 3)
        #expect(boxes == segment(page.image).first?.digits.map {
            BoundingBox(minX: $0.box.minX + 100, minY: $0.box.minY + 80, maxX: $0.box.maxX + 100, maxY: $0.box.maxY + 80)
        })
    }

    /// The painted surface is only as even as the page's row ends; whatever a threshold still
    /// finds there is not writing.
    @Test("Ink found off the sheet is cleared, at any working scale")
    func inkOffSheetCleared() throws {
        let (image, _) = pageOnSurface()
        let sheet = try #require(Sheet.isolated(image))
        #expect(sheet.contains(x: 200, y: 120) && !sheet.contains(x: 5, y: 5) && !sheet.contains(x: 350, y: 120))
        for scale in [1, 2, 0.5] {
            let (w, h) = (Int(Double(image.width) / scale), Int(Double(image.height) / scale))
            let all = InkImage(ink: GrayImage(width: w, height: h, fill: 1), mask: [UInt8](repeating: 1, count: w * h),
                               method: .otsu, inverted: false, darkGroundShare: 0)
            let cleared = sheet.clearing(all, scale: scale)
            func at(_ x: Int, _ y: Int) -> (Float, UInt8) {
                let (sx, sy) = (Int(Double(x) / scale), Int(Double(y) / scale))
                return (cleared.ink[sx, sy], cleared.mask[sy * w + sx])
            }
            #expect(at(200, 120) == (1, 1))        // the middle of the page
            #expect(at(5, 5) == (0, 0))            // the surface
            #expect(at(350, 120) == (0, 0))
            #expect(at(200, 240) == (0, 0))
            #expect(cleared.mask.filter { $0 == 1 }.count * 10 < w * h * 2)    // the page is under a fifth of the picture
        }
    }

    /// A shadow over the right half of the page: its paper there is darker than the lit
    /// paper but brighter than the desk, so it stays part of the sheet, and the desk beside
    /// it is painted in the shadowed tone (no edge where the shadow meets the painted desk).
    @Test("A page half in shadow is still one sheet")
    func shadowedPage() throws {
        var (image, _) = pageOnSurface()
        for y in 80..<170 { for x in 200..<300 { image[x, y] *= 0.6 } }
        let isolated = try #require(Sheet.isolated(image)).gray
        #expect(abs(isolated[390, 120] - image[290, 120]) < 0.02)    // right of the page: the shadowed paper
        #expect(abs(isolated[5, 120] - image[110, 120]) < 0.02)      // left of it: the lit paper
        #expect(segment(isolated).first?.digits.count == 3)
    }

    /// The picture's border is no cut in the page: a page reaching it is shrunk there as
    /// elsewhere, so its blurred edge is not kept as a stroke.
    @Test("A page reaching the picture's border loses its edge there too")
    func pageAtBorder() throws {
        let (image, _) = pageOnSurface(x: 199)
        let sheet = try #require(Sheet.isolated(image))
        #expect(sheet.contains(x: 300, y: 120))
        #expect(!sheet.contains(x: 398, y: 120) && !sheet.contains(x: 397, y: 120))
        #expect(!sheet.contains(x: 199, y: 120) && !sheet.contains(x: 200, y: 120))
    }

    /// A small photo is looked at whole, sensor noise and all (a tenth of the surface's pixels
    /// more than 0.1 off its tone): the noise is no feature of the surface.
    @Test("A small noisy photo of a page on a desk is a sheet")
    func noisySmallPhoto() throws {
        let (clean, _) = pageOnSurface(width: 300, height: 200, x: 50, y: 55)
        var noisy = Page(width: 300, height: 200)
        noisy.image = clean
        noisy.noise(0.06, seed: 7)
        let found = Sheet.isolated(noisy.image)
        #expect(found != nil)
        guard let sheet = found else { return }
        #expect(sheet.contains(x: 150, y: 100) && !sheet.contains(x: 10, y: 10))
        #expect(!sheet.contains(x: 51, y: 100) && !sheet.contains(x: 248, y: 100))    // its blurred edge
    }

    /// A page photographed at an angle is a trapezoid: its far side here 70% of its near
    /// one, so its hull fills 85% of the smallest rectangle around it.
    @Test("A page seen at an angle is a sheet")
    func foreshortenedPage() throws {
        var image = GrayImage(width: 400, height: 260, fill: 0.15)
        for y in 60..<200 {
            let half = 100 - 30 * Double(200 - y) / 140          // 70 at the top, 100 at the bottom
            for x in Int(200 - half)..<Int(200 + half) { image[x, y] = 0.92 }
        }
        for i in 0..<3 { for y in 110..<150 { for x in (140 + 45 * i)..<(166 + 45 * i) where x < 144 + 45 * i || x >= 162 + 45 * i || y < 114 || y >= 146 {
            image[x, y] = 0.1
        } } }
        let found = Sheet.isolated(image)
        #expect(found != nil)
        guard let sheet = found else { return }
        #expect(sheet.contains(x: 200, y: 130) && !sheet.contains(x: 120, y: 70) && !sheet.contains(x: 200, y: 30))
        #expect(segment(sheet.gray).first?.digits.count == 3)
    }

    /// A close-up: the page runs off the picture on three sides, the desk shows along the
    /// fourth (its edge turned a little). The desk is painted and its edge is not read.
    @Test("A page running off the picture, the desk along one side")
    func closeUp() throws {
        var image = GrayImage(width: 300, height: 160, fill: 0.92)
        for y in 0..<160 { for x in 0..<(45 + y / 16) { image[x, y] = 0.2 } }
        for i in 0..<3 {
            for y in 50..<110 { for x in (90 + 60 * i)..<(130 + 60 * i) where x < 96 + 60 * i || x >= 124 + 60 * i || y < 56 || y >= 104 {
                image[x, y] = 0.1
            } }
        }
        let found = Sheet.isolated(image)
        #expect(found != nil)
        guard let sheet = found else { return }
        #expect(sheet.contains(x: 150, y: 80) && !sheet.contains(x: 20, y: 80) && !sheet.contains(x: 47, y: 80))
        #expect(segment(sheet.gray).flatMap(\.digits).count == 3)
    }

    /// A small noisy close-up, the desk's edge turned: where the page meets the picture's
    /// border beside the desk, a few of its pixels lie beyond the sheet's hull; they are
    /// paper, not marks on the desk.
    @Test("A small noisy close-up with the desk along one side")
    func smallCloseUp() throws {
        var page = Page(width: 100, height: 64)
        for y in 0..<64 { for x in 0..<(14 + y / 8) { page.image[x, y] = 0.3 } }
        for i in 0..<3 { page.ring(34 + 22 * i, 18, 16, 28, t: 3) }
        page.noise(0.03, seed: 11)
        let found = Sheet.isolated(page.image)
        #expect(found != nil)
        guard let sheet = found else { return }
        #expect(sheet.contains(x: 60, y: 32) && !sheet.contains(x: 8, y: 32))
    }

    /// Light falling off across a page is no desk: the border's darker part is a gradient,
    /// not a step down.
    @Test("A page darkening towards one side is not a sheet")
    func gradientPage() {
        var image = GrayImage(width: 300, height: 160, fill: 0.92)
        for y in 0..<160 { for x in 0..<300 { image[x, y] = 0.95 - 0.45 * Float(x) / 299 } }
        for i in 0..<3 { for y in 50..<110 { for x in (60 + 60 * i)..<(66 + 60 * i) { image[x, y] = 0.1 } } }
        #expect(Sheet.isolated(image) == nil)
    }

    /// A shadow down the middle of the page: above and below it the surface takes the tone
    /// of the nearest point of the page's edge, not of the row's ends.
    @Test("The surface takes the tone of the nearest point of the page")
    func nearestTone() throws {
        var (image, _) = pageOnSurface()
        for y in 80..<170 { for x in 170..<230 { image[x, y] *= 0.6 } }
        let isolated = try #require(Sheet.isolated(image)).gray
        #expect(abs(isolated[200, 10] - image[200, 85]) < 0.02)     // above the shadow
        #expect(abs(isolated[200, 250] - image[200, 165]) < 0.02)   // below it
        #expect(abs(isolated[120, 10] - image[120, 85]) < 0.02)     // above the lit paper
    }

    @Test("No sheet: a page that fills the picture, a blank sheet, a busy surface, a light surface")
    func noSheet() {
        var page = Page(width: 200, height: 90)
        for i in 0..<3 { page.ring(20 + 50 * i, 25, 26, 40) }
        #expect(Sheet.isolated(GrayImage(width: 200, height: 90, pixels: page.image.pixels)) == nil)
        #expect(Sheet.isolated(Page(width: 300, height: 200).image) == nil)
        let blank = GrayImage(width: 400, height: 260, fill: 0.15)
        var sheet = blank
        for y in 80..<170 { for x in 100..<300 { sheet[x, y] = 0.92 } }
        #expect(Sheet.isolated(sheet) == nil)                     // nothing written on it
        var busy = pageOnSurface().0
        for i in 0..<6 { for y in 10..<40 { for x in (20 + 60 * i)..<(24 + 60 * i) { busy[x, y] = 0.8 } } }
        #expect(Sheet.isolated(busy) == nil)                      // marks on the "surface": a shadow, not a table
        #expect(Sheet.isolated(pageOnSurface(surface: 0.8).0) == nil)        // 0.12 darker than the paper
        #expect(Sheet.isolated(pageOnSurface(surface: 0.75).0) != nil)       // 0.17: a shadowed page on a light desk
    }

    /// An inverted page: light strokes on a dark ground. A thick light 0 with its hole is
    /// a light component with a dark mark in its hull, but an oval, not a sheet.
    @Test("A thick light 0 on a dark page is not a sheet")
    func lightZero() {
        var image = GrayImage(width: 200, height: 200, fill: 0.1)
        for y in 0..<200 {
            for x in 0..<200 {
                let (dx, dy) = (Double(x) - 100, Double(y) - 100)
                let r = (dx * dx / (60 * 60) + dy * dy / (80 * 80)).squareRoot()
                if r <= 1 && r >= 0.45 { image[x, y] = 0.9 }
            }
        }
        #expect(Sheet.isolated(image) == nil)
    }

    /// The climbing search against every choice of four corners.
    @Test("The largest quadrilateral on a convex polygon's corners, against trying them all")
    func largestQuadrilateral() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<40 {
            let points = (0..<40).map { _ in (x: Double.random(in: 0...100, using: &rng), y: Double.random(in: 0...60, using: &rng)) }
            let hull = Sheet.convexHull(points)
            var best = 0.0
            for a in hull.indices { for b in (a + 1)..<hull.count { for c in (b + 1)..<hull.count { for d in (c + 1)..<hull.count {
                best = max(best, Sheet.area(of: [hull[a], hull[b], hull[c], hull[d]]))
            } } } }
            #expect(abs(Sheet.largestQuadrilateralArea(in: hull) - best) < 1e-9)
        }
        // A regular octagon: the square on every other corner, √2/2 of it.
        let octagon = (0..<8).map { k in (x: cos(Double(k) * .pi / 4), y: sin(Double(k) * .pi / 4)) }
        #expect(abs(Sheet.largestQuadrilateralArea(in: octagon) / Sheet.area(of: octagon) - 0.5.squareRoot()) < 1e-9)
    }

    @Test("Convex hull, polygon area, smallest rectangle and row spans")
    func geometry() {
        let square = [(x: 0.0, y: 0.0), (x: 4, y: 0), (x: 4, y: 4), (x: 0, y: 4), (x: 2, y: 2), (x: 1, y: 3)]
        let hull = Sheet.convexHull(square)
        #expect(hull.count == 4)
        #expect(Sheet.area(of: hull) == 16)
        #expect(abs(Sheet.smallestRectangleArea(around: hull) - 16) < 1e-9)
        // A square turned 45°: its axis-aligned box is twice its area, the smallest rectangle is itself.
        let diamond = [(x: 2.0, y: 0.0), (x: 4, y: 2), (x: 2, y: 4), (x: 0, y: 2)]
        #expect(abs(Sheet.smallestRectangleArea(around: diamond) - 8) < 1e-9)
        let spans = Sheet.rowSpans(of: Sheet.convexHull(diamond), height: 6)
        #expect(spans[0] == 2...2 && spans[1] == 1...3 && spans[2] == 0...4 && spans[3] == 1...3)
        #expect(spans[5] == nil)
    }
}

