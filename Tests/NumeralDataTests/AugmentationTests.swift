import NumeralCore
@testable import NumeralData
import Testing

/// Augmentation keeps labels and the pixel range, is reproducible, and is the identity when
/// switched off.
@Suite struct AugmentationTests {
    /// A few synthetic digit-like images: strokes of ink on a blank 28×28 canvas.
    static func images(count: Int, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        var pixels = [Float](repeating: 0, count: count * 784)
        for n in 0..<count {
            let x0 = Int.random(in: 6...12, using: &rng), y0 = Int.random(in: 4...8, using: &rng)
            for y in y0..<(y0 + 16) { for x in x0..<(x0 + 3) { pixels[n * 784 + y * 28 + x] = Float.random(in: 0.5...1, using: &rng) } }
            for x in x0..<(x0 + 10) { pixels[n * 784 + y0 * 28 + x] = 1 }
        }
        return Tensor(shape: [count, 1, 28, 28], scalars: pixels)
    }

    static let everything = "rotate=15,shift=3,scale=0.2,elastic=34:4,noise=0.1,thickness=2"

    @Test(arguments: ["rotate=10", "shift=2", "scale=0.1", "elastic=34:4", "noise=0.05", "thickness=1", everything])
    func pixelsStayInRange(_ spec: String) throws {
        let augmentation = try Augmentation(parsing: spec)
        var rng = SplitMix64(seed: 1)
        let out = augmentation.apply(to: Self.images(count: 6, seed: 2), using: &rng)
        #expect(out.shape == [6, 1, 28, 28])
        #expect(out.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(spec): pixel outside [0, 1]")
    }

    @Test func labelsAreKeptThroughTraining() throws {
        // The training loop only passes images through `augment`; labels never reach it.
        let data = Dataset(pixels: Self.images(count: 4, seed: 3).scalars, labels: [3, 1, 4, 1])
        let (images, labels) = data.batch([2, 0])
        var rng = SplitMix64(seed: 0)
        let augmented = try Augmentation(parsing: Self.everything).apply(to: images, using: &rng)
        #expect(labels == [4, 3])
        #expect(augmented.shape == images.shape)
        #expect(augmented != images)
    }

    @Test func sameSeedSameImages() throws {
        let augmentation = try Augmentation(parsing: Self.everything)
        let images = Self.images(count: 5, seed: 4)
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9), c = SplitMix64(seed: 10)
        let first = augmentation.apply(to: images, using: &a)
        #expect(augmentation.apply(to: images, using: &b) == first)
        #expect(augmentation.apply(to: images, using: &c) != first)
        #expect(a == b, "the generator advances the same way")
    }

    @Test func resultDoesNotDependOnThreadCount() throws {
        let augmentation = try Augmentation(parsing: Self.everything)
        let images = Self.images(count: 7, seed: 5)
        let saved = Kernels.threadCount
        defer { Kernels.setThreadCount(saved) }
        Kernels.setThreadCount(1)
        var a = SplitMix64(seed: 1)
        let one = augmentation.apply(to: images, using: &a)
        Kernels.setThreadCount(2)
        var b = SplitMix64(seed: 1)
        #expect(augmentation.apply(to: images, using: &b) == one)
    }

    @Test(arguments: ["rotate=0", "elastic=0:4", "shift=0,scale=0", "none", ""])
    func zeroStrengthIsIdentity(_ spec: String) throws {
        let augmentation = try Augmentation(parsing: spec)
        let images = Self.images(count: 3, seed: 6)
        var rng = SplitMix64(seed: 2)
        #expect(augmentation.apply(to: images, using: &rng) == images)
    }

    @Test func warpWithZeroAngleIsExactlyTheImage() {
        // Even when the warp runs (elastic α = 0 but rotation range 0 and a tiny shift range
        // of 0), sampling at integer points returns the pixels bit for bit.
        let image = Array(Self.images(count: 1, seed: 7).scalars)
        var rng = SplitMix64(seed: 3)
        #expect(Augmentation(rotation: 0).warp(image, using: &rng) == image)
    }

    @Test func rotationMovesInkButKeepsMostOfIt() throws {
        let images = Self.images(count: 4, seed: 8)
        var rng = SplitMix64(seed: 4)
        let rotated = try Augmentation(parsing: "rotate=10").apply(to: images, using: &rng)
        let before = images.scalars.reduce(0, +), after = rotated.scalars.reduce(0, +)
        #expect(abs(after - before) / before < 0.1, "ink \(before) → \(after)")
    }

    @Test func parsesTheCLIForm() throws {
        let a = try Augmentation(parsing: "rotate=10,shift=2,scale=0.1,elastic=34:4,noise=0.05,thickness=1")
        #expect(a == Augmentation(rotation: 10, shift: 2, scale: 0.1, elasticAlpha: 34, elasticSigma: 4,
                                  noise: 0.05, thickness: 1))
        #expect(a.description == "rotate=10,shift=2,scale=0.1,elastic=34:4,noise=0.05,thickness=1")
        #expect(try Augmentation(parsing: a.description) == a)
        #expect(try Augmentation(parsing: "rotate").rotation == 10, "rotate alone means ±10°")
    }

    @Test(arguments: ["spin=3", "rotate=-5", "rotate=abc", "elastic=34:0", "scale=1.5", "thickness=0.5"])
    func rejectsBadSpecifications(_ spec: String) {
        #expect(throws: AugmentationError.self) { try Augmentation(parsing: spec) }
    }
}
