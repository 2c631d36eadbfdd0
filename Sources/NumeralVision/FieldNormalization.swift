/// The field recogniser's input: a crop of grey levels (the number fills most of it, as a
/// form field or a cheque's amount does) brought to 32 rows, ink positive, paper 0.
///
/// No binarisation: a stroke as faint as the background's hatching keeps its grey level
/// and the recogniser, which has seen such backgrounds, tells them apart.
public enum FieldNormalization {
    /// Rows of the recogniser's input (`LineModel.height`).
    public static let height = 32
    /// The crop fills this many of the rows; the rest is paper above and below.
    public static let contentHeight = 28
    /// Paper columns added left and right.
    public static let sidePadding = 4
    /// Wider crops are squeezed to this many content columns (a 36:1 field).
    public static let maxContentWidth = 1008

    /// `image` (luminance, 0 black, 1 white; a light-on-dark crop is turned round first)
    /// scaled to `contentHeight` rows, its paper (the median) set to 0 and its darkest
    /// percent to 1, then padded to `height` rows and a multiple of 4 columns.
    public static func normalize(_ image: GrayImage) -> (pixels: [Float], width: Int) {
        precondition(image.width > 0 && image.height > 0, "an empty crop")
        let contentWidth = max(8, min(maxContentWidth,
                                      Int((Double(image.width) * Double(contentHeight) / Double(image.height)).rounded())))
        var scaled = Resample.resize(image, width: contentWidth, height: contentHeight).pixels
        var sorted = scaled.sorted()
        if sorted[sorted.count / 2] < 0.5 {
            // Light writing on a dark ground (an MNIST image): ink is the bright part.
            for i in scaled.indices { scaled[i] = 1 - scaled[i] }
            sorted = scaled.sorted()
        }
        let paper = sorted[sorted.count / 2]
        let ink = sorted[sorted.count / 100]
        // A blank crop keeps its faint texture faint instead of stretching it to ink.
        let scale = 1 / max(paper - ink, minimumContrast)
        let width = (contentWidth + 2 * sidePadding + 3) / 4 * 4
        var out = [Float](repeating: 0, count: height * width)
        let top = (height - contentHeight) / 2
        for y in 0..<contentHeight {
            for x in 0..<contentWidth {
                out[(top + y) * width + sidePadding + x] = min(1, max(0, (paper - scaled[y * contentWidth + x]) * scale))
            }
        }
        return (out, width)
    }

    /// Paper-to-ink contrasts below this are not stretched further.
    public static let minimumContrast: Float = 0.12

    /// The part of `image` inside `box`, widened by `margin` of the box's height on each
    /// side (clipped to the image): a number found on a page, cut out for the recogniser.
    public static func crop(_ image: GrayImage, box: BoundingBox, margin: Double) -> GrayImage {
        let pad = Int((Double(box.height) * margin).rounded())
        let x0 = max(0, box.minX - pad), x1 = min(image.width, box.maxX + pad)
        let y0 = max(0, box.minY - pad), y1 = min(image.height, box.maxY + pad)
        precondition(x1 > x0 && y1 > y0, "crop \(box) outside a \(image.width)x\(image.height) image")
        var pixels = [Float](repeating: 0, count: (x1 - x0) * (y1 - y0))
        for y in y0..<y1 {
            for x in x0..<x1 { pixels[(y - y0) * (x1 - x0) + x - x0] = image.pixels[y * image.width + x] }
        }
        return GrayImage(width: x1 - x0, height: y1 - y0, pixels: pixels)
    }
}
