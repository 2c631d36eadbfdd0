/// Places the marks of a number on one line, with chosen gaps measured between the actual ink.
///
/// Gaps are measured row by row: for every row where both have ink, the distance from the
/// rightmost ink already placed to the new glyph's leftmost ink (coverage ≥ `inkThreshold`).
/// The smallest of those distances, in empty pixels, is the gap: 0 means the strokes touch
/// (neighbouring pixels), a negative gap means they overlap by that many pixels. Measuring on the ink rather than on bounding boxes makes
/// "touching" real: a "7" next to a "1" touches where the strokes meet, not where the boxes do.
struct NumberLayout {
    static let inkThreshold: Float = 0.35

    /// Ink coverage of the whole line; the baseline is at `baseline`.
    var plane: Plane
    var baseline: Float
    /// Ink bounding box in plane coordinates.
    var inkMinX: Float, inkMaxX: Float, inkMinY: Float, inkMaxY: Float
    /// Achieved gap (render px) between each pair of neighbouring marks, left to right.
    var gaps: [Float]
    /// Each mark's ink, row by row in plane coordinates: the row's top edge and its first
    /// and last ink pixels' outer edges. Every corner of the ink's convex hull is one of
    /// these, so they rotate to the exact box of the rotated ink.
    var markRows: [[(y: Float, minX: Float, maxX: Float)]] = []
    /// Which mark inks each plane pixel: the index of the glyph with the most coverage there
    /// (at least `inkThreshold`), -1 for none.
    var owners: [Int8] = []

    /// - Parameters:
    ///   - glyphs: marks left to right.
    ///   - anchorY: where each glyph's anchor sits, relative to the baseline (negative = above).
    ///   - gaps: wanted gap before each glyph after the first (render px), `glyphs.count - 1` values.
    ///   - padding: empty border around the ink.
    init(glyphs: [Glyph], anchorY: [Float], gaps wanted: [Float], padding: Int) {
        precondition(!glyphs.isEmpty && anchorY.count == glyphs.count && wanted.count == glyphs.count - 1,
                     "\(glyphs.count) glyphs, \(anchorY.count) anchors, \(wanted.count) gaps")
        // Integer tops keep every glyph's rows aligned with the line's rows.
        let tops = zip(glyphs, anchorY).map { Int(($1 - $0.anchorY).rounded()) }
        let firstRow = zip(glyphs, tops).map { $1 }.min()!
        let lastRow = zip(glyphs, tops).map { $1 + $0.plane.height }.max()!
        var rightEdge = [Float](repeating: -.infinity, count: lastRow - firstRow)
        var lefts: [Float] = []
        var achieved: [Float] = []
        for (i, glyph) in glyphs.enumerated() {
            let profile = Self.profile(glyph.plane)
            var left: Float = 0
            if i > 0 {
                var needed = -Float.infinity
                for r in 0..<glyph.plane.height {
                    guard let first = profile[r]?.first else { continue }
                    let row = tops[i] - firstRow + r
                    if rightEdge[row] > -.infinity { needed = max(needed, rightEdge[row] - first) }
                }
                if needed == -.infinity {
                    // No shared rows (a dot below a digit's reach): fall back to the box edge.
                    let placedRight = rightEdge.max()!
                    let first = profile.compactMap { $0?.first }.min() ?? 0
                    needed = placedRight - first
                }
                // `needed` puts the first ink pixel on the last one; +1 puts it next to it.
                left = (needed + 1 + wanted[i - 1]).rounded()
                achieved.append(left - needed - 1)
            }
            for r in 0..<glyph.plane.height {
                guard let last = profile[r]?.last else { continue }
                let row = tops[i] - firstRow + r
                rightEdge[row] = max(rightEdge[row], left + last)
            }
            lefts.append(left)
        }
        let minLeft = Int(lefts.min()!.rounded(.down))
        let maxRight = zip(glyphs, lefts).map { Int($1.rounded(.up)) + $0.plane.width }.max()!
        let width = maxRight - minLeft + 2 * padding, height = lastRow - firstRow + 2 * padding
        var plane = Plane(width: width, height: height)
        var owners = [Int8](repeating: -1, count: width * height)
        var strongest = [Float](repeating: 0, count: width * height)
        var (inkMinX, inkMaxX, inkMinY, inkMaxY) = (Float.infinity, -Float.infinity, Float.infinity, -Float.infinity)
        var markRows: [[(y: Float, minX: Float, maxX: Float)]] = []
        for (i, glyph) in glyphs.enumerated() {
            let ox = Int(lefts[i]) - minLeft + padding, oy = tops[i] - firstRow + padding
            markRows.append(Self.profile(glyph.plane).enumerated().compactMap { r, row in
                row.map { (Float(oy + r), Float(ox) + $0.first, Float(ox) + $0.last + 1) }
            })
            for y in 0..<glyph.plane.height {
                for x in 0..<glyph.plane.width {
                    let a = glyph.plane[x, y]
                    guard a > 0 else { continue }
                    let index = (oy + y) * width + ox + x
                    plane.values[index] = 1 - (1 - plane.values[index]) * (1 - a)
                    if a >= Self.inkThreshold && a > strongest[index] { strongest[index] = a; owners[index] = Int8(i) }
                    if a >= Self.inkThreshold {
                        inkMinX = min(inkMinX, Float(ox + x)); inkMaxX = max(inkMaxX, Float(ox + x + 1))
                        inkMinY = min(inkMinY, Float(oy + y)); inkMaxY = max(inkMaxY, Float(oy + y + 1))
                    }
                }
            }
        }
        if inkMinX > inkMaxX { (inkMinX, inkMaxX, inkMinY, inkMaxY) = (0, Float(width), 0, Float(height)) }
        self.plane = plane
        self.baseline = Float(-firstRow + padding)
        (self.inkMinX, self.inkMaxX, self.inkMinY, self.inkMaxY) = (inkMinX, inkMaxX, inkMinY, inkMaxY)
        self.gaps = achieved
        self.markRows = markRows
        self.owners = owners
    }

    /// First and last ink column of every row (nil for rows without ink).
    static func profile(_ plane: Plane) -> [(first: Float, last: Float)?] {
        (0..<plane.height).map { y in
            var first: Int?, last: Int?
            for x in 0..<plane.width where plane[x, y] >= inkThreshold {
                if first == nil { first = x }
                last = x
            }
            guard let first, let last else { return nil }
            return (Float(first), Float(last))
        }
    }
}
