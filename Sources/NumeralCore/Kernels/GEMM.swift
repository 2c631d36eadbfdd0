import CDNNL
import Foundation

/// The sizes of one matrix product `c[m×n] = op(a)[m×k] · op(b)[k×n]`.
public struct GEMMShape: Sendable, Equatable, CustomStringConvertible {
    public var m: Int, n: Int, k: Int
    public init(m: Int, n: Int, k: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m=\(m) n=\(n) k=\(k)")
        self.m = m; self.n = n; self.k = k
    }
    public var description: String { "m=\(m) n=\(n) k=\(k)" }
    var flops: Int { 2 * m * n * k }
}

/// Numeric kernels. This namespace is the only code in Numeral that touches unsafe pointers
/// or calls oneDNN; every fast kernel has a plain-Swift `…Reference` twin with the same
/// contract, and the tests compare the two.
///
/// Matrix products go through oneDNN's `dnnl_sgemm`, which picks its JIT kernel from the
/// CPU's instruction sets at run time. On this machine's AMD EPYC (AVX-512) it measured
/// 264 GFLOP/s on one core for 64×576×288 where OpenBLAS 0.3.21 (which falls back to its
/// Haswell kernel on this CPU) measured 123 GFLOP/s — see BENCHMARKS.md.
///
/// Threading has one switch: oneDNN's OpenMP team is set to one thread on every calling
/// thread, and the kernels split work across `Kernels.threadCount` Dispatch workers
/// themselves, so OpenMP and Dispatch never oversubscribe the cores.
public enum Kernels {
    /// Workers used by the parallel kernels (defaults to the active processor count).
    public static var threadCount: Int { _threadCount.value }
    /// Products smaller than this many floating-point operations run on one thread. Waking the
    /// second core costs more than it saves below it: the MLP's training step at batch 64 (its
    /// largest product 5 MFLOP) took 0.26 ms with this threshold and 0.44-0.49 ms with 4 MFLOP
    /// (`numeral bench --model mlp --batch-size 64 --threads 2`), and LeNet's 6 MFLOP dense layer
    /// ran faster on one core too.
    static let parallelGEMMThreshold = 1 << 24

    /// `c = alpha · op(a) · op(b) + beta · c`, row-major.
    ///
    /// `op(a)` is `a` viewed as `[m, k]`, or `a` stored as `[k, m]` when `transposeA`;
    /// `op(b)` likewise `[k, n]` or stored as `[n, k]`.
    public static func gemm(_ shape: GEMMShape,
                            a: [Float], transposeA: Bool = false,
                            b: [Float], transposeB: Bool = false,
                            into c: inout [Float], alpha: Float = 1, beta: Float = 0) {
        checkGEMM(shape, a: a.count, b: b.count, c: c.count)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    gemm(shape, a: a.baseAddress!, transposeA: transposeA, b: b.baseAddress!,
                         transposeB: transposeB, c: c.baseAddress!, alpha: alpha, beta: beta)
                }
            }
        }
    }

    /// Plain triple loop with the same contract as `gemm`.
    public static func gemmReference(_ shape: GEMMShape,
                                     a: [Float], transposeA: Bool = false,
                                     b: [Float], transposeB: Bool = false,
                                     into c: inout [Float], alpha: Float = 1, beta: Float = 0) {
        checkGEMM(shape, a: a.count, b: b.count, c: c.count)
        let (m, n, k) = (shape.m, shape.n, shape.k)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += x * y
                }
                c[i * n + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * n + j])
            }
        }
    }

    static func checkGEMM(_ shape: GEMMShape, a: Int, b: Int, c: Int) {
        precondition(a == shape.m * shape.k, "gemm \(shape): a has \(a) scalars, needs \(shape.m * shape.k)")
        precondition(b == shape.k * shape.n, "gemm \(shape): b has \(b) scalars, needs \(shape.k * shape.n)")
        precondition(c == shape.m * shape.n, "gemm \(shape): c has \(c) scalars, needs \(shape.m * shape.n)")
    }

    /// Pointer form used inside the kernels. Splits the rows of `c` across workers when the
    /// product is large enough to pay for the hand-off.
    static func gemm(_ shape: GEMMShape,
                     a: UnsafePointer<Float>, transposeA: Bool,
                     b: UnsafePointer<Float>, transposeB: Bool,
                     c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float,
                     parallel: Bool = true) {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        guard m > 0, n > 0 else { return }
        let workers = parallel && shape.flops >= parallelGEMMThreshold ? min(threadCount, m) : 1
        // Row i of op(a) starts at a + i*k when stored [m, k], at a + i when stored [k, m].
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        let rowStep = transposeA ? 1 : k
        func run(rows: Range<Int>) {
            omp_set_num_threads(1)  // per calling thread: keep oneDNN's OpenMP team out of the way
            // dnnl_sgemm is row-major, like the rest of Numeral.
            _ = dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78,  // "T" or "N"
                           Int64(rows.count), Int64(n), Int64(k), alpha,
                           a + rows.lowerBound * rowStep, Int64(lda),
                           b, Int64(ldb), beta,
                           c + rows.lowerBound * n, Int64(n))
        }
        if workers == 1 {
            run(rows: 0..<m)
        } else {
            parallelFor(workers) { w in
                run(rows: split(m, into: workers, part: w))
            }
        }
    }

    /// The `part`-th of `parts` near-equal contiguous ranges of `0..<count`.
    static func split(_ count: Int, into parts: Int, part: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }
}

/// Set once, from the CLI's `--threads` or the default.
final class ThreadSetting: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = ProcessInfo.processInfo.activeProcessorCount
    var value: Int { lock.lock(); defer { lock.unlock() }; return _value }
    func set(_ v: Int) { lock.lock(); _value = max(1, v); lock.unlock() }
}
let _threadCount = ThreadSetting()

extension Kernels {
    /// Caps the number of workers the kernels use (the CLI's `--threads`).
    public static func setThreadCount(_ count: Int) { _threadCount.set(count) }
}

/// Lets a non-Sendable closure cross into Dispatch's workers. Sound here because every
/// parallel kernel gives each worker disjoint output ranges and waits for all of them.
private struct UncheckedSendable<Value>: @unchecked Sendable { let value: Value }

extension Kernels {
    /// Runs `body(0..<iterations)` on Dispatch's workers and waits for all of them.
    ///
    /// Nested calls (a kernel called from inside another parallel region, e.g. a layer run by
    /// `forEachChunk`) run serially on the calling worker, so the cores are never oversubscribed.
    static func parallelFor(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations == 1 || WorkerFlag.isSet {
            for i in 0..<iterations { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(value: body)
            DispatchQueue.concurrentPerform(iterations: iterations) { i in
                WorkerFlag.set(true)
                box.value(i)
                WorkerFlag.set(false)
            }
        }
    }

    /// Splits `0..<count` into chunks of at most `chunkSize` and runs `body` on them in
    /// parallel (each chunk on one worker, kernels inside it single-threaded). For batch-level
    /// parallelism: inference over many images keeps each chunk's activations in cache.
    public static func forEachChunk(count: Int, chunkSize: Int, _ body: (Range<Int>) -> Void) {
        precondition(chunkSize >= 1, "chunk size \(chunkSize)")
        let chunks = (count + chunkSize - 1) / chunkSize
        guard chunks > 0 else { return }
        let workers = min(threadCount, chunks)
        parallelFor(workers) { w in
            var chunk = w
            while chunk < chunks {
                body((chunk * chunkSize)..<min((chunk + 1) * chunkSize, count))
                chunk += workers
            }
        }
    }
}

/// Marks Dispatch worker threads that are running a parallel kernel (a pthread key, so it is
/// per thread).
enum WorkerFlag {
    nonisolated(unsafe) static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    static var isSet: Bool { pthread_getspecific(key) != nil }
    static func set(_ value: Bool) {
        pthread_setspecific(key, value ? UnsafeRawPointer(bitPattern: 1) : nil)
    }
}
