import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import NumeralServer
import Numeral

/// 30 different digits: the 10 MNIST fixtures, each also shifted 1 and 2 pixels right.
func classifyInputs() throws -> [[Int]] {
    try mnistSamples().flatMap { sample in
        (0..<3).map { shift in
            (0..<784).map { i in i % 28 >= shift ? sample.pixels[i - shift] : 0 }
        }
    }
}

@Suite("Batching of POST /v1/classify")
struct ClassifyBatcherTests {
    /// A digit's probabilities are the same bits in a batch of any size, at any row.
    @Test func rowsDoNotDependOnTheirBatch() throws {
        let model = try SharedModel.model
        let digits = try classifyInputs().map { $0.map { Float($0) / 255 } }
        #expect(digits.count >= ClassifyBatcher.maximumBatch)
        let lone = digits.map { ClassifyBatcher.probabilities(of: [$0], model: model)[0] }
        for size in 2...ClassifyBatcher.maximumBatch {
            // Rotate which digit comes first, so each sits at different rows across batches.
            let order = (0..<size).map { ($0 + size) % digits.count }
            let batch = ClassifyBatcher.probabilities(of: order.map { digits[$0] }, model: model)
            for (row, digit) in order.enumerated() {
                #expect(batch[row] == lone[digit], "digit \(digit) at row \(row) of \(size): \(batch[row]) vs alone \(lone[digit])")
            }
        }
    }

    /// The shipped model's lone answers are the batch-of-1 answers up to rounding (the blank
    /// second row only changes which sgemm kernel runs).
    @Test func loneAnswerIsTheBatchOfOneAnswerUpToRounding() throws {
        let model = try SharedModel.model
        for pixels in try classifyInputs() {
            let digit = pixels.map { Float($0) / 255 }
            let single = model.probabilities(Tensor(shape: [1, 1, 28, 28], scalars: digit)).scalars
            let lone = ClassifyBatcher.probabilities(of: [digit], model: model)[0]
            for (a, b) in zip(single, lone) { #expect(abs(a - b) <= 1e-6, "\(single) vs \(lone)") }
        }
    }

    /// Many requests at once get batched, and each gets exactly the answer it gets alone.
    /// (Answers are compared decoded: JSONEncoder writes the keys in a different order from
    /// one response to the next.)
    @Test func concurrentRequestsGetTheirOwnAnswers() async throws {
        let inputs = try classifyInputs()
        try await withApp(testArguments { $0.maxInFlight = 1000 }) { api in
            var alone: [ClassifyController.Output] = []
            for pixels in inputs {
                alone.append(try await api.post("/v1/classify", json: ["pixels": pixels]).json())
            }
            #expect(Set(alone.map(\.probabilities)).count == inputs.count, "the test digits should not share answers")
            let requests = 4 * inputs.count
            for round in 0..<3 {
                let answers = try await withThrowingTaskGroup(of: (Int, APIResponse).self) { group in
                    for request in 0..<requests {
                        let input = (request * 7 + round) % inputs.count
                        group.addTask { (input, try await api.post("/v1/classify", json: ["pixels": inputs[input]])) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.count == requests)
                for (input, response) in answers {
                    #expect(response.status == .ok)
                    #expect(try response.json(ClassifyController.Output.self) == alone[input],
                            "round \(round), input \(input): \(response.text) vs alone \(alone[input])")
                }
            }
            // Every batch is counted once with its number of digits: more digits than batches
            // means some requests shared a model call.
            let metrics = try await api.send(.get, "/metrics").text
            let digits = try #require(Self.value(of: "numeral_classify_batch_size_sum", in: metrics))
            let batches = try #require(Self.value(of: "numeral_classify_batch_size_count", in: metrics))
            #expect(digits == Double(inputs.count + 3 * requests))
            #expect(batches < digits, "\(batches) model calls for \(digits) digits: nothing was batched")
        }
    }

    static func value(of metric: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(metric + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }
}
