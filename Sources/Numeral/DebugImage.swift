/// The picture `numeral read --debug` writes: the image with a box around every digit
/// (green when sure, red when uncertain) and separator (blue), the digit read above each
/// box, and below the image a strip of the 28x28 inputs the recogniser saw, each with
/// its digit and confidence in percent.
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
        var canvas = Raster(width: width, height: original.height + stripRows * strip, channels: 3, fill: 255)
        for y in 0..<original.height {
            for x in 0..<original.width {
                for c in 0..<3 { canvas[x, y, c] = original[x, y, c] }
            }
        }
        func bounding(_ b: Box) -> BoundingBox { BoundingBox(minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.height) }
        let green: (UInt8, UInt8, UInt8) = (0, 170, 0), red: (UInt8, UInt8, UInt8) = (220, 0, 0), blue: (UInt8, UInt8, UInt8) = (0, 80, 230)
        var digits: [ReadDigit] = []
        for line in result.lines {
            for s in line.separators { Drawing.outline(&canvas, bounding(s.box), thickness: scale, color: blue) }
            for d in line.digits {
                let color = d.uncertain ? red : green
                Drawing.outline(&canvas, bounding(d.box), thickness: scale, color: color)
                let label = d.uncertain ? "?" + String(d.digit) : String(d.digit)
                let glyphScale = max(2, scale * 2)
                let y = max(0, d.box.y - 8 * glyphScale)
                BitmapFont.draw(label, into: &canvas, x: d.box.x, y: y, scale: glyphScale, color: color)
                digits.append(d)
            }
        }
        for (k, input) in details.inputs.enumerated() {
            let x0 = (k % perRow) * cell + 2, y0 = original.height + (k / perRow) * strip + 3
            for y in 0..<56 {
                for x in 0..<56 {
                    let v = UInt8(255 - min(255, max(0, Int(input[(y / 2) * 28 + x / 2] * 255))))
                    for c in 0..<3 { canvas[x0 + x, y0 + y, c] = v }
                }
            }
            if k < digits.count {
                let d = digits[k]
                BitmapFont.draw("\(d.digit) \(Int((d.confidence * 100).rounded()))", into: &canvas, x: x0, y: y0 + 58,
                                scale: 1, color: d.uncertain ? red : green)
            }
        }
        return canvas
    }
}
