/// A single-channel Float image, row-major, top row first.
///
/// Which way round the values go is said by whoever makes one: decoded photos are
/// luminance (0 = black, 1 = white); ink maps after `Binarization` are ink = 1, the
/// recogniser's convention.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "gray image \(width)x\(height) needs \(width * height) pixels, got \(pixels.count)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: Float = 0) {
        self.init(width: width, height: height, pixels: [Float](repeating: fill, count: width * height))
    }

    public subscript(x: Int, y: Int) -> Float {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// 8-bit gray raster, values clamped to 0...1 then scaled by 255.
    public func raster() -> Raster {
        Raster(width: width, height: height, channels: 1,
               pixels: pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }
}

/// An axis-aligned pixel rectangle: `minX..<maxX`, `minY..<maxY`.
public struct BoundingBox: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var minX: Int, minY: Int, maxX: Int, maxY: Int

    public init(minX: Int, minY: Int, maxX: Int, maxY: Int) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    /// The empty box that `union` grows from.
    public static let empty = BoundingBox(minX: .max, minY: .max, maxX: .min, maxY: .min)

    public var width: Int { max(0, maxX - minX) }
    public var height: Int { max(0, maxY - minY) }
    public var isEmpty: Bool { maxX <= minX || maxY <= minY }
    public var centerX: Double { Double(minX + maxX) / 2 }
    public var centerY: Double { Double(minY + maxY) / 2 }

    public func union(_ other: BoundingBox) -> BoundingBox {
        BoundingBox(minX: min(minX, other.minX), minY: min(minY, other.minY),
                    maxX: max(maxX, other.maxX), maxY: max(maxY, other.maxY))
    }

    public mutating func include(x: Int, y: Int) {
        if x < minX { minX = x }
        if x >= maxX { maxX = x + 1 }
        if y < minY { minY = y }
        if y >= maxY { maxY = y + 1 }
    }

    /// How many columns the two boxes share.
    public func horizontalOverlap(_ other: BoundingBox) -> Int {
        max(0, min(maxX, other.maxX) - max(minX, other.minX))
    }

    /// How many rows the two boxes share.
    public func verticalOverlap(_ other: BoundingBox) -> Int {
        max(0, min(maxY, other.maxY) - max(minY, other.minY))
    }

    /// The box scaled by `factor` (from working resolution back to the original), clamped.
    public func scaled(by factor: Double, width: Int, height: Int) -> BoundingBox {
        BoundingBox(minX: max(0, Int((Double(minX) * factor).rounded(.down))),
                    minY: max(0, Int((Double(minY) * factor).rounded(.down))),
                    maxX: min(width, Int((Double(maxX) * factor).rounded(.up))),
                    maxY: min(height, Int((Double(maxY) * factor).rounded(.up))))
    }

    public var description: String { "(\(minX),\(minY) \(width)x\(height))" }
}
