// Connected components of an ink mask, 8-connected, by the classic two-pass algorithm
// with union-find on provisional labels (Rosenfeld & Pfaltz 1966, "Sequential operations
// in digital picture processing"; union-find as in Wu, Otoo & Suzuki 2009).

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
        var labels = [Int32](repeating: 0, count: width * height)
        var parent: [Int32] = [0]
        func find(_ a: Int32) -> Int32 {
            var a = a
            while parent[Int(a)] != a { parent[Int(a)] = parent[Int(parent[Int(a)])]; a = parent[Int(a)] }
            return a
        }
        func union(_ a: Int32, _ b: Int32) -> Int32 {
            let ra = find(a), rb = find(b)
            if ra == rb { return ra }
            if ra < rb { parent[Int(rb)] = ra; return ra }
            parent[Int(ra)] = rb; return rb
        }
        // First pass: provisional labels from the already-visited neighbours (W, NW, N, NE).
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where mask[row + x] != 0 {
                var l: Int32 = 0
                if x > 0, labels[row + x - 1] != 0 { l = labels[row + x - 1] }
                if y > 0 {
                    let up = row - width
                    for dx in -1...1 where x + dx >= 0 && x + dx < width {
                        let n = labels[up + x + dx]
                        if n != 0 { l = l == 0 ? n : union(l, n) }
                    }
                }
                if l == 0 {
                    l = Int32(parent.count)
                    parent.append(l)
                }
                labels[row + x] = l
            }
        }
        // Second pass: final, dense labels and the statistics of each component.
        var final = [Int32](repeating: 0, count: parent.count)
        var components: [Component] = []
        for p in 1..<parent.count {
            let root = find(Int32(p))
            if final[Int(root)] == 0 {
                components.append(Component(label: Int32(components.count + 1), box: .empty, area: 0))
                final[Int(root)] = Int32(components.count)
            }
            final[p] = final[Int(root)]
        }
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where labels[row + x] != 0 {
                let l = final[Int(labels[row + x])]
                labels[row + x] = l
                components[Int(l) - 1].area += 1
                components[Int(l) - 1].box.include(x: x, y: y)
            }
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
