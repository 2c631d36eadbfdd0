import Foundation
import NumeralData
import Testing
import TestSupport

/// Slices of the genuine MNIST files, read once per test run.
///
/// Only the first samples are converted to floats, which keeps a debug build fast. A missing
/// data directory is a test failure with a hint, never a silent skip.
enum MNISTSlices {
    static let training = Result { try load(images: MNIST.fileNames.trainImages, labels: MNIST.fileNames.trainLabels, count: 2000) }
    static let test = Result { try load(images: MNIST.fileNames.testImages, labels: MNIST.fileNames.testLabels, count: 10_000) }

    static func load(images: String, labels: String, count: Int) throws -> Dataset {
        let directory = TestLocations.mnistDirectory
        guard FileManager.default.fileExists(atPath: MNIST.path(images, in: directory)) else {
            throw CheckFailure("""
                MNIST not found in \(directory): set NUMERAL_DATA to a directory holding the four \
                (optionally gzipped) IDX files, or put them in <repository>/../shared/data/mnist
                """)
        }
        let imageFile = try IDXFile.read(path: MNIST.path(images, in: directory))
        let labelFile = try IDXFile.read(path: MNIST.path(labels, in: directory))
        let n = min(count, imageFile.dimensions[0])
        return Dataset(pixels: imageFile.bytes.prefix(n * Dataset.pixelsPerImage).map { Float($0) / 255 },
                       labels: labelFile.bytes.prefix(n).map(Int.init))
    }
}
