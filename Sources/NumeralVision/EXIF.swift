public import Foundation

// EXIF orientation of JPEG files (JEITA CP-3451, "Exif 2.32", tag 0x0112 in IFD0 of the
// TIFF structure inside the APP1 "Exif\0\0" segment). Phones store the sensor's pixels
// and record how to turn them; a viewer, and Numeral, applies the turn.

public enum EXIF {
    /// The orientation (1...8) in a JPEG's APP1 Exif segment, or nil when there is none.
    public static func orientation(ofJPEG data: Data) -> Int? {
        let b = [UInt8](data.prefix(256 * 1024))
        guard b.count > 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 { i += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }   // image data: no more metadata
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2, i + 2 + length <= b.count else { return nil }
            let segment = Array(b[(i + 4)..<(i + 2 + length)])
            if marker == 0xE1, segment.starts(with: [0x45, 0x78, 0x69, 0x66, 0, 0]) {
                return orientation(tiff: Array(segment.dropFirst(6)))
            }
            i += 2 + length
        }
        return nil
    }

    /// Orientation tag of IFD0 in a TIFF structure.
    static func orientation(tiff t: [UInt8]) -> Int? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= t.count else { return nil }
            return little ? Int(t[o]) | Int(t[o + 1]) << 8 : Int(t[o]) << 8 | Int(t[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for e in 0..<count {
            let entry = ifd + 2 + 12 * e
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112, let type = u16(entry + 2), type == 3, let value = u16(entry + 8) {
                return (1...8).contains(value) ? value : nil
            }
        }
        return nil
    }

    /// The raster as it should be displayed, given the stored orientation.
    public static func apply(orientation: Int, to raster: Raster) -> Raster {
        guard (2...8).contains(orientation) else { return raster }
        let (w, h, c) = (raster.width, raster.height, raster.channels)
        let swaps = orientation >= 5
        let (ow, oh) = swaps ? (h, w) : (w, h)
        var out = [UInt8](repeating: 0, count: w * h * c)
        for y in 0..<oh {
            for x in 0..<ow {
                // (sx, sy): the stored pixel shown at (x, y).
                let (sx, sy): (Int, Int) = switch orientation {
                case 2: (w - 1 - x, y)
                case 3: (w - 1 - x, h - 1 - y)
                case 4: (x, h - 1 - y)
                case 5: (y, x)
                case 6: (y, h - 1 - x)
                case 7: (w - 1 - y, h - 1 - x)
                default: (w - 1 - y, x)   // 8
                }
                for k in 0..<c { out[(y * ow + x) * c + k] = raster.pixels[(sy * w + sx) * c + k] }
            }
        }
        return Raster(width: ow, height: oh, channels: c, pixels: out)
    }

    /// A copy of `jpeg` with an APP1 Exif segment carrying `orientation` right after SOI
    /// (big-endian TIFF, as many cameras write). For making test fixtures.
    public static func insertingOrientation(_ orientation: Int, into jpeg: Data, littleEndian: Bool = false) -> Data {
        precondition((1...8).contains(orientation), "EXIF orientation \(orientation)")
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        tiff += u16(42) + u32(8)                               // header, IFD0 at offset 8
        tiff += u16(1)                                          // one entry
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + [0, 0]
        tiff += u32(0)                                          // no next IFD
        let payload: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0] + tiff
        let length = payload.count + 2
        var out = Data([0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload)
        out.append(jpeg.dropFirst(2))
        return out
    }
}
