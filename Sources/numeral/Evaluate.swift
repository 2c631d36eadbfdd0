import ArgumentParser
import Foundation
import Numeral

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure a model on the MNIST test set.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var data: DataOptions
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() throws {
        let path = try DefaultModel.resolve(modelOptions.model)
        let model = try Model.load(from: path)
        let testSet = try MNIST.loadTest(from: data.directory)
        let started = Date()
        let result = evaluate(model, on: testSet)
        let seconds = Date().timeIntervalSince(started)
        if json {
            printJSON(EvaluationSummary(model: path, samples: result.count, loss: result.loss,
                                        accuracy: result.accuracy, seconds: seconds))
        } else {
            print(String(format: "%@: test loss %.4f - accuracy %.4f (%d samples, %.2fs)",
                         model.name, result.loss, result.accuracy, result.count, seconds))
        }
    }
}

struct EvaluationSummary: Encodable {
    var model: String, samples: Int, loss: Double, accuracy: Double, seconds: Double
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a model file's architecture, size and stored metrics.")

    @Argument(help: "Model file (default: the shipped model).") var file: String?
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let path = try DefaultModel.resolve(file)
        let model = try Model.load(from: path)
        if json {
            printJSON(InfoSummary(file: path, name: model.name, parameters: model.parameterCount,
                                  architecture: model.networks.map(\.architecture), recipe: model.recipe,
                                  test: model.testMetrics, history: model.history))
            return
        }
        print("\(path): \(model.name), \(model.parameterCount) parameters")
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
            print("trained: \(recipe.optimizer.kind.rawValue) lr \(recipe.optimizer.learningRate), batch \(recipe.batchSize), \(recipe.epochs) epochs, seed \(recipe.seed)")
        }
        for r in model.history { print("  " + formatEpoch(r, epochs: model.history.count)) }
        if let test = model.testMetrics {
            print(String(format: "test: accuracy %.4f, loss %.4f (%d samples)", test.accuracy, test.loss, test.samples))
        }
    }
}

struct InfoSummary: Encodable {
    var file: String, name: String, parameters: Int, architecture: [Architecture]
    var recipe: TrainingRecipe?, test: TestMetrics?, history: [EpochRecord]
}
