import Foundation
import NumeralVision

/// A page photographed lying on a desk: smaller than the picture, turned a little, on a
/// darker surface (wood, grey or black laminate, a dark cloth). Drawn at the final
/// resolution, before the camera's blur and noise, so the page's edge is blurred like its ink.
/// Half the photos are taken at an angle (the page's far edge foreshortened), and a third are
/// close-ups, where the page runs off the picture on the sides the desk does not show.
struct Desk: Sendable {
    /// The page's width as a share of the picture's.
    var share: Float
    /// Radians, counter-clockwise.
    var rotation: Float
    /// The surface, 0…1 per channel.
    var colour: RGB
    /// Where the page's centre sits within the room left for it, −1…1 each way.
    var place: (x: Float, y: Float)
    /// How much shorter the page's top edge is than its bottom edge (0: seen square-on).
    var keystone: Float = 0
    /// For a close-up, the sides (0 left, 1 top, 2 right, 3 bottom) where the desk still
    /// shows; on the others the picture is cut between the page's edge and its number.
    var deskSides: Set<Int>? = nil
    /// Where each cut falls between the number and the page's edge, 0…1.
    var cuts: [Float] = [0.5, 0.5, 0.5, 0.5]

    static func random(_ c: SynthConfiguration, using rng: inout some RandomNumberGenerator) -> Desk {
        let level = Float.random(in: 0.05...0.45, using: &rng)
        let colour = RGB(level, level * Float.random(in: 0.75...1, using: &rng), level * Float.random(in: 0.55...0.95, using: &rng))
        return Desk(share: Float(Double.random(in: c.deskPageShare, using: &rng)),
                    rotation: Float(Double.random(in: -c.deskRotationDegrees...c.deskRotationDegrees, using: &rng)) * .pi / 180,
                    colour: colour,
                    place: (Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng)),
                    keystone: Bool.random(using: &rng) ? Float.random(in: 0.05...0.2, using: &rng) : 0,
                    deskSides: Int.random(in: 0..<3, using: &rng) == 0
                        ? Set(Array(0..<4).shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng))) : nil,
                    cuts: (0..<4).map { _ in Float.random(in: 0.2...0.9, using: &rng) })
    }

    /// The picture of `page` (one plane per channel, grey levels 0…255) on the desk, with the
    /// page's marks and pixel owners carried over to the picture's pixels. The surface varies
    /// smoothly by ±5% (`grain`, one value per picture pixel, −1…1).
    func photograph(_ page: [Plane], marks: [SynthMark], owners: [Int8],
                    using rng: inout some RandomNumberGenerator) -> (channels: [Plane], marks: [SynthMark], owners: [Int8]) {
        let (pw, ph) = (page[0].width, page[0].height)
        let (c, s) = (cos(rotation), sin(rotation))
        // The turned page's extent, and a picture with room around it.
        let turnedWidth = abs(c) * Float(pw) + abs(s) * Float(ph), turnedHeight = abs(s) * Float(pw) + abs(c) * Float(ph)
        let width = max(Int((Float(pw) / share).rounded()), Int(turnedWidth.rounded(.up)) + 8)
        let height = max(Int((Float(ph) / share).rounded()), Int(turnedHeight.rounded(.up)) + 8)
        let cx = Float(width) / 2 + place.x * (Float(width) - turnedWidth) / 2 * 0.8
        let cy = Float(height) / 2 + place.y * (Float(height) - turnedHeight) / 2 * 0.8
        let grain = Plane.valueNoise(width: width, height: height, cell: Float(max(width, height)) / 4, using: &rng)
        precondition(page.count == 3, "the desk is drawn before the picture turns grey")
        let surface = [colour.r, colour.g, colour.b]

        var channels = page.map { _ in Plane(width: width, height: height) }
        var pictureOwners = [Int8](repeating: -1, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                // Picture → page coordinates: undo the turn about the page's centre, then the
                // foreshortening (rows nearer the top were drawn narrower).
                let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                let v = -s * dx + c * dy + Float(ph) / 2
                let u = (c * dx + s * dy) / narrowing(v, height: ph) + Float(pw) / 2
                // Coverage of the page, soft over one pixel at its edge.
                let alpha = min(1, max(0, min(min(u, Float(pw) - u), min(v, Float(ph) - v)) + 0.5))
                if u >= 0, v >= 0, Int(u) < pw, Int(v) < ph { pictureOwners[i] = owners[Int(v) * pw + Int(u)] }
                for k in channels.indices {
                    let desk = 255 * surface[k] * (1 + 0.05 * grain.values[i])
                    channels[k].values[i] = alpha > 0 ? alpha * page[k].sample(x: u, y: v) + (1 - alpha) * desk : desk
                }
            }
        }
        let moved = marks.map { mark -> SynthMark in
            guard !mark.box.isEmpty else { return mark }
            var box = BoundingBox.empty
            for (u, v) in [(mark.box.minX, mark.box.minY), (mark.box.maxX, mark.box.minY),
                           (mark.box.minX, mark.box.maxY), (mark.box.maxX, mark.box.maxY)] {
                let (x, y) = picturePoint(u: Float(u), v: Float(v))
                box = box.union(BoundingBox(minX: Int(x.rounded(.down)), minY: Int(y.rounded(.down)),
                                            maxX: Int(x.rounded(.up)), maxY: Int(y.rounded(.up))))
            }
            return SynthMark(digit: mark.digit, box: box)
        }
        /// Page → picture coordinates.
        func picturePoint(u: Float, v: Float) -> (Float, Float) {
            let du = (u - Float(pw) / 2) * narrowing(v, height: ph), dv = v - Float(ph) / 2
            return (cx + c * du - s * dv, cy + s * du + c * dv)
        }
        guard let deskSides else { return (channels, moved, pictureOwners) }

        // A close-up: the picture cut between the number and the page's edge on every side
        // but the desk's.
        let number = moved.reduce(BoundingBox.empty) { $0.union($1.box) }
        let corners = [(0, 0), (pw, 0), (pw, ph), (0, ph)].map { picturePoint(u: Float($0.0), v: Float($0.1)) }
        let (left, right) = (corners.map(\.0).min()!, corners.map(\.0).max()!)
        let (top, bottom) = (corners.map(\.1).min()!, corners.map(\.1).max()!)
        let margin = Float(max(4, (number.maxY - number.minY) / 3))
        var frame = (minX: 0, minY: 0, maxX: width, maxY: height)
        for side in 0..<4 where !deskSides.contains(side) {
            let t = cuts[side]
            switch side {
            case 0: frame.minX = max(0, Int(left + t * max(0, Float(number.minX) - margin - left)))
            case 1: frame.minY = max(0, Int(top + t * max(0, Float(number.minY) - margin - top)))
            case 2: frame.maxX = min(width, Int(right - t * max(0, right - Float(number.maxX) - margin)))
            default: frame.maxY = min(height, Int(bottom - t * max(0, bottom - Float(number.maxY) - margin)))
            }
        }
        let (fw, fh) = (frame.maxX - frame.minX, frame.maxY - frame.minY)
        func cropped<T>(_ values: [T]) -> [T] {
            (0..<fh).flatMap { y in values[((y + frame.minY) * width + frame.minX)..<((y + frame.minY) * width + frame.maxX)] }
        }
        let croppedChannels = channels.map { plane in
            var out = Plane(width: fw, height: fh)
            out.values = cropped(plane.values)
            return out
        }
        let shifted = moved.map { mark in
            mark.box.isEmpty ? mark : SynthMark(digit: mark.digit, box: BoundingBox(
                minX: mark.box.minX - frame.minX, minY: mark.box.minY - frame.minY,
                maxX: mark.box.maxX - frame.minX, maxY: mark.box.maxY - frame.minY))
        }
        return (croppedChannels, shifted, cropped(pictureOwners))
    }

    /// How wide the page's row `v` (0 at its top) is drawn, as a share of its width.
    func narrowing(_ v: Float, height: Int) -> Float {
        1 - keystone * (1 - clamp01(v / Float(height)))
    }
}
