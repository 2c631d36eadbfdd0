import Foundation

// Segmentation of an ink mask into lines, numbers, digits and separators.
//
//   1. connected components (`ComponentLabels`), specks dropped;
//   2. lines: components of digit height grouped by vertical overlap, split into separate
//      numbers at gaps wider than a digit; smaller components join the line they sit in;
//   3. broken strokes: a fragment (much lower than the line) that shares columns with a
//      neighbour joins it (the detached bar of a 5, the pieces of a dotted 0);
//   4. separators: what stays small is a point, a comma or a minus by size and position;
//   5. touching digits: a blob wider than a digit gets cut candidates at the minima of its
//      column ink profile; every way of grouping the pieces into digits is scored by the
//      recogniser and a dynamic programme picks the best path (recognition-based
//      segmentation, Casey & Lecolinet 1996, "A survey of methods and strategies in
//      character segmentation", section 4), instead of trusting one geometric cut.
//
// The recogniser is passed in as a closure, so this file knows nothing of networks.

public enum SeparatorKind: String, Sendable, Codable { case point, comma, minus }

/// One digit as segmented and recognised.
public struct SegmentedDigit: Sendable {
    /// Where the digit is, in the ink image's pixels.
    public var box: BoundingBox
    /// The 28x28 MNIST-style input the recogniser saw (ink = 1).
    public var input: [Float]
    /// Class probabilities, 10 values.
    public var probabilities: [Float]

    public init(box: BoundingBox, input: [Float], probabilities: [Float]) {
        self.box = box; self.input = input; self.probabilities = probabilities
    }
}

public struct SegmentedSeparator: Sendable {
    public var kind: SeparatorKind
    public var box: BoundingBox
    /// How many digits of the line come before it.
    public var digitsBefore: Int
}

/// One number: a run of digits and separators on one line, left to right.
public struct SegmentedLine: Sendable {
    public var box: BoundingBox
    public var digits: [SegmentedDigit]
    public var separators: [SegmentedSeparator]
    /// The ink the number was read from (nil for a lone cell).
    public var number: NumberInk?

    public init(box: BoundingBox, digits: [SegmentedDigit], separators: [SegmentedSeparator], number: NumberInk? = nil) {
        self.box = box; self.digits = digits; self.separators = separators; self.number = number
    }
}

/// The ink of one number before it is cut into digits: what a line recogniser reads.
public struct NumberInk: Sendable {
    /// All of the number's components.
    public var box: BoundingBox
    /// Its components' labels: the blobs the segmenter grouped into the number, and
    /// anything small (a point, a speck) whose centre lies in its box.
    public var components: [Int32]
    /// The median height of its digit-high blobs.
    public var digitHeight: Double
    /// Its digit-high blobs, left to right (their centres follow the line's slope).
    public var blobs: [BoundingBox]
}

/// Maps a batch of 28x28 inputs (784 floats each, ink = 1) to 10 probabilities each.
public typealias DigitClassifier = ([[Float]]) -> [[Float]]

public struct Segmenter: Sendable {
    /// Components lower than this (working pixels) are never digits.
    public var minimumDigitHeight = 8
    /// Log-probability a cut through a blob must win back (see `plan`).
    public var cutPenalty = 1.5
    /// Log-probability bonus for reading blobs whose inks nearly touch as one digit (a
    /// broken digit whose halves both look like digits). 0: on synthetic numbers (seeds 7
    /// and 8) any bonus joined more neighbouring digits than it mended broken ones.
    public var joinBonus = 0.0
    /// Log-probability cost of dropping a fragment (lower than half the line) as noise.
    public var skipCost = 0.7
    /// Pieces of different blobs may form one digit across gaps up to this (digit heights).
    public var joinGap = 0.3
    /// Besides its profile's minima, a wide blob is cut from columns this many digit heights
    /// apart (0: minima only), keeping paths at least `cutSpacing` digit heights apart.
    public var cutStep = 0.2
    public var cutSpacing = 0.2
    /// Cuts through a blob cost at most this many times `cutPenalty`.
    public var maxCutFactor = 2.0
    /// A candidate digit joins at most this many pieces.
    public var maxPieces = 4
    /// Blobs wider than this (digit heights) get cut candidates.
    public var cutWidth = 0.8
    /// Weight of each class's own width fit (`widthFit`) in a candidate's score (half: the
    /// fit is a rough log-normal, and at full weight it split wide 0s in two).
    public var widthWeight = 0.5
    /// A candidate wider than `wideRatio` times the line's digit width costs
    /// `wideSlope` per digit width beyond it.
    public var wideRatio = 1.4
    public var wideSlope = 1.5
    /// Pieces of blobs whose inks stay this far apart (digit heights) are separate digits:
    /// reading them as one costs `apartPenalty`.
    public var inkReach = 0.04
    public var apartPenalty = 1.0
    /// A thin straight component this many typical digit heights tall is a rule, not a
    /// "1" (digits of one number vary by about ±10% in height; a box's sides stand at
    /// least a fifth of a digit above and below them).
    public var tallStroke = 1.25
    /// Ink blocks at the picture's edge holding more than this many squares of the typical
    /// digit height are the surface around a page (`isSurface`). 0.8, and blocks a third
    /// full: thick digits at the edge of tight pictures went too (synth seeds 77, 78, 2026).
    public var surfaceArea = 1.5
    /// Judge candidate widths against each class's median width on long lines.
    public var strictWidths = true

    public init() {}

    /// Lines of the image, top to bottom, each number of a row left to right.
    public func segment(_ image: InkImage, classify: DigitClassifier) -> [SegmentedLine] {
        segment(image, wanted: { _, _ in true }, classify: classify).lines.compactMap { $0 }
    }

    /// Every number's ink, and the digits of those `wanted` picks (asked once per number,
    /// in order, with the labels, before anything is classified): `lines[i]` is number i's, nil when it was
    /// not wanted or no digit was found in it. `labels` are the components the numbers'
    /// `components` refer to (ruled lines removed).
    public func segment(_ image: InkImage, wanted: (NumberInk, ComponentLabels) -> Bool, classify: DigitClassifier)
        -> (numbers: [NumberInk], lines: [SegmentedLine?], labels: ComponentLabels) {
        let labels = ink(image)
        let layouts = group(labels)
        let numbers = layouts.map { numberInk($0, labels: labels) }
        let picked = numbers.map { wanted($0, labels) }
        let (plans, inputs) = candidates(layouts.indices.filter { picked[$0] }.map { layouts[$0] }, image: image, labels: labels)
        let probabilities = inputs.isEmpty ? [] : classify(inputs)
        precondition(probabilities.count == inputs.count, "classifier returned \(probabilities.count) rows for \(inputs.count) inputs")
        var lines = [SegmentedLine?](repeating: nil, count: numbers.count)
        var next = plans.makeIterator()
        for i in numbers.indices where picked[i] {
            lines[i] = next.next()!.resolve(inputs: inputs, probabilities: probabilities).map { line in
                var line = line
                line.number = numbers[i]
                return line
            }
        }
        return (numbers, lines, labels)
    }

    /// Every number's ink, unread, and the labels it refers to.
    public func numbers(_ image: InkImage) -> (numbers: [NumberInk], labels: ComponentLabels) {
        let labels = ink(image)
        return (group(labels).map { numberInk($0, labels: labels) }, labels)
    }

    func numberInk(_ layout: NumberLayout, labels: ComponentLabels) -> NumberInk {
        let h = layout.height
        var members = Set(layout.members)
        let reach = BoundingBox(minX: layout.box.minX - Int(0.1 * h), minY: layout.box.minY - Int(0.1 * h),
                                maxX: layout.box.maxX + Int(0.1 * h), maxY: layout.box.maxY + Int(0.1 * h))
        for c in labels.components where Double(c.box.height) < 0.5 * h && !members.contains(c.label) {
            let (cx, cy) = (Int(c.box.centerX), Int(c.box.centerY))
            if cx >= reach.minX && cx < reach.maxX && cy >= reach.minY && cy < reach.maxY { members.insert(c.label) }
        }
        let box = members.reduce(layout.box) { $0.union(labels.components[Int($1) - 1].box) }
        let blobs = layout.atoms.filter { Double($0.box.height) >= 0.5 * h }.map(\.box).sorted { $0.minX < $1.minX }
        return NumberInk(box: box, components: members.sorted(), digitHeight: h, blobs: blobs)
    }

    /// Every candidate digit the recogniser would be asked about: where it is, its ink
    /// pixels (indices `y * width + x` of the ink image) and its 28x28 input. What `segment`
    /// classifies, for training a recogniser on the segmenter's own cuts (right and wrong).
    public func candidateDigits(_ image: InkImage) -> [(box: BoundingBox, pixels: [Int], input: [Float])] {
        let (plans, inputs, labels) = candidates(image)
        return plans.flatMap { plan in
            plan.candidates.filter { !$0.skip }.map { c in
                var pixels: [Int] = []
                for part in c.parts {
                    for (r, (left, right)) in zip(part.left, part.right).enumerated() {
                        let y = part.top + r
                        for x in max(0, left)..<min(labels.width, max(left, right))
                        where part.labels.contains(labels.labels[y * labels.width + x]) {
                            pixels.append(y * labels.width + x)
                        }
                    }
                }
                return (c.region, pixels, inputs[c.inputIndex])
            }
        }
    }

    /// The plans of every number, their candidates' `inputIndex` set into `inputs`.
    func candidates(_ image: InkImage) -> (plans: [Plan], inputs: [[Float]], labels: ComponentLabels) {
        let labels = ink(image)
        let (plans, inputs) = candidates(group(labels), image: image, labels: labels)
        return (plans, inputs, labels)
    }

    /// The plans of `numbers`, their candidates' `inputIndex` set into `inputs`.
    func candidates(_ numbers: [NumberLayout], image: InkImage, labels: ComponentLabels) -> (plans: [Plan], inputs: [[Float]]) {
        // Collect every candidate digit of every number, to classify them in one batch.
        var plans = numbers.map { plan($0, labels: labels) }
        var inputs: [[Float]] = []
        for p in plans.indices {
            for c in plans[p].candidates.indices where !plans[p].candidates[c].skip {
                plans[p].candidates[c].inputIndex = inputs.count
                inputs.append(MNISTNormalization.normalize(ink: image.ink, labelImage: labels.labels,
                                                           parts: plans[p].candidates[c].parts,
                                                           region: plans[p].candidates[c].region))
            }
        }
        return (plans, inputs)
    }

    /// The components of the ink, crumbs of a faint digit joined and ruled lines removed.
    func ink(_ image: InkImage) -> ComponentLabels {
        var labels = ComponentLabels(mask: image.mask, width: image.width, height: image.height)
        guard image.method != .blank else { return ComponentLabels(mask: [UInt8](repeating: 0, count: image.mask.count), width: image.width, height: image.height) }
        if typicalHeight(labels.components) == nil && labels.components.count > 1 {
            // Only crumbs: a faint digit broken into dots. Join crumbs a pixel apart.
            let grown = Background.filter(GrayImage(width: image.width, height: image.height,
                                                    pixels: image.mask.map(Float.init)), radius: 1, combine: max)
            labels = ComponentLabels(mask: grown.pixels.map { $0 > 0 ? 1 : 0 }, width: image.width, height: image.height)
        }
        var mask = image.mask
        guard var typical = typicalHeight(labels.components) else { return labels }
        // A "digit" as tall as the page is grid or ruled paper joined to the digits: its
        // rulings are found from the page alone first, then the digits' height is measured.
        var removed = 0
        if typical >= 0.9 * Double(image.height) {
            removed = LineRemoval.removeRulings(from: &mask, width: image.width, height: image.height)
            if removed > 0 {
                labels = ComponentLabels(mask: mask, width: image.width, height: image.height)
                guard let height = typicalHeight(labels.components) else { return labels }
                typical = height
            }
        }
        // Ruled lines and borders, measured against the digits' height.
        let thickness = max(2, Int(0.15 * typical))
        removed += LineRemoval.remove(from: &mask, width: image.width, height: image.height, thickness: thickness,
                                      horizontalLength: Int(1.5 * typical), verticalLength: Int(1.3 * typical))
        if removed > 0 { labels = ComponentLabels(mask: mask, width: image.width, height: image.height) }
        return labels
    }

    // MARK: - Lines and numbers

    /// A number before recognition: its atoms (digit blobs, left to right) and separators.
    struct NumberLayout {
        var height: Double
        var atoms: [Atom]
        var separators: [(kind: SeparatorKind, box: BoundingBox)]
        /// Every component of the number, and their box.
        var members: [Int32] = []
        var box = BoundingBox.empty
    }

    struct Atom {
        var labels: [Int32]
        var box: BoundingBox
        var area = 0
    }

    func group(_ labels: ComponentLabels) -> [NumberLayout] {
        let all = labels.components
        guard !all.isEmpty else { return [] }
        guard let typical = typicalHeight(all) else { return [] }
        let speckArea = max(3, Int((0.08 * typical) * (0.08 * typical)))
        // Not digits: a box drawn around the number (what the line removal left of it), and
        // a straight stroke much taller than the digits (a box side, a shadow's edge).
        let plausible = all.filter { $0.box.height >= minimumDigitHeight && $0.area >= 12 }
        let components = all.filter { c in
            c.area >= speckArea && !isFrame(c, among: plausible)
                && !(Double(c.box.height) >= tallStroke * typical && c.box.width * 4 <= c.box.height)
                && !isSurface(c, typical: typical, width: labels.width, height: labels.height)
        }

        // Lines from the tall components, by vertical overlap with the line's band.
        let tallHeight = max(Double(minimumDigitHeight), 0.4 * typical)
        var tall = components.filter { Double($0.box.height) >= tallHeight }
        tall.sort { $0.box.minY < $1.box.minY }
        var bands: [(box: BoundingBox, members: [Component])] = []
        for c in tall {
            if let k = bands.firstIndex(where: { band in
                let overlap = band.box.verticalOverlap(c.box)
                return Double(overlap) >= 0.5 * Double(min(c.box.height, band.box.height))
            }) {
                bands[k].box = bands[k].box.union(c.box); bands[k].members.append(c)
            } else {
                bands.append((c.box, [c]))
            }
        }
        // Small components join the band they sit in (a comma may hang below it, a 5's
        // bar float above it).
        for c in components where Double(c.box.height) < tallHeight {
            let cy = c.box.centerY
            if let k = bands.firstIndex(where: { band in
                let extra = 0.35 * Double(band.box.height)
                // Above the band too: the detached bar of a 5 floats over its body.
                return cy >= Double(band.box.minY) - extra && cy <= Double(band.box.maxY) + extra
                    && c.box.minX >= band.box.minX - band.box.height && c.box.maxX <= band.box.maxX + band.box.height
            }) {
                bands[k].members.append(c)
            }
        }
        bands.sort { $0.box.minY < $1.box.minY }
        // A digit broken into an upper and a lower half makes two narrow bands, one above
        // the other: join them back (bands of several digits are wide and never join). The
        // halves of a slanted stroke share only a few columns, but nearly touch.
        var k = 0
        while k + 1 < bands.count {
            let (a, b) = (bands[k].box, bands[k + 1].box)
            let narrow = Double(a.width) <= 1.5 * Double(a.height) && Double(b.width) <= 1.5 * Double(b.height)
            let gap = Double(b.minY - a.maxY)
            let overlap = Double(a.horizontalOverlap(b)), tallest = Double(max(a.height, b.height))
            if narrow && ((overlap >= 0.5 * Double(min(a.width, b.width)) && gap <= 0.25 * tallest)
                          || (overlap > 0 && gap <= 0.1 * tallest)) {
                bands[k].box = a.union(b); bands[k].members += bands[k + 1].members
                bands.remove(at: k + 1)
            } else {
                k += 1
            }
        }
        // A band of short marks hanging from a taller one (a long comma whose tail reaches
        // below the digits, a stroke's end cut off by a ruled line) is part of that band, not
        // a line of its own: lines of digits are about as tall as one another.
        while let i = bands.indices.first(where: { hostBand(of: $0, in: bands) != nil }) {
            let k = hostBand(of: i, in: bands)!
            bands[k].box = bands[k].box.union(bands[i].box); bands[k].members += bands[i].members
            bands.remove(at: i)
        }

        var numbers: [NumberLayout] = []
        for band in bands {
            let members = band.members.sorted { $0.box.minX < $1.box.minX }
            let tallMembers = members.filter { Double($0.box.height) >= tallHeight }
            let heights = tallMembers.map(\.box.height).sorted()
            let lineHeight = Double(heights[heights.count / 2])
            // Split the row into numbers at gaps wider than 1.2 digit heights.
            var runs: [[Component]] = [[]]
            var right = Int.min
            for c in members {
                if right != Int.min && Double(c.box.minX - right) > 1.2 * lineHeight { runs.append([]) }
                runs[runs.count - 1].append(c)
                right = max(right, c.box.maxX)
            }
            for run in runs {
                if let layout = layout(run, lineHeight: lineHeight, labels: labels) { numbers.append(layout) }
            }
        }
        return numbers
    }

    /// The tallest band that band `i` hangs from: at most 0.6 times as tall, its centre within
    /// the reach the small components have (`group`), its columns within the taller band's.
    func hostBand(of i: Int, in bands: [(box: BoundingBox, members: [Component])]) -> Int? {
        let b = bands[i].box
        return bands.indices.filter { k in
            let a = bands[k].box
            let extra = 0.35 * Double(a.height)
            return k != i && Double(b.height) <= 0.6 * Double(a.height)
                && b.centerY >= Double(a.minY) - extra && b.centerY <= Double(a.maxY) + extra
                && b.minX >= a.minX - a.height && b.maxX <= a.maxX + a.height
        }.max { bands[$0].box.height < bands[$1].box.height }
    }

    /// Typical digit height in an ink image, nil when nothing there could be a digit.
    public func typicalDigitHeight(_ image: InkImage) -> Double? {
        guard image.method != .blank else { return nil }
        return typicalHeight(ComponentLabels(mask: image.mask, width: image.width, height: image.height).components)
    }

    /// Typical digit height: a high quantile of the heights of plausible blobs, so specks
    /// and separators do not pull it down, leaving out hairline verticals (box sides,
    /// shadow edges) when there are other blobs, and, when there are at least 10 of them,
    /// blobs with under a twentieth of the biggest one's ink: a noisy photo has hundreds of
    /// digit-high specks, and counted with the rest they made a 140-pixel digit's typical
    /// height 10 pixels.
    func typicalHeight(_ components: [Component]) -> Double? {
        let plausible = components.filter { $0.box.height >= minimumDigitHeight && $0.area >= 12 }
        var shaped = plausible.filter {
            $0.box.height <= 8 * $0.box.width && $0.box.width <= 3 * $0.box.height
                && Double($0.area) >= 0.06 * Double($0.box.width * $0.box.height) && !isFrame($0, among: plausible)
        }
        let biggest = shaped.map(\.area).max() ?? 0
        if shaped.count(where: { $0.area * 20 < biggest }) >= 10 { shaped.removeAll { $0.area * 20 < biggest } }
        let heights = (shaped.isEmpty ? plausible : shaped).map(\.box.height).sorted()
        guard !heights.isEmpty else { return nil }
        return Double(heights[(heights.count * 3) / 4])
    }

    /// Not writing but the surface around a page (or a shadow) taken for ink: a block that
    /// reaches the picture's edge, at least half fills its box, and holds more ink than
    /// `surfaceArea` squares of the typical digit height (a digit's ink covers well under one).
    func isSurface(_ c: Component, typical: Double, width: Int, height: Int) -> Bool {
        let edge = c.box.minX == 0 || c.box.minY == 0 || c.box.maxX == width || c.box.maxY == height
        return edge && 2 * c.area >= c.box.width * c.box.height && Double(c.area) >= surfaceArea * typical * typical
    }

    /// A frame (a box drawn around the digits): it encloses another blob at least a third
    /// of its height and is mostly empty.
    func isFrame(_ c: Component, among plausible: [Component]) -> Bool {
        guard plausible.count <= 200, Double(c.area) < 0.3 * Double(c.box.width * c.box.height) else { return false }
        return plausible.contains { o in
            o.label != c.label && o.box.minX >= c.box.minX && o.box.maxX <= c.box.maxX
                && o.box.minY >= c.box.minY && o.box.maxY <= c.box.maxY && o.box.height * 3 >= c.box.height
        }
    }

    /// Merges fragments into atoms and sorts separators out of one number's components.
    func layout(_ members: [Component], lineHeight: Double, labels: ComponentLabels) -> NumberLayout? {
        let h = lineHeight
        // A point or comma written close to a digit shares its columns (slant, tight
        // spacing) but stands apart from its ink; a broken stroke nearly touches its partner.
        let tallMembers = members.filter { Double($0.box.height) >= 0.5 * h }
        let separatorLike: [Bool] = members.map { c in
            guard !tallMembers.isEmpty, Double(c.box.height) < 0.5 * h else { return false }
            let (top, bottom) = Segmenter.band(around: c.box, digits: tallMembers.map(\.box))
            let kind = Segmenter.separatorKind(c.box, top: top, bottom: bottom, lineHeight: h)
            return kind == .point || kind == .comma
        }
        let reach = max(2, Int(0.03 * h))
        // Union-find over members: a fragment joins a neighbour it shares columns with.
        var parent = Array(members.indices)
        func find(_ i: Int) -> Int { var i = i; while parent[i] != i { i = parent[i] }; return i }
        for i in members.indices {
            for j in members.indices where j > i {
                let (a, b) = (members[i].box, members[j].box)
                let fragment = Double(min(a.height, b.height)) < 0.6 * h
                let overlap = Double(a.horizontalOverlap(b))
                let gap = Double(max(a.minY, b.minY) - min(a.maxY, b.maxY))
                if fragment && overlap >= 0.4 * Double(min(a.width, b.width)) && gap < 0.4 * h
                    && Double(a.union(b).height) <= 1.4 * h {
                    if separatorLike[i] || separatorLike[j] {
                        let (small, other) = members[i].area <= members[j].area ? (members[i], members[j]) : (members[j], members[i])
                        if !Segmenter.within(reach, of: other.label, from: small, labels: labels) { continue }
                    }
                    parent[find(j)] = find(i)
                }
            }
        }
        var groups: [Int: Atom] = [:]
        for i in members.indices {
            let r = find(i)
            if var atom = groups[r] {
                atom.labels.append(members[i].label); atom.box = atom.box.union(members[i].box)
                atom.area += members[i].area; groups[r] = atom
            } else {
                groups[r] = Atom(labels: [members[i].label], box: members[i].box, area: members[i].area)
            }
        }
        // Left to right; atoms starting at the same column by their group's key, since a
        // dictionary's order changes from one run of the program to the next.
        let atomsAll = groups.sorted { ($0.value.box.minX, $0.key) < ($1.value.box.minX, $1.key) }.map(\.value)
        let band = atomsAll.reduce(BoundingBox.empty) { $0.union($1.box) }
        let tallAtoms = atomsAll.filter { Double($0.box.height) >= 0.5 * h }
        guard !tallAtoms.isEmpty else { return nil }
        var atoms: [Atom] = [], separators: [(kind: SeparatorKind, box: BoundingBox)] = []
        for atom in atomsAll {
            if Double(atom.box.height) >= 0.5 * h { atoms.append(atom); continue }
            let (top, bottom) = Segmenter.band(around: atom.box, digits: tallAtoms.map(\.box))
            if let kind = Segmenter.separatorKind(atom.box, top: top, bottom: bottom, lineHeight: h) {
                separators.append((kind, atom.box))
            } else {
                // A fragment: the recogniser decides whether it joins a digit, stands
                // alone, or is dropped as noise (see `plan`).
                atoms.append(atom)
            }
        }
        _ = band
        // A minus written touching the first digit: a thin bar at mid-height sticking out
        // of the blob's left side. It becomes a separator; the digit keeps the rest.
        if let first = atoms.indices.min(by: { atoms[$0].box.minX < atoms[$1].box.minX }),
           Double(atoms[first].box.height) >= 0.5 * h,
           !separators.contains(where: { $0.kind == .minus && $0.box.maxX <= atoms[first].box.minX + 1 }),
           let bar = leadingBar(of: atoms[first], lineHeight: h, labels: labels) {
            separators.append((.minus, bar))
            atoms[first].box = BoundingBox(minX: bar.maxX, minY: atoms[first].box.minY,
                                           maxX: atoms[first].box.maxX, maxY: atoms[first].box.maxY)
        }
        return !atoms.contains(where: { Double($0.box.height) >= 0.5 * h }) ? nil
            : NumberLayout(height: h, atoms: atoms, separators: separators, members: members.map(\.label),
                           box: members.reduce(BoundingBox.empty) { $0.union($1.box) })
    }

    /// Whether some pixel of `component` lies within `reach` pixels (in x and y) of a
    /// pixel labelled `other`.
    static func within(_ reach: Int, of other: Int32, from component: Component, labels: ComponentLabels) -> Bool {
        let (w, ht) = (labels.width, labels.height)
        let box = component.box
        for y in box.minY..<box.maxY {
            for x in box.minX..<box.maxX where labels.labels[y * w + x] == component.label {
                for yy in max(0, y - reach)...min(ht - 1, y + reach) {
                    for xx in max(0, x - reach)...min(w - 1, x + reach) where labels.labels[yy * w + xx] == other {
                        return true
                    }
                }
            }
        }
        return false
    }

    /// Median and 98th percentile of width / height per digit class, MNIST training set
    /// (ink above 0.5).
    static let aspects: [(median: Double, p98: Double)] = [
        (0.9, 1.43), (0.4, 0.9), (0.9, 1.58), (0.8, 1.25), (0.8, 1.25),
        (0.9, 1.67), (0.7, 1.11), (0.75, 1.25), (0.7, 1.18), (0.65, 1.0),
    ]

    /// Log-likelihood penalty of a digit being this wide: a log-normal fitted to the class's
    /// median and 98th percentile, one-sided (only wider than the median costs). A "7"
    /// as wide as it is high is more likely a "7" touching a "1".
    static func widthFit(digit: Int, aspect: Double, strict: Bool = true) -> Double {
        let (median, p98) = aspects[digit]
        let sigma = (log(p98) - log(median)) / 2.054
        let z = max(0, (log(max(aspect, 1e-3)) - log(strict ? median : p98)) / sigma)
        return -0.5 * z * z
    }

    /// The box of a horizontal bar (a minus) at the left end of `atom`: columns whose ink
    /// spans at most 0.2 digit heights, in the middle of the atom's height, over 0.25 to
    /// 0.9 digit heights, with at least 0.3 digit heights of the atom right of it.
    func leadingBar(of atom: Atom, lineHeight h: Double, labels: ComponentLabels) -> BoundingBox? {
        let box = atom.box
        var bar = BoundingBox.empty
        var x = box.minX
        while x < box.maxX {
            var top = Int.max, bottom = Int.min
            for y in box.minY..<box.maxY where atom.labels.contains(labels.labels[y * labels.width + x]) {
                top = min(top, y); bottom = max(bottom, y)
            }
            guard top <= bottom, Double(bottom - top + 1) <= 0.2 * h else { break }
            let relative = (Double(top + bottom) / 2 - Double(box.minY)) / Double(max(1, box.height))
            guard relative > 0.25 && relative < 0.8 else { break }
            bar.include(x: x, y: top); bar.include(x: x, y: bottom)
            x += 1
        }
        let length = Double(x - box.minX)
        guard length >= 0.25 * h, length <= 0.9 * h, Double(box.maxX - x) >= 0.3 * h else { return nil }
        return bar
    }

    /// Top and bottom of the digits next to `box`: the nearest digit on each side,
    /// averaged (a rotated line's band drifts from one end to the other, so the line's
    /// median band misplaces a minus at its start).
    static func band(around box: BoundingBox, digits: [BoundingBox]) -> (top: Double, bottom: Double) {
        let left = digits.filter { $0.centerX <= box.centerX }.max { $0.centerX < $1.centerX }
        let right = digits.filter { $0.centerX > box.centerX }.min { $0.centerX < $1.centerX }
        let near = [left, right].compactMap { $0 }
        guard !near.isEmpty else { return (Double(box.minY), Double(box.maxY)) }
        return (near.map { Double($0.minY) }.reduce(0, +) / Double(near.count),
                near.map { Double($0.maxY) }.reduce(0, +) / Double(near.count))
    }

    /// Point, comma or minus by size and position in the line (top...bottom of the digits).
    static func separatorKind(_ box: BoundingBox, top: Double, bottom: Double, lineHeight h: Double) -> SeparatorKind? {
        let (w, ht) = (Double(box.width), Double(box.height))
        let cy = box.centerY
        let relative = (cy - top) / max(1, bottom - top)
        if w >= 0.25 * h && ht <= 0.3 * h && w >= 1.8 * ht && relative > 0.25 && relative < 0.8 { return .minus }
        guard w <= 0.45 * h, ht <= 0.5 * h, relative > 0.6 else { return nil }
        let belowBaseline = Double(box.maxY) > bottom + 0.08 * h
        // A pen's point is about round; a comma is a point with a tail, so it is taller
        // than wide (synthetic numbers, seeds 7 and 8: points at most 1.0 times as tall
        // as wide, commas at least 1.2 times, and a quarter of the line's height or more).
        if ht >= 1.15 * w && ht >= 0.2 * h || ht >= 1.4 * w && belowBaseline || ht >= 2 * w {
            // A hairline sliver (a ruled line's end, a torn stroke) is no comma: commas
            // were at least 0.13 digit heights wide.
            return w >= 0.08 * h ? .comma : nil
        }
        // Nor is a flat sliver a point: points were at least 0.75 times as tall as wide.
        if (w >= 0.04 * h || ht >= 0.04 * h) && ht >= 0.55 * w { return .point }
        return nil
    }

    // MARK: - Candidate digits and the best path

    /// A way to read part of a number as one digit: the pieces `first..<end`.
    /// An atom, or the slice of one between two cut paths.
    struct Piece {
        var atom: Int
        var region: BoundingBox
        var part: DigitPart
        /// What the cut on its left side costs (0 at the blob's own edge).
        var leftCutCost = 0.0
    }

    struct Candidate {
        var first: Int, end: Int
        var parts: [DigitPart]
        var region: BoundingBox
        var prior: Double
        /// Not a digit: the piece is dropped as noise, at the cost `prior`.
        var skip = false
        /// Judge the width against each class's median (a line wider than 1.6 digit
        /// heights) or only against its 98th percentile (a line that may well be one wide
        /// digit, perhaps in pieces).
        var strictWidth = true
        var widthWeight = 1.0
        var inputIndex = -1
    }

    /// Pieces (atoms, or slices of a wide atom between two cuts) and candidate digits.
    struct Plan {
        var layout: NumberLayout
        var pieces: [Piece]
        var candidates: [Candidate]

        /// The best path through the candidates; nil when the number has no digit.
        func resolve(inputs: [[Float]], probabilities: [[Float]]) -> SegmentedLine? {
            let n = pieces.count
            var best = [Double](repeating: -.infinity, count: n + 1)
            var choice = [Int](repeating: -1, count: n + 1)
            best[0] = 0
            // Candidates sorted by end, so best[first] is final when used.
            let order = candidates.indices.sorted { candidates[$0].end < candidates[$1].end }
            for c in order {
                let cand = candidates[c]
                guard best[cand.first] > -.infinity else { continue }
                var fit = 0.0
                if !cand.skip {
                    // The best class once its width is taken into account.
                    let row = probabilities[cand.inputIndex]
                    let aspect = Double(cand.region.width) / Double(max(1, cand.region.height))
                    fit = row.indices.map {
                        log(Double(max(row[$0], 1e-6))) + cand.widthWeight * Segmenter.widthFit(digit: $0, aspect: aspect, strict: cand.strictWidth)
                    }.max()!
                }
                let score = best[cand.first] + fit + cand.prior
                if score > best[cand.end] { best[cand.end] = score; choice[cand.end] = c }
            }
            guard best[n] > -.infinity else { return nil }
            var path: [Candidate] = []
            var at = n
            while at > 0 { let c = candidates[choice[at]]; path.append(c); at = c.first }
            path.reverse()
            let digits = path.filter { !$0.skip }.map { c in
                SegmentedDigit(box: c.region, input: inputs[c.inputIndex], probabilities: probabilities[c.inputIndex])
            }
            // Every piece dropped as noise: no number here.
            guard !digits.isEmpty else { return nil }
            // Points and commas stand between digits (a speck before or after a number is
            // not one); a minus stands anywhere before the last digit.
            let separators = layout.separators.map { s in
                SegmentedSeparator(kind: s.kind, box: s.box,
                                   digitsBefore: digits.filter { $0.box.centerX < s.box.centerX }.count)
            }.filter { s in
                s.digitsBefore < digits.count && (s.kind == .minus || s.digitsBefore > 0)
            }
            let box = digits.reduce(BoundingBox.empty) { $0.union($1.box) }
                .union(layout.separators.reduce(BoundingBox.empty) { $0.union($1.box) })
            return SegmentedLine(box: box, digits: digits, separators: separators.sorted { $0.box.minX < $1.box.minX })
        }
    }

    func plan(_ layout: NumberLayout, labels: ComponentLabels) -> Plan {
        let h = layout.height
        var pieces: [Piece] = []
        for (a, atom) in layout.atoms.enumerated() {
            let paths = Double(atom.box.width) > cutWidth * h ? cutPaths(atom, labels: labels, lineHeight: h) : []
            let rows = atom.box.height
            var left = [Int](repeating: atom.box.minX, count: rows)
            var leftCost = 0.0
            let stroke = paths.isEmpty ? 1 : strokeWidth(atom, labels: labels)
            for (k, path) in (paths + [[Int](repeating: atom.box.maxX, count: rows)]).enumerated() {
                let part = DigitPart(labels: atom.labels, top: atom.box.minY, left: left, right: path)
                let region = tightBox(part, image: labels)
                if !region.isEmpty { pieces.append(Piece(atom: a, region: region, part: part, leftCutCost: leftCost)) }
                left = path
                if k < paths.count {
                    // A cut through a thin bridge (touching digits) is cheap; through two
                    // strokes (the middle of a 0) dear.
                    let crossed = Double(ink(on: path, of: atom, labels: labels))
                    leftCost = cutPenalty * min(maxCutFactor, max(0.3, crossed / stroke))
                }
            }
        }
        // The line's own single-digit width: the median width of blobs no wider than a
        // digit usually is; unknown (no relative limit) with fewer than two of them.
        let narrow = layout.atoms.map { Double($0.box.width) }.filter { $0 <= 0.9 * h }.sorted()
        let digitWidth = narrow.count < 2 ? Double.infinity : max(0.35 * h, narrow[narrow.count / 2])
        // Narrower than 1.6 digit heights, the whole line may be a single wide digit.
        let lineWidth = Double(layout.atoms.reduce(BoundingBox.empty) { $0.union($1.box) }.width)
        // Whether two atoms' inks come within a few pixels (a broken stroke) or stand
        // apart (neighbouring digits whose boxes overlap through slant).
        let reach = max(2, Int(inkReach * h))
        var touching: [Int: Bool] = [:]
        func inkTouches(_ a: Int, _ b: Int) -> Bool {
            let key = min(a, b) * layout.atoms.count + max(a, b)
            if let known = touching[key] { return known }
            let (small, other) = layout.atoms[a].area <= layout.atoms[b].area ? (layout.atoms[a], layout.atoms[b]) : (layout.atoms[b], layout.atoms[a])
            let near = small.labels.contains { l in
                other.labels.contains { o in Segmenter.within(reach, of: o, from: labels.components[Int(l) - 1], labels: labels) }
            }
            touching[key] = near
            return near
        }
        var candidates: [Candidate] = []
        for (i, piece) in pieces.enumerated() where Double(piece.region.height) < 0.5 * h {
            candidates.append(Candidate(first: i, end: i + 1, parts: [], region: piece.region, prior: -skipCost, skip: true))
        }
        for first in pieces.indices {
            var region = BoundingBox.empty
            var atomsUsed: [Int] = []
            var widestGap = 0.0
            var apart = false
            for end in (first + 1)...min(pieces.count, first + maxPieces) {
                let piece = pieces[end - 1]
                if end > first + 1 {
                    // Joining another atom is for broken strokes: only across small gaps.
                    let previous = pieces[end - 2]
                    if piece.atom != previous.atom {
                        let gap = Double(piece.region.minX - previous.region.maxX)
                        if gap > joinGap * h { break }
                        widestGap = max(widestGap, gap)
                        if !inkTouches(previous.atom, piece.atom) { apart = true }
                    }
                }
                region = region.union(piece.region)
                if !atomsUsed.contains(piece.atom) { atomsUsed.append(piece.atom) }
                let width = Double(region.width)
                if end > first + 1 && width > (lineWidth > 1.6 * h ? 1.3 : 1.8) * h { break }
                // Geometry: wider than a digit (absolutely, and than this line's digits) or
                // much lower than the line costs.
                // (Each class's own width is judged in `widthFit`.)
                var prior = -wideSlope * max(0, width / digitWidth - wideRatio)
                // Lower than the line's digits (which vary by ±10% or so) costs steeply.
                prior -= 8 * max(0, 0.7 - Double(region.height) / h)
                // Pieces of several blobs that overlap or nearly touch are likely one broken
                // digit: a bonus up to `joinBonus`, fading to nothing at a gap of 0.12 digit
                // heights (separate digits are written 0.1-0.4 heights apart).
                if atomsUsed.count > 1 && apart {
                    prior -= apartPenalty
                } else if atomsUsed.count > 1 {
                    prior += joinBonus * min(1, max(0, 1 - widestGap / (0.12 * h)))
                }
                // Every cut through a blob costs `cutPenalty`, half on each side: a split
                // must make the recogniser clearly surer than reading the blob whole.
                if first > 0 && pieces[first - 1].atom == pieces[first].atom { prior -= pieces[first].leftCutCost / 2 }
                if end < pieces.count && pieces[end].atom == pieces[end - 1].atom { prior -= pieces[end].leftCutCost / 2 }
                candidates.append(Candidate(first: first, end: end, parts: pieces[first..<end].map(\.part),
                                            region: region, prior: prior, strictWidth: strictWidths && lineWidth > 1.6 * h,
                                            widthWeight: widthWeight))
            }
        }
        return Plan(layout: layout, pieces: pieces, candidates: candidates)
    }

    /// The cut paths through a wide blob, left to right and never crossing: the cheapest
    /// paths from the minima of its ink profile (`cutCandidates`), and from columns every
    /// `cutStep` digit heights across it, which find the seams of overlapping digits where
    /// the profile has no minimum. A path that runs within `cutSpacing` digit heights of
    /// one already kept (on average over its rows) is the same cut and is dropped.
    func cutPaths(_ atom: Atom, labels: ComponentLabels, lineHeight h: Double) -> [[Int]] {
        let box = atom.box
        let margin = max(2, Int(0.2 * h))
        var starts = cutCandidates(atom, labels: labels, lineHeight: h)
        if cutStep > 0, box.width > 2 * margin {
            starts += stride(from: box.minX + margin, to: box.maxX - margin, by: max(1, Int(cutStep * h)))
        }
        let spacing = cutSpacing * h
        var kept: [[Int]] = []
        for start in starts {
            let path = cutPath(atom, from: start, labels: labels, lineHeight: h)
            // Not at the blob's edge, nor on a kept path.
            let mean = Double(path.reduce(0, +)) / Double(max(1, path.count))
            guard mean - Double(box.minX) >= Double(margin) / 2, Double(box.maxX) - mean >= Double(margin) / 2 else { continue }
            let distinct = kept.allSatisfy { other in
                Double(zip(path, other).reduce(0) { $0 + abs($1.0 - $1.1) }) / Double(max(1, path.count)) >= spacing
            }
            if distinct { kept.append(path) }
        }
        kept.sort { $0.reduce(0, +) < $1.reduce(0, +) }
        // Never crossing: each path stays right of the one before.
        for k in kept.indices.dropFirst() {
            for r in kept[k].indices { kept[k][r] = max(kept[k][r], kept[k - 1][r]) }
        }
        return kept
    }

    /// Columns where a wide blob may be cut: local minima of its column ink count, at
    /// least a fifth of a digit height from either end and from each other, best first.
    func cutCandidates(_ atom: Atom, labels: ComponentLabels, lineHeight h: Double) -> [Int] {
        let box = atom.box
        let wanted = atom.labels
        var profile = [Double](repeating: 0, count: box.width)
        for y in box.minY..<box.maxY {
            for x in box.minX..<box.maxX where wanted.contains(labels.labels[y * labels.width + x]) {
                profile[x - box.minX] += 1
            }
        }
        // Smooth over 3 columns.
        let smooth = profile.indices.map { i in
            (profile[max(0, i - 1)] + profile[i] + profile[min(profile.count - 1, i + 1)]) / 3
        }
        let margin = max(2, Int(0.2 * h))
        guard box.width > 2 * margin else { return [] }
        var minima: [(x: Int, value: Double)] = []
        for i in margin..<(box.width - margin) {
            let v = smooth[i]
            let l = smooth[max(0, i - 2)], r = smooth[min(smooth.count - 1, i + 2)]
            if v <= l && v <= r { minima.append((i, v)) }
        }
        minima.sort { $0.value < $1.value }
        var chosen: [Int] = []
        let maxCuts = max(1, min(6, Int(Double(box.width) / (0.35 * h))))
        for m in minima where chosen.count < maxCuts {
            if chosen.allSatisfy({ abs($0 - m.x) >= margin }) { chosen.append(m.x) }
        }
        return chosen.sorted().map { $0 + box.minX }
    }

    /// Tight box of the pixels of a part.
    func tightBox(_ part: DigitPart, image: ComponentLabels) -> BoundingBox {
        var box = BoundingBox.empty
        for (r, (left, right)) in zip(part.left, part.right).enumerated() {
            let y = part.top + r
            for x in max(0, left)..<min(image.width, max(left, right)) where part.labels.contains(image.labels[y * image.width + x]) {
                box.include(x: x, y: y)
            }
        }
        return box
    }

    /// Ink pixels of the atom a cut path runs through.
    func ink(on path: [Int], of atom: Atom, labels: ComponentLabels) -> Int {
        var count = 0
        for (r, x) in path.enumerated() where x >= 0 && x < labels.width {
            if atom.labels.contains(labels.labels[(atom.box.minY + r) * labels.width + x]) { count += 1 }
        }
        return count
    }

    /// Mean stroke width of an atom: area over half its boundary (see `MNISTNormalization.strokeWidth`).
    func strokeWidth(_ atom: Atom, labels: ComponentLabels) -> Double {
        var area = 0, boundary = 0
        let w = labels.width
        func mine(_ x: Int, _ y: Int) -> Bool {
            x >= 0 && y >= 0 && x < w && y < labels.height && atom.labels.contains(labels.labels[y * w + x])
        }
        for y in atom.box.minY..<atom.box.maxY {
            for x in atom.box.minX..<atom.box.maxX where mine(x, y) {
                area += 1
                if !mine(x - 1, y) || !mine(x + 1, y) || !mine(x, y - 1) || !mine(x, y + 1) { boundary += 1 }
            }
        }
        return boundary == 0 ? 1 : max(1, Double(area) / (Double(boundary) / 2))
    }

    /// The cheapest top-to-bottom path near column `start` through a blob: one column
    /// per row, moving at most one column a row, paying for every ink pixel crossed and a
    /// little for straying from `start` (minimum-cost path segmentation, as in Wang &
    /// Jean 1994, "Segmentation of merged characters by neural networks and shortest-path").
    /// Pixels left of `path[row]` go to the left piece.
    func cutPath(_ atom: Atom, from start: Int, labels: ComponentLabels, lineHeight h: Double) -> [Int] {
        let box = atom.box
        let reach = max(2, Int(0.25 * h))
        let lo = max(box.minX + 1, start - reach), hi = min(box.maxX - 1, start + reach)
        guard hi > lo else { return [Int](repeating: start, count: box.height) }
        let span = hi - lo + 1
        var cost = [Double](repeating: 0, count: span)
        var from = [Int8](repeating: 0, count: span * box.height)
        for r in 0..<box.height {
            let y = box.minY + r
            var next = [Double](repeating: .infinity, count: span)
            for i in 0..<span {
                let x = lo + i
                let ink = atom.labels.contains(labels.labels[y * labels.width + x]) ? 10.0 : 0
                let local = ink + 0.05 * Double(abs(x - start))
                if r == 0 { next[i] = local; continue }
                var best = cost[i], move: Int8 = 0
                if i > 0 && cost[i - 1] + 0.3 < best { best = cost[i - 1] + 0.3; move = -1 }
                if i + 1 < span && cost[i + 1] + 0.3 < best { best = cost[i + 1] + 0.3; move = 1 }
                next[i] = best + local
                from[r * span + i] = move
            }
            cost = next
        }
        var i = cost.indices.min { cost[$0] < cost[$1] } ?? 0
        var path = [Int](repeating: 0, count: box.height)
        for r in stride(from: box.height - 1, through: 0, by: -1) {
            path[r] = lo + i
            i += Int(from[r * span + i])
        }
        return path
    }
}

/// The pixels of some components between two cut paths: row `top + r` holds columns
/// `left[r] ..< right[r]`.
public struct DigitPart: Sendable {
    public var labels: [Int32]
    public var top: Int
    public var left: [Int], right: [Int]

    public init(labels: [Int32], top: Int, left: [Int], right: [Int]) {
        precondition(left.count == right.count, "cut paths of \(left.count) and \(right.count) rows")
        self.labels = labels; self.top = top; self.left = left; self.right = right
    }

    /// All of the components' pixels inside `box`.
    public init(labels: [Int32], box: BoundingBox) {
        self.init(labels: labels, top: box.minY, left: [Int](repeating: box.minX, count: box.height),
                  right: [Int](repeating: box.maxX, count: box.height))
    }

    @inline(__always)
    public func contains(label: Int32, x: Int, y: Int) -> Bool {
        let r = y - top
        return r >= 0 && r < left.count && x >= left[r] && x < right[r] && labels.contains(label)
    }
}
