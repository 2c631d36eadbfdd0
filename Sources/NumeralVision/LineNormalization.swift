/// The image of one number for a line recogniser: its ink scaled so its digits are
/// `digitHeight` pixels high, straightened (each column shifted so the digits' centres lie
/// on the middle row), in `height` rows, and `margin` empty columns either side.
public enum LineNormalization {
    public static let height = 32
    public static let digitHeight = 20.0
    public static let margin = 4
    /// Columns come in multiples of this (a line recogniser's frame width).
    public static let columnMultiple = 4
    /// Longer lines are scaled down to fit.
    public static let maxWidth = 512

    public struct Line: Sendable, Equatable {
        /// `height` rows of `width` values, ink = 1.
        public var pixels: [Float]
        public var width: Int
        /// Output pixels per image pixel.
        public var scale: Double
        /// The image x of output column 0's left edge.
        public var originX: Double

        /// The image x of an output column's left edge.
        public func imageX(column: Double) -> Double { originX + (column - Double(LineNormalization.margin)) / scale }
        /// The output column at image x (the inverse of `imageX`).
        public func column(imageX x: Double) -> Double { (x - originX) * scale + Double(LineNormalization.margin) }
    }

    /// The line images of `number`'s ink in `ink` (anti-aliased, ink = 1; `labels` its
    /// components), one per horizontal stretch, from one crop.
    public static func normalize(_ number: NumberInk, ink: GrayImage, labels: ComponentLabels,
                                 stretches: [Double] = [1]) -> [Line] {
        let crop = MNISTNormalization.extract(ink: ink, labelImage: labels.labels,
                                              parts: [DigitPart(labels: number.components, box: number.box)], region: number.box)
        // extract grows the box by a 2-pixel rim, clipped to the image.
        let cropX = max(0, number.box.minX - 2), cropY = max(0, number.box.minY - 2)
        let centres = number.blobs.map { (x: $0.centerX, y: $0.centerY) }
        return stretches.map {
            normalize(crop, x: cropX, y: cropY, digitHeight: number.digitHeight, centres: centres, stretch: $0)
        }
    }

    /// The line image of a crop whose top-left pixel is `(x, y)` in the image; `centres`
    /// are its digits' centres in image pixels (the middle row follows their least-squares
    /// line; one centre gives a level line, none the crop's middle).
    public static func normalize(_ crop: GrayImage, x: Int, y: Int, digitHeight h: Double,
                                 centres: [(x: Double, y: Double)], stretch: Double = 1) -> Line {
        precondition(h > 0, "digit height \(h)")
        precondition(stretch > 0, "stretch \(stretch)")
        var yScale = digitHeight / h
        var scale = yScale * stretch
        let inner = Double(crop.width) * scale
        let widest = Double(maxWidth - 2 * margin)
        if inner > widest { scale *= widest / inner; yScale *= widest / inner }
        let content = Int((Double(crop.width) * scale).rounded(.up))
        let width = ((content + 2 * margin + columnMultiple - 1) / columnMultiple) * columnMultiple
        // Middle row y = a + b·x, image pixels.
        var (a, b) = (Double(y) + Double(crop.height) / 2, 0.0)
        if centres.count == 1 {
            a = centres[0].y
        } else if centres.count >= 2 {
            let n = Double(centres.count)
            let mx = centres.map(\.x).reduce(0, +) / n, my = centres.map(\.y).reduce(0, +) / n
            let sxx = centres.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
            let sxy = centres.reduce(0) { $0 + ($1.x - mx) * ($1.y - my) }
            b = sxx > 0 ? max(-0.4, min(0.4, sxy / sxx)) : 0
            a = my - b * mx
        }
        let originX = Double(x)
        // Each output pixel averages k x k bilinear samples over its footprint.
        let k = max(1, min(4, Int((1 / min(scale, yScale)).rounded(.up))))
        var pixels = [Float](repeating: 0, count: height * width)
        func sample(_ ix: Double, _ iy: Double) -> Float {
            // Crop coordinates of pixel centres.
            let cx = ix - Double(x) - 0.5, cy = iy - Double(y) - 0.5
            let x0 = Int(cx.rounded(.down)), y0 = Int(cy.rounded(.down))
            let fx = Float(cx - Double(x0)), fy = Float(cy - Double(y0))
            func at(_ px: Int, _ py: Int) -> Float {
                px >= 0 && py >= 0 && px < crop.width && py < crop.height ? crop.pixels[py * crop.width + px] : 0
            }
            let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
            let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
            return top * (1 - fy) + bottom * fy
        }
        for column in 0..<width {
            for row in 0..<height {
                var sum: Float = 0
                for sx in 0..<k {
                    let ix = originX + (Double(column - margin) + (Double(sx) + 0.5) / Double(k)) / scale
                    let middle = a + b * ix
                    for sy in 0..<k {
                        let iy = middle + (Double(row - height / 2) + (Double(sy) + 0.5) / Double(k)) / yScale
                        sum += sample(ix, iy)
                    }
                }
                pixels[row * width + column] = min(1, sum / Float(k * k))
            }
        }
        return Line(pixels: pixels, width: width, scale: scale, originX: originX)
    }
}
