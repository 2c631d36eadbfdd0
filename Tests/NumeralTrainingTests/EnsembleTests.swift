import Foundation
import Numeral
import Testing
import TestSupport

/// `numeral ensemble`'s library side: combining models into one.
@Suite struct EnsembleTests {
    static func network(seed: UInt64, architecture: Architecture = Zoo.mlp) -> Sequential {
        var rng = SplitMix64(seed: seed)
        return Sequential(architecture, using: &rng)
    }

    static func images(_ count: Int, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return .uniform(shape: [count, 1, 28, 28], in: 0...1, using: &rng)
    }

    @Test(arguments: [Model.Combination.mean, .vote])
    func ensembleOfOneIsThatModel(_ combination: Model.Combination) throws {
        let single = Model(network: Self.network(seed: 1))
        let ensemble = Model(combining: [single], combination: combination)
        let x = Self.images(5, seed: 2)
        #expect(ensemble.probabilities(x) == single.probabilities(x))
        // And through a file, as `numeral ensemble A --output F` writes it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numeral-ensemble-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("one.safetensors").path
        try ensemble.save(to: path)
        #expect(try Model.load(from: path).probabilities(x) == single.probabilities(x))
    }

    @Test func meanAveragesTheMembersProbabilities() {
        let a = Model(network: Self.network(seed: 3)), b = Model(network: Self.network(seed: 4, architecture: Zoo.lenet))
        let ensemble = Model(combining: [a, b], combination: .mean)
        let x = Self.images(4, seed: 5)
        let expected = zip(a.probabilities(x).scalars, b.probabilities(x).scalars).map { ($0 + $1) / 2 }
        expectClose(ensemble.probabilities(x).scalars, expected, tolerance: 1e-6, "mean of two")
    }

    @Test func voteFollowsTheMajority() {
        let members = (10..<13).map { Model(network: Self.network(seed: UInt64($0))) }
        let ensemble = Model(combining: members, combination: .vote)
        let x = Self.images(8, seed: 6)
        let votes = members.map { argmaxRows($0.probabilities(x)) }
        let predicted = argmaxRows(ensemble.probabilities(x))
        for n in 0..<8 {
            let counts = (0..<10).map { c in votes.filter { $0[n] == c }.count }
            if let top = counts.max(), counts.filter({ $0 == top }).count == 1 {
                #expect(predicted[n] == counts.firstIndex(of: top), "sample \(n): votes \(counts)")
            }
        }
    }

    @Test func ensemblesFlattenAndRoundTrip() throws {
        let pair = Model(combining: [Model(network: Self.network(seed: 7)), Model(network: Self.network(seed: 8))],
                         combination: .mean)
        let three = Model(combining: [pair, Model(network: Self.network(seed: 9))], combination: .mean)
        #expect(three.networks.count == 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numeral-ensemble-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("three.safetensors").path
        try three.save(to: path)
        let loaded = try Model.load(from: path)
        let x = Self.images(3, seed: 10)
        #expect(loaded.networks.count == 3)
        #expect(loaded.probabilities(x) == three.probabilities(x))
    }
}
