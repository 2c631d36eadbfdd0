// A sheet of paper photographed on a darker surface: a desk, a table, a lap.
//
// Left in the picture, the surface takes over the polarity vote (around the sheet the blocks
// hold a dark ground and a light patch, with far more contrast than ink on paper), so the
// sheet becomes a light blob on a dark ground and its writing holes in it; and where the
// polarity is still found right, the sheet's edge reads as a 1. So the surface is painted
// over in the sheet's own tone before anything else looks at the image.

public enum Sheet {
    /// At most this many pixels are looked at (the image is shrunk by an integer factor).
    static let samplePixels = 65_536

    /// A sheet found in a picture.
    public struct Found: Sendable {
        /// The picture with everything outside the sheet painted in the sheet's own tone.
        public var gray: GrayImage
        /// Which sampled pixels (`factor` x `factor` of the picture's) lie on the sheet.
        let kept: [Bool]
        let width: Int, height: Int, factor: Int

        /// Whether the picture's pixel (x, y) lies on the sheet (not painted).
        public func contains(x: Int, y: Int) -> Bool {
            kept[min(height - 1, y / factor) * width + min(width - 1, x / factor)]
        }

        /// `ink` found in the painted picture, a pixel of it `scale` of the picture's, with
        /// whatever it found off the sheet cleared: the painted surface is the page's tone
        /// only as nearly as the edge of the page gives it, and a threshold may still find a seam there.
        public func clearing(_ ink: InkImage, scale: Double) -> InkImage {
            var out = ink
            for y in 0..<ink.height {
                let py = min(gray.height - 1, Int((Double(y) + 0.5) * scale))
                for x in 0..<ink.width where !contains(x: min(gray.width - 1, Int((Double(x) + 0.5) * scale)), y: py) {
                    out.mask[y * ink.width + x] = 0
                    out.ink.pixels[y * ink.width + x] = 0
                }
            }
            return out
        }
    }

    /// The sheet in `gray` (luminance, 0 = black), everything outside it painted in the
    /// sheet's own tone, or nil when the image does not show a sheet on a darker surface.
    ///
    /// The surface is the picture's border: at least 60% of it within 0.08 of its median tone;
    /// or, in a close-up where the page runs off the picture, the border's darker part, a step
    /// down from the rest (see below). The sheet is the largest region more than 0.1 brighter than that (its shadowed parts too),
    /// closed over two sampled pixels so that its writing and any line across it do not cut it up,
    /// and at least a twentieth of the picture. It is taken when its convex hull is a quadrilateral
    /// with blunted corners, a page seen square-on or at an angle: the largest quadrilateral on its
    /// corners covers at least 85% of it (an oval, one thick light stroke on a dark page, 64%), and
    /// it fills at least 75% of the smallest rectangle around it (a triangle 50%; a page
    /// foreshortened by half 75%). Its paper (the median of its bright pixels, shadowed ones too)
    /// is at least 0.15 brighter than the surface, it holds writing (marks darker than halfway to
    /// the surface on 0.2–50% of it: not a blank page, nor a light 1 without holes), and the rest
    /// of the picture is at least a tenth of it and featureless beyond two sampled pixels from the
    /// hull (under 0.5% more than 0.1 from the surface's tone: a shadow across a page holds digits,
    /// a desk does not).
    public static func isolated(_ gray: GrayImage) -> Found? {
        guard min(gray.width, gray.height) >= 40 else { return nil }
        let n = gray.width * gray.height
        var factor = 1
        while n / (factor * factor) > samplePixels { factor += 1 }
        let small = Resample.shrink(gray, factor: factor)
        let (w, h) = (small.width, small.height)
        // A picture looked at whole has its sensor noise left in: its tones are judged on a
        // blurred copy (3x3), or the noise on the surface would pass for features.
        let blur = factor == 1 ? 1 : 0
        let smooth = blur > 0 ? Background.boxBlur(small, radius: blur) : small
        // The surface: most of the picture's border, in one even tone. Or, in a close-up
        // where the page runs off the picture, the darker part of the border (Otsu's split)
        // when that is at least a tenth of it, even, at least 0.25 darker than the rest, and
        // a step rather than a gradient (at most a tenth of the border in the middle third
        // between the two tones).
        var border: [Float] = []
        for x in 0..<w { border += [smooth[x, 0], smooth[x, h - 1]] }
        for y in 1..<(h - 1) { border += [smooth[0, y], smooth[w - 1, y]] }
        func even(_ values: [Float], share: Int) -> Float? {
            let m = median(values)
            return values.filter({ abs($0 - m) <= 0.08 }).count * 10 >= values.count * share ? m : nil
        }
        func partial() -> Float? {
            let split = Float(Threshold.otsu(histogram: Threshold.histogram(border)).threshold) / 255
            let darker = border.filter { $0 <= split }, lighter = border.filter { $0 > split }
            guard darker.count * 10 >= border.count, !lighter.isEmpty, let lo = even(darker, share: 8) else { return nil }
            let hi = median(lighter)
            let between = border.filter { $0 > lo + (hi - lo) / 3 && $0 < hi - (hi - lo) / 3 }.count
            return hi - lo >= 0.25 && between * 10 <= border.count ? lo : nil
        }
        guard let surface = partial() ?? even(border, share: 6) else { return nil }
        // The page: brighter than the surface, its shadowed parts too; closed (grown and
        // shrunk back by two sampled pixels) so its writing and any line across it do not
        // cut it up.
        let bright = smooth.pixels.map { $0 > surface + 0.1 }
        let closed = grown(grown(bright, width: w, height: h, by: 2).map { !$0 }, width: w, height: h, by: 2, fromBeyond: true)
            .map { $0 ? UInt8(0) : 1 }
        let labels = ComponentLabels(mask: closed, width: w, height: h)
        guard let sheet = labels.components.max(by: { $0.area < $1.area }), sheet.area * 20 >= w * h else { return nil }

        // The convex hull of the sheet's pixels (their rows' ends suffice), as a column span per row.
        var ends: [(x: Double, y: Double)] = []
        for y in sheet.box.minY..<sheet.box.maxY {
            var first = -1, last = -1
            for x in sheet.box.minX..<sheet.box.maxX where labels.labels[y * w + x] == sheet.label {
                if first < 0 { first = x }
                last = x
            }
            if first >= 0 { ends += [(Double(first), Double(y)), (Double(last), Double(y))] }
        }
        let hull = convexHull(ends)
        let spans = rowSpans(of: hull, height: h)
        var inside = [Bool](repeating: false, count: w * h)
        var hullArea = 0, outsideCount = 0
        var paperLevels: [Float] = []
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                if let s = spans[y], Double(x) >= s.lowerBound - 0.5, Double(x) <= s.upperBound + 0.5 {
                    inside[i] = true; hullArea += 1
                    if bright[i] { paperLevels.append(smooth.pixels[i]) }
                } else {
                    outsideCount += 1
                }
            }
        }
        let paper = median(paperLevels)
        guard paper - surface >= 0.15, outsideCount * 10 >= w * h,
              area(of: hull) >= 0.75 * smallestRectangleArea(around: hull),
              largestQuadrilateralArea(in: hull) >= 0.85 * area(of: hull) else { return nil }
        // Writing on it: marks darker than halfway to the surface, 0.2-50% of the page (not a
        // blank page; and not one thick light stroke on a dark page, rectangular as a 1 is
        // but without holes).
        let halfway = (paper + surface) / 2
        let marks = (0..<(w * h)).filter { inside[$0] && small.pixels[$0] < halfway }.count
        guard marks * 500 >= hullArea, marks * 2 <= hullArea else { return nil }
        // Featureless beyond the sheet's blurred edge (two sampled pixels from the hull). Paper
        // within two pixels of the picture's border is no feature: the closing shrank the sheet
        // there, and at the picture's corners the hull grown back misses a few of its pixels.
        let near = grown(inside, width: w, height: h, by: 2)
        let far = (0..<(w * h)).filter { i in
            let (x, y) = (i % w, i / w)
            return !near[i] && !(bright[i] && (x < 2 || y < 2 || x >= w - 2 || y >= h - 2))
        }.map { smooth.pixels[$0] }
        guard far.filter({ abs($0 - surface) > 0.1 }).count * 200 < max(1, far.count) else { return nil }

        // Shrink the hull by two sampled pixels (three where blurred), then paint the
        // full-size image outside it with the tone of the nearest point of the page's edge
        // (the median of the page's sampled pixels within two of it), so shadows and
        // gradients run on and leave no edge.
        let keep = grown(inside.map { !$0 }, width: w, height: h, by: 2 + blur, fromBeyond: true).map { !$0 }
        var tone = small.pixels
        var reached = keep
        var queue: [Int] = []
        for y in 0..<h {
            for x in 0..<w where keep[y * w + x] {
                let edge = (x == 0 || !keep[y * w + x - 1]) || (x + 1 == w || !keep[y * w + x + 1])
                    || (y == 0 || !keep[(y - 1) * w + x]) || (y + 1 == h || !keep[(y + 1) * w + x])
                guard edge else { continue }
                var around: [Float] = []
                for yy in max(0, y - 2)...min(h - 1, y + 2) {
                    for xx in max(0, x - 2)...min(w - 1, x + 2) where keep[yy * w + xx] { around.append(small[xx, yy]) }
                }
                tone[y * w + x] = median(around)
                queue.append(y * w + x)
            }
        }
        guard !queue.isEmpty else { return nil }
        // Outward from the edge, breadth first: each surface pixel takes its first reacher's tone.
        var head = 0
        while head < queue.count {
            let i = queue[head]; head += 1
            let (x, y) = (i % w, i / w)
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
            where nx >= 0 && nx < w && ny >= 0 && ny < h && !reached[ny * w + nx] {
                reached[ny * w + nx] = true
                tone[ny * w + nx] = tone[i]
                queue.append(ny * w + nx)
            }
        }
        // Painted at full size between the sampled tones (bilinear), so no step is left.
        var out = gray
        for y in 0..<gray.height {
            let sy = min(h - 1, y / factor)
            let fy = max(0, min(Double(h - 1), (Double(y) + 0.5) / Double(factor) - 0.5))
            let y0 = Int(fy), y1 = min(h - 1, Int(fy) + 1), ty = Float(fy - Double(y0))
            for x in 0..<gray.width where !keep[sy * w + min(w - 1, x / factor)] {
                let fx = max(0, min(Double(w - 1), (Double(x) + 0.5) / Double(factor) - 0.5))
                let x0 = Int(fx), x1 = min(w - 1, Int(fx) + 1), tx = Float(fx - Double(x0))
                let top = tone[y0 * w + x0] * (1 - tx) + tone[y0 * w + x1] * tx
                let bottom = tone[y1 * w + x0] * (1 - tx) + tone[y1 * w + x1] * tx
                out.pixels[y * gray.width + x] = top * (1 - ty) + bottom * ty
            }
        }
        return Found(gray: out, kept: keep, width: w, height: h, factor: factor)
    }

    /// `mask` grown by `steps` pixels (4-connected steps); with `fromBeyond`, the picture's
    /// border grows in too, as if the mask went on outside the picture.
    static func grown(_ mask: [Bool], width w: Int, height h: Int, by steps: Int, fromBeyond: Bool = false) -> [Bool] {
        var out = mask
        for _ in 0..<steps {
            let previous = out
            for y in 0..<h {
                for x in 0..<w where !previous[y * w + x] {
                    if (x > 0 ? previous[y * w + x - 1] : fromBeyond) || (x + 1 < w ? previous[y * w + x + 1] : fromBeyond)
                        || (y > 0 ? previous[(y - 1) * w + x] : fromBeyond) || (y + 1 < h ? previous[(y + 1) * w + x] : fromBeyond) {
                        out[y * w + x] = true
                    }
                }
            }
        }
        return out
    }

    static func median(_ values: [Float]) -> Float {
        values.isEmpty ? 0 : values.sorted()[values.count / 2]
    }

    /// The convex hull of `points`, counter-clockwise in image coordinates (Andrew's
    /// monotone chain).
    static func convexHull(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let p = points.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        guard p.count >= 3 else { return p }
        func cross(_ o: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [(x: Double, y: Double)] = [], upper: [(x: Double, y: Double)] = []
        for q in p {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
            lower.append(q)
        }
        for q in p.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
            upper.append(q)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }

    /// The area of a polygon (shoelace formula).
    static func area(of polygon: [(x: Double, y: Double)]) -> Double {
        var twice = 0.0
        for k in polygon.indices {
            let a = polygon[k], b = polygon[(k + 1) % polygon.count]
            twice += a.x * b.y - b.x * a.y
        }
        return abs(twice) / 2
    }

    /// The area of the smallest rectangle around a convex polygon: one of its sides lies
    /// along a side of the polygon (Freeman & Shapira 1975), so each side is tried.
    static func smallestRectangleArea(around polygon: [(x: Double, y: Double)]) -> Double {
        var best = Double.infinity
        for k in polygon.indices {
            let a = polygon[k], b = polygon[(k + 1) % polygon.count]
            let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
            guard length > 0 else { continue }
            let (ux, uy) = ((b.x - a.x) / length, (b.y - a.y) / length)
            var (lo, hi, near, far) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
            for p in polygon {
                let along = (p.x - a.x) * ux + (p.y - a.y) * uy, across = -(p.x - a.x) * uy + (p.y - a.y) * ux
                lo = min(lo, along); hi = max(hi, along); near = min(near, across); far = max(far, across)
            }
            best = min(best, (hi - lo) * (far - near))
        }
        return best
    }

    /// The area of the largest quadrilateral whose corners are corners of a convex polygon
    /// (the polygon itself when it has at most four). For each diagonal (i, k), the best
    /// corner on either side is found by climbing: a triangle's area over a fixed side is
    /// unimodal along a convex chain, and the best corner moves forward with k.
    static func largestQuadrilateralArea(in polygon: [(x: Double, y: Double)]) -> Double {
        let n = polygon.count
        guard n > 4 else { return area(of: polygon) }
        func p(_ i: Int) -> (x: Double, y: Double) { polygon[i % n] }
        func triangle(_ a: Int, _ b: Int, _ c: Int) -> Double {
            let (pa, pb, pc) = (p(a), p(b), p(c))
            return abs((pb.x - pa.x) * (pc.y - pa.y) - (pb.y - pa.y) * (pc.x - pa.x)) / 2
        }
        var best = 0.0
        for i in 0..<n {
            var j = i + 1, l = i + 3
            for k in (i + 2)..<(i + n - 1) {
                while j + 1 < k && triangle(i, j + 1, k) >= triangle(i, j, k) { j += 1 }
                l = max(l, k + 1)
                while l + 1 < i + n && triangle(k, l + 1, i) >= triangle(k, l, i) { l += 1 }
                best = max(best, triangle(i, j, k) + triangle(k, l, i))
            }
        }
        return best
    }

    /// For each row y (0..<height), the columns a convex polygon covers at that row's centre
    /// line y, or nil where it does not reach.
    static func rowSpans(of polygon: [(x: Double, y: Double)], height: Int) -> [ClosedRange<Double>?] {
        var spans = [ClosedRange<Double>?](repeating: nil, count: height)
        guard !polygon.isEmpty else { return spans }
        for y in 0..<height {
            let yy = Double(y)
            var lo = Double.infinity, hi = -Double.infinity
            for k in polygon.indices {
                let a = polygon[k], b = polygon[(k + 1) % polygon.count]
                if a.y == yy { lo = min(lo, a.x); hi = max(hi, a.x) }
                if (a.y < yy && b.y > yy) || (a.y > yy && b.y < yy) {
                    let x = a.x + (yy - a.y) * (b.x - a.x) / (b.y - a.y)
                    lo = min(lo, x); hi = max(hi, x)
                }
            }
            if lo <= hi { spans[y] = lo...hi }
        }
        return spans
    }
}
