public import Foundation
import CTurboJPEG

/// JPEG through libjpeg-turbo's TurboJPEG API.
public enum JPEG {
    public static func isJPEG(_ data: Data) -> Bool { data.starts(with: [0xFF, 0xD8, 0xFF]) }

    /// Decodes a JPEG to 8-bit gray (grayscale files) or RGB, without applying EXIF
    /// orientation (see `ImageDecoder`). The size is read from the header and checked
    /// against `maxPixels` before any pixel is decoded.
    public static func decode(_ data: Data, name: String, maxPixels: Int = 40_000_000) throws(ImageError) -> Raster {
        guard !data.isEmpty else { throw .empty(name: name) }
        guard isJPEG(data) else { throw .unsupportedFormat(name: name) }
        guard let handle = tjInitDecompress() else { throw .unreadable(name: name, reason: "libjpeg-turbo could not start") }
        defer { tjDestroy(handle) }
        let bytes = [UInt8](data)
        let result = bytes.withUnsafeBufferPointer { (buffer) -> Result<Raster, ImageError> in
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count),
                                      &width, &height, &subsampling, &colorspace) == 0 else {
                return .failure(.corrupt(name: name, reason: errorText(handle)))
            }
            let (w, h) = (Int(width), Int(height))
            guard w > 0, h > 0 else { return .failure(.corrupt(name: name, reason: "zero size")) }
            guard w * h <= maxPixels else { return .failure(.tooLarge(name: name, width: w, height: h, limit: maxPixels)) }
            let gray = colorspace == Int32(TJCS_GRAY.rawValue)
            let channels = gray ? 1 : 3
            var pixels = [UInt8](repeating: 0, count: w * h * channels)
            let status = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, buffer.baseAddress, UInt(buffer.count), out.baseAddress,
                              width, Int32(w * channels), height,
                              gray ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), 0)
            }
            if status != 0 {
                let text = errorText(handle)
                // Warnings still leave a full image, except when the data ran out early.
                let fatal = tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) || text.contains("Premature end")
                if fatal {
                    return .failure(.corrupt(name: name, reason: text.contains("Premature end") ? "the file is truncated" : text))
                }
            }
            return .success(Raster(width: w, height: h, channels: channels, pixels: pixels))
        }
        return try result.get()
    }

    /// Encodes a gray or RGB raster (quality 1–100, 4:2:0 chroma for colour).
    public static func encode(_ raster: Raster, quality: Int = 90) -> Data {
        precondition(raster.channels == 1 || raster.channels == 3, "JPEG.encode needs gray or RGB, got \(raster.channels) channels")
        guard let handle = tjInitCompress() else { return Data() }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let gray = raster.channels == 1
        let status = raster.pixels.withUnsafeBufferPointer { input in
            tjCompress2(handle, input.baseAddress, Int32(raster.width), Int32(raster.width * raster.channels),
                        Int32(raster.height), gray ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue),
                        &output, &size, gray ? Int32(TJSAMP_GRAY.rawValue) : Int32(TJSAMP_420.rawValue),
                        Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else { return Data() }
        return Data(bytes: output, count: Int(size))
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "libjpeg-turbo could not read it" }
        return String(cString: text)
    }
}
