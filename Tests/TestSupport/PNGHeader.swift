/// A PNG that is only a signature and a valid IHDR chunk claiming `width`×`height`: a
/// decompression bomb's header, which must be refused before any pixel is decoded.
public func pngHeader(width: Int, height: Int) -> [UInt8] {
    func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    let data = be32(width) + be32(height) + [8, 0, 0, 0, 0]
    let typeAndData = Array("IHDR".utf8) + data
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(data.count) + typeAndData + be32(Int(crc32(typeAndData)))
}

/// The CRC-32 of PNG chunks (and gzip), bit by bit.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
