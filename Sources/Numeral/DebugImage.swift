/// The picture `numeral read --debug` writes: the image with a box around every digit
/// (green when sure, red when uncertain) and separator (blue), the digit read above each
/// box; below it the segmenter's view at the same size (ink black, pixels erased as ruled
/// lines or borders light red, each number found outlined in orange), so an image where
/// nothing or too little was read shows why; and a strip of the 28x28 inputs the
/// recogniser saw, each with its digit and confidence in percent.
public enum DebugImage {
    public static func render(result: ReadResult, details: ReadDetails) -> Raster {
        let original = Drawing.rgb(details.raster)
        // Text and lines scale with the image so they stay visible on big photos.
        let scale = max(1, min(original.width, original.height) / 300)
        let cell = 28 * 2 + 4
        let strip = details.inputs.isEmpty ? 0 : cell + 10 * scale + 6
        let perRow = max(1, original.width / cell)
        let stripRows = details.inputs.isEmpty ? 0 : (details.inputs.count + perRow - 1) / perRow
        let width = max(original.width, min(details.inputs.count, perRow) * cell)
        let panel = details.workingInk == nil ? 0 : original.height
        let stripTop = original.height + panel
        var canvas = Raster(width: width, height: stripTop + stripRows * strip, channels: 3, fill: 255)
        for y in 0..<original.height {
            for x in 0..<original.width {
                for c in 0..<3 { canvas[x, y, c] = original[x, y, c] }
            }
        }
        if let ink = details.workingInk { drawInk(ink, into: &canvas, top: original.height, width: original.width, height: original.height, scale: scale) }
        func bounding(_ b: Box) -> BoundingBox { BoundingBox(minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.height) }
        let green: (UInt8, UInt8, UInt8) = (0, 170, 0), red: (UInt8, UInt8, UInt8) = (220, 0, 0), blue: (UInt8, UInt8, UInt8) = (0, 80, 230)
        for line in result.lines {
            for s in line.separators { Drawing.outline(&canvas, bounding(s.box), thickness: scale, color: blue) }
            for d in line.digits {
                let color = d.uncertain ? red : green
                Drawing.outline(&canvas, bounding(d.box), thickness: scale, color: color)
                let label = d.uncertain ? "?" + String(d.digit) : String(d.digit)
                let glyphScale = max(2, scale * 2)
                let y = max(0, d.box.y - 8 * glyphScale)
                BitmapFont.draw(label, into: &canvas, x: d.box.x, y: y, scale: glyphScale, color: color)
            }
        }
        for (k, (input, d)) in details.inputs.enumerated() {
            let x0 = (k % perRow) * cell + 2, y0 = stripTop + (k / perRow) * strip + 3
            for y in 0..<56 {
                for x in 0..<56 {
                    let v = UInt8(255 - min(255, max(0, Int(input[(y / 2) * 28 + x / 2] * 255))))
                    for c in 0..<3 { canvas[x0 + x, y0 + y, c] = v }
                }
            }
            BitmapFont.draw("\(d.digit) \(Int((d.confidence * 100).rounded()))", into: &canvas, x: x0, y: y0 + 58,
                            scale: 1, color: d.uncertain ? red : green)
        }
        return canvas
    }

    /// The working ink, stretched to `width` x `height` image pixels at `top`.
    static func drawInk(_ ink: WorkingInk, into canvas: inout Raster, top: Int, width: Int, height: Int, scale: Int) {
        for y in 0..<height {
            let wy = min(ink.height - 1, Int(Double(y) / ink.factor))
            for x in 0..<width {
                let wx = min(ink.width - 1, Int(Double(x) / ink.factor))
                let color: (UInt8, UInt8, UInt8)
                switch ink.pixel(x: wx, y: wy) {
                case .paper: color = (255, 255, 255)
                case .erased: color = (250, 170, 170)
                case .ink: color = (0, 0, 0)
                }
                canvas[x, top + y, 0] = color.0; canvas[x, top + y, 1] = color.1; canvas[x, top + y, 2] = color.2
            }
        }
        for number in ink.numbers {
            let b = number.scaled(by: ink.factor, width: width, height: height)
            Drawing.outline(&canvas, BoundingBox(minX: b.minX, minY: top + b.minY, maxX: b.maxX, maxY: top + b.maxY),
                            thickness: scale, color: (255, 140, 0))
        }
        Drawing.outline(&canvas, BoundingBox(minX: 0, minY: top, maxX: width, maxY: top + height), thickness: 1, color: (160, 160, 160))
    }
}
