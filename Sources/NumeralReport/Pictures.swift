public import NumeralVision
public import NumeralTraining
import Foundation

/// The report's raster pictures, drawn with the bitmap font and written as PNG by libpng.
public enum Pictures {
    // Confusion-matrix heatmap layout, in pixels.
    static let cell = 60
    static let matrixLeft = 76, matrixTop = 96, matrixMargin = 20

    /// The size `confusionMatrix` draws for `classCount` classes.
    public static func confusionMatrixSize(classCount: Int) -> (width: Int, height: Int) {
        (matrixLeft + classCount * cell + matrixMargin, matrixTop + classCount * cell + matrixMargin)
    }

    /// A heatmap of the confusion matrix: rows are the true classes, columns the predictions,
    /// each cell holds its count. Colour shows the share of the row: the diagonal in blue, the
    /// mistakes in red on a square-root scale so that a handful of errors still shows.
    public static func confusionMatrix(_ matrix: ConfusionMatrix, title: String) -> Raster {
        let n = matrix.classCount
        let (width, height) = confusionMatrixSize(classCount: n)
        var canvas = Canvas(width: width, height: height)
        canvas.text(title, x: 8, y: 8, scale: 2)
        let gridWidth = n * cell
        canvas.text("PREDICTED CLASS", centerX: matrixLeft + gridWidth / 2, y: 42, scale: 2, .gray)
        canvas.text("TRUE CLASS", x: 10, y: matrixTop + (gridWidth - BitmapFont.width(of: "TRUE CLASS", scale: 2)) / 2,
                    scale: 2, .gray, vertical: true)
        for c in 0..<n {
            canvas.text("\(c)", centerX: matrixLeft + c * cell + cell / 2, y: matrixTop - 24, scale: 2)
            canvas.text("\(c)", x: matrixLeft - 22, y: matrixTop + c * cell + cell / 2 - 7, scale: 2)
        }
        for t in 0..<n {
            let support = max(matrix.support(t), 1)
            for p in 0..<n {
                let count = matrix.counts[t][p]
                let share = Double(count) / Double(support)
                let color = t == p ? Color.white.mixed(with: .blue, share)
                    : Color.white.mixed(with: .red, count == 0 ? 0 : 0.12 + 0.88 * share.squareRoot())
                let x = matrixLeft + p * cell, y = matrixTop + t * cell
                canvas.fill(x: x, y: y, width: cell, height: cell, color)
                canvas.stroke(x: x, y: y, width: cell + 1, height: cell + 1, .lightGray)
                let label = String(count)
                let scale = BitmapFont.width(of: label, scale: 2) <= cell - 4 ? 2 : 1
                canvas.text(label, centerX: x + cell / 2, y: y + cell / 2 - 7 * scale / 2, scale: scale,
                            color.luminance < 0.55 ? .white : (count == 0 ? .lightGray : .black))
            }
        }
        canvas.stroke(x: matrixLeft, y: matrixTop, width: gridWidth + 1, height: gridWidth + 1, .gray)
        return canvas.raster
    }

    // Gallery layout: tiles of a 2× digit and two lines of scale-2 text.
    static let tileWidth = 80, tileHeight = 104, galleryColumns = 10, galleryTop = 34, galleryMargin = 8

    /// The size `gallery` draws for `count` mistakes (at least one row).
    public static func gallerySize(count: Int) -> (width: Int, height: Int) {
        let rows = max(1, (count + galleryColumns - 1) / galleryColumns)
        return (2 * galleryMargin + galleryColumns * tileWidth, galleryTop + rows * tileHeight + galleryMargin)
    }

    /// The mistakes in the order given (most confident first), each with "T<true> P<predicted>"
    /// and the confidence of the wrong answer under it.
    public static func gallery(_ mistakes: [EvaluationReport.Mistake], title: String) -> Raster {
        let (width, height) = gallerySize(count: mistakes.count)
        var canvas = Canvas(width: width, height: height)
        canvas.text(title, x: galleryMargin, y: 8, scale: 2)
        if mistakes.isEmpty { canvas.text("NO MISTAKES", x: galleryMargin, y: galleryTop + 20, scale: 2, .gray) }
        for (k, m) in mistakes.enumerated() {
            let x = galleryMargin + (k % galleryColumns) * tileWidth
            let y = galleryTop + (k / galleryColumns) * tileHeight
            let imageX = x + (tileWidth - 56) / 2
            if let thumbnail = m.thumbnail, thumbnail.channels == 1 {
                let scale = max(1, 56 / max(thumbnail.width, thumbnail.height))
                canvas.image(thumbnail, x: imageX, y: y, scale: scale, ink: .black, background: .white)
            } else {
                canvas.text("?", centerX: imageX + 28, y: y + 21, scale: 2, .gray)
            }
            canvas.stroke(x: imageX - 1, y: y - 1, width: 58, height: 58, .lightGray)
            let trueText = "T\(m.label)", predictedText = m.predicted >= 0 ? " P\(m.predicted)" : " P-"
            let lineWidth = BitmapFont.width(of: trueText + predictedText, scale: 2)
            let lineX = x + (tileWidth - lineWidth) / 2
            canvas.text(trueText, x: lineX, y: y + 62, scale: 2, .green)
            canvas.text(predictedText, x: lineX + trueText.count * BitmapFont.advance * 2, y: y + 62, scale: 2, .red)
            // A reader that gave no single digit: what it read instead (or why not).
            let below = m.predicted >= 0 ? String(format: "%.1f%%", m.confidence * 100)
                : m.text.map { $0.isEmpty ? "EMPTY" : String($0.replacingOccurrences(of: "\n", with: " ").prefix(6)) } ?? "ERROR"
            canvas.text(below, centerX: x + tileWidth / 2, y: y + 80, scale: 2, m.predicted >= 0 ? .black : .gray)
        }
        return canvas.raster
    }

    // Wrong-reads gallery layout: a preview of the whole image and two lines of text.
    static let readTileWidth = ImageReadout.previewSize.width + 12, readColumns = 5
    static let readTileHeight = ImageReadout.previewSize.height + 44

    /// The size `readsGallery` draws for `count` wrong reads (at least one row).
    public static func readsGallerySize(count: Int) -> (width: Int, height: Int) {
        let rows = max(1, (count + readColumns - 1) / readColumns)
        return (2 * galleryMargin + readColumns * readTileWidth, galleryTop + rows * readTileHeight + galleryMargin)
    }

    /// Wrongly read images (multi-digit labels), each with its label (green) and what was read
    /// (red) under it, with the reader's confidence.
    public static func readsGallery(_ reads: [ImageFolderResults.Item], previews: [String: Raster], title: String) -> Raster {
        let (width, height) = readsGallerySize(count: reads.count)
        let (pw, ph) = ImageReadout.previewSize
        var canvas = Canvas(width: width, height: height)
        canvas.text(title, x: galleryMargin, y: 8, scale: 2)
        if reads.isEmpty { canvas.text("NO WRONG READS", x: galleryMargin, y: galleryTop + 20, scale: 2, .gray) }
        for (k, item) in reads.enumerated() {
            let x = galleryMargin + (k % readColumns) * readTileWidth + 6
            let y = galleryTop + (k / readColumns) * readTileHeight
            if let preview = previews[item.file], preview.channels == 1 {
                canvas.image(preview, x: x + (pw - preview.width) / 2, y: y + (ph - preview.height) / 2, scale: 1,
                             ink: .white, background: .black)
            } else {
                canvas.text("?", centerX: x + pw / 2, y: y + ph / 2 - 7, scale: 2, .gray)
            }
            canvas.stroke(x: x - 1, y: y - 1, width: pw + 2, height: ph + 2, .lightGray)
            func line(_ text: String, _ dy: Int, _ color: Color) {
                let scale = BitmapFont.width(of: text, scale: 2) <= pw ? 2 : 1
                canvas.text(text, centerX: x + pw / 2, y: y + ph + dy + (scale == 1 ? 4 : 0), scale: scale, color)
            }
            line(item.label, 4, .green)
            let read = (item.text ?? "").replacingOccurrences(of: "\n", with: " ")
            line((read.isEmpty ? "(NOTHING)" : read) + String(format: " %.0f%%", (item.confidence ?? 0) * 100), 22, .red)
        }
        return canvas.raster
    }
}
