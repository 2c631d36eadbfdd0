import NumeralVision

/// The model-free first half of reading: at what scale the reader looks at an image and
/// the ink it finds there. `NumberReader` holds one; `ReaderCrops` and `LineSet.make`, which
/// cut training material the way the reader does, need only this (no model to load).
public struct ReaderScale: Sendable {
    /// Images are first analysed shrunk (by an integer factor) to at most this many pixels...
    public var coarsePixels = 300_000
    /// ...and kept at that scale when their digits are at least this many pixels high there;
    /// otherwise at the integer factor that gives digits this high (or full resolution).
    public var workingDigitHeight = 36.0
    /// Images at most this many pixels on their longer side where nothing digit-like is
    /// found are read again enlarged 3 times.
    public var smallImageSide = 200
    /// Images at most this many pixels wide and high hold one digit (see `NumberReader.readCell`).
    public var cellSide = 32

    public init() {}

    /// The ink of an image at the scale the reader works at, and that scale: a working
    /// pixel is `factor` original pixels (below 1 for enlarged images).
    ///
    /// The reader looks first at a coarse copy (at most `coarsePixels`) and keeps it when
    /// the digits are tall enough there, else goes back to the finest resolution they need.
    /// A small image where nothing digit-like was found at all is read from a copy enlarged
    /// 3 times (with so few pixels the paper's noise estimate swallows the ink). Small digits
    /// are otherwise read at their own size: the line reader scales each line to 20-pixel
    /// digits itself, and enlarging images with digits under 24 pixels 2-3 times first (as
    /// the reader did before it had a line model) broke more numbers than it fixed.
    ///
    /// `page` is what `page(_:)` found; `inverted` overrides the polarity `Polarity` finds.
    func workingInk(_ page: Page, inverted: Bool? = nil) -> (ink: InkImage, factor: Double) {
        let gray = page.gray
        func ink(_ image: GrayImage, factor: Double) -> (ink: InkImage, factor: Double) {
            let ink = Binarization.run(image, inverted: inverted)
            return (page.sheet?.clearing(ink, scale: factor) ?? ink, factor)
        }
        let area = gray.width * gray.height
        let coarse = area > coarsePixels ? Int((Double(area) / Double(coarsePixels)).squareRoot().rounded(.up)) : 1
        let first = ink(Resample.shrink(gray, factor: coarse), factor: Double(coarse))
        if coarse > 1 {
            let height = Segmenter().typicalDigitHeight(first.ink)
            let wanted = height.map { max(1, min(coarse, Int($0 * Double(coarse) / workingDigitHeight))) } ?? 1
            if wanted < coarse { return ink(Resample.shrink(gray, factor: wanted), factor: Double(wanted)) }
        } else if (cellSide + 1...smallImageSide).contains(max(gray.width, gray.height)), Segmenter().typicalDigitHeight(first.ink) == nil {
            return ink(Resample.resize(gray, width: gray.width * 3, height: gray.height * 3), factor: 1.0 / 3)
        }
        return first
    }

    /// What the reader reads of a gray photo: the whole picture, or a sheet photographed on
    /// a darker surface (`Sheet`) with the surface painted over and ink found there ignored.
    struct Page {
        var gray: GrayImage
        var sheet: Sheet.Found?
    }

    func page(_ gray: GrayImage) -> Page {
        let sheet = Sheet.isolated(gray)
        return Page(gray: sheet?.gray ?? gray, sheet: sheet)
    }

    /// Whether working ink is one character cell (an image no larger than `cellSide`, kept
    /// at full resolution).
    func isCell(_ ink: InkImage, factor: Double) -> Bool {
        factor == 1 && ink.width <= cellSide && ink.height <= cellSide
    }

    /// Every candidate digit the segmenter cuts out of an image, right or wrong: its box and
    /// its ink pixels (indices `y * width + x`) in the image's pixels, and the 28x28 input the
    /// model would see. The material for training the model on the reader's own cuts
    /// (`ReaderCrops`). Images small enough to be one cell give nothing.
    public func candidateDigits(raster: Raster) -> [(box: Box, pixels: [Int], input: [Float])] {
        let (ink, factor) = workingInk(page(Grayscale.convert(raster).image))
        guard !isCell(ink, factor: factor) else { return [] }
        return Segmenter().candidateDigits(ink).map { c in
            let s = c.box.scaled(by: factor, width: raster.width, height: raster.height)
            // A working pixel's centre, in the image's pixels.
            var pixels = Set<Int>()
            for p in c.pixels {
                let x = min(raster.width - 1, Int((Double(p % ink.width) + 0.5) * factor))
                let y = min(raster.height - 1, Int((Double(p / ink.width) + 0.5) * factor))
                pixels.insert(y * raster.width + x)
            }
            return (Box(x: s.minX, y: s.minY, width: s.width, height: s.height), pixels.sorted(), c.input)
        }
    }

    /// The line image of the one number the reader finds around `marks` (boxes in the
    /// image's pixels: every digit and separator drawn), or nil when it finds none, or
    /// another number shares the marks, or a mark's centre lies outside the number.
    func lineImage(of raster: Raster, marks: [BoundingBox]) -> LineNormalization.Line? {
        let (ink, factor) = workingInk(page(Grayscale.convert(raster).image))
        guard !isCell(ink, factor: factor), !marks.isEmpty else { return nil }
        let scaled = marks.map { m in
            BoundingBox(minX: Int(Double(m.minX) / factor), minY: Int(Double(m.minY) / factor),
                        maxX: Int((Double(m.maxX) / factor).rounded(.up)), maxY: Int((Double(m.maxY) / factor).rounded(.up)))
        }
        let truth = scaled.reduce(BoundingBox.empty) { $0.union($1) }
        let (numbers, labels) = Segmenter().numbers(ink)
        let touching = numbers.filter { $0.box.horizontalOverlap(truth) > 0 && $0.box.verticalOverlap(truth) > 0 }
        guard touching.count == 1, let number = touching.first else { return nil }
        let slack = 0.15 * number.digitHeight
        for m in scaled {
            guard m.centerX >= Double(number.box.minX) - slack, m.centerX <= Double(number.box.maxX) + slack,
                  m.centerY >= Double(number.box.minY) - slack, m.centerY <= Double(number.box.maxY) + slack else { return nil }
        }
        return LineNormalization.normalize(number, ink: ink.ink, labels: labels)[0]
    }
}
