import NumeralCore
import NumeralVision
import Testing

/// A white page (luminance 0.92) to draw dark shapes on.
struct Page {
    var image: GrayImage
    init(width: Int, height: Int, paper: Float = 0.92) { image = GrayImage(width: width, height: height, fill: paper) }

    mutating func rect(_ x: Int, _ y: Int, _ w: Int, _ h: Int, ink: Float = 0.1) {
        for yy in max(0, y)..<min(image.height, y + h) { for xx in max(0, x)..<min(image.width, x + w) { image[xx, yy] = ink } }
    }

    /// A 0-like ring: the outline of a w x h rectangle, t thick.
    mutating func ring(_ x: Int, _ y: Int, _ w: Int, _ h: Int, t: Int = 4) {
        rect(x, y, w, t); rect(x, y + h - t, w, t); rect(x, y, t, h); rect(x + w - t, y, t, h)
    }

    /// A 5 whose top bar is detached from the body by a 3-pixel gap.
    mutating func brokenFive(_ x: Int, _ y: Int, _ w: Int, _ h: Int, t: Int = 4) {
        rect(x + 2, y, w - 2, t)                       // the detached bar
        let top = y + t + 3
        rect(x, top, t, (y + h) / 2 - top + t)         // left stroke down to the middle
        rect(x, (y + h) / 2, w, t)                     // middle bar
        rect(x + w - t, (y + h) / 2, t, h / 2 - t)     // right stroke down
        rect(x, y + h - t, w, t)                       // bottom bar
    }

    mutating func noise(_ sigma: Float, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for i in image.pixels.indices { image.pixels[i] = min(1, max(0, image.pixels[i] + sigma * Float.standardNormal(using: &rng))) }
    }

    var inverted: GrayImage { GrayImage(width: image.width, height: image.height, pixels: image.pixels.map { 1 - $0 }) }
}

/// A recogniser that is always sure it sees a 3, so geometry alone decides.
func alwaysThree(_ inputs: [[Float]]) -> [[Float]] { inputs.map { _ in (0..<10).map { $0 == 3 ? Float(1) : 0 } } }

func segment(_ image: GrayImage, classify: DigitClassifier = alwaysThree(_:)) -> [SegmentedLine] {
    Segmenter().segment(Binarization.run(image), classify: classify)
}

@Suite("Segmentation")
struct SegmentationTests {
    @Test("k separated digits give k boxes, left to right", arguments: 1...7)
    func separated(_ k: Int) {
        var page = Page(width: 40 + 44 * k, height: 90)
        for i in 0..<k { page.ring(20 + 44 * i, 25, 26, 40) }
        let lines = segment(page.image)
        #expect(lines.count == 1)
        let boxes = lines.first?.digits.map(\.box) ?? []
        #expect(boxes.count == k)
        for (i, box) in boxes.enumerated() {
            #expect(box == BoundingBox(minX: 20 + 44 * i, minY: 25, maxX: 46 + 44 * i, maxY: 65), "digit \(i)")
        }
    }

    /// Specks a noisy photo leaves: many digit-high marks with little ink. Counted blob by
    /// blob they set the typical digit height (synth-2026-00460.jpg, a 140-pixel 6 among
    /// such specks, was read as 50 characters of 1s and commas: its box was taken for digits).
    @Test("Specks do not set the typical digit height", arguments: [3, 40])
    func specks(_ count: Int) {
        var page = Page(width: 400, height: 200)
        page.ring(150, 30, 70, 140, t: 12)
        for i in 0..<count { page.rect(10 + (i % 20) * 19, i < 20 ? 8 : 178, 2, 10) }
        let height = Segmenter().typicalDigitHeight(Binarization.run(page.image))
        #expect(height == 140)
    }

    /// Image 928 of `numeral synth --count 2000 --seed 78`, a slanted 1 broken in two, read
    /// as two lines "8" and "8": the halves share only a few columns.
    @Test("A slanted stroke broken across its width stays one line")
    func brokenSlantedStroke() {
        var page = Page(width: 160, height: 110)
        for y in 20..<90 where !(48..<51).contains(y) { page.rect(100 - 2 * y / 5, y, 6, 1) }
        let lines = segment(page.image)
        #expect(lines.count == 1, "\(lines.map(\.box))")
    }

    @Test("A 5 with a detached bar stays one digit")
    func brokenFive() {
        var page = Page(width: 160, height: 100)
        page.brokenFive(30, 20, 28, 50)
        page.ring(80, 20, 28, 50)
        let lines = segment(page.image)
        #expect(lines.count == 1 && lines[0].digits.count == 2)
        #expect(lines[0].digits.first?.box == BoundingBox(minX: 30, minY: 20, maxX: 58, maxY: 70))
    }

    @Test("Two rows are two lines, top first; far apart numbers on one row are separate")
    func lines() {
        var page = Page(width: 400, height: 200)
        page.ring(20, 20, 26, 40); page.ring(60, 20, 26, 40)
        page.ring(300, 22, 26, 40)
        page.ring(20, 120, 26, 40)
        let lines = segment(page.image)
        #expect(lines.map(\.digits.count) == [2, 1, 1])
        #expect(lines.map(\.box.minX) == [20, 300, 20])
    }

    @Test("Point, comma and minus are separators, not digits")
    func separators() {
        // "-0.0,0": minus, ring, point, ring, comma, ring.
        var page = Page(width: 330, height: 100)
        page.rect(15, 43, 22, 5)                 // minus at mid-height
        page.ring(50, 20, 26, 50)
        page.rect(88, 63, 6, 6)                  // point on the baseline
        page.ring(105, 20, 26, 50)
        page.rect(143, 62, 5, 16)                // comma hanging below the baseline
        page.ring(160, 20, 26, 50)
        let lines = segment(page.image)
        #expect(lines.count == 1)
        guard let line = lines.first else { return }
        #expect(line.digits.count == 3)
        #expect(line.separators.map(\.kind) == [.minus, .point, .comma])
        #expect(line.separators.map(\.digitsBefore) == [0, 1, 2])
    }

    @Test("A long comma hanging below the digits stays in their line; small digits further down are a line")
    func longComma() {
        // "0,0" whose comma is tall enough to start a band of its own (22 px, most of it
        // below the 50-px digits), and a small "00" well below.
        var page = Page(width: 240, height: 170)
        page.ring(50, 20, 26, 50)
        page.rect(88, 62, 6, 22)
        page.ring(105, 20, 26, 50)
        page.ring(50, 125, 14, 20, t: 3); page.ring(70, 125, 14, 20, t: 3)
        let lines = segment(page.image)
        #expect(lines.map(\.digits.count) == [2, 2])
        #expect(lines.first?.separators.map(\.kind) == [.comma])
    }

    @Test("A point under a digit's corner stays a separator; a point with a tail is a comma")
    func separatorsCloseToDigits() {
        // "0.0,0": the point sits 4 px below the first ring's lower right corner, in its
        // columns (as under a slanting digit); the comma is a dot with a short tail that
        // does not reach below the baseline.
        var page = Page(width: 260, height: 100)
        page.ring(50, 20, 26, 50)
        page.rect(70, 74, 6, 6)
        page.ring(95, 20, 26, 50)
        page.rect(133, 60, 6, 10)
        page.ring(150, 20, 26, 50)
        let lines = segment(page.image)
        #expect(lines.count == 1)
        guard let line = lines.first else { return }
        #expect(line.digits.map(\.box.width) == [26, 26, 26])
        #expect(line.separators.map(\.kind) == [.point, .comma])
        #expect(line.separators.map(\.digitsBefore) == [1, 2])
    }

    @Test("A minus at the start of a sloping line is a minus")
    func minusOnSlope() {
        // The line falls 12 px a digit: the line's median band sits two digits lower than
        // the first digit, beside which the minus is written at mid-height.
        var page = Page(width: 240, height: 130)
        page.rect(8, 43, 22, 5)
        for i in 0..<4 { page.ring(40 + 40 * i, 20 + 12 * i, 26, 50) }
        let lines = segment(page.image)
        #expect(lines.count == 1)
        #expect(lines.first?.digits.count == 4)
        #expect(lines.first?.separators.map(\.kind) == [.minus])
    }

    @Test("A minus touching the first digit is split off as a minus")
    func touchingMinus() {
        var page = Page(width: 200, height: 100)
        page.rect(14, 43, 30, 5)                                // runs into the first ring
        for i in 0..<3 { page.ring(42 + 45 * i, 20, 26, 50) }
        let line = segment(page.image).first
        #expect(line?.separators.map(\.kind) == [.minus])
        #expect(line?.digits.map(\.box.minX) == [42, 87, 132])
    }

    @Test("A flat sliver on the baseline is not a point")
    func sliver() {
        var page = Page(width: 200, height: 100)
        for i in 0..<3 { page.ring(30 + 50 * i, 20, 26, 50) }
        page.rect(60, 66, 12, 2)                                // between the first two digits
        let line = segment(page.image).first
        #expect(line?.digits.count == 3)
        #expect(line?.separators.isEmpty == true)
    }

    @Test("Light ink on a dark ground gives the same digits")
    func polarity() {
        var page = Page(width: 200, height: 90)
        for i in 0..<3 { page.ring(20 + 50 * i, 25, 26, 40) }
        let normal = Binarization.run(page.image), inverted = Binarization.run(page.inverted)
        #expect(!normal.inverted && inverted.inverted)
        #expect(normal.mask == inverted.mask)
        #expect(segment(page.inverted).first?.digits.map(\.box) == segment(page.image).first?.digits.map(\.box))
    }

    @Test("The polarity vote: clear on rings, mirrored by inversion, and a given polarity is kept")
    func polarityVote() {
        var page = Page(width: 200, height: 90)
        for i in 0..<3 { page.ring(20 + 50 * i, 25, 26, 40) }
        let light = Polarity.darkGroundShare(page.image), dark = Polarity.darkGroundShare(page.inverted)
        #expect(light < 0.1 && dark > 0.9, "\(light) \(dark)")
        #expect(abs(light + dark - 1) < 1e-9)
        let forced = Binarization.run(page.image, inverted: true)
        #expect(forced.inverted && forced.darkGroundShare == light)
        #expect(forced.mask != Binarization.run(page.image).mask)
    }

    @Test("A blank page, even or in a shadow, reads nothing", arguments: [0, 1, 2])
    func blank(_ variant: Int) {
        var page = Page(width: 300, height: 200)
        if variant >= 1 {
            for y in 0..<200 { for x in 0..<300 { page.image[x, y] = 0.95 - 0.5 * Float(x) / 300 } }
        }
        if variant == 2 { page.noise(0.02, seed: 3) }
        #expect(segment(page.image).isEmpty)
    }

    @Test("Sensor noise alone reads nothing")
    func noise() {
        for seed in 0..<4 as Range<UInt64> {
            var page = Page(width: 320, height: 240, paper: 0.7)
            page.noise(0.06, seed: seed)
            #expect(segment(page.image).isEmpty, "seed \(seed)")
        }
    }

    @Test("Digits under a shadow are found (uneven light)")
    func shadow() {
        var page = Page(width: 300, height: 120)
        for i in 0..<4 { page.ring(30 + 60 * i, 30, 26, 50) }
        // Darken the right half to a third, ink included.
        for y in 0..<120 { for x in 150..<300 { page.image[x, y] *= 0.35 } }
        page.noise(0.01, seed: 1)
        let ink = Binarization.run(page.image)
        #expect(ink.method == .sauvola)
        #expect(segment(page.image).first?.digits.count == 4)
    }
}

@Suite("Ruled lines and boxes")
struct LineRemovalTests {
    @Test("A ruled line through and under the digits is removed", arguments: [0, 1, 2])
    func ruled(_ slope: Int) {
        var page = Page(width: 260, height: 110)
        for i in 0..<4 { page.ring(30 + 50 * i, 25, 26, 44) }
        // Lines 2 px thick, across the whole page: one through the middle, one under the baseline.
        for x in 0..<260 {
            let dy = slope * x / 40
            page.rect(x, 45 + dy, 1, 2)
            page.rect(x, 72 + dy, 1, 2)
        }
        let lines = segment(page.image)
        #expect(lines.count == 1)
        let boxes = lines.first?.digits.map(\.box) ?? []
        #expect(boxes.count == 4)
        for (i, box) in boxes.enumerated() {
            #expect(abs(box.minX - (30 + 50 * i)) <= 1 && abs(box.maxX - (56 + 50 * i)) <= 1 && box.minY == 25 && abs(box.maxY - 69) <= 1,
                    "digit \(i): \(box)")
        }
    }

    @Test("A stroke lying along a ruled line keeps what is thicker than the line")
    func strokeOnTheLine() {
        // A line 2 px thick across the page, and on it a bar 6 px thick (a 7's top): the bar
        // is thin by the digits' measure (thickness 6) and joined to the line, but three
        // times as thick as the line, so only the line beside it goes.
        let (width, height) = (260, 110)
        var mask = [UInt8](repeating: 0, count: width * height)
        for x in 0..<width { for y in 45..<47 { mask[y * width + x] = 1 } }
        for x in 100..<124 { for y in 43..<49 { mask[y * width + x] = 1 } }
        let erased = LineRemoval.remove(from: &mask, width: width, height: height, thickness: 6,
                                        horizontalLength: 66, verticalLength: 57)
        #expect(erased == 2 * (width - 24))
        #expect(mask[45 * width + 10] == 0 && mask[46 * width + 200] == 0)
        #expect((100..<124).allSatisfy { x in (43..<49).allSatisfy { y in mask[y * width + x] == 1 } })
    }

    @Test("Squared paper joined to the digits is removed, sloping or not", arguments: [0, 1])
    func grid(_ slope: Int) {
        // A 1-px grid every 24 px over the whole page, crossing every digit, so grid and
        // digits are one component as tall as the page.
        var page = Page(width: 260, height: 110)
        for i in 0..<4 { page.ring(30 + 50 * i, 25, 26, 44) }
        for x in 0..<260 { for k in 0..<4 { page.image[x, 10 + 24 * k + slope * x / 40] = 0.1 } }
        for y in 0..<110 { for k in 0..<11 { page.image[5 + 24 * k - slope * y / 40, y] = 0.1 } }
        let boxes = segment(page.image).flatMap { $0.digits.map(\.box) }
        #expect(boxes.count == 4, "\(boxes)")
        for (i, box) in boxes.enumerated() where boxes.count == 4 {
            #expect(abs(box.minX - (30 + 50 * i)) <= 2 && abs(box.maxX - (56 + 50 * i)) <= 2 && abs(box.minY - 25) <= 2
                    && abs(box.maxY - 69) <= 2, "digit \(i): \(box)")
        }
    }

    @Test("Rulings found from the page alone: two parallel lines go, one line or a thick stroke along them stays")
    func rulings() {
        let (width, height) = (200, 80)
        var one = [UInt8](repeating: 0, count: width * height)
        for x in 0..<width { one[40 * width + x] = 1 }
        var mask = one
        #expect(LineRemoval.removeRulings(from: &mask, width: width, height: height) == 0)
        var two = one
        for x in 0..<width { two[60 * width + x] = 1 }
        for x in 50..<80 { for y in 38..<44 { two[y * width + x] = 1 } }   // a bar 6 px thick on the first line
        mask = two
        #expect(LineRemoval.removeRulings(from: &mask, width: width, height: height) == 2 * width - 30)
        #expect((50..<80).allSatisfy { x in (38..<44).allSatisfy { y in mask[y * width + x] == 1 } })
    }

    @Test("Rulings on any mask: only ink is erased, and the count says how much", arguments: 0..<40)
    func rulingsOnRandomMasks(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let width = Int.random(in: 1...60, using: &rng), height = Int.random(in: 1...60, using: &rng)
        let density = Double.random(in: 0...1, using: &rng)
        var before = (0..<(width * height)).map { _ in UInt8(Double.random(in: 0..<1, using: &rng) < density ? 1 : 0) }
        for _ in 0..<Int.random(in: 0...3, using: &rng) {                 // a few rulings across it
            let y = Int.random(in: 0..<height, using: &rng), x = Int.random(in: 0..<width, using: &rng)
            for i in 0..<width { before[y * width + i] = 1 }
            for j in 0..<height { before[j * width + x] = 1 }
        }
        var mask = before
        let erased = LineRemoval.removeRulings(from: &mask, width: width, height: height)
        #expect(zip(before, mask).allSatisfy { $1 <= $0 })
        #expect(erased == zip(before, mask).count { $0 != $1 })
    }

    @Test("Digits in comb boxes keep only the digits")
    func boxes() {
        var page = Page(width: 300, height: 120)
        for i in 0..<4 {
            page.ring(20 + 60 * i, 15, 60, 90, t: 2)           // the box
            page.ring(37 + 60 * i, 35, 26, 50)                 // the digit
        }
        let boxes = segment(page.image).first?.digits.map(\.box) ?? []
        #expect(boxes == (0..<4).map { BoundingBox(minX: 37 + 60 * $0, minY: 35, maxX: 63 + 60 * $0, maxY: 85) })
    }

    @Test("A heavy box around the number and a tall bar beside it are not digits")
    func heavyBox() {
        // Strokes 8 px thick: too thick for the line removal, which looks for thin runs.
        var page = Page(width: 300, height: 140)
        page.ring(20, 15, 170, 110, t: 8)                      // the box
        for i in 0..<3 { page.ring(45 + 45 * i, 45, 26, 50) }  // three digits inside
        page.rect(230, 20, 8, 100)                             // a bar twice their height
        let boxes = segment(page.image).flatMap { $0.digits.map(\.box) }
        #expect(boxes == (0..<3).map { BoundingBox(minX: 45 + 45 * $0, minY: 45, maxX: 71 + 45 * $0, maxY: 95) })
    }

    @Test("The dark surface along a page's edge is not a line of digits; a digit at the edge stays")
    func surfaceAtTheEdge() {
        // A close-up of a page: the desk is a dark band across the top of the picture
        // (synth --desk-fraction 1, seed 78, image 114, read it as "01111113111111").
        var page = Page(width: 300, height: 160)
        page.rect(0, 0, 220, 24)                                 // the desk
        page.ring(0, 70, 26, 50)                                 // a digit cut by the picture's edge
        for i in 0..<3 { page.ring(60 + 45 * i, 70, 26, 50) }    // and three more
        let digits = [BoundingBox(minX: 0, minY: 70, maxX: 26, maxY: 120)]
            + (0..<3).map { BoundingBox(minX: 60 + 45 * $0, minY: 70, maxX: 86 + 45 * $0, maxY: 120) }
        let lines = segment(page.image)
        #expect(lines.count == 1)
        #expect(lines.flatMap { $0.digits.map(\.box) } == digits)
        // What the rule is for: without it the band is read as a line of its own.
        var keeping = Segmenter()
        keeping.surfaceArea = .infinity
        #expect(keeping.segment(Binarization.run(page.image), classify: alwaysThree(_:)).count == 2)
    }
}

@Suite("Thresholds and components")
struct ThresholdTests {
    @Test func otsuSplitsTwoModes() {
        var histogram = [Int](repeating: 0, count: 256)
        histogram[40] = 100; histogram[41] = 50; histogram[200] = 300
        let otsu = Threshold.otsu(histogram: histogram)
        #expect(otsu.threshold >= 41 && otsu.threshold < 200)
    }

    @Test("Two-pass labelling equals flood fill", arguments: [1, 7, 28, 61] as [Int])
    func components(_ size: Int) {
        var rng = SplitMix64(seed: UInt64(size))
        let mask = (0..<(size * (size + 3))).map { _ in UInt8(Double.random(in: 0..<1, using: &rng) < 0.45 ? 1 : 0) }
        let fast = ComponentLabels(mask: mask, width: size, height: size + 3)
        let reference = ComponentLabels.reference(mask: mask, width: size, height: size + 3)
        func key(_ b: BoundingBox, _ a: Int) -> [Int] { [b.minX, b.minY, b.maxX, b.maxY, a] }
        #expect(fast.components.map { key($0.box, $0.area) }.sorted { $0.lexicographicallyPrecedes($1) }
                == reference.map { key($0.box, $0.area) }.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

@Suite("Background")
struct BackgroundTests {
    /// Bright paper (0.9) left of column 200, a shadow (0.45) right of it: 400x120, no ink.
    var shadowed: GrayImage {
        var image = GrayImage(width: 400, height: 120)
        for y in 0..<120 { for x in 0..<400 { image[x, y] = x < 200 ? 0.9 : 0.45 } }
        return image
    }

    @Test("The estimate keeps a hard shadow's edge where it is")
    func closingKeepsTheEdge() {
        let image = shadowed
        // Paper 30 px (between two and three 13-px blocks) into the shadow: a dilation alone
        // (block maxima, then a maximum filter) still sees the bright side there, and the
        // shadowed paper would look like ink.
        let darkness = Background(estimating: image).flatten(image)
        #expect(darkness[230, 60] < 0.05 && darkness[170, 60] < 0.05, "\(darkness[230, 60]) \(darkness[170, 60])")
    }

    @Test("A stroke thicker than a block stays ink under the closed estimate")
    func closingKeepsInk() {
        var image = GrayImage(width: 400, height: 120)
        for i in image.pixels.indices { image.pixels[i] = 0.9 }
        // A bar 20 px wide (a block is 13 px here), darker than the shadow of the test above.
        for y in 20..<100 { for x in 100..<120 { image[x, y] = 0.3 } }
        let darkness = Background(estimating: image).flatten(image)
        #expect(darkness[110, 60] > 0.6 && darkness[50, 60] < 0.05)
    }
}

@Suite("MNIST normalisation")
struct NormalizationTests {
    @Test("The result is centred by mass wherever the digit sits", arguments: [(5, 5), (70, 12), (33, 40)] as [(Int, Int)])
    func centred(_ x: Int, _ y: Int) {
        var ink = GrayImage(width: 120, height: 90)
        // An L shape: its centre of mass is off its box centre.
        for yy in y..<(y + 40) { for xx in x..<(x + 6) { ink[xx, yy] = 1 } }
        for yy in (y + 34)..<(y + 40) { for xx in x..<(x + 25) { ink[xx, yy] = 1 } }
        let labels = ComponentLabels(mask: ink.pixels.map { $0 > 0.5 ? 1 : 0 }, width: 120, height: 90)
        let out = MNISTNormalization.normalize(ink: ink, labelImage: labels.labels, labels: [1],
                                               region: labels.components[0].box)
        var mass: Float = 0, mx: Float = 0, my: Float = 0
        var box = BoundingBox.empty
        for yy in 0..<28 { for xx in 0..<28 where out[yy * 28 + xx] > 0.05 {
            let v = out[yy * 28 + xx]; mass += v; mx += v * Float(xx); my += v * Float(yy); box.include(x: xx, y: yy)
        } }
        #expect(abs(mx / mass - 14) <= 0.6 && abs(my / mass - 14) <= 0.6)
        #expect(max(box.width, box.height) <= 22 && max(box.width, box.height) >= 19)
    }

    @Test("Stroke width is measured")
    func strokeWidth() {
        var image = GrayImage(width: 60, height: 60)
        for y in 10..<50 { for x in 20..<26 { image[x, y] = 1 } }
        #expect(abs(MNISTNormalization.strokeWidth(image) - 6) < 1.5)
    }

    @Test("A thin stroke on a big digit is thickened towards MNIST's")
    func thickened() {
        var image = GrayImage(width: 300, height: 300)
        for y in 0..<300 { for x in 148..<151 { image[x, y] = 1 } }       // 3 px on 300: 0.2 px at 28x28
        for x in 60..<240 { for y in 148..<151 { image[x, y] = 1 } }
        let out = GrayImage(width: 28, height: 28, pixels: MNISTNormalization.normalize(digit: image))
        let width = MNISTNormalization.strokeWidth(out)
        #expect(width > 1.5 && width < 4, "stroke \(width)")
    }
}
