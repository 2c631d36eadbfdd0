import ArgumentParser
import Foundation
import Numeral
import NumeralCore
import NumeralNN
import NumeralSynth
import NumeralTraining

struct TrainFields: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-fields",
        abstract: "Train the field recogniser (grey levels, CTC) on fields drawn from real glyphs and on real register lines.",
        discussion: """
            Every step draws its lines afresh: cheque-amount fields, register numbers and single \
            digits made by FieldSynthesizer from the real training glyphs under --data (MNIST's \
            training set, cvl/train, european-digits, exam-digits), and, with --real-share, real \
            lines of parish-row-numbers/train cut out by the page reader (made once and cached in \
            --cache). Never the measure-only sets. A checkpoint OUTPUT.checkpoint is written \
            every --checkpoint-minutes and on Ctrl-C or SIGTERM, and a run started again with \
            the same OUTPUT continues from it. The recipe that trained the shipped model is \
            scripts/train-field-model.
            """)

    @Option(help: "The data directory (../shared/data layout).") var data = "../shared/data"
    @Option(help: "Training steps; each makes two updates of --batch-size lines.") var steps = 20_000
    @Option(help: "Lines per update.") var batchSize = 24
    @Option(help: "Adam learning rate (cosine schedule over the steps).") var lr: Float = 5e-4
    @Option(help: "Seed for the lines, the order and dropout.") var seed: UInt64 = 1
    @Option(help: "Share of the lines that the page reader cut out of pictures: real register lines and, with --synthetic-pages, synthetic pages.")
    var cutShare = 0.2
    @Option(help: "Also cut the lines of this many synthetic pages of MNIST training digits (`numeral synth` pages, made once and cached).")
    var syntheticPages = 0
    @Option(help: "Start from this line model (a digit-alphabet model is widened to the amount marks); default: the shipped line model.")
    var initial: String?
    @Option(help: "Directory caching the real register lines.") var cache = ".cache/field-lines"
    @Option(help: "Minutes between checkpoints.") var checkpointMinutes = 5.0
    @Option(help: "Where to write the model.") var output: String
    @Option(help: "Worker threads for the math kernels (default: all cores).") var threads: Int?

    func validate() throws {
        guard steps >= 1, batchSize >= 1 else { throw ValidationError("--steps and --batch-size must be at least 1") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard (0...1).contains(cutShare) else { throw ValidationError("--cut-share must be in 0...1") }
        guard syntheticPages >= 0 else { throw ValidationError("--synthetic-pages must be at least 0") }
        guard checkpointMinutes > 0 else { throw ValidationError("--checkpoint-minutes must be positive") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { Kernels.setThreadCount(threads) }
        // The output is checked before hours of training, not after.
        let directory = (output as NSString).deletingLastPathComponent
        guard FileManager.default.isWritableFile(atPath: directory.isEmpty ? "." : directory) else {
            throw ValidationError("cannot write \(output): \(directory.isEmpty ? "." : directory) is not a writable directory")
        }
        let checkpointPath = output + ".checkpoint"
        var checkpoint: FieldCheckpoint
        if FileManager.default.fileExists(atPath: checkpointPath) {
            checkpoint = try FieldCheckpoint.load(from: checkpointPath)
            print("resuming \(checkpointPath) at step \(checkpoint.step) of \(checkpoint.plan.steps)")
        } else {
            let plan = FieldTrainingPlan(steps: steps, batchSize: batchSize, learningRate: lr, seed: seed)
            var rng = SplitMix64(seed: seed)
            let network: Sequential
            if let path = DefaultModel.resolveLines(initial) {
                let base = try LineModel.load(from: path).network
                network = LineModel.widenedToAmounts(base) ?? base
                print("starting from \(path)")
            } else {
                network = Sequential(LineModel.architecture(classes: LineModel.amountAlphabet.count + 1), using: &rng)
            }
            var model = LineModel(network: network)
            model.notes = notes(plan)
            checkpoint = FieldCheckpoint(model: model, optimizer: Adam(OptimizerConfiguration(kind: .adam, learningRate: lr, schedule: .cosine)),
                                         plan: plan, step: 0)
        }
        let bank = try GlyphBank.load(data: data)
        print("glyphs: " + bank.sources.map { "\($0.name) \($0.count)" }.joined(separator: ", "))
        var cut = LineSet()
        if cutShare > 0 {
            cut = try registerLines()
            if syntheticPages > 0 { cut.append(contentsOf: try pageLines()) }
        }
        let real = cut
        let synthesizer = FieldSynthesizer(bank: bank)
        let share = real.count > 0 ? cutShare : 0
        let sample: @Sendable (inout SplitMix64) -> FieldSample = { rng in
            if share > 0, Double.random(in: 0..<1, using: &rng) < share {
                let i = Int.random(in: 0..<real.count, using: &rng)
                return FieldSample(pixels: real.line(i, width: real.widths[i]), width: real.widths[i], label: real.labels[i])
            }
            let (image, text) = synthesizer.sample(using: &rng)
            let line = FieldNormalization.normalize(image)
            return FieldSample(pixels: line.pixels, width: line.width, label: LineSet.symbols(text)!)
        }
        interruptRequested = 0
        signal(SIGINT) { _ in interruptRequested = 1 }
        signal(SIGTERM) { _ in interruptRequested = 1 }
        defer { signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL) }
        let terminal = isatty(STDERR_FILENO) != 0
        try trainFields(&checkpoint, checkpointInterval: checkpointMinutes * 60, sample: sample,
                        shouldStop: { interruptRequested != 0 },
                        onStep: { r in
                            guard terminal || r.step % 100 == 0 else { return }
                            FileHandle.standardError.write(Data(String(format: "%@step %d/%d  loss %.4f  lines read right %.1f%%  %.0f lines/s%@",
                                                                       terminal ? "\r" : "", r.step, r.steps, r.loss, 100 * r.accuracy,
                                                                       r.linesPerSecond, terminal ? "" : "\n").utf8))
                        },
                        save: { c in
                            try c.save(to: checkpointPath)
                            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                            print("checkpoint at step \(c.step): \(checkpointPath)"); fflush(nil)
                        })
        if checkpoint.step < checkpoint.plan.steps {
            print("stopped at step \(checkpoint.step) of \(checkpoint.plan.steps); run the same command again to continue")
            return
        }
        var model = checkpoint.model
        model.notes = notes(checkpoint.plan)
        try model.save(to: output)
        try? FileManager.default.removeItem(atPath: checkpointPath)
        print("\(output): \(checkpoint.plan.steps) steps done")
    }

    func notes(_ plan: FieldTrainingPlan) -> String {
        "field recogniser (grey levels): fields drawn by FieldSynthesizer from the real glyphs of MNIST train, "
            + GlyphBank.trainingFolders.joined(separator: ", ")
            + (cutShare > 0 ? "; \(Int(cutShare * 100))% lines cut out by the page reader from parish-row-numbers/train"
                + (syntheticPages > 0 ? " and \(syntheticPages) synthetic pages of MNIST training digits" : "") : "")
            + "; started from \(initial ?? "the shipped line model"); \(plan.steps) steps of 2x\(plan.batchSize) lines, Adam \(plan.learningRate) cosine, seed \(plan.seed)"
    }

    /// Lines of synthetic pages (`numeral synth`'s defaults, MNIST training digits, seed 31),
    /// from the cache or cut once by the page reader.
    func pageLines() throws -> LineSet {
        let key = cache + "/synthetic-pages-\(syntheticPages)"
        if let lines = try? LineSet.load(from: key), lines.count > 0 { return lines }
        print("cutting the lines of \(syntheticPages) synthetic pages (once; cached in \(key))")
        var configuration = SynthConfiguration()
        configuration.digitHeight = 12...160
        let synthesizer = try Synthesizer(digits: try MNIST.loadTraining(from: data + "/mnist"), configuration: configuration)
        let reader = NumberReader(model: try DefaultModel.load(nil), lineModel: try DefaultModel.loadLines(nil))
        let lines = FieldLines.make(count: syntheticPages, reader: reader, progress: { done, total in
            if done % 500 == 0 || done == total { FileHandle.standardError.write(Data("\r\(done)/\(total)".utf8)) }
        }) { i in
            guard let sample = try? synthesizer.sample(index: i, seed: 31),
                  let raster = try? ImageDecoder.decode(sample.encoded, name: String(i)) else { return nil }
            return (raster, sample.label)
        }
        FileHandle.standardError.write(Data("\n".utf8))
        try lines.write(to: key)
        print("\(lines.count) page lines")
        return lines
    }

    /// The real register lines, from the cache or made once by the page reader.
    func registerLines() throws -> LineSet {
        let key = cache + "/parish-train"
        if let lines = try? LineSet.load(from: key), lines.count > 0 { return lines }
        let folder = data + "/parish-row-numbers/train"
        print("cutting the register lines out of \(folder) (once; cached in \(key))")
        let reader = NumberReader(model: try DefaultModel.load(nil), lineModel: try DefaultModel.loadLines(nil))
        let lines = try FieldLines.make(folder: folder, reader: reader) { done, total in
            if done % 500 == 0 || done == total { FileHandle.standardError.write(Data("\r\(done)/\(total)".utf8)) }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        try lines.write(to: key)
        print("\(lines.count) register lines")
        return lines
    }
}
