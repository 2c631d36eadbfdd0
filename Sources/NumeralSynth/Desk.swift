import Foundation
import NumeralVision

/// A page photographed lying on a desk: smaller than the picture, turned a little, on a
/// darker surface (wood, grey or black laminate, a dark cloth). Drawn at the final
/// resolution, before the camera's blur and noise, so the page's edge is blurred like its ink.
struct Desk: Sendable {
    /// The page's width as a share of the picture's.
    var share: Float
    /// Radians, counter-clockwise.
    var rotation: Float
    /// The surface, 0…1 per channel.
    var colour: RGB
    /// Where the page's centre sits within the room left for it, −1…1 each way.
    var place: (x: Float, y: Float)

    static func random(_ c: SynthConfiguration, using rng: inout some RandomNumberGenerator) -> Desk {
        let level = Float.random(in: 0.05...0.45, using: &rng)
        let colour = RGB(level, level * Float.random(in: 0.75...1, using: &rng), level * Float.random(in: 0.55...0.95, using: &rng))
        return Desk(share: Float(Double.random(in: c.deskPageShare, using: &rng)),
                    rotation: Float(Double.random(in: -c.deskRotationDegrees...c.deskRotationDegrees, using: &rng)) * .pi / 180,
                    colour: colour,
                    place: (Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng)))
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
                // Picture → page coordinates: undo the turn about the page's centre.
                let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                let u = c * dx + s * dy + Float(pw) / 2, v = -s * dx + c * dy + Float(ph) / 2
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
                let du = Float(u) - Float(pw) / 2, dv = Float(v) - Float(ph) / 2
                let x = cx + c * du - s * dv, y = cy + s * du + c * dv
                box = box.union(BoundingBox(minX: Int(x.rounded(.down)), minY: Int(y.rounded(.down)),
                                            maxX: Int(x.rounded(.up)), maxY: Int(y.rounded(.up))))
            }
            return SynthMark(digit: mark.digit, box: box)
        }
        return (channels, moved, pictureOwners)
    }
}
