import ArgumentParser
import Foundation
import Numeral

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time inference and training steps of an architecture (random weights, no data needed).")

    @Option(help: "Architecture: \(Zoo.all.map(\.name).joined(separator: ", ")).") var model: String = "lenet"
    @Option(help: "Batch size of the timed training steps.") var batchSize: Int = 64
    @Option(help: "Repetitions per measurement (the median is reported).") var repeats: Int = 50
    @Option(help: "Worker threads for the math kernels (default: all cores).") var threads: Int?
    @Option(help: ArgumentHelp("Also time this augmentation (e.g. rotate=10,shift=2,scale=0.1) on batches of 128.",
                               valueName: "spec")) var augment: String?
    @Option(help: ArgumentHelp("Also time the batch-1 latency of this trained model file (ensembles too).",
                               valueName: "file")) var file: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard Zoo.architecture(named: model) != nil else { throw ValidationError("unknown model '\(model)'") }
        guard batchSize >= 1, repeats >= 1 else { throw ValidationError("--batch-size and --repeats must be at least 1") }
        if let augment {
            do { _ = try Augmentation(parsing: augment) } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        if let threads { Kernels.setThreadCount(threads) }
        let architecture = Zoo.architecture(named: model)!
        var rng = SplitMix64(seed: 0)
        var network = Sequential(architecture, using: &rng)
        func input(_ batch: Int) -> Tensor {
            .uniform(shape: Shape([batch] + architecture.inputShape), in: 0...1, using: &rng)
        }
        func median(_ body: () -> Void) -> Double {
            body()  // warm-up
            let times = (0..<repeats).map { _ in
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }.sorted()
            return times[times.count / 2]
        }
        let one = input(1), thousand = input(1000), batch = input(batchSize)
        let labels = (0..<batchSize).map { $0 % 10 }
        let latency = median { _ = network(one) }
        let throughputTime = median { _ = network(thousand) }
        var optimizer = OptimizerConfiguration(kind: .adam, learningRate: 1e-3).makeOptimizer()
        // The step training takes (data-parallel where `dataParallelParts` says so).
        let step = median {
            _ = forwardBackward(&network, images: batch, labels: labels, using: &rng)
            optimizer.step(&network, progress: 0)
        }
        // Training ≈ forward + two backward products per layer, minus the input gradient of layer 0.
        let trainingFLOPs = 3.0 * Double(architecture.forwardFLOPs * batchSize)
        // Augmentation cost per image, as training pays it: batches of 128 digit-like images.
        let augmentationImagesPerSecond = try augment.map { spec in
            let augmentation = try Augmentation(parsing: spec)
            let images = input(128)
            let seconds = median { _ = augmentation.apply(to: images, using: &rng) }
            return 128 / seconds
        }
        let fileLatency = try file.map { path in
            let trained = try Model.load(from: path)
            return median { _ = trained.probabilities(one) } * 1e3
        }
        let result = BenchResult(model: model, threads: Kernels.threadCount, latencyMilliseconds: latency * 1e3,
                                 imagesPerSecond: 1000 / throughputTime, batchSize: batchSize,
                                 trainingStepMilliseconds: step * 1e3,
                                 trainingGFLOPS: trainingFLOPs / step / 1e9,
                                 forwardMFLOPsPerImage: Double(architecture.forwardFLOPs) / 1e6,
                                 augmentation: augment, augmentationImagesPerSecond: augmentationImagesPerSecond,
                                 file: file, fileLatencyMilliseconds: fileLatency)
        if json { printJSON(result); return }
        print(String(format: "%@ (%d threads): batch-1 latency %.3f ms, batch-1000 throughput %.0f images/s",
                     model, result.threads, result.latencyMilliseconds, result.imagesPerSecond))
        print(String(format: "training step (batch %d): %.2f ms, %.1f GFLOP/s (≈3 × %.2f MFLOP forward per image)",
                     batchSize, result.trainingStepMilliseconds, result.trainingGFLOPS, result.forwardMFLOPsPerImage))
        if let file, let fileLatency {
            print(String(format: "%@: batch-1 latency %.3f ms", file, fileLatency))
        }
        if let augment, let rate = augmentationImagesPerSecond {
            print(String(format: "augmentation %@: %.0f images/s (%.1f µs per image)", augment, rate, 1e6 / rate))
        }
    }
}

struct BenchResult: Encodable {
    var model: String, threads: Int, latencyMilliseconds: Double, imagesPerSecond: Double
    var batchSize: Int, trainingStepMilliseconds: Double, trainingGFLOPS: Double, forwardMFLOPsPerImage: Double
    var augmentation: String?, augmentationImagesPerSecond: Double?
    var file: String?, fileLatencyMilliseconds: Double?
}
