/// An 8-bit-per-channel raster, row-major, top row first.
///
/// `channels` is 1 (gray), 3 (RGB) or 4 (RGBA). Numeral's vision code works on gray
/// images where 0 is black and 255 white, as they come from a file; the recogniser's
/// input convention (ink = 1) is applied at normalisation.
public struct Raster: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && [1, 3, 4].contains(channels),
                     "raster \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels,
                     "raster \(width)x\(height)x\(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: fill, count: width * height * channels))
    }

    /// Channel `c` of the pixel at (x, y).
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}
