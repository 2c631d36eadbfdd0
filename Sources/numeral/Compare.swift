import ArgumentParser
import Foundation
import Numeral
import NumeralReport

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put models side by side: accuracy, macro F1, calibration, size and speed on the MNIST test set.",
        discussion: """
        images/s is the test set evaluated in batches of 1000; latency is the median of 100 \\
        single-image calls. Both are measured in this process, one model after the other.
        """)

    @Argument(help: "Model files (the word 'default' stands for the shipped model).") var models: [String]
    @OptionGroup var data: DataOptions
    @Flag(help: "Print the rows as a JSON array.") var json = false

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("name at least one model file") }
    }

    func run() throws {
        let testSet = try MNIST.loadTest(from: data.directory)
        var rows: [ModelComparison] = []
        for file in models {
            let path = try DefaultModel.resolve(file == "default" ? nil : file)
            let model = try Model.load(from: path)
            rows.append(ModelComparison(model: model, file: file, on: testSet))
        }
        if json { printJSON(rows) } else { print(ModelComparison.table(rows), terminator: "") }
    }
}
