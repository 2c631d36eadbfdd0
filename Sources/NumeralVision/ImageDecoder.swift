public import Foundation

/// Any supported image file to a raster, oriented for display.
public enum ImageDecoder {
    /// Decodes PNG (all colour types, 16-bit, palette, alpha) or JPEG (EXIF orientation
    /// applied) after checking the pixel count from the header against `maxPixels`.
    /// PNG comes back gray, RGB or RGBA as stored (alpha is composited later, in
    /// `Grayscale`), JPEG as gray or RGB.
    public static func decode(_ data: Data, name: String, maxPixels: Int = 40_000_000) throws(ImageError) -> Raster {
        guard !data.isEmpty else { throw .empty(name: name) }
        if PNG.isPNG(data) {
            return try PNG.decode(data, name: name, channels: 0, maxPixels: maxPixels)
        }
        if JPEG.isJPEG(data) {
            let raster = try JPEG.decode(data, name: name, maxPixels: maxPixels)
            return EXIF.apply(orientation: EXIF.orientation(ofJPEG: data) ?? 1, to: raster)
        }
        throw .unsupportedFormat(name: name)
    }
}
