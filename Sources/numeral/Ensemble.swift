import ArgumentParser
import Foundation
import Numeral

struct Ensemble: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine trained models into one model file that every command uses like a single model.",
        discussion: "The ensemble averages the members' class probabilities, or with --vote counts their top-class votes (ties go to the higher mean probability).")

    @Argument(help: "Model files to combine.") var models: [String]
    @Option(help: "Where to write the ensemble.") var output: String
    @Flag(help: "Majority vote instead of averaging probabilities.") var vote = false
    @Flag(help: "Store the weights as float16: half the file size. The ensemble is measured with the rounded weights; inference stays float32.")
    var half = false
    @Flag(help: "Do not measure the ensemble on the MNIST test set before saving.") var noEvaluate = false
    @OptionGroup var data: DataOptions
    @Flag(help: "Print the result as one JSON object.") var json = false

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one model file") }
    }

    func run() throws {
        var members: [Model] = []
        for path in models { members.append(try Model.load(from: path)) }
        var ensemble = Model(combining: members, combination: vote ? .vote : .mean)
        let storage: SafeTensors.ScalarType = half ? .float16 : .float32
        if half {
            let largest = ensemble.largestParameterMagnitude
            guard largest <= SafeTensors.largestFinite(.float16) else {
                throw ValidationError("a weight of magnitude \(largest) does not fit float16 (at most 65504); save without --half")
            }
            // What the file will hold: every weight rounded to float16 (measured below as such).
            ensemble = try Model.decode(ensemble.encoded(as: .float16), path: output).model
        }
        var accuracies: [Double] = []
        if !noEvaluate {
            let testSet = try MNIST.loadTest(from: data.directory)
            for member in members { accuracies.append(member.testMetrics?.accuracy ?? evaluate(member, on: testSet).accuracy) }
            let result = evaluate(ensemble, on: testSet)
            ensemble.testMetrics = TestMetrics(accuracy: result.accuracy, loss: result.loss, samples: result.count)
        }
        try ensemble.save(to: output, as: storage)
        if json {
            printJSON(EnsembleSummary(output: output, members: models, memberAccuracies: accuracies,
                                      combination: ensemble.combination.rawValue, networks: ensemble.networks.count,
                                      parameters: ensemble.parameterCount, test: ensemble.testMetrics))
            return
        }
        for (path, accuracy) in zip(models, accuracies) { print(String(format: "  %@: test accuracy %.4f", path, accuracy)) }
        if let test = ensemble.testMetrics {
            print(String(format: "%@ of %d networks: test loss %.4f - accuracy %.4f", ensemble.combination.rawValue,
                         ensemble.networks.count, test.loss, test.accuracy))
        }
        print("saved \(output) (\(ensemble.networks.count) networks, \(ensemble.parameterCount) parameters, \(storage.rawValue))")
    }
}

struct EnsembleSummary: Encodable {
    var output: String, members: [String], memberAccuracies: [Double], combination: String
    var networks: Int, parameters: Int, test: TestMetrics?
}
