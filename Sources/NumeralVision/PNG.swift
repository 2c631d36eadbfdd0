public import Foundation
import CPNG

/// What is wrong with an image file or upload, naming it.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    case unreadable(name: String, reason: String)
    case empty(name: String)
    case unsupportedFormat(name: String)
    case tooLarge(name: String, width: Int, height: Int, limit: Int)
    case corrupt(name: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(name, reason): "cannot read \(name): \(reason)"
        case let .empty(name): "\(name) is empty"
        case let .unsupportedFormat(name): "\(name) is not a PNG or JPEG image"
        case let .tooLarge(name, w, h, limit):
            // A damaged header can claim 2^32 x 2^32: multiply without trapping.
            "\(name) is \(w)x\(h) = \(w.multipliedReportingOverflow(by: h).overflow ? "over 2^63" : String(w * h)) pixels, over the limit of \(limit)"
        case let .corrupt(name, reason): "\(name) is a damaged image: \(reason)"
        }
    }
}

/// PNG through libpng's simplified API (libpng 1.6).
public enum PNG {
    public static func isPNG(_ data: Data) -> Bool {
        data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Encodes a gray, RGB or RGBA raster as PNG bytes.
    public static func encode(_ raster: Raster) -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(raster.width)
        image.height = UInt32(raster.height)
        image.format = switch raster.channels {
        case 1: UInt32(PNG_FORMAT_GRAY)
        case 3: UInt32(PNG_FORMAT_RGB)
        default: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        }
        let stride = Int32(raster.width * raster.channels)
        var size = 0
        // First call measures, second writes.
        let measured = raster.pixels.withUnsafeBytes {
            png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil)
        }
        guard measured != 0, size > 0 else { return Data() }
        var out = Data(count: size)
        let written = out.withUnsafeMutableBytes { buffer in
            raster.pixels.withUnsafeBytes {
                png_image_write_to_memory(&image, buffer.baseAddress, &size, 0, $0.baseAddress, stride, nil)
            }
        }
        png_image_free(&image)
        return written != 0 ? out.prefix(size) : Data()
    }

    /// Reads the width and height from the IHDR chunk without decoding anything.
    public static func dimensions(_ data: Data) -> (width: Int, height: Int)? {
        guard isPNG(data), data.count >= 24 else { return nil }
        let b = [UInt8](data.prefix(24))
        let w = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
        let h = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
        return (w, h)
    }

    /// Decodes any PNG (palette, gray, 16-bit, alpha) to 8-bit RGBA (`channels` 4), gray
    /// (1), RGB (3), or as stored (0: gray, RGB, or RGBA when the file has transparency).
    ///
    /// `maxPixels` is checked against the header before any pixel is decoded.
    public static func decode(_ data: Data, name: String, channels: Int = 4,
                              maxPixels: Int = 40_000_000) throws(ImageError) -> Raster {
        guard !data.isEmpty else { throw .empty(name: name) }
        guard isPNG(data) else { throw .unsupportedFormat(name: name) }
        if let (w, h) = dimensions(data), w.multipliedReportingOverflow(by: h).overflow || w * h > maxPixels {
            throw .tooLarge(name: name, width: w, height: h, limit: maxPixels)
        }
        // libpng reads from the buffer until finish_read, so both calls happen inside one
        // withUnsafeBytes.
        let bytes = [UInt8](data)
        let result = bytes.withUnsafeBytes { (buffer) -> Result<Raster, ImageError> in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, buffer.baseAddress, buffer.count) != 0 else {
                return .failure(.corrupt(name: name, reason: message(image)))
            }
            defer { png_image_free(&image) }
            let (w, h) = (Int(image.width), Int(image.height))
            guard w > 0, h > 0 else { return .failure(.corrupt(name: name, reason: "zero size")) }
            guard w * h <= maxPixels else { return .failure(.tooLarge(name: name, width: w, height: h, limit: maxPixels)) }
            var channels = channels
            if channels == 0 {
                // As stored: gray, RGB, or RGBA when there is any transparency.
                let f = image.format
                channels = f & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 4 : f & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1
            }
            if image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 {
                return decodeSixteenBit(&image, name: name, channels: channels)
            }
            image.format = switch channels {
            case 1: UInt32(PNG_FORMAT_GRAY)
            case 3: UInt32(PNG_FORMAT_RGB)
            default: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
            }
            var pixels = [UInt8](repeating: 0, count: w * h * channels)
            let finished = pixels.withUnsafeMutableBytes {
                png_image_finish_read(&image, nil, $0.baseAddress, Int32(w * channels), nil)
            }
            guard finished != 0 else { return .failure(.corrupt(name: name, reason: message(image))) }
            return .success(Raster(width: w, height: h, channels: channels, pixels: pixels))
        }
        return try result.get()
    }

    /// 16-bit files: libpng's simplified API treats their samples as linear light and
    /// would gamma-encode them on the way to 8 bits, brightening every gray. Reading them
    /// as 16-bit linear keeps the stored values (alpha comes premultiplied, so it is
    /// divided out); the high byte is the 8-bit value.
    private static func decodeSixteenBit(_ image: inout png_image, name: String, channels: Int) -> Result<Raster, ImageError> {
        let (w, h) = (Int(image.width), Int(image.height))
        image.format = UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var wide = [UInt16](repeating: 0, count: w * h * 4)
        let finished = wide.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(w * 4), nil)
        }
        guard finished != 0 else { return .failure(.corrupt(name: name, reason: message(image))) }
        var pixels = [UInt8](repeating: 0, count: w * h * channels)
        for i in 0..<(w * h) {
            let a = Int(wide[4 * i + 3])
            var rgb = [0, 0, 0]
            for c in 0..<3 { rgb[c] = a == 0 ? 0 : min(65535, Int(wide[4 * i + c]) * 65535 / a) }
            if channels == 1 {
                pixels[i] = UInt8(((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2]) / 1000) >> 8)
            } else {
                for c in 0..<3 { pixels[channels * i + c] = UInt8(rgb[c] >> 8) }
                if channels == 4 { pixels[4 * i + 3] = UInt8(a >> 8) }
            }
        }
        return .success(Raster(width: w, height: h, channels: channels, pixels: pixels))
    }

    private static func message(_ image: png_image) -> String {
        var m = image.message
        let text = withUnsafeBytes(of: &m) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? "libpng could not read it" : text
    }
}
