import ArgumentParser
import Foundation
import Numeral

/// In-process timing of the reader (benchmarks/read-speed.sh drives it).
struct BenchRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-read", abstract: "Time NumberReader on a 1-megapixel photo with 8 digits.",
        shouldDisplay: false)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var readerOptions: ReaderOptions
    @OptionGroup var data: DataOptions
    @Option(help: "Timed runs (after 3 warm-up runs).") var runs = 50
    @Option(help: "Also write the photo (photo.png, photo.jpg) and `--batch` varied pages here.") var writeImages: String?
    @Option(help: "How many pages to write for the many-images run.") var batch = 100

    func run() throws {
        let model = try DefaultModel.load(modelOptions.model)
        let reader = try readerOptions.reader(model: model, options: ReadOptions())
        let test = try MNIST.loadTest(from: data.directory)
        var rng = SplitMix64(seed: 42)
        func digits(_ count: Int) -> (String, [[Float]]) {
            var text = "", images: [[Float]] = []
            for _ in 0..<count {
                let i = Int.random(in: 0..<test.count, using: &rng)
                text += String(test.labels[i]); images.append(Array(test.pixels[(i * 784)..<(i * 784 + 784)]))
            }
            return (text, images)
        }
        // 1152 x 864 = 995,328 pixels: a 1-megapixel photo, 8 digits 90 px high.
        let (truth, images) = digits(8)
        let photo = ExamplePage(width: 1152, height: 864).compose(images, origin: (150, 380), digitHeight: 90, gap: 16, using: &rng)
        let png = PNG.encode(photo), jpeg = JPEG.encode(photo, quality: 90)

        // Wall time, and the process's CPU time: on a machine shared with other work the
        // wall time includes waiting for a core, the CPU time does not.
        func cpuMilliseconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
        }
        func time(_ body: () throws -> ReadResult) rethrows -> (median: Double, cpu: Double, text: String) {
            var text = ""
            for _ in 0..<3 { text = try body().text }
            var samples: [Double] = [], cpu: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let cpuStart = cpuMilliseconds()
                text = try body().text
                cpu.append(cpuMilliseconds() - cpuStart)
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            samples.sort(); cpu.sort()
            return (samples[samples.count / 2], cpu[cpu.count / 2], text)
        }
        let fromPixels = time { reader.read(raster: photo, name: "photo") }
        let fromJPEG = try time { try reader.read(imageData: jpeg, name: "photo.jpg") }
        let fromPNG = try time { try reader.read(imageData: png, name: "photo.png") }
        // A 200x50 crop of one field, 5 digits 34 px high: read whole by the field reader.
        let (fieldTruth, fieldImages) = digits(5)
        let field = ExamplePage(width: 200, height: 50).compose(fieldImages, origin: (8, 8), digitHeight: 34, gap: 4, using: &rng)
        let fromField = time { reader.read(raster: field, name: "field") }
        let stages = reader.readWithDetails(raster: photo, name: "photo").details.milliseconds
        print("photo 1152x864 (1.0 MP), 8 digits \"\(truth)\", model \(model.name), \(runs) runs, median:")
        print("                          wall ms   CPU ms")
        print(String(format: "  read(raster:)          %7.2f  %7.2f   -> %@", fromPixels.median, fromPixels.cpu, fromPixels.text))
        print(String(format: "  read(imageData:) JPEG  %7.2f  %7.2f   -> %@", fromJPEG.median, fromJPEG.cpu, fromJPEG.text))
        print(String(format: "  read(imageData:) PNG   %7.2f  %7.2f   -> %@", fromPNG.median, fromPNG.cpu, fromPNG.text))
        print("  stages of one read(raster:): " + stages.map { String(format: "%@ %.2f ms", $0.stage, $0.milliseconds) }.joined(separator: ", "))
        print(String(format: "field crop 200x50, 5 digits \"%@\", %d runs, median: %.2f ms wall, %.2f ms CPU -> %@",
                     fieldTruth, runs, fromField.median, fromField.cpu, fromField.text))

        if let directory = writeImages {
            try FileManager.default.createDirectory(atPath: directory + "/many", withIntermediateDirectories: true)
            try writeAtomically(png, to: directory + "/photo.png")
            try writeAtomically(jpeg, to: directory + "/photo.jpg")
            var labels = "file,label\n"
            for k in 0..<batch {
                let (text, images) = digits(Int.random(in: 3...8, using: &rng))
                let height = Int.random(in: 40...120, using: &rng)
                let page = ExamplePage(width: (height + 20) * text.count + 100, height: height + 120)
                let raster = page.compose(images, origin: (50, 60), digitHeight: height, gap: Int.random(in: 8...20, using: &rng), using: &rng)
                let name = String(format: "page-%03d.jpg", k)
                try writeAtomically(JPEG.encode(raster, quality: 90), to: directory + "/many/" + name)
                labels += "\(name),\(text)\n"
            }
            try writeAtomically(Data(labels.utf8), to: directory + "/many-labels.csv")
            print("wrote \(directory)/photo.png, photo.jpg and \(batch) pages in \(directory)/many")
        }
    }
}

/// Where reading an MNIST test image as a picture disagrees with the model on its tensor
/// (benchmarks/mnist-png-check.sh gives the headline numbers; this says why).
struct MNISTDiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-diff", abstract: "Compare reading MNIST test images with the model's own predictions.",
        shouldDisplay: false)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var readerOptions: ReaderOptions
    @OptionGroup var data: DataOptions
    @Option(help: "Test images to use (from the start).") var limit = 10_000
    @Option(help: "Disagreements to list.") var show = 20

    func run() throws {
        let model = try DefaultModel.load(modelOptions.model)
        let reader = try readerOptions.reader(model: model, options: ReadOptions(threshold: 0))
        let test = try MNIST.loadTest(from: data.directory).prefix(limit)
        var modelRight = 0, readRight = 0, disagree = 0, multi = 0, empty = 0
        var listed: [String] = []
        for i in 0..<test.count {
            let pixels = Array(test.pixels[(i * 784)..<(i * 784 + 784)])
            let p = model.probabilities(Tensor(shape: [1, 1, 28, 28], scalars: pixels)).scalars
            let predicted = p.indices.max { p[$0] < p[$1] }!
            let raster = Raster(width: 28, height: 28, channels: 1, pixels: pixels.map { UInt8(($0 * 255).rounded()) })
            let text = reader.read(raster: raster, name: "\(i)").text
            if predicted == test.labels[i] { modelRight += 1 }
            if text == String(test.labels[i]) { readRight += 1 }
            if text != String(predicted) {
                disagree += 1
                if text.count > 1 { multi += 1 }
                if text.isEmpty { empty += 1 }
                if listed.count < show { listed.append("\(i) label \(test.labels[i]) model \(predicted) read \"\(text.replacingOccurrences(of: "\n", with: "/"))\"") }
            }
        }
        let n = Double(test.count)
        print(String(format: "%d images: model %.2f%%, read %.2f%%; read disagrees with the model on %d (%d more than one character, %d nothing)",
                     test.count, 100 * Double(modelRight) / n, 100 * Double(readRight) / n, disagree, multi, empty))
        listed.forEach { print("  " + $0) }
    }
}
