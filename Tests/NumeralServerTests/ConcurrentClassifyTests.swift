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

@Suite("Concurrent POST /v1/classify")
struct ConcurrentClassifyTests {
    /// Many requests at once each get exactly the answer they get alone, so a batching
    /// classify path cannot hand a request another's row. Answers are compared decoded:
    /// JSONEncoder writes the keys in a different order from one response to the next.
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
        }
    }
}
