import Foundation
import NumeralVision
import Testing

/// A 4x3 test pattern: gray levels 0, 40, 80, ... by position, so orientation and
/// channel order are checkable.
private let width = 4, height = 3
private func level(_ x: Int, _ y: Int) -> UInt8 { UInt8((y * width + x) * 20) }

@Suite("Decoding PNG and JPEG")
struct DecodingTests {
    @Test("8-bit gray PNG")
    func gray8() throws {
        let rows = (0..<height).map { y in (0..<width).map { level($0, y) } }
        let raster = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 8, colorType: 0, rows: rows), name: "g8.png")
        #expect(raster.width == width && raster.height == height)
        #expect(raster.channels == 1 && raster[3, 2, 0] == level(3, 2))
    }

    @Test("16-bit gray PNG keeps the high byte")
    func gray16() throws {
        let rows = (0..<height).map { y in (0..<width).flatMap { x -> [UInt8] in [level(x, y), 0x80] } }
        let raster = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 16, colorType: 0, rows: rows), name: "g16.png")
        // 16-bit linear data goes through libpng's gamma handling; allow a small difference.
        #expect(abs(Int(raster[2, 1, 0]) - Int(level(2, 1))) <= 2)
    }

    @Test("1-bit gray PNG")
    func gray1() throws {
        // Row bits 1010 -> white, black, white, black.
        let rows = (0..<height).map { _ in [UInt8(0b1010_0000)] }
        let raster = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 1, colorType: 0, rows: rows), name: "g1.png")
        #expect(raster[0, 0, 0] == 255 && raster[1, 0, 0] == 0)
    }

    @Test("RGB, RGBA, gray+alpha and 16-bit RGBA PNG")
    func colourTypes() throws {
        let rgb = (0..<height).map { y in (0..<width).flatMap { x -> [UInt8] in [level(x, y), 7, 200] } }
        var r = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 8, colorType: 2, rows: rgb), name: "rgb.png")
        #expect(r.channels == 3 && r[1, 1, 0] == level(1, 1) && r[1, 1, 1] == 7 && r[1, 1, 2] == 200)
        let rgba = (0..<height).map { y in (0..<width).flatMap { x -> [UInt8] in [level(x, y), 7, 200, 128] } }
        r = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 8, colorType: 6, rows: rgba), name: "rgba.png")
        #expect(r[1, 1, 3] == 128)
        let grayAlpha = (0..<height).map { y in (0..<width).flatMap { x -> [UInt8] in [level(x, y), 60] } }
        r = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 8, colorType: 4, rows: grayAlpha), name: "ga.png")
        #expect(r[2, 2, 3] == 60)
        let rgba16 = (0..<height).map { y in (0..<width).flatMap { x -> [UInt8] in [level(x, y), 0, 7, 0, 200, 0, 255, 255] } }
        r = try ImageDecoder.decode(RawPNG.make(width: width, height: height, bitDepth: 16, colorType: 6, rows: rgba16), name: "rgba16.png")
        #expect(r[3, 0, 3] == 255 && abs(Int(r[3, 0, 2]) - 200) <= 2)
    }

    @Test("Palette PNG with a transparent entry")
    func palette() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let rows = (0..<height).map { y in (0..<width).map { UInt8(($0 + y) % 3) } }
        let png = RawPNG.make(width: width, height: height, bitDepth: 8, colorType: 3, rows: rows,
                              palette: palette, transparency: [255, 255, 0])
        let r = try ImageDecoder.decode(png, name: "palette.png")
        #expect(r.channels == 4 && r[0, 0, 0] == 255 && r[0, 0, 3] == 255)        // index 0: red
        #expect(r[1, 0, 1] == 255)                              // index 1: green
        #expect(r[2, 0, 3] == 0)                                // index 2: transparent
    }

    @Test("Gray and colour JPEG")
    func jpeg() throws {
        var gray = Raster(width: 16, height: 16, channels: 1, fill: 200)
        for y in 0..<8 { for x in 0..<8 { gray[x, y, 0] = 20 } }
        let g = try ImageDecoder.decode(JPEG.encode(gray, quality: 95), name: "g.jpg")
        #expect(g.channels == 1 && g.width == 16)
        #expect(abs(Int(g[2, 2, 0]) - 20) < 12 && abs(Int(g[12, 12, 0]) - 200) < 12)
        var colour = Raster(width: 16, height: 16, channels: 3, fill: 230)
        for y in 0..<16 { for x in 0..<8 { colour[x, y, 0] = 20; colour[x, y, 1] = 40; colour[x, y, 2] = 160 } }
        let c = try ImageDecoder.decode(JPEG.encode(colour, quality: 95), name: "c.jpg")
        #expect(c.channels == 3 && abs(Int(c[2, 8, 2]) - 160) < 16)
    }

    /// Where the dark top-left corner block of the stored image is shown, per orientation.
    @Test("EXIF orientation", arguments: [
        (1, false, false, false), (2, true, false, false), (3, true, true, false), (4, false, true, false),
        (5, false, false, true), (6, true, false, true), (7, true, true, true), (8, false, true, true),
    ] as [(Int, Bool, Bool, Bool)])
    func orientation(_ orientation: Int, right: Bool, bottom: Bool, swapped: Bool) throws {
        // Stored: 48 wide, 32 high, white with a black 16x16 block in the top-left corner.
        var stored = Raster(width: 48, height: 32, channels: 1, fill: 255)
        for y in 0..<16 { for x in 0..<16 { stored[x, y, 0] = 0 } }
        for littleEndian in [false, true] {
            let file = EXIF.insertingOrientation(orientation, into: JPEG.encode(stored, quality: 95), littleEndian: littleEndian)
            #expect(EXIF.orientation(ofJPEG: file) == orientation)
            let shown = try ImageDecoder.decode(file, name: "o\(orientation).jpg")
            #expect((shown.width, shown.height) == (swapped ? (32, 48) : (48, 32)))
            let x = right ? shown.width - 4 : 4, y = bottom ? shown.height - 4 : 4
            #expect(shown[x, y, 0] < 60, "orientation \(orientation): block not at \(right ? "right" : "left")/\(bottom ? "bottom" : "top")")
            #expect(shown[shown.width - 1 - x, shown.height - 1 - y, 0] > 200)
        }
    }

    @Test("A JPEG without EXIF has no orientation")
    func noOrientation() {
        #expect(EXIF.orientation(ofJPEG: JPEG.encode(Raster(width: 8, height: 8, channels: 1, fill: 9))) == nil)
    }
}

@Suite("Bad image files: one clear error each")
struct BadInputTests {
    @Test func empty() {
        #expect(throws: ImageError.empty(name: "e.png")) { try ImageDecoder.decode(Data(), name: "e.png") }
        #expect(ImageError.empty(name: "e.png").description.contains("e.png"))
    }

    @Test func textNamedPNG() {
        #expect(throws: ImageError.unsupportedFormat(name: "notes.png")) {
            try ImageDecoder.decode(Data("hello, this is text\n".utf8), name: "notes.png")
        }
    }

    @Test func unsupportedFormat() {
        let gif = Data("GIF89a".utf8) + Data(repeating: 0, count: 20)
        #expect(throws: ImageError.unsupportedFormat(name: "a.gif")) { try ImageDecoder.decode(gif, name: "a.gif") }
    }

    @Test func truncatedPNG() {
        let rows = (0..<40).map { y in (0..<40).map { UInt8(($0 * y) & 0xFF) } }
        let full = RawPNG.make(width: 40, height: 40, bitDepth: 8, colorType: 0, rows: rows)
        let cut = full.prefix(full.count / 2)
        do {
            _ = try ImageDecoder.decode(cut, name: "cut.png")
            Issue.record("a truncated PNG decoded")
        } catch {
            guard case .corrupt(let name, _) = error else { Issue.record("\(error)"); return }
            #expect(name == "cut.png")
        }
    }

    @Test func truncatedJPEG() {
        var raster = Raster(width: 64, height: 64, channels: 3, fill: 0)
        for i in raster.pixels.indices { raster.pixels[i] = UInt8((i * 37) & 0xFF) }
        let full = JPEG.encode(raster, quality: 90)
        for cut in [full.prefix(full.count / 2), full.prefix(40)] {
            do {
                _ = try ImageDecoder.decode(cut, name: "cut.jpg")
                Issue.record("a truncated JPEG of \(cut.count) bytes decoded")
            } catch {
                guard case .corrupt(let name, _) = error else { Issue.record("\(error)"); continue }
                #expect(name == "cut.jpg")
            }
        }
    }

    @Test func hugeHeader() {
        #expect(throws: ImageError.tooLarge(name: "bomb.png", width: 100_000, height: 100_000, limit: 40_000_000)) {
            try ImageDecoder.decode(RawPNG.header(width: 100_000, height: 100_000), name: "bomb.png")
        }
        #expect(ImageError.tooLarge(name: "bomb.png", width: 100_000, height: 100_000, limit: 40_000_000)
            .description.contains("over the limit"))
    }

    @Test func hugeJPEG() {
        let small = JPEG.encode(Raster(width: 64, height: 48, channels: 1, fill: 128))
        #expect(throws: ImageError.tooLarge(name: "big.jpg", width: 64, height: 48, limit: 1000)) {
            try ImageDecoder.decode(small, name: "big.jpg", maxPixels: 1000)
        }
    }
}
