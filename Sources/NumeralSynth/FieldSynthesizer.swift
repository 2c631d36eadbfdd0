public import NumeralCore
public import NumeralVision
import Foundation

/// Crops of handwritten amount fields as banks and registers have them, drawn from real
/// glyphs (`GlyphBank`): training material for the field recogniser and a dev set
/// (`numeral synth --preset field`), not a target to tune the reader's rules on.
///
/// What a field holds: 1–7 digits (mostly 4–6, round thousands common), thousands
/// separators, a trailing `.-` `-` `=` `/-` `/=` on about half the amounts; single digits
/// and 1–3 digit register numbers too. How it looks: per-glyph size jitter, gaps from
/// overlapping to wide, baseline wobble, slant, straight joins between digits, thick, thin
/// and faint ink; paper with gradients, security hatching and guilloche waves up to about
/// half as dark as the ink, ruled and box lines, speckle; margins that may cut the digits;
/// blur, noise and JPEG down to quality 30.
public struct FieldSynthesizer: Sendable {
    public var bank: GlyphBank
    /// Share of fields on security hatching (one or two layers of fine parallel lines).
    public var hatchedShare = 0.4
    /// Share of fields with guilloche waves.
    public var guillocheShare = 0.35
    /// The marks written after an amount.
    public static let trailingMarks = [".-", "-", "=", "/-", "/=", ",-", ".=", "-."]

    public init(bank: GlyphBank) { self.bank = bank }

    /// One field: the picture (luminance, 0 black, 1 white) and its text.
    public func sample(using rng: inout some RandomNumberGenerator) -> (image: GrayImage, text: String) {
        let text = Self.text(using: &rng)
        return (draw(text, using: &rng), text)
    }

    // MARK: - Texts

    /// A field's text: nothing (3%: a blank field, to be read as nothing), a single digit
    /// (15%), a register number of 1–3 digits (20%) or an amount.
    public static func text(using rng: inout some RandomNumberGenerator) -> String {
        let kind = Double.random(in: 0..<1, using: &rng)
        if kind > 0.97 { return "" }
        if kind < 0.15 { return String(Int.random(in: 0...9, using: &rng)) }
        if kind < 0.35 { return String(Int.random(in: 1...(Bool.random(using: &rng) ? 99 : 999), using: &rng)) }
        let lengths = [1: 3, 2: 7, 3: 15, 4: 25, 5: 25, 6: 17, 7: 8]
        var pick = Int.random(in: 0..<100, using: &rng), length = 1
        for (n, w) in lengths.sorted(by: { $0.key < $1.key }) { if pick < w { length = n; break }; pick -= w }
        var digits = String(Int.random(in: 1...9, using: &rng))
        for _ in 1..<max(1, length) { digits.append(String(Int.random(in: 0...9, using: &rng))) }
        if length >= 4, Double.random(in: 0..<1, using: &rng) < 0.35 {
            // Round thousands (or hundreds).
            let zeros = Bool.random(using: &rng) ? 3 : 2
            digits = String(digits.prefix(length - zeros)) + String(repeating: "0", count: zeros)
        }
        var text = digits
        if length >= 4, Bool.random(using: &rng) {
            let separator: Character = Double.random(in: 0..<1, using: &rng) < 0.6 ? "." : ","
            var grouped = ""
            for (i, c) in digits.enumerated() {
                if i > 0, (length - i) % 3 == 0 { grouped.append(separator) }
                grouped.append(c)
            }
            text = grouped
        }
        let tail = Double.random(in: 0..<1, using: &rng)
        if tail < 0.45 {
            text += trailingMarks.randomElement(using: &rng)!
        } else if tail < 0.53 {
            text += (Bool.random(using: &rng) ? "," : ".") + (Bool.random(using: &rng) ? "00" : String(format: "%02d", Int.random(in: 0...99, using: &rng)))
        }
        return text
    }

    // MARK: - Drawing

    /// `text` drawn as a field crop.
    public func draw(_ text: String, using rng: inout some RandomNumberGenerator) -> GrayImage {
        // Digit height in pixels: the recogniser sees 28-row crops, so larger renders cost
        // time without teaching more; real fields of 35-50 pixels hold digits of 20-35.
        let h = Float.random(in: 14...42, using: &rng)
        let stroke = h * Float.random(in: 0.06...0.13, using: &rng)   // pen width of drawn marks
        let slant = Float.random(in: -0.3...0.3, using: &rng)
        let source = Int.random(in: 0..<bank.sources.count, using: &rng)
        let single = text.count == 1
        // Layout: each character's ink placed on a canvas with room above and below.
        let top = h * Float.random(in: 0.25...0.7, using: &rng)
        let bottom = h * Float.random(in: 0.25...0.7, using: &rng)
        var items: [(ink: InkGlyph, x: Float, y: Float)] = []
        var x: Float = 0
        var previousRight: Float? = nil
        var joins: [(Float, Float, Float, Float)] = []
        for (i, c) in text.enumerated() {
            let gap = i == 0 ? 0 : h * Float.random(in: -0.12...0.35, using: &rng)
            x += gap
            let wobble = h * Float.random(in: -0.07...0.07, using: &rng)
            if let d = c.wholeNumberValue {
                var s = source
                if Double.random(in: 0..<1, using: &rng) < 0.15 { s = Int.random(in: 0..<bank.sources.count, using: &rng) }
                let glyphs = bank.sources[s].glyphs[d]
                let g = glyphs[Int.random(in: 0..<glyphs.count, using: &rng)]
                let gh = h * Float.random(in: 0.85...1.1, using: &rng)
                let aspect = Float.random(in: 0.85...1.15, using: &rng)
                let scaled = Self.scaled(g, height: gh, widthScale: aspect, slant: slant)
                if let right = previousRight, i > 0, !single, Double.random(in: 0..<1, using: &rng) < 0.25 {
                    // A pen stroke joining the previous digit's foot to this one.
                    // A ligature rises from the foot to the next digit's first stroke; a level
                    // one would be a minus.
                    joins.append((right - stroke, top + h * Float.random(in: 0.75...0.95, using: &rng),
                                  x + Float(scaled.width) * 0.3, top + h * Float.random(in: 0.05...0.45, using: &rng)))
                }
                items.append((scaled, x, top + h - gh + wobble))
                x += Float(scaled.width)
                previousRight = x
            } else {
                let mark = Self.mark(c, h: h, stroke: stroke, slant: slant, using: &rng)
                items.append((mark.glyph, x, top + mark.y + wobble))
                x += Float(mark.glyph.width)
                previousRight = nil
            }
        }
        if text.isEmpty { x = h * Float.random(in: 1...5, using: &rng) }
        let left = h * (single ? Float.random(in: 0.15...0.6, using: &rng) : Float.random(in: -0.1...0.7, using: &rng))
        let right = h * (single ? Float.random(in: 0.15...0.6, using: &rng) : Float.random(in: -0.1...0.7, using: &rng))
        let width = max(4, Int((left + x + right).rounded()))
        let height = max(4, Int((top + h + bottom).rounded()))
        var ink = [Float](repeating: 0, count: width * height)
        for item in items {
            let ox = Int((left + item.x).rounded()), oy = Int(item.y.rounded())
            for gy in 0..<item.ink.height {
                let y = oy + gy
                guard y >= 0, y < height else { continue }
                for gx in 0..<item.ink.width {
                    let x = ox + gx
                    guard x >= 0, x < width else { continue }
                    ink[y * width + x] = max(ink[y * width + x], item.ink.ink[gy * item.ink.width + gx])
                }
            }
        }
        for (x0, y0, x1, y1) in joins {
            Self.segment(&ink, width: width, height: height, from: (left + x0, y0), to: (left + x1, y1), pen: stroke * 0.6)
        }
        if h > 24 {
            let pen = Double.random(in: 0..<1, using: &rng)
            if pen < 0.25 { ink = Self.spread(ink, width: width, height: height, grow: true) }
            else if pen < 0.4 { ink = Self.spread(ink, width: width, height: height, grow: false) }
        }
        if Double.random(in: 0..<1, using: &rng) < 0.2 {
            // Patchy ink: a pen running dry.
            for i in ink.indices where ink[i] > 0 { ink[i] *= Float.random(in: 0.5...1, using: &rng) }
        }
        let inkTone = Float.random(in: 0.3...0.95, using: &rng)
        var paper = background(width: width, height: height, h: h, inkTone: inkTone, baseline: top + h, using: &rng)
        for i in paper.indices { paper[i] *= 1 - inkTone * ink[i] }
        return degraded(GrayImage(width: width, height: height, pixels: paper), h: h, using: &rng)
    }

    /// A glyph scaled to `height` rows (its width by the same factor times `widthScale`) and
    /// slanted (`slant` columns per row, leaning right upwards).
    static func scaled(_ g: InkGlyph, height: Float, widthScale: Float, slant: Float) -> InkGlyph {
        let sy = height / Float(g.height), sx = sy * widthScale
        let w = max(1, Int((Float(g.width) * sx).rounded())), hh = max(1, Int(height.rounded()))
        let src = GrayImage(width: g.width, height: g.height, pixels: g.ink)
        let resized = Resample.resize(src, width: w, height: hh)
        let shift = abs(slant) * Float(hh)
        let outW = w + Int(shift.rounded(.up))
        var out = [Float](repeating: 0, count: outW * hh)
        for y in 0..<hh {
            let offset = slant >= 0 ? slant * Float(hh - 1 - y) : -slant * Float(y)
            let o = Int(offset), f = offset - Float(o)
            for x in 0..<w {
                let v = resized.pixels[y * w + x]
                out[y * outW + x + o] += v * (1 - f)
                if x + o + 1 < outW { out[y * outW + x + o + 1] += v * f }
            }
        }
        return InkGlyph(raw: outW, hh, out)
    }

    /// A separator or trailing mark's ink and its top relative to the digits' top.
    static func mark(_ c: Character, h: Float, stroke: Float, slant: Float,
                     using rng: inout some RandomNumberGenerator) -> (glyph: InkGlyph, y: Float) {
        let pen = max(1.2, stroke)
        switch c {
        case ".", ",":
            let w = Int((pen * 2.2).rounded(.up)) + 2
            let tall = c == "," ? Int(pen * 3.5) + 2 : w
            var ink = [Float](repeating: 0, count: w * tall)
            segment(&ink, width: w, height: tall, from: (Float(w) / 2, Float(w) / 2), to: (Float(w) / 2 + 0.1, Float(w) / 2), pen: pen * 1.4)
            if c == "," { segment(&ink, width: w, height: tall, from: (Float(w) / 2, Float(w) / 2), to: (Float(w) * 0.2, Float(tall) - pen / 2), pen: pen) }
            return (InkGlyph(raw: w, tall, ink), h - Float(w) * 0.8)
        case "-", "=":
            let length = h * Float.random(in: 0.3...0.65, using: &rng)
            let w = Int(length.rounded(.up)) + Int(pen) + 2
            let lines = c == "=" ? 2 : 1
            let spacing = h * Float.random(in: 0.18...0.3, using: &rng)
            let tall = Int((pen + spacing * Float(lines - 1)).rounded(.up)) + 3
            var ink = [Float](repeating: 0, count: w * tall)
            let tilt = h * Float.random(in: -0.06...0.06, using: &rng)
            for k in 0..<lines {
                let y = pen / 2 + 1 + Float(k) * spacing
                segment(&ink, width: w, height: tall, from: (pen / 2 + 1, y + tilt / 2), to: (Float(w) - pen / 2 - 1, y - tilt / 2), pen: pen)
            }
            return (InkGlyph(raw: w, tall, ink), h * Float.random(in: 0.4...0.65, using: &rng) - Float(tall) / 2)
        default: // "/"
            let tall = Int((h * Float.random(in: 0.7...1.05, using: &rng)).rounded())
            let lean = Float(tall) * Float.random(in: 0.3...0.6, using: &rng)
            let w = Int(lean + pen * 2 + 2)
            var ink = [Float](repeating: 0, count: w * tall)
            segment(&ink, width: w, height: tall, from: (pen + 1, Float(tall) - pen / 2), to: (Float(w) - pen - 1, pen / 2), pen: pen)
            return (InkGlyph(raw: w, tall, ink), h - Float(tall) + h * 0.05)
        }
    }

    /// An anti-aliased straight stroke of width `pen` into `ink` (maximum with what is there).
    static func segment(_ ink: inout [Float], width: Int, height: Int, from a: (Float, Float), to b: (Float, Float), pen: Float,
                        tone: Float = 1) {
        let r = pen / 2
        let x0 = max(0, Int(min(a.0, b.0) - r - 1)), x1 = min(width - 1, Int(max(a.0, b.0) + r + 1))
        let y0 = max(0, Int(min(a.1, b.1) - r - 1)), y1 = min(height - 1, Int(max(a.1, b.1) + r + 1))
        guard x0 <= x1, y0 <= y1 else { return }
        let dx = b.0 - a.0, dy = b.1 - a.1, length2 = max(dx * dx + dy * dy, 1e-6)
        for y in y0...y1 {
            for x in x0...x1 {
                let px = Float(x) + 0.5 - a.0, py = Float(y) + 0.5 - a.1
                let t = min(1, max(0, (px * dx + py * dy) / length2))
                let ex = px - t * dx, ey = py - t * dy
                let coverage = min(1, max(0, r + 0.5 - (ex * ex + ey * ey).squareRoot())) * tone
                ink[y * width + x] = max(ink[y * width + x], coverage)
            }
        }
    }

    /// A 3x3 maximum (thicker pen) or minimum (thinner) of the ink.
    static func spread(_ ink: [Float], width: Int, height: Int, grow: Bool) -> [Float] {
        var out = ink
        for y in 0..<height {
            for x in 0..<width {
                var v = ink[y * width + x]
                for yy in max(0, y - 1)...min(height - 1, y + 1) {
                    for xx in max(0, x - 1)...min(width - 1, x + 1) {
                        v = grow ? max(v, ink[yy * width + xx]) : min(v, ink[yy * width + xx])
                    }
                }
                out[y * width + x] = v
            }
        }
        return out
    }

    /// Paper: a tone with a gradient and a tint, and sometimes security printing (hatching,
    /// guilloche waves), ruled or box lines and speckle, as luminance.
    func background(width: Int, height: Int, h: Float, inkTone: Float, baseline: Float,
                    using rng: inout some RandomNumberGenerator) -> [Float] {
        let tone = Float.random(in: 0.62...1, using: &rng)
        let gx = Float.random(in: -0.15...0.15, using: &rng) / Float(width), gy = Float.random(in: -0.1...0.1, using: &rng) / Float(height)
        var paper = [Float](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<width { paper[y * width + x] = min(1, max(0.3, tone + gx * Float(x) + gy * Float(y))) } }
        var print = [Float](repeating: 0, count: width * height)   // darkness of the printing, 0...1
        if Double.random(in: 0..<1, using: &rng) < hatchedShare {
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                let angle = Float.random(in: 0..<Float.pi, using: &rng)
                let spacing = Float.random(in: 2.5...9, using: &rng)
                let contrast = inkTone * Float.random(in: 0.08...0.55, using: &rng)
                let (c, s) = (cos(angle), sin(angle))
                let thick = Float.random(in: 0.25...0.5, using: &rng)
                for y in 0..<height {
                    for x in 0..<width {
                        let u = (Float(x) * c + Float(y) * s) / spacing
                        let phase = u - u.rounded(.down)
                        if phase < thick { print[y * width + x] = max(print[y * width + x], contrast) }
                    }
                }
            }
        }
        if Double.random(in: 0..<1, using: &rng) < guillocheShare {
            for _ in 0..<Int.random(in: 2...6, using: &rng) {
                let amplitude = Float(height) * Float.random(in: 0.05...0.4, using: &rng)
                let wavelength = h * Float.random(in: 0.5...4, using: &rng)
                let phase = Float.random(in: 0..<(2 * Float.pi), using: &rng)
                let centre = Float.random(in: 0...Float(height), using: &rng)
                let contrast = inkTone * Float.random(in: 0.1...0.55, using: &rng)
                var previous: (Float, Float)? = nil
                for x in stride(from: Float(0), through: Float(width), by: 2) {
                    let point = (x, centre + amplitude * sin(2 * Float.pi * x / wavelength + phase))
                    if let p = previous { Self.segment(&print, width: width, height: height, from: p, to: point, pen: 1.1, tone: contrast) }
                    previous = point
                }
            }
        }
        let lines = Double.random(in: 0..<1, using: &rng)
        if lines < 0.3 {
            // A rule under the amount, or the field's box.
            let contrast = inkTone * Float.random(in: 0.3...1, using: &rng)
            let pen = Float.random(in: 1...2.5, using: &rng)
            let under = baseline + h * Float.random(in: 0.05...0.45, using: &rng)
            Self.segment(&print, width: width, height: height, from: (0, under), to: (Float(width), under), pen: pen, tone: contrast)
            if lines < 0.12 {
                let over = Float.random(in: 0...(h * 0.25), using: &rng)
                Self.segment(&print, width: width, height: height, from: (0, over), to: (Float(width), over), pen: pen, tone: contrast)
            }
        }
        if Double.random(in: 0..<1, using: &rng) < 0.25 {
            for _ in 0..<Int.random(in: 1...(width * height / 150 + 1), using: &rng) {
                let i = Int.random(in: 0..<(width * height), using: &rng)
                print[i] = max(print[i], inkTone * Float.random(in: 0.2...0.9, using: &rng))
            }
        }
        for i in paper.indices { paper[i] *= 1 - print[i] }
        return paper
    }

    /// Blur, scanner noise, a coarser resolution and JPEG.
    func degraded(_ image: GrayImage, h: Float, using rng: inout some RandomNumberGenerator) -> GrayImage {
        var image = image
        if Double.random(in: 0..<1, using: &rng) < 0.35 {
            var out = image.pixels
            let (w, hh) = (image.width, image.height)
            for y in 0..<hh {
                for x in 0..<w {
                    var s: Float = 0, n: Float = 0
                    for yy in max(0, y - 1)...min(hh - 1, y + 1) { for xx in max(0, x - 1)...min(w - 1, x + 1) { s += image.pixels[yy * w + xx]; n += 1 } }
                    out[y * w + x] = s / n
                }
            }
            image.pixels = out
        }
        if Double.random(in: 0..<1, using: &rng) < 0.3, h > 20 {
            let f = Float.random(in: 1.3...2.2, using: &rng)
            let small = Resample.resize(image, width: max(4, Int(Float(image.width) / f)), height: max(4, Int(Float(image.height) / f)))
            image = Resample.resize(small, width: image.width, height: image.height)
        }
        let noise = Float.random(in: 0...0.05, using: &rng)
        if noise > 0.01 {
            for i in image.pixels.indices {
                // The sum of two uniforms (the halves of one draw): close enough to Gaussian noise.
                let r = rng.next()
                let n = (Float(r & 0xFFFF) + Float((r >> 16) & 0xFFFF)) / 65535 - 1
                image.pixels[i] = min(1, max(0, image.pixels[i] + n * noise * 1.7))
            }
        }
        if Double.random(in: 0..<1, using: &rng) < 0.6,
           let decoded = try? JPEG.decode(JPEG.encode(image.raster(), quality: Int.random(in: 30...90, using: &rng)), name: "field") {
            image = Grayscale.convert(decoded).image
        }
        return image
    }
}

extension InkGlyph {
    /// Ink as drawn, not cut to its box.
    init(raw width: Int, _ height: Int, _ ink: [Float]) {
        self.width = width; self.height = height; self.ink = ink.map { min(1, $0) }
    }
}
