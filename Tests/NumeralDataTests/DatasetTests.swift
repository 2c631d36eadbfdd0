import NumeralCore
import NumeralData
import Testing
import TestSupport

@Suite struct DatasetTests {
    /// A data set whose first pixel of image i is i / count, so every sample can be traced.
    static func traceable(_ count: Int) -> Dataset {
        var pixels = [Float](repeating: 0, count: count * Dataset.pixelsPerImage)
        for i in 0..<count { pixels[i * Dataset.pixelsPerImage] = Float(i) / Float(count) }
        return Dataset(pixels: pixels, labels: (0..<count).map { $0 % 10 })
    }

    static func ids(_ d: Dataset) -> [Int] {
        (0..<d.count).map { Int((d.pixels[$0 * Dataset.pixelsPerImage] * Float(1000)).rounded()) }
    }

    @Test func splitIsSeededDisjointAndComplete() {
        let data = Self.traceable(1000)
        withEvery("seed", in: 0..<10 as Range<UInt64>) { seed in
            var a = SplitMix64(seed: seed), b = SplitMix64(seed: seed)
            let first = data.split(validationFraction: 0.1, using: &a)
            let second = data.split(validationFraction: 0.1, using: &b)
            let (train, validation) = (Self.ids(first.train), Self.ids(first.validation))
            try check(train == Self.ids(second.train) && validation == Self.ids(second.validation),
                      "the same seed gave a different split")
            try check(validation.count == 100 && train.count == 900, "sizes \(train.count) + \(validation.count)")
            try check(Set(train).isDisjoint(with: validation), "train and validation overlap")
            try check(Set(train).union(validation) == Set(0..<1000), "samples lost in the split")
            // Labels travel with their images.
            try check(zip(train, first.train.labels).allSatisfy { $0 % 10 == $1 }, "labels separated from images")
        }
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 2)
        #expect(Self.ids(data.split(validationFraction: 0.1, using: &a).validation)
                != Self.ids(data.split(validationFraction: 0.1, using: &b).validation), "different seeds, same split")
        var c = SplitMix64(seed: 3)
        #expect(data.split(validationFraction: 0, using: &c).validation.count == 0)
    }

    @Test func batchAndPrefix() {
        let data = Self.traceable(20)
        let (images, labels) = data.batch([4, 0, 19])
        #expect(images.shape == [3, 1, 28, 28])
        #expect(labels == [4, 0, 9])
        #expect(images.scalars[0] == 4 / 20 && images.scalars[784] == 0 && images.scalars[2 * 784] == 19 / 20)
        #expect(Self.ids(data.prefix(5)) == [0, 50, 100, 150, 200])
        #expect(data.prefix(50).count == 20)
    }
}
