import ArgumentParser
import Foundation
import Numeral
import NumeralReport

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge a model: metrics, confusion matrix, calibration and mistakes, as text, JSON or an HTML report.",
        discussion: """
        By default the model is measured on the MNIST test set. --images DIR measures it on a \
        folder of labelled images instead: one subfolder per class (DIR/7/x.png) or a labels.csv \
        with the header file,label (labels may have several digits). Every image goes through \
        the same pipeline as numeral read; string accuracy, digit accuracy (1 - character error \
        rate) and the rejection rate (texts with '?') are reported. An image that cannot be \
        read is named in the output and counted as wrong. --report DIR writes report.html \
        (self-contained, opens offline), the pictures (confusion.png and gallery.png, or \
        reads.png for multi-digit labels; SVG charts), \
        report.json and report.txt. The JSON format is described in docs/evaluation-json.md.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var readerOptions: ReaderOptions
    @OptionGroup var data: DataOptions
    @Option(help: "Folder of labelled images to evaluate on instead of MNIST.") var images: String?
    @Option(help: "Write an HTML report with pictures into this directory.") var report: String?
    @Flag(help: "Print every number as one JSON object (docs/evaluation-json.md).") var json = false
    @Option(help: "Test images per forward pass (MNIST).") var batchSize = 1000
    @Option(help: "With --images: a digit below this confidence is uncertain ('?'), as in numeral read.")
    var threshold: Double = ReadOptions().threshold

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be in [0, 1]") }
        if images != nil && data.data != nil {
            throw ValidationError("--data and --images are alternatives; pass one of them")
        }
    }

    func run() throws {
        let path = try DefaultModel.resolve(modelOptions.model)
        let model = try Model.load(from: path)
        // Shipped models live in the build directory; name them the way the repository does.
        func shown(_ path: String, shipped: String?, name: String) -> (file: String, shipped: Bool) {
            path == shipped ? ("Sources/Numeral/Resources/\(name).safetensors", true) : (path, false)
        }
        let file = shown(path, shipped: DefaultModel.shippedPath, name: "numeral-default")
        let result: EvaluationReport
        if let images {
            let folder = try ImageFolder.load(images)
            let lines = try DefaultModel.loadLinesWithPath(readerOptions.lineModel)
            let reader = NumberReaderEvaluation(reader: NumberReader(model: model, lineModel: lines?.model,
                                                                     fieldModel: try DefaultModel.loadFields(readerOptions.fieldModel),
                                                                     options: ReadOptions(threshold: threshold)))
            let lineModel = lines.map { lines in
                let network = lines.model.network
                let lineFile = shown(lines.path, shipped: DefaultModel.shippedLinesPath, name: "numeral-lines")
                return EvaluationReport.ModelSummary(file: lineFile.file, name: network.architecture.name,
                                                     parameters: network.parameterCount, shipped: lineFile.shipped)
            }
            result = EvaluationReport(images: folder, directory: images, reader: reader, model: model, modelFile: file.file,
                                      shipped: file.shipped, lineModel: lineModel)
        } else {
            let testSet = try MNIST.loadTest(from: data.directory)
            let clock = ContinuousClock()
            let started = clock.now
            let evaluation = evaluate(model, on: testSet, batchSize: batchSize)
            let elapsed = (clock.now - started).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
            result = EvaluationReport(evaluation: evaluation, dataset: testSet, model: model, modelFile: file.file, shipped: file.shipped,
                                      dataPath: data.directory, seconds: seconds)
        }
        if let report {
            try result.write(to: report)
        }
        print(json ? result.json() : result.text, terminator: json ? "\n" : "")
        if let report, !json { print("\nreport written to \(report)/report.html") }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a model file's architecture, size and stored metrics.")

    @Argument(help: "Model file (default: the shipped model).") var file: String?
    @Flag(help: "Without a file: the line model the reader uses (--line-model's default) instead of the digit model.") var lines = false
    @Flag(help: "Print as JSON.") var json = false

    func validate() throws {
        if lines && file != nil { throw ValidationError("--lines names the default line model; give a file or --lines, not both") }
    }

    func run() throws {
        if lines {
            if let path = DefaultModel.resolveLines(nil) { try printLineModel(path) } else { print("no line model (NUMERAL_LINE_MODEL is 'none')") }
            return
        }
        let path = try DefaultModel.resolve(file)
        let loaded = Result { () throws(ModelFileError) in try Model.load(from: path) }
        if case .failure(.notNumeralModel) = loaded {
            try printLineModel(path)
            return
        }
        let model = try loaded.get()
        if json {
            printJSON(InfoSummary(file: path, name: model.name, parameters: model.parameterCount,
                                  architecture: model.networks.map(\.architecture), recipe: model.recipe,
                                  test: model.testMetrics, history: model.history))
            return
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        print("\(path): \(model.name), \(model.parameterCount) parameters"
              + (bytes.map { String(format: ", %.1f MB", Double($0) / 1e6) } ?? ""))
        for (k, network) in model.networks.enumerated() {
            if model.networks.count > 1 { print("member \(k): \(network.architecture.name)") }
            var shape = network.architecture.inputShape
            print("  input \(shape)")
            for (i, layer) in network.layers.enumerated() {
                shape = layer.spec.outputShape(for: shape) ?? []
                print(String(format: "  %2d %-60@ -> %@ (%d parameters)", i, "\(layer.spec)", "\(shape)", layer.parameterCount))
            }
        }
        if let recipe = model.recipe {
            print("trained: \(recipe.optimizer.kind.rawValue) lr \(recipe.optimizer.learningRate), batch \(recipe.batchSize), \(recipe.epochs) epochs, seed \(recipe.seed)"
                  + (recipe.initialization.map { ", \($0.rawValue) initialisation" } ?? "")
                  + (recipe.augmentation.map { ", augment \($0)" } ?? ""))
        }
        for r in model.history { print("  " + formatEpoch(r, epochs: model.history.count)) }
        if let test = model.testMetrics {
            print(String(format: "test: accuracy %.4f, loss %.4f (%d samples)", test.accuracy, test.loss, test.samples))
        }
    }
}

extension Info {
    /// `numeral info` of a line model file.
    func printLineModel(_ path: String) throws {
        let model = try LineModel.load(from: path)
        let network = model.network
        if json {
            printJSON(InfoSummary(file: path, name: network.architecture.name, parameters: network.parameterCount,
                                  architecture: [network.architecture], recipe: nil, test: nil, history: model.history))
            return
        }
        let kind = model.symbols == LineModel.amountAlphabet ? "field model (grey levels)" : "line model"
        print("\(path): \(kind) \(network.architecture.name), \(network.parameterCount) parameters, reads \"\(String(model.symbols))\"")
        var shape = network.architecture.inputShape
        print("  input \(shape) (any width that is a multiple of \(LineModel.frameWidth))")
        for (i, layer) in network.layers.enumerated() {
            shape = layer.spec.outputShape(for: shape) ?? []
            print(String(format: "  %2d %-60@ -> %@ (%d parameters)", i, "\(layer.spec)", "\(shape)", layer.parameterCount))
        }
        if let notes = model.notes { print("trained: \(notes)") }
        for r in model.history {
            print(String(format: "  epoch %d: loss %.4f, lines read right %.2f%%, validation %@, %.0fs", r.epoch, r.loss, 100 * r.accuracy,
                         r.validationAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-", r.seconds))
        }
    }
}

struct InfoSummary: Encodable {
    var file: String, name: String, parameters: Int, architecture: [Architecture]
    var recipe: TrainingRecipe?, test: TestMetrics?, history: [EpochRecord]
}
