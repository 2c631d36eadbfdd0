// accuracy-bench augment DATA_DIR SPEC        images/s of `Augmentation.apply` on batches of 128,
//                                              1 worker vs all workers, plus CPU seconds per image
// accuracy-bench latency DATA_DIR MODEL...     batch-1 latency (median of 1,000 test images after
//                                              50 warm-ups) and test accuracy of each model
// Prints one line per measurement. Wall times on a shared machine are noisy: the CPU time
// (getrusage) is printed next to them.
import Foundation
import Numeral

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func cpu() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: accuracy-bench augment DATA SPEC | latency DATA MODEL...\n".utf8))
    exit(2)
}
do {
    let test = try MNIST.loadTest(from: arguments[2])
    switch arguments[1] {
    case "augment":
        let augmentation = try Augmentation(parsing: arguments[3])
        let batches = stride(from: 0, to: 10_000, by: 128).map { test.batch($0..<min($0 + 128, 10_000)).images }
        for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
            Kernels.setThreadCount(threads)
            var rng = SplitMix64(seed: 0)
            let (t0, c0) = (now(), cpu())
            var sink: Float = 0
            for b in batches { sink += augmentation.apply(to: b, using: &rng).scalars[0] }
            let (wall, used) = (now() - t0, cpu() - c0)
            print(String(format: "augment %@ threads %d: %.0f images/s wall, %.1f µs CPU per image (checksum %.3f)",
                         augmentation.description, threads, 10_000 / wall, used / 10_000 * 1e6, sink))
        }
    case "latency":
        for path in arguments[3...] {
            let model = try Model.load(from: path)
            let singles = (0..<1000).map { test.batch($0..<($0 + 1)).images }
            var sink: Float = 0
            for x in singles.prefix(50) { sink += model.probabilities(x).scalars[0] }
            var wall: [Double] = []
            let c0 = cpu()
            for x in singles { let t = now(); sink += model.probabilities(x).scalars[0]; wall.append(now() - t) }
            let cpuPerImage = (cpu() - c0) / 1000
            let accuracy = evaluate(model, on: test).accuracy
            print(String(format: "%@: %@, %d parameters, latency %.3f ms median wall, %.3f ms CPU per image, test accuracy %.4f",
                         path, model.name, model.parameterCount, median(wall) * 1e3, cpuPerImage * 1e3, accuracy))
        }
    default:
        FileHandle.standardError.write(Data("unknown mode \(arguments[1])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("accuracy-bench: \(error)\n".utf8))
    exit(1)
}
