// Times a trained Numeral model the way bench.py times the peers: batch-1 latency (median over
// 1,000 test images after 50 warm-up calls) and batch-1000 throughput (the 10k test set, median
// of 3 passes after one warm-up pass). Prints one JSON object.
// Usage: numeral-bench MODEL.safetensors DATA_DIR [THREADS]
import Foundation
import Numeral

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: numeral-bench MODEL DATA_DIR [THREADS]\n".utf8))
    exit(2)
}
if arguments.count >= 4, let threads = Int(arguments[3]) { Kernels.setThreadCount(threads) }
let model: Model, testSet: Dataset
do {
    model = try Model.load(from: arguments[1])
    testSet = try MNIST.loadTest(from: arguments[2])
} catch {
    FileHandle.standardError.write(Data("numeral-bench: \(error)\n".utf8))
    exit(1)
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let singles = (0..<1000).map { testSet.batch($0..<($0 + 1)).images }
var sink: Float = 0
for x in singles.prefix(50) { sink += model.probabilities(x).scalars[0] }
let latencies = singles.map { x in seconds { sink += model.probabilities(x).scalars[0] } }

let batches = stride(from: 0, to: testSet.count, by: 1000).map { testSet.batch($0..<min($0 + 1000, testSet.count)).images }
let passes = (0..<4).map { _ in seconds { for x in batches { sink += model.probabilities(x).scalars[0] } } }

let result: [String: Double] = [
    "latency_ms": median(latencies) * 1e3,
    "throughput": Double(testSet.count) / median(Array(passes.dropFirst())),
    "checksum": Double(sink),
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
