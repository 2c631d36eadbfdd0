// Connected components of an ink mask, 8-connected: the two-pass algorithm (Rosenfeld &
// Pfaltz 1966, "Sequential operations in digital picture processing") on runs of ink
// rather than pixels, with union-find (He, Chao & Suzuki 2008). A flood-fill reference
// is kept for the tests.

/// One connected blob of ink.
public struct Component: Sendable, Equatable {
    /// The blob's value in `ComponentLabels.labels` (1-based).
    public var label: Int32
    public var box: BoundingBox
    /// Ink pixel count.
    public var area: Int
}

/// A label image and its components: `labels[y * width + x]` is 0 for paper, else the
/// label of the component the pixel belongs to; `components[label - 1]` describes it.
public struct ComponentLabels: Sendable {
    public var width: Int, height: Int
    public var labels: [Int32]
    public var components: [Component]

    public init(mask: [UInt8], width: Int, height: Int) {
        precondition(mask.count == width * height, "mask \(mask.count) for \(width)x\(height)")
        self.width = width; self.height = height
        // Runs of ink per row: (row, start, end) with end exclusive; rowStart[y] indexes the
        // first run of row y. Labelling runs instead of pixels is what makes this fast
        // (He, Chao & Suzuki 2008, "A run-based two-scan labeling algorithm").
        var runY: [Int32] = [], runStart: [Int32] = [], runEnd: [Int32] = []
        var rowStart = [Int](repeating: 0, count: height + 1)
        for y in 0..<height {
            rowStart[y] = runStart.count
            let row = y * width
            var x = 0
            while x < width {
                if mask[row + x] == 0 { x += 1; continue }
                let s = x
                while x < width && mask[row + x] != 0 { x += 1 }
                runY.append(Int32(y)); runStart.append(Int32(s)); runEnd.append(Int32(x))
            }
        }
        rowStart[height] = runStart.count
        let runCount = runStart.count
        // Union-find over runs: a run joins every run of the row above that touches it,
        // diagonals included (8-connectivity).
        var parent = [Int32](repeating: 0, count: runCount)
        for r in 0..<runCount { parent[r] = Int32(r) }
        func find(_ a: Int32) -> Int32 {
            var a = a
            while parent[Int(a)] != a { parent[Int(a)] = parent[Int(parent[Int(a)])]; a = parent[Int(a)] }
            return a
        }
        if height > 1 {
            for y in 1..<height {
                var above = rowStart[y - 1]
                let aboveEnd = rowStart[y]
                for r in rowStart[y]..<rowStart[y + 1] {
                    let (s, e) = (runStart[r], runEnd[r])
                    // Skip runs above that end before this one starts (minus the diagonal).
                    while above < aboveEnd && runEnd[above] < s { above += 1 }
                    var k = above
                    while k < aboveEnd && runStart[k] <= e {
                        let (a, b) = (find(Int32(r)), find(Int32(k)))
                        if a != b { if a < b { parent[Int(b)] = a } else { parent[Int(a)] = b } }
                        k += 1
                    }
                }
            }
        }
        // Dense labels in order of first appearance, statistics, label image.
        var final = [Int32](repeating: 0, count: runCount)
        var components: [Component] = []
        var labels = [Int32](repeating: 0, count: width * height)
        for r in 0..<runCount {
            let root = Int(find(Int32(r)))
            if final[root] == 0 {
                components.append(Component(label: Int32(components.count + 1), box: .empty, area: 0))
                final[root] = Int32(components.count)
            }
            let l = final[root]
            let (y, s, e) = (Int(runY[r]), Int(runStart[r]), Int(runEnd[r]))
            let c = Int(l) - 1
            components[c].area += e - s
            components[c].box.include(x: s, y: y)
            components[c].box.include(x: e - 1, y: y)
            for x in s..<e { labels[y * width + x] = l }
        }
        self.labels = labels
        self.components = components
    }

    /// Reference: flood fill, for tests. Returns the components' boxes and areas sorted.
    public static func reference(mask: [UInt8], width: Int, height: Int) -> [(box: BoundingBox, area: Int)] {
        var seen = [Bool](repeating: false, count: mask.count)
        var result: [(box: BoundingBox, area: Int)] = []
        for start in mask.indices where mask[start] != 0 && !seen[start] {
            var stack = [start]; seen[start] = true
            var box = BoundingBox.empty, area = 0
            while let i = stack.popLast() {
                let (x, y) = (i % width, i / width)
                box.include(x: x, y: y); area += 1
                for dy in -1...1 { for dx in -1...1 {
                    let (nx, ny) = (x + dx, y + dy)
                    guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                    let j = ny * width + nx
                    if mask[j] != 0 && !seen[j] { seen[j] = true; stack.append(j) }
                } }
            }
            result.append((box, area))
        }
        return result
    }
}
