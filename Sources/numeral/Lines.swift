import ArgumentParser
import Foundation
import Numeral
import NumeralCore
import NumeralNN
import NumeralSynth
import NumeralTraining

struct Lines: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make line images for the line recogniser from synthetic numbers of MNIST training digits.",
        discussion: """
            Draws COUNT synthetic numbers like `numeral synth` but from the MNIST **training** set, \
            finds each number's ink as the reader does, and writes its line image (32 rows, digits \
            20 pixels high, straightened) with the number's text: DIR/lines-images-idx1-ubyte and \
            DIR/lines-labels.csv, for `numeral train-lines`. Images whose number the reader does \
            not find as one are left out.
            """)

    @OptionGroup var synth: TrainingSynthOptions

    func run() throws {
        let started = Date()
        let (lines, summary) = try LineSet.make(count: synth.count, seed: synth.seed, synthesizer: try synth.synthesizer(), progress: synth.progress)
        FileHandle.standardError.write(Data("\n".utf8))
        try lines.write(to: synth.output)
        print(String(format: "%@: %d lines from %d images (seed %llu, %.1fs), %d left out",
                     synth.output, lines.count, summary.images, synth.seed, Date().timeIntervalSince(started), summary.leftOut))
    }
}

struct TrainLines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-lines",
        abstract: "Train the line recogniser (CTC) on line images from `numeral lines`.")

    @Option(help: "Directories written by `numeral lines`.") var lines: [String]
    @Option(help: "Epochs.") var epochs = 3
    @Option(help: "Lines per batch.") var batchSize = 32
    @Option(help: "Adam learning rate (cosine schedule).") var lr: Float = 1e-3
    @Option(help: "Share of the lines held out to measure accuracy after each epoch.") var validationSplit = 0.02
    @Option(help: "Seed for initialisation, order and dropout.") var seed: UInt64 = 0
    @Option(help: "Start from this line model instead of a fresh one (a model of an earlier, smaller architecture is grown to the present one first).") var initial: String?
    @Option(help: "Where to write the model.") var output: String
    @Option(help: "Worker threads for the math kernels (default: all cores).") var threads: Int?

    func validate() throws {
        guard epochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be at least 1") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard validationSplit >= 0, validationSplit < 1 else { throw ValidationError("--validation-split must be in 0..<1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { Kernels.setThreadCount(threads) }
        var set = LineSet()
        for directory in lines { set.append(contentsOf: try LineSet.load(from: directory)) }
        guard set.count >= 2 else { throw ValidationError("need at least 2 lines, found \(set.count)") }
        var rng = SplitMix64(seed: seed)
        let order = Array(0..<set.count).shuffled(using: &rng)
        let held = Int(Double(set.count) * validationSplit)
        let validation = Array(order.prefix(held)), training = Array(order.dropFirst(held))
        var network: Sequential, grew = false
        if let initial {
            network = try LineModel.load(from: initial).network
            if let grown = LineModel.grown(network, using: &rng) {
                print("\(initial): grown from \(network.architecture.name) to \(grown.architecture.name), reading the same")
                network = grown
                grew = true
            }
        } else {
            network = Sequential(LineModel.architecture(), using: &rng)
        }
        var optimizer = Adam(OptimizerConfiguration(kind: .adam, learningRate: lr, schedule: .cosine))
        var history: [EpochRecord] = []
        let terminal = isatty(STDERR_FILENO) != 0
        trainLines(&network, optimizer: &optimizer, on: set, training: training, validation: validation,
                   epochs: epochs, batchSize: batchSize, using: &rng,
                   onBatch: { r in
                       guard terminal || r.batch % 200 == 0 else { return }
                       FileHandle.standardError.write(Data(String(format: "%@epoch %d batch %d/%d  loss %.4f  lines read right %.2f%%  %.0f lines/s%@",
                                                                  terminal ? "\r" : "", r.epoch, r.batch, r.batches, r.loss, 100 * r.accuracy,
                                                                  r.linesPerSecond, terminal ? "" : "\n").utf8))
                   },
                   onEpoch: { r, validationAccuracy, trained in
                       if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                       history.append(EpochRecord(epoch: r.epoch, loss: r.loss, accuracy: r.accuracy,
                                                  validationAccuracy: validationAccuracy, seconds: r.seconds))
                       print(String(format: "epoch %d: loss %.4f, lines read right %.2f%%, validation %@, %.0fs",
                                    r.epoch, r.loss, 100 * r.accuracy,
                                    validationAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-", r.seconds))
                       var model = LineModel(network: trained)
                       model.history = history
                       try? model.save(to: output)
                   })
        var model = LineModel(network: network)
        model.history = history
        model.notes = "trained on \(training.count) lines from \(lines.joined(separator: ", "))\(initial.map { ", starting from \($0)\(grew ? " grown" : "")" } ?? ""); \(epochs) epochs, batch \(batchSize), Adam \(lr) cosine, seed \(seed)"
        try model.save(to: output)
        print("\(output): \(set.count) lines, validation \(history.last?.validationAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-")")
    }
}
