import Foundation
import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// A model file read from the outside: `Tests/Fixtures/check_safetensors.py` loads it with
/// PyPI `safetensors` and NumPy, rebuilds the network from the architecture in
/// `__metadata__`, and must reproduce Numeral's logits to 1e-5. Without python3, safetensors
/// or NumPy the test fails (scripts/setup installs them); it never passes silently.
@Suite final class PythonSafetensorsTests {
    let directory: URL
    init() throws { directory = try TestLocations.temporaryDirectory("numeral-python") }
    deinit { try? FileManager.default.removeItem(at: directory) }

    struct Output: Decodable {
        struct Network: Decodable { var name: String; var logits: [[Double]] }
        var networks: [Network]
    }

    static func network(_ architecture: Architecture, seed: UInt64) -> Sequential {
        var rng = SplitMix64(seed: seed)
        var network = Sequential(architecture, using: &rng)
        // Non-zero biases, so a reader that drops them is caught.
        network.visitParameters { p in
            if p.name == "bias" { p.value = .uniform(shape: p.value.shape, in: -0.1...0.1, using: &rng) }
        }
        // One training pass moves batch-norm running statistics away from 0 and 1.
        _ = network.forward(.uniform(shape: [4, 1, 28, 28], in: 0...1, using: &rng), using: &rng)
        return network
    }

    static let bnArchitecture = Architecture(name: "bn-tanh", layers: [
        .conv2D(inputChannels: 1, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1), .batchNorm(features: 3),
        .tanh, .maxPool2D(size: 3, stride: 2), .dropout(rate: 0.5), .flatten,
        .dense(inputSize: 3 * 6 * 6, outputSize: 16), .sigmoid, .dense(inputSize: 16, outputSize: 10),
    ])

    /// One network, or several as an ensemble, in a file of F32 or F16 tensors.
    struct Members: Sendable, CustomTestStringConvertible {
        var architectures: [Architecture]
        var storage: SafeTensors.ScalarType = .float32
        var testDescription: String { architectures.map(\.name).joined(separator: "+") + "-" + storage.rawValue }
    }

    @Test(arguments: [Zoo.mlp, Zoo.lenet, Zoo.cnn, bnArchitecture].map { Members(architectures: [$0]) }
                     + [Members(architectures: [Zoo.mlp, Zoo.lenet]),
                        Members(architectures: [Zoo.lenet, bnArchitecture], storage: .float16)])
    func pythonReproducesTheLogits(_ members: Members) throws {
        let architectures = members.architectures
        let label = members.testDescription
        var networks = architectures.enumerated().map { Self.network($1, seed: 100 + UInt64($0)) }
        let model = architectures.count == 1 ? Model(network: networks[0]) : Model(ensemble: networks, combination: .mean)
        let modelPath = directory.appendingPathComponent("\(label).safetensors").path
        try model.save(to: modelPath, as: members.storage)
        // Numeral's side is what it reads back (float16 files hold rounded weights).
        networks = try Model.load(from: modelPath).networks

        var rng = SplitMix64(seed: 7)
        let input = Tensor.uniform(shape: [3, 1, 28, 28], in: 0...1, using: &rng)
        let inputPath = directory.appendingPathComponent("\(label)-input.f32").path
        try input.scalars.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: inputPath))

        let script = TestLocations.fixture("check_safetensors.py").path
        let result: ProcessOutput
        do { result = try runProcess("python3", [script, modelPath, inputPath]) } catch {
            Issue.record("cannot run python3 (\(error)); run scripts/setup, which installs python3, safetensors and numpy")
            return
        }
        if result.status != 0 {
            let hint = result.standardError.contains("No module named") || result.status == 127
                ? "python3 with the PyPI packages safetensors and numpy is needed: run scripts/setup (or pip install safetensors numpy). "
                : ""
            Issue.record("\(hint)check_safetensors.py exited with \(result.status):\n\(result.standardError)")
            return
        }
        let output = try JSONDecoder().decode(Output.self, from: Data(result.standardOutput.utf8))
        try #require(output.networks.count == networks.count, "python read \(output.networks.count) networks")
        for (network, python) in zip(networks, output.networks) {
            #expect(python.name == network.architecture.name)
            let logits = network(input)
            expectClose(logits.scalars, python.logits.flatMap { $0.map(Float.init) }, tolerance: 1e-5,
                        "\(label): \(python.name) logits, Numeral vs NumPy reading the safetensors file")
        }
    }
}
