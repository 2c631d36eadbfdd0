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
}

/// Maps a batch of 28x28 inputs (784 floats each, ink = 1) to 10 probabilities each.
public typealias DigitClassifier = ([[Float]]) -> [[Float]]

public struct Segmenter: Sendable {
    /// Components lower than this (working pixels) are never digits.
    public var minimumDigitHeight = 8
    /// Log-probability a cut through a blob must win back (see `plan`).
    public var cutPenalty = 1.5

    public init() {}

    /// Lines of the image, top to bottom, each number of a row left to right.
    public func segment(_ image: InkImage, classify: DigitClassifier) -> [SegmentedLine] {
        guard image.method != .blank else { return [] }
        var labels = ComponentLabels(mask: image.mask, width: image.width, height: image.height)
        // Ruled lines and borders, measured against the digits' height.
        if let typical = typicalHeight(labels.components) {
            var mask = image.mask
            let thickness = max(2, Int(0.15 * typical))
            let removed = LineRemoval.remove(from: &mask, width: image.width, height: image.height, thickness: thickness,
                                             horizontalLength: Int(1.5 * typical), verticalLength: Int(1.6 * typical))
            if removed > 0 { labels = ComponentLabels(mask: mask, width: image.width, height: image.height) }
        }
        let numbers = group(labels)
        // Collect every candidate digit of every number, classify them in one batch.
        var plans = numbers.map { plan($0, labels: labels) }
        var inputs: [[Float]] = []
        for p in plans.indices {
            for c in plans[p].candidates.indices {
                plans[p].candidates[c].inputIndex = inputs.count
                inputs.append(MNISTNormalization.normalize(ink: image.ink, labelImage: labels.labels,
                                                           labels: plans[p].candidates[c].labels,
                                                           region: plans[p].candidates[c].region))
            }
        }
        let probabilities = inputs.isEmpty ? [] : classify(inputs)
        precondition(probabilities.count == inputs.count, "classifier returned \(probabilities.count) rows for \(inputs.count) inputs")
        return plans.compactMap { $0.resolve(inputs: inputs, probabilities: probabilities) }
    }

    // MARK: - Lines and numbers

    /// A number before recognition: its atoms (digit blobs, left to right) and separators.
    struct NumberLayout {
        var height: Double
        var atoms: [Atom]
        var separators: [(kind: SeparatorKind, box: BoundingBox)]
    }

    struct Atom {
        var labels: [Int32]
        var box: BoundingBox
    }

    func group(_ labels: ComponentLabels) -> [NumberLayout] {
        let all = labels.components
        guard !all.isEmpty else { return [] }
        guard let typical = typicalHeight(all) else { return [] }
        let speckArea = max(3, Int((0.08 * typical) * (0.08 * typical)))
        let components = all.filter { $0.area >= speckArea }

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
        // Small components join the band they sit in (a comma may hang below it).
        for c in components where Double(c.box.height) < tallHeight {
            let cy = c.box.centerY
            if let k = bands.firstIndex(where: { band in
                let extra = 0.35 * Double(band.box.height)
                return cy >= Double(band.box.minY) && cy <= Double(band.box.maxY) + extra
                    && c.box.minX >= band.box.minX - band.box.height && c.box.maxX <= band.box.maxX + band.box.height
            }) {
                bands[k].members.append(c)
            }
        }
        bands.sort { $0.box.minY < $1.box.minY }

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
                if let layout = layout(run, lineHeight: lineHeight) { numbers.append(layout) }
            }
        }
        return numbers
    }

    /// Typical digit height in an ink image, nil when nothing there could be a digit.
    public func typicalDigitHeight(_ image: InkImage) -> Double? {
        guard image.method != .blank else { return nil }
        return typicalHeight(ComponentLabels(mask: image.mask, width: image.width, height: image.height).components)
    }

    /// Typical digit height: a high quantile of the heights of plausible blobs, so specks
    /// and separators do not pull it down, leaving out hairline verticals (box sides,
    /// shadow edges) when there are other blobs.
    func typicalHeight(_ components: [Component]) -> Double? {
        let plausible = components.filter { $0.box.height >= minimumDigitHeight && $0.area >= 12 }
        let shaped = plausible.filter { $0.box.height <= 8 * $0.box.width && $0.box.width <= 8 * $0.box.height }
        let heights = (shaped.isEmpty ? plausible : shaped).map(\.box.height).sorted()
        guard !heights.isEmpty else { return nil }
        return Double(heights[(heights.count * 3) / 4])
    }

    /// Merges fragments into atoms and sorts separators out of one number's components.
    func layout(_ members: [Component], lineHeight: Double) -> NumberLayout? {
        let h = lineHeight
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
                    parent[find(j)] = find(i)
                }
            }
        }
        var groups: [Int: Atom] = [:]
        for i in members.indices {
            let r = find(i)
            if var atom = groups[r] {
                atom.labels.append(members[i].label); atom.box = atom.box.union(members[i].box); groups[r] = atom
            } else {
                groups[r] = Atom(labels: [members[i].label], box: members[i].box)
            }
        }
        let atomsAll = groups.values.sorted { $0.box.minX < $1.box.minX }
        let band = atomsAll.reduce(BoundingBox.empty) { $0.union($1.box) }
        let tallAtoms = atomsAll.filter { Double($0.box.height) >= 0.5 * h }
        guard !tallAtoms.isEmpty else { return nil }
        let top = Double(tallAtoms.map(\.box.minY).sorted()[tallAtoms.count / 2])
        let bottom = Double(tallAtoms.map(\.box.maxY).sorted()[tallAtoms.count / 2])
        var atoms: [Atom] = [], separators: [(kind: SeparatorKind, box: BoundingBox)] = []
        for atom in atomsAll {
            if Double(atom.box.height) >= 0.5 * h { atoms.append(atom); continue }
            if let kind = Segmenter.separatorKind(atom.box, top: top, bottom: bottom, lineHeight: h) {
                separators.append((kind, atom.box))
            }
        }
        _ = band
        return atoms.isEmpty ? nil : NumberLayout(height: h, atoms: atoms, separators: separators)
    }

    /// Point, comma or minus by size and position in the line (top...bottom of the digits).
    static func separatorKind(_ box: BoundingBox, top: Double, bottom: Double, lineHeight h: Double) -> SeparatorKind? {
        let (w, ht) = (Double(box.width), Double(box.height))
        let cy = box.centerY
        let relative = (cy - top) / max(1, bottom - top)
        if w >= 0.25 * h && ht <= 0.3 * h && w >= 1.8 * ht && relative > 0.25 && relative < 0.8 { return .minus }
        guard w <= 0.45 * h, ht <= 0.5 * h, relative > 0.6 else { return nil }
        let belowBaseline = Double(box.maxY) > bottom + 0.08 * h
        if ht >= 1.4 * w && belowBaseline || ht >= 2 * w { return .comma }
        if w >= 0.04 * h || ht >= 0.04 * h { return .point }
        return nil
    }

    // MARK: - Candidate digits and the best path

    /// A way to read part of a number as one digit: the pieces `first..<end`.
    struct Candidate {
        var first: Int, end: Int
        var labels: [Int32]
        var region: BoundingBox
        var prior: Double
        var inputIndex = -1
    }

    /// Pieces (atoms, or slices of a wide atom between two cuts) and candidate digits.
    struct Plan {
        var layout: NumberLayout
        var pieces: [(atom: Int, region: BoundingBox)]
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
                let p = probabilities[cand.inputIndex].max() ?? 0
                let score = best[cand.first] + log(Double(max(p, 1e-6))) + cand.prior
                if score > best[cand.end] { best[cand.end] = score; choice[cand.end] = c }
            }
            guard best[n] > -.infinity else { return nil }
            var path: [Candidate] = []
            var at = n
            while at > 0 { let c = candidates[choice[at]]; path.append(c); at = c.first }
            path.reverse()
            let digits = path.map { c in
                SegmentedDigit(box: c.region, input: inputs[c.inputIndex], probabilities: probabilities[c.inputIndex])
            }
            let separators = layout.separators.map { s in
                SegmentedSeparator(kind: s.kind, box: s.box,
                                   digitsBefore: digits.filter { $0.box.centerX < s.box.centerX }.count)
            }
            let box = digits.reduce(BoundingBox.empty) { $0.union($1.box) }
                .union(layout.separators.reduce(BoundingBox.empty) { $0.union($1.box) })
            return SegmentedLine(box: box, digits: digits, separators: separators.sorted { $0.box.minX < $1.box.minX })
        }
    }

    func plan(_ layout: NumberLayout, labels: ComponentLabels) -> Plan {
        let h = layout.height
        var pieces: [(atom: Int, region: BoundingBox)] = []
        for (a, atom) in layout.atoms.enumerated() {
            let cuts = Double(atom.box.width) > 0.8 * h ? cutCandidates(atom, labels: labels, lineHeight: h) : []
            var left = atom.box.minX
            for cut in cuts + [atom.box.maxX] {
                let region = tightBox(labels: atom.labels, in: BoundingBox(minX: left, minY: atom.box.minY,
                                                                           maxX: cut, maxY: atom.box.maxY), image: labels)
                if !region.isEmpty { pieces.append((a, region)) }
                left = cut
            }
        }
        var candidates: [Candidate] = []
        for first in pieces.indices {
            var region = BoundingBox.empty
            var atomsUsed: [Int] = []
            for end in (first + 1)...min(pieces.count, first + 4) {
                let piece = pieces[end - 1]
                if end > first + 1 {
                    // Joining another atom is for broken strokes: only across small gaps.
                    let previous = pieces[end - 2]
                    if piece.atom != previous.atom && Double(piece.region.minX - previous.region.maxX) > 0.25 * h { break }
                }
                region = region.union(piece.region)
                if !atomsUsed.contains(piece.atom) { atomsUsed.append(piece.atom) }
                let width = Double(region.width) / h
                if end > first + 1 && width > 1.3 { break }
                var prior = 0.0
                if width > 1.0 { prior -= 4 * (width - 1.0) }
                if Double(region.height) < 0.55 * h { prior -= 2 }
                if atomsUsed.count > 1 { prior -= 0.5 }
                // Every cut through a blob costs `cutPenalty`, half on each side: a split
                // must make the recogniser clearly surer than reading the blob whole.
                if first > 0 && pieces[first - 1].atom == pieces[first].atom { prior -= cutPenalty / 2 }
                if end < pieces.count && pieces[end].atom == pieces[end - 1].atom { prior -= cutPenalty / 2 }
                let labelSet = atomsUsed.flatMap { layout.atoms[$0].labels }
                candidates.append(Candidate(first: first, end: end, labels: labelSet, region: region, prior: prior))
            }
        }
        return Plan(layout: layout, pieces: pieces, candidates: candidates)
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

    /// Tight box of the pixels of `labels` inside `region`.
    func tightBox(labels: [Int32], in region: BoundingBox, image: ComponentLabels) -> BoundingBox {
        let wanted = labels
        var box = BoundingBox.empty
        for y in region.minY..<region.maxY {
            for x in region.minX..<region.maxX where wanted.contains(image.labels[y * image.width + x]) {
                box.include(x: x, y: y)
            }
        }
        return box
    }
}
