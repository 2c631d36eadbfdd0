import Foundation
import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// Numeral against an independent NumPy implementation (`Tests/Fixtures/make_golden.py`,
/// float64): forward logits, loss, every gradient, and three steps of each optimizer.
@Suite struct GoldenTests {
    struct GoldenTensor: Decodable {
        var shape: [Int]
        var values: [Double]
        var floats: [Float] { values.map(Float.init) }
        var tensor: Tensor { Tensor(shape: Shape(shape), scalars: floats) }
    }
    struct Run: Decodable {
        var configuration: OptimizerConfiguration
        var losses: [Double]
        var parameters: [String: GoldenTensor]
    }
    struct Network: Decodable {
        var architecture: Architecture
        var input: GoldenTensor
        var labels: [Int]
        var parameters: [String: GoldenTensor]
        var logits: GoldenTensor
        var loss: Double
        var gradients: [String: GoldenTensor]
        var optimizers: [Run]
    }
    struct Golden: Decodable { var networks: [Network] }

    static func golden(_ name: String) throws -> Network {
        let data = try Data(contentsOf: TestLocations.fixture("golden.json"))
        let golden = try JSONDecoder().decode(Golden.self, from: data)
        return try #require(golden.networks.first { $0.architecture.name == name }, "no network \(name) in golden.json")
    }

    /// The network with the golden weights, checking that every parameter is in the file.
    static func network(_ golden: Network) throws -> Sequential {
        var rng = SplitMix64(seed: 0)
        var network = Sequential(golden.architecture, using: &rng)
        var seen = 0
        var missing: [String] = []
        network.visitNamedParameters { name, p in
            guard let t = golden.parameters[name], t.shape == p.value.shape.dimensions else { missing.append(name); return }
            p.value = t.tensor
            seen += 1
        }
        #expect(missing.isEmpty, "parameters missing from golden.json or shaped differently: \(missing)")
        #expect(seen == golden.parameters.count, "golden.json has parameters the network does not")
        return network
    }

    @Test(arguments: ["cnn", "mlp"])
    func forwardLossAndGradients(_ name: String) throws {
        let golden = try Self.golden(name)
        var network = try Self.network(golden)
        var rng = SplitMix64(seed: 0)
        let logits = network.forward(golden.input.tensor, using: &rng)
        expectClose(logits.scalars, golden.logits.floats, tolerance: 1e-4, "\(name) logits")
        expectClose(network(golden.input.tensor).scalars, golden.logits.floats, tolerance: 1e-4, "\(name) inference logits")
        let (loss, dLogits) = softmaxCrossEntropy(logits: logits, labels: golden.labels)
        #expect(abs(Double(loss) - golden.loss) < 1e-4, "\(name) loss \(loss), NumPy \(golden.loss)")
        _ = network.backward(dLogits)
        var compared = 0
        network.visitNamedParameters { parameterName, p in
            guard let expected = golden.gradients[parameterName] else {
                Issue.record("no gradient for \(parameterName) in golden.json"); return
            }
            expectClose(p.gradient, expected.floats, tolerance: 1e-4, "\(name) gradient of \(parameterName)")
            compared += 1
        }
        #expect(compared == golden.gradients.count)
    }

    @Test(arguments: ["cnn", "mlp"], 0..<5)
    func firstOptimizerSteps(_ name: String, run index: Int) throws {
        let golden = try Self.golden(name)
        let run = golden.optimizers[index]
        let label = "\(name) \(run.configuration.kind)\(run.configuration.nesterov ? " nesterov" : "") wd \(run.configuration.weightDecay)"
        var network = try Self.network(golden)
        var optimizer = run.configuration.makeOptimizer()
        var rng = SplitMix64(seed: 0)
        var losses: [Double] = []
        for step in 1...3 {
            let (loss, dLogits) = softmaxCrossEntropy(logits: network.forward(golden.input.tensor, using: &rng),
                                                      labels: golden.labels)
            losses.append(Double(loss))
            _ = network.backward(dLogits)
            optimizer.step(&network, progress: Double(step) / 3)
        }
        expectClose(losses.map(Float.init), run.losses.map(Float.init), tolerance: 1e-4, "\(label) losses of steps 1-3")
        #expect(optimizer.stepCount == 3)
        network.visitNamedParameters { parameterName, p in
            guard let expected = run.parameters[parameterName] else {
                Issue.record("no parameter \(parameterName) for \(label) in golden.json"); return
            }
            expectClose(p.value.scalars, expected.floats, tolerance: 1e-4, "\(label): \(parameterName) after 3 steps")
            #expect(p.gradient.allSatisfy { $0 == 0 }, "\(label): the optimizer leaves \(parameterName)'s gradient zeroed")
        }
    }

    /// The fixture covers what it says: both kinds of weight decay and all four optimizers.
    @Test func fixtureCoversEveryOptimizer() throws {
        let kinds = Set(try Self.golden("cnn").optimizers.map(\.configuration.kind))
        #expect(kinds == Set(OptimizerConfiguration.Kind.allCases))
    }
}
