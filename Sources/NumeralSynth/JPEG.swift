public import Foundation
public import NumeralVision
import CTurboJPEG

/// What went wrong making a synthetic image.
public enum SynthError: Error, Equatable, CustomStringConvertible {
    case jpegEncoding(reason: String)
    case pngEncoding
    case noDigits(classes: [Int])

    public var description: String {
        switch self {
        case let .jpegEncoding(reason): "libjpeg-turbo could not encode the image: \(reason)"
        case .pngEncoding: "libpng could not encode the image"
        case let .noDigits(classes): "the digit set has no examples of \(classes.map(String.init).joined(separator: ", "))"
        }
    }
}

/// Baseline JPEG through TurboJPEG's `tjCompress2` (libjpeg-turbo 2.x): 4:2:0 chroma
/// subsampling for colour, as phones and most scanners write.
public enum JPEG {
    /// Encodes a grey or RGB raster at `quality` 1…100.
    public static func encode(_ raster: Raster, quality: Int) throws(SynthError) -> Data {
        precondition(raster.channels == 1 || raster.channels == 3, "JPEG encodes grey or RGB, got \(raster.channels) channels")
        precondition((1...100).contains(quality), "JPEG quality \(quality) is outside 1…100")
        guard let handle = tjInitCompress() else { throw .jpegEncoding(reason: "tjInitCompress failed") }
        defer { tjDestroy(handle) }
        let gray = raster.channels == 1
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = raster.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(raster.width), Int32(raster.width * raster.channels),
                        Int32(raster.height), Int32(gray ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue),
                        &buffer, &size, Int32(gray ? TJSAMP_GRAY.rawValue : TJSAMP_420.rawValue),
                        Int32(quality), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            throw .jpegEncoding(reason: String(cString: tjGetErrorStr2(handle)))
        }
        return Data(bytes: buffer, count: Int(size))
    }
}
