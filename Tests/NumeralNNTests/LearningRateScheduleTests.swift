import Foundation
import NumeralCore
import NumeralNN
import Testing

@Suite struct LearningRateScheduleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var schedule: LearningRateSchedule
        /// Factors at progress 0, 0.5 and 1.
        var expected: [Float]
        var testDescription: String { "\(schedule)" }
    }

    static let cases = [
        Case(schedule: .constant, expected: [1, 1, 1]),
        Case(schedule: .cosine, expected: [1, 0.5, 0]),
        Case(schedule: .step(every: 0.3, factor: 0.1), expected: [1, 0.1, 0.001]),
        Case(schedule: .step(every: 0.5, factor: 0.5), expected: [1, 0.5, 0.25]),
        Case(schedule: .oneCycle(warmup: 0.5), expected: [0.04, 1, 0]),
        Case(schedule: .oneCycle(warmup: 0.3), expected: [0.04, Float(0.5 * (1 + cos(Double.pi * 0.2 / 0.7))), 0]),
    ]

    @Test(arguments: cases)
    func valuesAtStartMiddleAndEnd(_ c: Case) {
        let actual = [0, 0.5, 1].map { c.schedule.factor(progress: $0) }
        for (a, e) in zip(actual, c.expected) {
            #expect(abs(a - e) < 1e-6, "\(c.schedule): factors at 0, 0.5, 1 are \(actual), expected \(c.expected)")
        }
        // Progress outside [0, 1] is clamped.
        #expect(c.schedule.factor(progress: -1) == actual[0])
        #expect(c.schedule.factor(progress: 2) == actual[2])
    }

    @Test func oneCycleWarmsUpLinearlyThenDecays() {
        let s = LearningRateSchedule.oneCycle(warmup: 0.25)
        #expect(abs(s.factor(progress: 0.125) - 0.52) < 1e-6)
        let later = stride(from: 0.25, through: 1, by: 0.05).map { s.factor(progress: $0) }
        #expect(zip(later, later.dropFirst()).allSatisfy { $0 >= $1 }, "not decreasing after warm-up: \(later)")
    }

    @Test func scheduleScalesTheOptimizerStep() {
        // SGD without momentum on a lone parameter: the step is lr · factor · gradient.
        var configuration = OptimizerConfiguration(kind: .sgd, learningRate: 0.1, schedule: .cosine)
        configuration.momentum = 0
        var optimizer = configuration.makeOptimizer()
        var layer = Probe()
        layer.parameter.gradient = [1]
        optimizer.step(&layer, progress: 0.5)
        #expect(abs(layer.parameter.value.scalars[0] - (-0.05)) < 1e-7)
        #expect(layer.parameter.gradient == [0])
    }

    @Test func schedulesRoundTripThroughJSON() throws {
        for c in Self.cases {
            let data = try JSONEncoder().encode(c.schedule)
            #expect(try JSONDecoder().decode(LearningRateSchedule.self, from: data) == c.schedule)
        }
    }
}

/// A layer with one scalar parameter, for optimizer arithmetic.
struct Probe: Layer {
    var parameter = Parameter(name: "weight", value: Tensor(zeros: [1]))
    var spec: LayerSpec { .flatten }
    func callAsFunction(_ input: Tensor) -> Tensor { input }
    mutating func forward(_ input: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor { input }
    mutating func backward(_ outputGradient: Tensor) -> Tensor { outputGradient }
    mutating func visitParameters(_ visit: (inout Parameter) -> Void) { visit(&parameter) }
}
