import ArgumentParser
import Foundation
import Numeral
import NumeralSynth

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write images of handwritten numbers composed from MNIST test digits, with labels.csv.",
        discussion: """
            Draws numbers of 1–10 digits (some with "." "," or "-") from the MNIST test set only, \
            on paper with rules, light, blur, noise and JPEG like real scans and photos. \
            Writes DIR/synth-NNNNN.png|jpg, DIR/labels.csv (file,label) and DIR/attributes.csv. \
            The same --seed gives the same images. Defaults: docs/synth.md.
            """)

    enum Preset: String, ExpressibleByArgument, CaseIterable { case page, field }
    @Option(help: "page: photos and scans of pages (MNIST test digits). field: crops of cheque-amount fields, register numbers and single digits drawn from real glyphs kept for measuring (MNIST test, cvl/valid under --shared), a dev set for the field recogniser.")
    var preset: Preset = .page
    @Option(help: "With --preset field: the data directory (../shared/data layout).") var shared = "../shared/data"
    @Option(help: "How many images.") var count = 100
    @Option(help: "Seed; sample i depends only on the seed and i.") var seed: UInt64 = 0
    @Option(help: "Output directory (created if missing).") var output: String
    @OptionGroup var data: DataOptions

    @Option(help: "Smallest written digit height, pixels.") var minHeight: Double = 12
    @Option(help: "Largest written digit height, pixels.") var maxHeight: Double = 400
    @Option(help: "Share of numbers with touching or overlapping digits (of those with 2+ adjacent digits).")
    var contactFraction: Double = 0.35
    @Option(help: "Largest line rotation, degrees.") var rotation: Double = 10
    @Option(help: "Share of JPEG files.") var jpegFraction: Double = 0.5
    @Option(help: "Lowest JPEG quality.") var minJpegQuality = 30
    @Option(help: "Share of images with light ink on a dark ground.") var invertedFraction: Double = 0.05
    @Option(help: "Share of images on ruled or squared paper.") var ruledFraction: Double = 0.25
    @Option(help: "Share of images with a box around the number.") var boxFraction: Double = 0.15
    @Option(help: "Share of pages photographed lying on a darker desk (0 leaves the other images as they were).")
    var deskFraction: Double = 0

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard minHeight >= 8, maxHeight <= 2000, minHeight <= maxHeight else {
            throw ValidationError("need 8 <= --min-height <= --max-height <= 2000, got \(minHeight) and \(maxHeight)")
        }
        for (name, value) in [("--contact-fraction", contactFraction), ("--jpeg-fraction", jpegFraction),
                              ("--inverted-fraction", invertedFraction), ("--ruled-fraction", ruledFraction),
                              ("--box-fraction", boxFraction), ("--desk-fraction", deskFraction)] where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1, got \(value)")
        }
        guard ruledFraction + boxFraction <= 1 else { throw ValidationError("--ruled-fraction + --box-fraction must be at most 1") }
        guard (1...100).contains(minJpegQuality) else { throw ValidationError("--min-jpeg-quality must be 1...100") }
        guard (0...45).contains(rotation) else { throw ValidationError("--rotation must be 0...45 degrees") }
    }

    func run() throws {
        if preset == .field { return try writeFields() }
        var configuration = SynthConfiguration()
        configuration.digitHeight = minHeight...maxHeight
        configuration.contactFraction = contactFraction
        configuration.rotationDegrees = rotation
        configuration.jpegFraction = jpegFraction
        configuration.jpegQuality = minJpegQuality...max(minJpegQuality, 95)
        configuration.invertedFraction = invertedFraction
        configuration.ruledFraction = ruledFraction
        configuration.boxFraction = boxFraction
        configuration.deskFraction = deskFraction
        let digits = try SynthSet.loadDigits(from: data.directory)
        let synthesizer = try Synthesizer(digits: digits, configuration: configuration)
        let started = Date()
        let entries = try SynthSet.write(count: count, seed: seed, synthesizer: synthesizer, to: output) { done in
            if done % 100 == 0 || done == count {
                FileHandle.standardError.write(Data("\r\(done)/\(count)".utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        let contact = entries.filter { ["touching", "overlapping"].contains($0.attributes.spacing) }.count
        print(String(format: "%@: %d images (seed %llu, %.1fs), %d with touching or overlapping digits",
                     output, entries.count, seed, Date().timeIntervalSince(started), contact))
    }

    /// `count` field crops, `field-NNNNN.png` with `labels.csv` (the texts as written, marks
    /// included); field i depends only on the seed and i.
    func writeFields() throws {
        let synthesizer = FieldSynthesizer(bank: try GlyphBank.load(data: shared, measuring: true))
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let labels = Locked([String](repeating: "", count: count))
        let failure = Locked<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i))
            let (image, text) = synthesizer.sample(using: &rng)
            let file = "field-" + String(repeating: "0", count: max(0, 5 - String(i).count)) + String(i) + ".png"
            do {
                try writeAtomically(PNG.encode(image.raster()), to: output + "/" + file)
                labels.update { $0[i] = "\(file),\(text.contains(",") ? "\"\(text)\"" : text)" }
            } catch { failure.update { $0 = error } }
        }
        if let error = failure.update({ $0 }) { throw error }
        try writeAtomically(Data(((["file,label"] + labels.update { $0 }).joined(separator: "\n") + "\n").utf8), to: output + "/labels.csv")
        print("\(output): \(count) field crops (seed \(seed))")
    }
}
