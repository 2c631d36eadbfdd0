// Ruled lines, box borders and shadow edges: long thin straight strokes that are not
// digits. Found the way run-length form processing does (e.g. Zheng, Li & Doermann
// 2005, "A parallel-line detection algorithm based on HMM decoding", and the classic
// run-length line removal it builds on): a pixel is "thin" when its vertical run (for
// horizontal lines) is at most a few pixels long; thin pixels that connect into a
// component much wider than a digit (slanted lines, up to about 12°, stay connected
// run to run) are a line and are erased. Where a digit crosses the line, the run is
// thick, so the digit's stroke survives and stays whole. Vertical lines are the same
// with rows and columns swapped, with a shorter length (a box's side is only a little
// taller than the digit in it) but one a "1" rarely reaches.

public enum LineRemoval {
    /// Erases horizontal lines wider than `horizontalLength` and vertical lines taller
    /// than `verticalLength` whose thickness is at most `thickness` pixels, in place.
    /// Returns the number of pixels erased.
    @discardableResult
    public static func remove(from mask: inout [UInt8], width: Int, height: Int, thickness: Int,
                              horizontalLength: Int, verticalLength: Int) -> Int {
        var erased = 0
        for vertical in [false, true] {
            var thin = [UInt8](repeating: 0, count: width * height)
            forEachThinRun(mask, width: width, height: height, thickness: thickness, vertical: vertical) { u, start, length in
                for v in start..<(start + length) { thin[vertical ? u * width + v : v * width + u] = UInt8(min(length, 255)) }
            }
            erased += eraseLong(thin, from: &mask, width: width, height: height, vertical: vertical, thickness: thickness) { box in
                vertical ? box.height >= verticalLength && box.width <= box.height / 4 + thickness
                         : box.width >= horizontalLength && box.height <= box.width / 4 + thickness
            }
        }
        return erased
    }

    /// Calls `body(u, start, length)` for every run of ink across one direction's lines at
    /// most `thickness` long: for horizontal lines (`vertical` false) each column's vertical
    /// runs (`u` the column, `start` the row), for vertical lines each row's horizontal runs.
    @inline(__always)
    static func forEachThinRun(_ mask: [UInt8], width: Int, height: Int, thickness: Int, vertical: Bool,
                               _ body: (_ u: Int, _ start: Int, _ length: Int) -> Void) {
        let (along, across) = vertical ? (height, width) : (width, height)
        let (uStride, vStride) = vertical ? (width, 1) : (1, width)
        mask.withUnsafeBufferPointer { mask in
            for u in 0..<along {
                var v = 0
                while v < across {
                    guard mask[u * uStride + v * vStride] != 0 else { v += 1; continue }
                    let start = v
                    while v < across && mask[u * uStride + v * vStride] != 0 { v += 1 }
                    if v - start <= thickness { body(u, start, v - start) }
                }
            }
        }
    }

    /// The longest run erased with a line whose runs are `lengths`: 1.5 times their median,
    /// plus 2. A stroke lying along the line is thicker than that and stays.
    static func erasable(_ lengths: [Int]) -> Int {
        Int(1.5 * Double(lengths.sorted()[lengths.count / 2])) + 2
    }

    /// Erases from `mask` the components of `thin` whose box `isLine` accepts, and the
    /// short thin pieces lying on the same straight line (a ruled line seen between the
    /// strokes of a digit it crosses). `thin` holds each thin pixel's run length across the
    /// line's direction (0: not thin). Only runs about as thick as the line itself are
    /// erased (at most 1.5 times its median run, plus 2): a digit's stroke that lies along
    /// the line, or joins it, is thicker than the line and stays, even where it is thinner
    /// than `thickness` (which is measured against the digits' height, and a grid joined to
    /// the digits makes that height the page's).
    static func eraseLong(_ thin: [UInt8], from mask: inout [UInt8], width: Int, height: Int, vertical: Bool,
                          thickness: Int, isLine: (BoundingBox) -> Bool) -> Int {
        // Bridge the gaps a crossing stroke makes (about a stroke's width), along the
        // line's direction, before looking for long components. Not more: wider bridges
        // would join the bars of neighbouring digits into a "line".
        var bridged = thin
        let gap = thickness + 2
        let (outer, inner) = vertical ? (width, height) : (height, width)
        for o in 0..<outer {
            var lastThin = -1
            for i in 0..<inner {
                let index = vertical ? i * width + o : o * width + i
                guard thin[index] != 0 else { continue }
                if lastThin >= 0 && i - lastThin > 1 && i - lastThin <= gap {
                    for j in (lastThin + 1)..<i { bridged[vertical ? j * width + o : o * width + j] = 1 }
                }
                lastThin = i
            }
        }
        let labels = ComponentLabels(mask: bridged, width: width, height: height)
        var lines = labels.components.map { isLine($0.box) }
        guard lines.contains(true) else { return 0 }
        // Least-squares fit across each line: v = a·u + b, with u along the line; and each
        // line's runs, for its own thickness.
        let n = labels.components.count
        var su = [Double](repeating: 0, count: n), sv = su, suu = su, suv = su, count = su
        var runs = [[UInt8]](repeating: [], count: n)
        for i in labels.labels.indices where labels.labels[i] != 0 && thin[i] != 0 {
            let k = Int(labels.labels[i]) - 1
            let (x, y) = (Double(i % width), Double(i / width))
            let (u, v) = vertical ? (y, x) : (x, y)
            su[k] += u; sv[k] += v; suu[k] += u * u; suv[k] += u * v; count[k] += 1
            if lines[k] { runs[k].append(thin[i]) }
        }
        // A line's thickness is the median of its runs.
        var widest = [Int](repeating: 0, count: n)
        for k in 0..<n where !runs[k].isEmpty { widest[k] = erasable(runs[k].map(Int.init)) }
        var fits: [(a: Double, b: Double, from: Int, to: Int, widest: Int)] = []
        for k in 0..<n where lines[k] {
            let d = count[k] * suu[k] - su[k] * su[k]
            let a = d > 0 ? (count[k] * suv[k] - su[k] * sv[k]) / d : 0
            let b = (sv[k] - a * su[k]) / count[k]
            let box = labels.components[k].box
            fits.append((a, b, vertical ? box.minY : box.minX, vertical ? box.maxY : box.maxX, widest[k]))
        }
        for k in 0..<n where !lines[k] {
            let c = count[k]
            guard c > 0 else { continue }
            let (cu, cv) = (su[k] / c, sv[k] / c)
            let box = labels.components[k].box
            let across = vertical ? box.width : box.height
            for fit in fits where abs(cv - (fit.a * cu + fit.b)) <= Double(thickness)
                && across <= thickness + 1 + Int(abs(fit.a) * Double(vertical ? box.height : box.width))
                && Int(cu) > fit.from - (fit.to - fit.from) / 2 && Int(cu) < fit.to + (fit.to - fit.from) / 2 {
                lines[k] = true
                widest[k] = fit.widest
                break
            }
        }
        var erased = 0
        for i in labels.labels.indices where thin[i] != 0 && labels.labels[i] != 0 {
            let k = Int(labels.labels[i]) - 1
            guard lines[k], Int(thin[i]) <= widest[k] else { continue }
            mask[i] = 0; erased += 1
        }
        return erased
    }
}

// Grid and ruled paper joined to the digits make one component as tall as the page, which
// the segmenter would take for the typical digit; measured against that height, no ruling
// is thin or long enough to be removed. Such pages are cleared of their rulings first,
// found from the page alone: each thin run votes, at its centre, for the straight line
// across the page it would lie on (a Hough transform restricted to the slopes a photographed
// page has), and lines that at least half the page's runs agree on are rulings. A line
// through the digits keeps those votes, whatever the digits cut out of it.
extension LineRemoval {
    /// Erases, in place, horizontal and vertical rulings: thin lines (at most a fiftieth of
    /// the page's shorter side) straight across at least half the page, sloping up to about
    /// 11°, at least two of them parallel (a digit's stroke is one line, not two). Returns
    /// the number of pixels erased.
    @discardableResult
    public static func removeRulings(from mask: inout [UInt8], width: Int, height: Int) -> Int {
        let thickness = max(2, min(width, height) / 50)
        return removeRulings(from: &mask, width: width, height: height, thickness: thickness, vertical: false)
            + removeRulings(from: &mask, width: width, height: height, thickness: thickness, vertical: true)
    }

    static func removeRulings(from mask: inout [UInt8], width: Int, height: Int, thickness: Int, vertical: Bool) -> Int {
        // u runs along the lines, v across them.
        let (along, across) = vertical ? (height, width) : (width, height)
        func index(_ u: Int, _ v: Int) -> Int { vertical ? u * width + v : v * width + u }
        var runs: [(u: Int, start: Int, length: Int)] = []
        forEachThinRun(mask, width: width, height: height, thickness: thickness, vertical: vertical) { runs.append(($0, $1, $2)) }
        guard runs.count >= along else { return 0 }   // fewer runs than two half-page lines
        // The slope whose votes pile up most sharply (sum of squared bin counts).
        let maxSlope = 0.2, steps = 20
        let offset = Int(maxSlope * Double(along)) + 1
        var best = (score: -1.0, slope: 0.0, votes: [Int]())
        for step in -steps...steps {
            let slope = maxSlope * Double(step) / Double(steps)
            var votes = [Int](repeating: 0, count: across + 2 * offset + 1)
            for r in runs { votes[Int((Double(r.start) + Double(r.length - 1) / 2 - slope * Double(r.u)).rounded()) + offset] += 1 }
            let score = votes.reduce(0.0) { $0 + Double($1) * Double($1) }
            if score > best.score { best = (score, slope, votes) }
        }
        // Lines: the best-supported bands (votes within `reach` of a bin), strongest first,
        // each at least half the page long and apart from the lines already taken.
        let reach = thickness / 2 + 2
        var support = [Int](repeating: 0, count: best.votes.count)
        var window = 0
        for i in 0..<(best.votes.count + reach) {
            if i < best.votes.count { window += best.votes[i] }
            if i - 2 * reach - 1 >= 0 { window -= best.votes[i - 2 * reach - 1] }
            if i - reach >= 0 && i - reach < support.count { support[i - reach] = window }
        }
        var lines: [Int] = []
        for bin in support.indices.sorted(by: { support[$0] > support[$1] }) {
            guard support[bin] * 2 >= along else { break }
            if lines.allSatisfy({ abs($0 - bin) > 2 * reach }) { lines.append(bin) }
        }
        guard lines.count >= 2 else { return 0 }
        // Each line's runs; only those about as thick as the line itself are erased (a stroke
        // lying along it is thicker and stays).
        var members = [[Int]](repeating: [], count: lines.count)
        for (k, r) in runs.enumerated() {
            let bin = Int((Double(r.start) + Double(r.length - 1) / 2 - best.slope * Double(r.u)).rounded()) + offset
            if let l = lines.firstIndex(where: { abs($0 - bin) <= reach }) { members[l].append(k) }
        }
        var erased = 0
        for l in lines.indices {
            let widest = erasable(members[l].map { runs[$0].length })
            for k in members[l] where runs[k].length <= widest {
                for v in runs[k].start..<(runs[k].start + runs[k].length) where mask[index(runs[k].u, v)] != 0 {
                    mask[index(runs[k].u, v)] = 0; erased += 1
                }
            }
        }
        return erased
    }
}
