import Foundation
import NumeralCore
import NumeralData
import Testing
import TestSupport

/// IDX reading: round trips (raw and gzip) and every malformed file giving its typed error
/// with the file's path in the message.
@Suite final class IDXFileTests {
    let directory: URL
    init() throws { directory = try TestLocations.temporaryDirectory("numeral-idx") }
    deinit { try? FileManager.default.removeItem(at: directory) }

    func write(_ data: Data, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func header(_ dimensions: [Int], type: UInt8 = 0x08) -> Data {
        var d = Data([0, 0, type, UInt8(dimensions.count)])
        for n in dimensions { d.append(contentsOf: withUnsafeBytes(of: UInt32(n).bigEndian, Array.init)) }
        return d
    }

    @Test func roundTripOverRandomShapes() throws {
        withEvery("seed", in: 0..<25 as Range<UInt64>) { seed in
            var rng = SplitMix64(seed: seed)
            let rank = Int.random(in: 1...4, using: &rng)
            let dimensions = (0..<rank).map { _ in Int.random(in: 0...6, using: &rng) }
            let bytes = (0..<dimensions.reduce(1, *)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let file = IDXFile(dimensions: dimensions, bytes: bytes)
            let encoded = file.encoded()
            try check(encoded.count == 4 + 4 * rank + bytes.count, "encoded size \(encoded.count)")
            let decoded = try IDXFile.parse(encoded, path: "memory")
            try check(decoded == file, "decoded \(decoded.dimensions) differs from \(dimensions)")
        }
    }

    @Test func roundTripThroughRawAndGzippedFiles() throws {
        var rng = SplitMix64(seed: 1)
        let images = IDXFile(dimensions: [3, 28, 28], bytes: (0..<(3 * 784)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let labels = IDXFile(dimensions: [3], bytes: [7, 0, 9])
        let imagesPath = try write(images.encoded(), "images-idx3-ubyte")
        let labelsPath = try write(labels.encoded(), "labels-idx1-ubyte")
        #expect(try IDXFile.read(path: imagesPath) == images)
        let gzipped = try gzipFile(imagesPath)
        #expect(try Data(contentsOf: URL(fileURLWithPath: gzipped)).starts(with: [0x1f, 0x8b]))
        #expect(try IDXFile.read(path: gzipped) == images)

        let dataset = try MNIST.load(images: gzipped, labels: try gzipFile(labelsPath))
        #expect(dataset.labels == [7, 0, 9])
        #expect(dataset.pixels == images.bytes.map { Float($0) / 255 })
        #expect(dataset.pixels.allSatisfy { (0...1).contains($0) })
    }

    /// Reads `data` written to a file named `name` and expects `expected(path)`, whose
    /// description must name the file.
    func expectError(_ data: Data, named name: String, _ expected: (String) -> IDXError,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = try write(data, name)
        do {
            let file = try IDXFile.read(path: path)
            Issue.record("\(name) was read as \(file.dimensions), expected \(expected(path))", sourceLocation: sourceLocation)
        } catch {
            #expect(error == expected(path), sourceLocation: sourceLocation)
            #expect(error.description.contains(path), "\(error.description) does not name the file", sourceLocation: sourceLocation)
        }
    }

    @Test func empty() throws {
        try expectError(Data(), named: "empty") { .empty(path: $0) }
    }

    @Test func wrongMagic() throws {
        // A little-endian header, a float file (type 0x0D) and a text file.
        try expectError(Data([3, 8, 0, 0, 0, 0, 0, 1, 5]), named: "swapped") { .badMagic(path: $0, found: 0x0308_0000) }
        try expectError(Self.header([1], type: 0x0D) + Data([0, 0, 0, 0]), named: "floats") { .badMagic(path: $0, found: 0x0D01) }
        try expectError(Data("hello, world".utf8), named: "text") { .badMagic(path: $0, found: 0x6865_6C6C) }
        try expectError(Data([0, 0, 8, 0]), named: "rank0") { .badMagic(path: $0, found: 0x0800) }
    }

    @Test func truncated() throws {
        try expectError(Data([0, 0, 8]), named: "short-magic") { .truncated(path: $0, expectedBytes: 4, actualBytes: 3) }
        try expectError(Self.header([2, 28, 28]).prefix(10), named: "short-header") {
            .truncated(path: $0, expectedBytes: 16, actualBytes: 10)
        }
        try expectError(Self.header([2, 28, 28]) + Data(count: 1000), named: "short-data") {
            .truncated(path: $0, expectedBytes: 16 + 2 * 784, actualBytes: 1016)
        }
    }

    /// Dimensions whose product overflows Int must be a typed error, not a crash.
    @Test func absurdDimensions() throws {
        let huge = Int(UInt32.max)
        try expectError(Self.header([huge, huge, huge, huge]) + Data(count: 10), named: "huge4") {
            .truncated(path: $0, expectedBytes: Int.max, actualBytes: 30)
        }
        try expectError(Self.header([huge, huge, 28]), named: "huge3") {
            .truncated(path: $0, expectedBytes: Int.max, actualBytes: 16)
        }
        try expectError(Self.header([huge, 28, 28]), named: "big") {
            .truncated(path: $0, expectedBytes: 16 + huge * 784, actualBytes: 16)
        }
        // Even when a later zero would make the true product 0.
        try expectError(Self.header([huge, huge, huge, 0]), named: "zero") {
            .truncated(path: $0, expectedBytes: Int.max, actualBytes: 20)
        }
    }

    @Test func trailingBytes() throws {
        try expectError(Self.header([3]) + Data([1, 2, 3, 4, 5]), named: "trailing") {
            .trailingBytes(path: $0, expectedBytes: 11, actualBytes: 13)
        }
    }

    @Test func corruptGzip() throws {
        // A gzip header, then a deflate block of the reserved type 3.
        try expectError(Data([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3] + Array(repeating: 0x07, count: 40)), named: "garbage.gz") {
            .corruptGzip(path: $0, reason: "invalid block type")
        }
        // A real gzip stream cut in half.
        var rng = SplitMix64(seed: 3)
        let file = IDXFile(dimensions: [50], bytes: (0..<50).map { _ in UInt8.random(in: 0...9, using: &rng) })
        let whole = try Data(contentsOf: URL(fileURLWithPath: gzipFile(try write(file.encoded(), "labels"))))
        try expectError(whole.prefix(whole.count / 2), named: "cut.gz") {
            .corruptGzip(path: $0, reason: "the stream ends early")
        }
        // Gzip that decompresses fine but holds a truncated IDX file.
        let short = try Data(contentsOf: URL(fileURLWithPath: gzipFile(try write(Self.header([50]) + Data(count: 20), "short"))))
        try expectError(short, named: "short-inside.gz") { .truncated(path: $0, expectedBytes: 58, actualBytes: 28) }
    }

    @Test func missingFile() {
        let path = directory.appendingPathComponent("does-not-exist").path
        #expect(throws: IDXError.unreadable(path: path, reason: "no such file")) { try IDXFile.read(path: path) }
    }

    // MARK: - Images and labels together

    func imagesAndLabels(images: Int, labels: [UInt8], side: Int = 28) throws -> (String, String) {
        let imageFile = IDXFile(dimensions: [images, side, side], bytes: [UInt8](repeating: 128, count: images * side * side))
        let labelFile = IDXFile(dimensions: [labels.count], bytes: labels)
        return (try write(imageFile.encoded(), "images-\(images)-\(side)"), try write(labelFile.encoded(), "labels-\(labels.count)"))
    }

    @Test func countMismatch() throws {
        let (images, labels) = try imagesAndLabels(images: 3, labels: [1, 2, 3, 4])
        do {
            _ = try MNIST.load(images: images, labels: labels)
            Issue.record("3 images with 4 labels loaded")
        } catch {
            #expect(error == .countMismatch(imagesPath: images, images: 3, labelsPath: labels, labels: 4))
            #expect(error.description.contains(images) && error.description.contains(labels), "\(error)")
        }
    }

    @Test func labelAboveNine() throws {
        let (images, labels) = try imagesAndLabels(images: 3, labels: [1, 12, 3])
        #expect(throws: IDXError.badLabel(path: labels, index: 1, value: 12)) { try MNIST.load(images: images, labels: labels) }
    }

    @Test func imagesOfTheWrongSize() throws {
        let (images, labels) = try imagesAndLabels(images: 2, labels: [1, 2], side: 20)
        #expect(throws: IDXError.unexpectedShape(path: images, expected: "[n, 28, 28] images", found: [2, 20, 20])) {
            try MNIST.load(images: images, labels: labels)
        }
        // Labels and images swapped.
        #expect(throws: IDXError.self) { try MNIST.load(images: labels, labels: images) }
    }

    /// The genuine MNIST test set (gzipped) reads with the expected sizes and label range.
    @Test func genuineMNISTTestSet() throws {
        let directory = TestLocations.mnistDirectory
        let test = try MNIST.loadTest(from: directory)
        #expect(test.count == 10_000)
        #expect(Set(test.labels) == Set(0...9))
        #expect(test.pixels.count == 10_000 * 784)
        // LeCun's file starts with a 7, a 2 and a 1.
        #expect(Array(test.labels.prefix(3)) == [7, 2, 1])
    }
}
