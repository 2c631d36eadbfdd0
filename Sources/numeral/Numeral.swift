import ArgumentParser
import Numeral

@main
struct NumeralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "numeral",
        abstract: "Train, evaluate and run a handwritten-digit recogniser.",
        subcommands: [
            Read.self,
            Train.self,
            Evaluate.self,
            Compare.self,
            Info.self,
            DataCommand.self,
            Bench.self,
            MakeExample.self,
            BenchRead.self,
            MNISTDiff.self,
            Synth.self,
            Crops.self,
            Lines.self,
            TrainLines.self,
            TrainFields.self,
            Ensemble.self,
            Tune.self,
            Serve.self,
        ])

    static func main() async {
        Kernels.keepLargeAllocationsInHeap()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model file (default: $NUMERAL_MODEL, else the model shipped with Numeral).")
    var model: String?
}

/// The models a command that reads images uses.
struct ReaderOptions: ParsableArguments {
    @Option(help: "Line model that reads each number whole (default: the one shipped with Numeral; 'none': digit by digit only).")
    var lineModel: String?

    @Option(help: "Field model that reads grey levels: pictures of one field whole, and each number found on a page again (default: $NUMERAL_FIELD_MODEL, else the one shipped with Numeral; 'none': binarised reading only).")
    var fieldModel: String?

    func reader(model: Model, options: ReadOptions) throws -> NumberReader {
        NumberReader(model: model, lineModel: try DefaultModel.loadLines(lineModel), fieldModel: try DefaultModel.loadFields(fieldModel),
                     options: options)
    }
}

/// Options every command that reads MNIST shares.
struct DataOptions: ParsableArguments {
    @Option(help: "Directory with the MNIST IDX files, raw or .gz (default: $NUMERAL_DATA, else ./data/mnist).")
    var data: String?

    var directory: String { resolveDataDirectory(data) }
}
