import CNumeralZlib
import Foundation

/// A minimal PNG writer for fixtures libpng's simplified writer cannot make: any bit
/// depth and colour type, palettes with transparency. Rows are given already packed.
enum RawPNG {
    static func make(width: Int, height: Int, bitDepth: Int, colorType: Int, rows: [[UInt8]],
                     palette: [UInt8]? = nil, transparency: [UInt8]? = nil) -> Data {
        var raw: [UInt8] = []
        for row in rows { raw.append(0); raw += row }   // filter type 0 on every row
        var compressedSize = compressBound(UInt(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        _ = compress2(&compressed, &compressedSize, raw, UInt(raw.count), 6)
        var ihdr = be32(width) + be32(height)
        ihdr += [UInt8(bitDepth), UInt8(colorType), 0, 0, 0]
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        out += chunk("IHDR", ihdr)
        if let palette { out += chunk("PLTE", palette) }
        if let transparency { out += chunk("tRNS", transparency) }
        out += chunk("IDAT", Array(compressed.prefix(Int(compressedSize))))
        out += chunk("IEND", [])
        return out
    }

    /// Only a signature and an IHDR claiming `width x height`: a decompression bomb's header.
    static func header(width: Int, height: Int) -> Data {
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        out += chunk("IHDR", be32(width) + be32(height) + [8, 0, 0, 0, 0])
        return out
    }

    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> Data {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
        return Data(be32(data.count) + body + be32(Int(crc)))
    }
}
