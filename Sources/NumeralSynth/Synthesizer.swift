public import Foundation
public import NumeralCore
public import NumeralData
public import NumeralVision

/// One synthetic image of a handwritten number and what it shows.
public struct SynthSample: Sendable {
    /// What a reader must output: digits with "." "," "-" in place (`-12.5`, `0042`).
    public var label: String
    public var image: Raster
    /// The file's bytes, PNG or JPEG.
    public var encoded: Data
    /// "png" or "jpg".
    public var fileExtension: String
    public var attributes: SynthAttributes
    /// Every mark of `label` (digits and separators), left to right, and where it was drawn.
    public var marks: [SynthMark]
    /// For each pixel of `image` (row-major), the index in `marks` of the mark that inks it
    /// most, -1 where none does.
    public var owners: [Int8]
}

/// A mark drawn in a synthetic image: for labelling what a reader cuts out (`ReaderCrops`).
public struct SynthMark: Sendable, Equatable {
    /// The digit, nil for a separator.
    public var digit: Int?
    /// The box around the mark's rotated ink box, in the image's pixels (empty without ink).
    public var box: BoundingBox
}

/// How a sample was made, for per-category accuracy.
public struct SynthAttributes: Sendable, Equatable {
    public var digitCount: Int
    /// Written digit height, final pixels.
    public var digitHeight: Int
    public var width: Int
    public var height: Int
    public var rotationDegrees: Double
    public var slant: Double
    public var thickness: Double
    /// "single" (one digit), "separate", "touching" or "overlapping": the closest digit pair.
    public var spacing: String
    /// Smallest gap between neighbouring digits' ink in final pixels (negative = overlap); nil for one digit.
    public var minDigitGap: Double?
    public var ink: String
    public var paper: String
    public var texture: Double
    public var illumination: String
    public var rules: String
    public var blur: Double
    public var noise: Double
    /// nil for PNG.
    public var jpegQuality: Int?
    public var inverted: Bool
    public var grayscale: Bool
    /// The page was photographed lying on a desk (`SynthConfiguration.deskFraction`).
    public var desk: Bool
    /// Index in the digit set of every digit drawn, left to right.
    public var sources: [Int]
}

/// Composes images of handwritten numbers from a set of MNIST digits.
///
/// Give it the MNIST **test** set (`SynthSet.loadDigits(from:)`): the recogniser never trained on
/// those digits, so the benchmark measures reading, not memory. Each image is made in this
/// order: number text → digits rendered (size, rotation, slant, thickness) → laid out on a line
/// with measured gaps → line rotated onto the paper with its rules → texture, ink colour and
/// light → downsampled (images under 28 px are rendered larger and area-averaged) → blur,
/// polarity, noise → PNG or JPEG. `SynthConfiguration` documents the defaults.
public struct Synthesizer: Sendable {
    public let digits: Dataset
    public let configuration: SynthConfiguration
    private let indicesByClass: [[Int]]

    public init(digits: Dataset, configuration: SynthConfiguration = SynthConfiguration()) throws(SynthError) {
        var byClass = [[Int]](repeating: [], count: 10)
        for (i, label) in digits.labels.enumerated() { byClass[label].append(i) }
        let missing = (0..<10).filter { byClass[$0].isEmpty }
        guard missing.isEmpty else { throw .noDigits(classes: missing) }
        self.digits = digits
        self.configuration = configuration
        indicesByClass = byClass
    }

    /// Sample number `index` of the set made with `seed`: each sample has its own generator, so
    /// sample 7 is the same whether 10 or 10,000 are made, and samples can be made in any order.
    public func sample(index: Int, seed: UInt64) throws(SynthError) -> SynthSample {
        var mixer = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        var rng = SplitMix64(seed: mixer.next())
        return try sample(using: &rng)
    }

    public func sample(using rng: inout some RandomNumberGenerator) throws(SynthError) -> SynthSample {
        let c = configuration
        let label = NumberText.random(c, using: &rng)
        let marks = NumberText.marks(label)

        // Size: digit height h in final pixels; small images are rendered `factor`× larger.
        let lower = log(c.digitHeight.lowerBound), upper = log(c.digitHeight.upperBound)
        let height = Float(exp(Double.random(in: lower...upper, using: &rng))).rounded()
        let factor = height < 28 ? Int((28 / height).rounded(.up)) : 1
        let h = height * Float(factor)

        // The writer's hand: line rotation (triangular), slant, pen thickness.
        let rotation = Float(c.rotationDegrees) * (Float.random(in: 0...1, using: &rng) + Float.random(in: 0...1, using: &rng) - 1)
        let slant = Float(Double.random(in: c.slant, using: &rng))
        let thickness = Float(Double.random(in: c.thickness, using: &rng))
        let strokeWidth = (2.4 + 2 * thickness) * h / 19

        var glyphs: [Glyph] = [], anchors: [Float] = [], sources: [Int] = []
        for mark in marks {
            switch mark {
            case .digit(let d):
                let index = indicesByClass[d].randomElement(using: &rng)!
                sources.append(index)
                let start = index * Dataset.pixelsPerImage
                let source = DigitSource(pixels: digits.pixels[start..<(start + Dataset.pixelsPerImage)], thickness: thickness)
                let size = h * (1 + Float.random(in: -1...1, using: &rng) * Float(c.sizeJitter))
                let pose = DigitPose(
                    scale: size / max(source.maxY - source.minY, 14),
                    rotation: Float.random(in: -1...1, using: &rng) * Float(c.digitRotationDegrees) * .pi / 180,
                    slant: slant + Float.random(in: -1...1, using: &rng) * Float(c.digitSlantJitter))
                glyphs.append(GlyphRenderer.render(source, pose: pose))
                anchors.append(-size / 2 + Float.random(in: -1...1, using: &rng) * Float(c.baselineJitter) * h)
            case .point, .comma:
                glyphs.append(GlyphRenderer.separator(mark, height: h, strokeWidth: strokeWidth, using: &rng))
                anchors.append(-strokeWidth * 0.7 - Float.random(in: 0...0.05, using: &rng) * h)
            case .minus:
                glyphs.append(GlyphRenderer.separator(mark, height: h, strokeWidth: strokeWidth, using: &rng))
                anchors.append(-h * Float.random(in: 0.4...0.55, using: &rng))
            }
        }

        // Gaps: a share of numbers get touching or overlapping digit pairs; separators stay apart.
        let digitPairs = (1..<max(marks.count, 1)).filter { marks[$0 - 1].isDigit && marks[$0].isDigit }
        var contactPairs = Set<Int>()
        if !digitPairs.isEmpty, Double.random(in: 0..<1, using: &rng) < c.contactFraction {
            contactPairs = Set(digitPairs.filter { _ in Bool.random(using: &rng) })
            if contactPairs.isEmpty { contactPairs.insert(digitPairs.randomElement(using: &rng)!) }
        }
        let gaps: [Float] = (1..<max(marks.count, 1)).map { i in
            if contactPairs.contains(i) {
                return Double.random(in: 0..<1, using: &rng) < c.overlapShare
                    ? -h * Float.random(in: 0.03...0.1, using: &rng)
                    : -h * Float.random(in: 0...0.02, using: &rng)
            }
            if digitPairs.contains(i) {
                let u = Float.random(in: 0...1, using: &rng)
                let span = Float(c.digitGap.upperBound - c.digitGap.lowerBound)
                return max(h * (Float(c.digitGap.lowerBound) + span * u * u), 1.5 * Float(factor))
            }
            return max(h * Float.random(in: 0.06...0.25, using: &rng), 2 * Float(factor))
        }
        let layout = NumberLayout(glyphs: glyphs, anchorY: anchors, gaps: gaps, padding: 2)
        let digitGaps = digitPairs.map { layout.gaps[$0 - 1] }
        let minGap = digitGaps.min()
        let spacing = minGap.map { $0 < -0.025 * h ? "overlapping" : ($0 <= 0 ? "touching" : "separate") } ?? "single"

        // The canvas: the rotated line plus margins, a multiple of `factor`.
        let angle = rotation * .pi / 180
        let (cosA, sinA) = (cos(angle), sin(angle))
        let lineWidth = Float(layout.plane.width), lineHeight = Float(layout.plane.height)
        let rotatedWidth = abs(cosA) * lineWidth + abs(sinA) * lineHeight
        let rotatedHeight = abs(sinA) * lineWidth + abs(cosA) * lineHeight
        let ruling = Ruling.random(c, layout: layout, digitHeight: h, pixel: Float(factor), using: &rng)
        let extra: Float = ruling.kind == .box ? 0.45 * h + ruling.thickness : 0
        let left = h * Float.random(in: 0.15...0.9, using: &rng) + extra
        let right = h * Float.random(in: 0.15...0.9, using: &rng) + extra
        let top = h * Float.random(in: 0.15...0.7, using: &rng) + extra
        let bottom = h * Float.random(in: 0.15...0.7, using: &rng) + extra
        func multiple(_ v: Float) -> Int { (Int(v.rounded(.up)) + factor - 1) / factor * factor }
        let width = multiple(rotatedWidth + left + right), canvasHeight = multiple(rotatedHeight + top + bottom)
        let centreX = left + rotatedWidth / 2, centreY = top + rotatedHeight / 2
        // Each mark's ink box, rotated onto the canvas (line → canvas is the inverse of the
        // mapping below), in final pixels.
        var drawnMarks = zip(marks, layout.markRows).map { mark, rows -> SynthMark in
            let digit: Int? = if case .digit(let d) = mark { d } else { nil }
            var box = (minX: Float.infinity, maxX: -Float.infinity, minY: Float.infinity, maxY: -Float.infinity)
            for row in rows {
                for (lx, ly) in [(row.minX, row.y), (row.maxX, row.y), (row.minX, row.y + 1), (row.maxX, row.y + 1)] {
                    let rx = lx - lineWidth / 2, ry = ly - lineHeight / 2
                    let x = (cosA * rx - sinA * ry + centreX) / Float(factor), y = (sinA * rx + cosA * ry + centreY) / Float(factor)
                    box = (min(box.minX, x), max(box.maxX, x), min(box.minY, y), max(box.maxY, y))
                }
            }
            guard box.minX < box.maxX else { return SynthMark(digit: digit, box: .empty) }
            return SynthMark(digit: digit, box: BoundingBox(minX: Int(box.minX.rounded()), minY: Int(box.minY.rounded()),
                                                            maxX: Int(box.maxX.rounded()), maxY: Int(box.maxY.rounded())))
        }

        // Paper, ink and light.
        let paper = Paper.random(c, using: &rng)
        let texture = paper.texture(width: width, height: canvasHeight, digitHeight: h, using: &rng)
        let light = Illumination.random(c, width: width, height: canvasHeight, using: &rng)
        let lightPlane = light.plane(width: width, height: canvasHeight)
        let blueInk = Double.random(in: 0..<1, using: &rng) < c.blueInkFraction
        let ink = blueInk
            ? RGB(Float.random(in: 0.05...0.2, using: &rng), Float.random(in: 0.12...0.3, using: &rng), Float.random(in: 0.45...0.7, using: &rng))
            : RGB(repeating: Float.random(in: 0.06...0.2, using: &rng), blueShift: Float.random(in: 0...0.05, using: &rng))
        let opacity = Float(Double.random(in: c.inkOpacity, using: &rng))
        let pressureVariation = Float(Double.random(in: c.pressureVariation, using: &rng))
        let pressure = Plane.valueNoise(width: width, height: canvasHeight, cell: 0.3 * h, using: &rng)

        var channels = [Plane](repeating: Plane(width: width, height: canvasHeight), count: 3)
        // The owner of each final pixel is the one of its central render pixel.
        var owners = [Int8](repeating: -1, count: (width / factor) * (canvasHeight / factor))
        let centre = factor / 2
        let (ruleCos, ruleSin) = (cos(-ruling.angle), sin(-ruling.angle))
        for y in 0..<canvasHeight {
            for x in 0..<width {
                let i = y * width + x
                // Canvas → line coordinates: undo the rotation about the line's centre.
                let dx = Float(x) + 0.5 - centreX, dy = Float(y) + 0.5 - centreY
                let lx = cosA * dx + sinA * dy + lineWidth / 2, ly = -sinA * dx + cosA * dy + lineHeight / 2
                let coverage = layout.plane.sample(x: lx, y: ly)
                    * opacity * (1 - pressureVariation * (0.5 + 0.5 * pressure.values[i]))
                if x % factor == centre && y % factor == centre, lx >= 0, ly >= 0,
                   Int(lx) < layout.plane.width, Int(ly) < layout.plane.height {
                    owners[(y / factor) * (width / factor) + x / factor] = layout.owners[Int(ly) * layout.plane.width + Int(lx)]
                }
                var rule: Float = 0
                if ruling.kind != .none {
                    let rx = lx - lineWidth / 2, ry = ly - lineHeight / 2
                    rule = ruling.coverage(x: ruleCos * rx - ruleSin * ry + lineWidth / 2,
                                           y: ruleSin * rx + ruleCos * ry + lineHeight / 2)
                }
                let base = 255 * texture.values[i] * lightPlane.values[i]
                channels[0].values[i] = base * paper.colour.r * (1 - rule * (1 - ruling.colour.r)) * (1 - coverage * (1 - ink.r))
                channels[1].values[i] = base * paper.colour.g * (1 - rule * (1 - ruling.colour.g)) * (1 - coverage * (1 - ink.g))
                channels[2].values[i] = base * paper.colour.b * (1 - rule * (1 - ruling.colour.b)) * (1 - coverage * (1 - ink.b))
            }
        }

        // The camera: downsample, the desk around the page (drawn only when asked for, so
        // the default images are the same), blur, polarity, noise, quantise, encode.
        channels = channels.map { $0.downsampled(by: factor) }
        var desk = false
        if c.deskFraction > 0, Double.random(in: 0..<1, using: &rng) < c.deskFraction {
            desk = true
            (channels, drawnMarks, owners) = Desk.random(c, using: &rng).photograph(channels, marks: drawnMarks, owners: owners, using: &rng)
        }
        var degradation = Degradation.random(c, digitHeight: height, using: &rng)
        if desk { degradation.inverted = false }   // a photographed sheet keeps its ink dark
        let grayscale = Double.random(in: 0..<1, using: &rng) < c.grayscaleFraction
        if grayscale {
            var luma = channels[0]
            for i in luma.values.indices {
                luma.values[i] = 0.299 * channels[0].values[i] + 0.587 * channels[1].values[i] + 0.114 * channels[2].values[i]
            }
            channels = [luma]
        }
        channels = degradation.apply(to: channels, using: &rng)
        let image = Self.quantise(channels)
        let jpegQuality: Int? = Double.random(in: 0..<1, using: &rng) < c.jpegFraction
            ? Int.random(in: c.jpegQuality, using: &rng) : nil
        let encoded: Data
        if let jpegQuality {
            encoded = JPEG.encode(image, quality: jpegQuality)
            if encoded.isEmpty { throw .jpegEncoding(reason: "tjCompress2 failed") }
        } else {
            encoded = PNG.encode(image)
            guard !encoded.isEmpty else { throw .pngEncoding }
        }

        let attributes = SynthAttributes(
            digitCount: sources.count, digitHeight: Int(height), width: image.width, height: image.height,
            rotationDegrees: Double(rotation), slant: Double(slant), thickness: Double(thickness),
            spacing: spacing, minDigitGap: minGap.map { Double($0) / Double(factor) },
            ink: blueInk ? "blue" : "black", paper: paper.kind, texture: Double(paper.textureAmplitude),
            illumination: light.kind, rules: ruling.kind.rawValue,
            blur: Double(degradation.blur), noise: Double(degradation.noise), jpegQuality: jpegQuality,
            inverted: degradation.inverted, grayscale: grayscale, desk: desk, sources: sources)
        return SynthSample(label: label, image: image, encoded: encoded,
                           fileExtension: jpegQuality == nil ? "png" : "jpg", attributes: attributes, marks: drawnMarks, owners: owners)
    }

    /// Grey levels to an 8-bit raster, interleaving the channels.
    static func quantise(_ channels: [Plane]) -> Raster {
        let (width, height) = (channels[0].width, channels[0].height)
        var raster = Raster(width: width, height: height, channels: channels.count)
        for i in 0..<(width * height) {
            for (k, channel) in channels.enumerated() {
                raster.pixels[i * channels.count + k] = UInt8(min(max(channel.values[i].rounded(), 0), 255))
            }
        }
        return raster
    }
}

extension RGB {
    /// A near-black ink, slightly bluish as most "black" ballpoint ink is.
    init(repeating value: Float, blueShift: Float) { self.init(value, value, value + blueShift) }
}
