public import NumeralCore
import Foundation

/// Labelled 28×28 digit images held in memory: pixels in [0, 1], ink = 1.
public struct Dataset: Sendable {
    public static let side = 28
    public static let pixelsPerImage = side * side

    /// `count × 784` pixels, image after image.
    public var pixels: [Float]
    public var labels: [Int]

    public init(pixels: [Float], labels: [Int]) {
        precondition(pixels.count == labels.count * Self.pixelsPerImage,
                     "\(pixels.count) pixels for \(labels.count) images")
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The images and labels at `indices`, as a `[batch, 1, 28, 28]` tensor.
    public func batch(_ indices: some Collection<Int>) -> (images: Tensor, labels: [Int]) {
        var scalars = [Float]()
        scalars.reserveCapacity(indices.count * Self.pixelsPerImage)
        var batchLabels = [Int]()
        batchLabels.reserveCapacity(indices.count)
        for i in indices {
            scalars.append(contentsOf: pixels[(i * Self.pixelsPerImage)..<((i + 1) * Self.pixelsPerImage)])
            batchLabels.append(labels[i])
        }
        return (Tensor(shape: [indices.count, 1, Self.side, Self.side], scalars: scalars), batchLabels)
    }

    public func subset(_ indices: some Collection<Int>) -> Dataset {
        let (images, labels) = batch(indices)
        return Dataset(pixels: images.scalars, labels: labels)
    }

    /// These samples followed by `other`'s.
    public func appending(_ other: Dataset) -> Dataset {
        Dataset(pixels: pixels + other.pixels, labels: labels + other.labels)
    }

    /// The first `n` samples.
    public func prefix(_ n: Int) -> Dataset { subset(0..<min(n, count)) }

    /// A seeded random split: `fraction` of the samples go to validation.
    public func split(validationFraction fraction: Double,
                      using rng: inout some RandomNumberGenerator) -> (train: Dataset, validation: Dataset) {
        precondition(fraction >= 0 && fraction < 1, "validation fraction \(fraction) must be in [0, 1)")
        let order = Array(0..<count).shuffled(using: &rng)
        let validationCount = Int((Double(count) * fraction).rounded())
        return (subset(order[validationCount...]), subset(order[..<validationCount]))
    }
}

/// The MNIST files in a directory, raw or gzipped, under their usual names.
public enum MNIST {
    public static let fileNames = (
        trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    /// Path of `name` or `name.gz` in `directory` (the .gz if only it exists).
    public static func path(_ name: String, in directory: String) -> String {
        let plain = directory + "/" + name
        return FileManager.default.fileExists(atPath: plain) ? plain : plain + ".gz"
    }

    public static func loadTraining(from directory: String) throws(IDXError) -> Dataset {
        try load(images: path(fileNames.trainImages, in: directory), labels: path(fileNames.trainLabels, in: directory))
    }

    public static func loadTest(from directory: String) throws(IDXError) -> Dataset {
        try load(images: path(fileNames.testImages, in: directory), labels: path(fileNames.testLabels, in: directory))
    }

    /// Reads an image file `[n, 28, 28]` and a label file `[n]` and checks they agree, and
    /// that every label is in `0...largestLabel`.
    public static func load(images imagesPath: String, labels labelsPath: String, largestLabel: UInt8 = 9) throws(IDXError) -> Dataset {
        let images = try IDXFile.read(path: imagesPath)
        guard images.dimensions.count == 3, images.dimensions[1] == 28, images.dimensions[2] == 28 else {
            throw .unexpectedShape(path: imagesPath, expected: "[n, 28, 28] images", found: images.dimensions)
        }
        let labels = try IDXFile.read(path: labelsPath)
        guard labels.dimensions.count == 1 else {
            throw .unexpectedShape(path: labelsPath, expected: "[n] labels", found: labels.dimensions)
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw .countMismatch(imagesPath: imagesPath, images: images.dimensions[0], labelsPath: labelsPath, labels: labels.dimensions[0])
        }
        if let bad = labels.bytes.firstIndex(where: { $0 > largestLabel }) {
            throw .badLabel(path: labelsPath, index: bad, value: labels.bytes[bad])
        }
        return Dataset(pixels: images.bytes.map { Float($0) / 255 }, labels: labels.bytes.map(Int.init))
    }
}
