import CDNNL
import Foundation

// oneDNN's convolution primitives (forward with an optional fused ReLU, backward data,
// backward weights): JIT kernels for the CPU's instruction sets, chosen at run time. Numeral's
// tensors stay NCHW at the layer boundaries; each primitive is created with `format_tag any`,
// so oneDNN picks the layouts its fastest kernel wants (nChw16c activations and blocked
// weights on AVX-512), and the kernels reorder into and out of them around each call.
//
// Threading follows the rest of Kernels/: the batch is split across Dispatch workers and each
// worker runs the primitives on chunks of `DNNLConvolution.chunkSize` samples with a one-thread
// OpenMP team, so a chunk's reordered activations stay in the core's cache.

/// One oneDNN primitive and the memory layouts its arguments need.
final class DNNLPrimitive: @unchecked Sendable {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    /// Forward primitive a backward primitive was created against (kept alive with it).
    private let hint: DNNLPrimitive?
    let scratchpadBytes: Int

    /// Nil when oneDNN has no implementation for this operation on this CPU.
    init?(operation: UnsafeRawPointer, attributes: dnnl_primitive_attr_t?, hint: DNNLPrimitive?, _ what: String) {
        var pd: dnnl_primitive_desc_t?
        let status = dnnl_primitive_desc_create(&pd, operation, attributes, DNNL.engine, hint?.descriptor)
        if status == dnnl_unimplemented { return nil }
        DNNL.check(status, what)
        descriptor = pd!
        var p: dnnl_primitive_t?
        DNNL.check(dnnl_primitive_create(&p, descriptor), what)
        primitive = p!
        self.hint = hint
        scratchpadBytes = dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0))
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    func layout(_ query: dnnl_query_t) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(descriptor, query, 0).pointee
    }
}

/// A reorder between a plain user layout and the layout a primitive chose; `nil` inside when
/// the two are the same and the user's buffer can be passed straight through. The reorder is
/// destroyed with the pair (with its convolution, when the cache lets that go).
final class DNNLLayoutPair: @unchecked Sendable {
    var user: dnnl_memory_desc_t
    var primitive: dnnl_memory_desc_t
    /// user → primitive (inputs) or primitive → user (outputs).
    let reorder: dnnl_primitive_t?
    var bytes: Int { withUnsafePointer(to: primitive) { dnnl_memory_desc_get_size($0) } }

    init(user: dnnl_memory_desc_t, primitive: dnnl_memory_desc_t, isInput: Bool) {
        self.user = user
        self.primitive = primitive
        var (u, p) = (user, primitive)
        if dnnl_memory_desc_equal(&u, &p) != 0 {
            reorder = nil
        } else {
            var pd: dnnl_primitive_desc_t?
            if isInput {
                DNNL.check(dnnl_reorder_primitive_desc_create(&pd, &u, DNNL.engine, &p, DNNL.engine, nil), "reorder in")
            } else {
                DNNL.check(dnnl_reorder_primitive_desc_create(&pd, &p, DNNL.engine, &u, DNNL.engine, nil), "reorder out")
            }
            var r: dnnl_primitive_t?
            DNNL.check(dnnl_primitive_create(&r, pd), "reorder")
            dnnl_primitive_desc_destroy(pd)
            reorder = r
        }
    }

    deinit {
        if let reorder { dnnl_primitive_destroy(reorder) }
    }
}

/// The engine, status checks and execution helpers shared by the oneDNN kernels.
enum DNNL {
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var e: dnnl_engine_t?
        check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine")
        return e!
    }()

    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN \(what()) failed with status \(status.rawValue)")
    }

    /// `dims` in oneDNN's plain layout `tag` (nchw, oihw, x).
    static func plain(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dims.map(Int64.init), dnnl_f32, tag), "memory desc")
        return md
    }

    static func anyLayout(_ dims: [Int]) -> dnnl_memory_desc_t { plain(dims, dnnl_format_tag_any) }

    /// Runs `primitive` on one thread's stream with `args` as (argument, layout, pointer).
    static func execute(_ primitive: dnnl_primitive_t, _ stream: dnnl_stream_t,
                        _ args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)]) {
        var memories: [dnnl_exec_arg_t] = args.map { arg, layout, pointer in
            var md = layout
            var m: dnnl_memory_t?
            check(dnnl_memory_create(&m, &md, engine, pointer), "memory")
            return dnnl_exec_arg_t(arg: arg, memory: m)
        }
        check(dnnl_primitive_execute(primitive, stream, Int32(memories.count), &memories), "execute")
        check(dnnl_stream_wait(stream), "stream wait")
        for m in memories { dnnl_memory_destroy(m.memory) }
    }

    /// Copies `from` (user layout) into `scratch` in the primitive's layout, or returns `from`
    /// unchanged when no reorder is needed.
    static func input(_ pair: DNNLLayoutPair, _ from: UnsafeRawPointer, scratch: UnsafeMutableRawPointer,
                      _ stream: dnnl_stream_t) -> UnsafeMutableRawPointer {
        guard let reorder = pair.reorder else { return UnsafeMutableRawPointer(mutating: from) }
        execute(reorder, stream, [(DNNL_ARG_FROM, pair.user, UnsafeMutableRawPointer(mutating: from)),
                                  (DNNL_ARG_TO, pair.primitive, scratch)])
        return scratch
    }

    /// Where the primitive should write an output that ends up at `to` in the user layout.
    static func outputBuffer(_ pair: DNNLLayoutPair, _ to: UnsafeMutableRawPointer,
                             scratch: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        pair.reorder == nil ? to : scratch
    }

    /// Moves an output written by `outputBuffer` into the user layout.
    static func finishOutput(_ pair: DNNLLayoutPair, _ written: UnsafeMutableRawPointer,
                             _ to: UnsafeMutableRawPointer, _ stream: dnnl_stream_t) {
        guard let reorder = pair.reorder else { return }
        execute(reorder, stream, [(DNNL_ARG_FROM, pair.primitive, written), (DNNL_ARG_TO, pair.user, to)])
    }

    /// A stream for the calling thread, its OpenMP team set to `threads`.
    static func withStream<R>(threads: Int, _ body: (dnnl_stream_t) -> R) -> R {
        omp_set_num_threads(Int32(threads))
        var s: dnnl_stream_t?
        check(dnnl_stream_create(&s, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream")
        defer { dnnl_stream_destroy(s) }
        return body(s!)
    }

    /// 64-byte aligned scratch memory for the duration of `body`.
    static func withBuffer<R>(bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
        defer { p.deallocate() }
        return body(p)
    }
}

/// The three convolution primitives of one geometry (its `batch` is the chunk size), created
/// once and cached.
final class DNNLConvolution: @unchecked Sendable {
    /// Samples per primitive call.
    static let chunkSize = 16

    /// Winograd F(4×4, 3×3) (oneDNN's jit_wino_4x3 on AVX-512) needs about 2.25× fewer
    /// multiplications for 3×3, stride-1 convolutions. It pays off once there are enough
    /// input channels: measured on the CNN, its 32→64 layer ran about 3× (forward) and 2×
    /// (backward) faster, while its 1→32 layer ran slower than the direct kernel.
    static func prefersWinograd(_ g: Conv2DGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.inputChannels >= 16
    }

    enum Pass: Hashable { case forward(relu: Bool), backwardData, backwardWeights }
    struct Key: Hashable { var geometry: Conv2DGeometry; var pass: Pass }

    let primitive: DNNLPrimitive
    /// forward: src, weights, dst. backwardData: diffDst, weights, diffSrc.
    /// backwardWeights: src, diffDst, diffWeights.
    let ports: [DNNLLayoutPair]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Key: DNNLConvolution] = [:]
    /// A model meets a few dozen geometries (layers × passes × chunk sizes). A process that
    /// meets more, trying one architecture after another, starts the cache afresh at this
    /// many instead of growing without end (primitives in use stay alive with their users).
    static let cacheLimit = 512

    static var cachedCount: Int { lock.lock(); defer { lock.unlock() }; return cache.count }

    static func get(_ g: Conv2DGeometry, _ pass: Pass) -> DNNLConvolution {
        let key = Key(geometry: g, pass: pass)
        lock.lock()
        defer { lock.unlock() }
        if let c = cache[key] { return c }
        if cache.count >= cacheLimit { cache.removeAll() }
        let c = DNNLConvolution(g, pass)
        cache[key] = c
        return c
    }

    private init(_ g: Conv2DGeometry, _ pass: Pass) {
        let src = g.inputShape.dimensions, weights = g.weightShape.dimensions, dst = g.outputShape.dimensions
        let strides = [Int64(g.stride), Int64(g.stride)]
        let padding = [Int64(g.padding), Int64(g.padding)]
        var (srcAny, weightsAny, dstAny) = (DNNL.anyLayout(src), DNNL.anyLayout(weights), DNNL.anyLayout(dst))
        var biasPlain = DNNL.plain([g.outputChannels], dnnl_x)
        let (userSrc, userWeights, userDst) = (DNNL.plain(src, dnnl_nchw), DNNL.plain(weights, dnnl_oihw),
                                               DNNL.plain(dst, dnnl_nchw))

        var attributes: dnnl_primitive_attr_t?
        DNNL.check(dnnl_primitive_attr_create(&attributes), "attributes")
        defer { dnnl_primitive_attr_destroy(attributes) }
        // Scratchpads are passed per call, so one primitive can run on several threads at once.
        DNNL.check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "scratchpad mode")

        // Winograd where it pays (falling back when oneDNN has no such kernel here), else direct.
        let algorithms = Self.prefersWinograd(g) ? [dnnl_convolution_winograd, dnnl_convolution_direct]
                                                 : [dnnl_convolution_direct]
        func firstImplemented(_ make: (dnnl_alg_kind_t) -> DNNLPrimitive?) -> DNNLPrimitive {
            for algorithm in algorithms { if let p = make(algorithm) { return p } }
            preconditionFailure("oneDNN has no convolution for \(g) \(pass)")
        }
        func forwardDescriptor(_ algorithm: dnnl_alg_kind_t, attributes: dnnl_primitive_attr_t?) -> DNNLPrimitive? {
            var d = dnnl_convolution_desc_t()
            DNNL.check(dnnl_convolution_forward_desc_init(&d, dnnl_forward_training, algorithm,
                                                          &srcAny, &weightsAny, &biasPlain, &dstAny,
                                                          strides, padding, padding), "conv forward \(g)")
            return withUnsafePointer(to: &d) { DNNLPrimitive(operation: $0, attributes: attributes, hint: nil, "conv forward \(g)") }
        }

        switch pass {
        case .forward(let relu):
            if relu {
                var postOps: dnnl_post_ops_t?
                DNNL.check(dnnl_post_ops_create(&postOps), "post-ops")
                DNNL.check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "relu post-op")
                DNNL.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "set post-ops")
                dnnl_post_ops_destroy(postOps)
            }
            primitive = firstImplemented { forwardDescriptor($0, attributes: attributes) }
            ports = [DNNLLayoutPair(user: userSrc, primitive: primitive.layout(dnnl_query_src_md), isInput: true),
                     DNNLLayoutPair(user: userWeights, primitive: primitive.layout(dnnl_query_weights_md), isInput: true),
                     DNNLLayoutPair(user: userDst, primitive: primitive.layout(dnnl_query_dst_md), isInput: false)]
        case .backwardData:
            primitive = firstImplemented { algorithm in
                guard let hint = forwardDescriptor(algorithm, attributes: nil) else { return nil }
                var d = dnnl_convolution_desc_t()
                DNNL.check(dnnl_convolution_backward_data_desc_init(&d, algorithm, &srcAny, &weightsAny,
                                                                    &dstAny, strides, padding, padding), "conv backward data \(g)")
                return withUnsafePointer(to: &d) {
                    DNNLPrimitive(operation: $0, attributes: attributes, hint: hint, "conv backward data \(g)")
                }
            }
            ports = [DNNLLayoutPair(user: userDst, primitive: primitive.layout(dnnl_query_diff_dst_md), isInput: true),
                     DNNLLayoutPair(user: userWeights, primitive: primitive.layout(dnnl_query_weights_md), isInput: true),
                     DNNLLayoutPair(user: userSrc, primitive: primitive.layout(dnnl_query_diff_src_md), isInput: false)]
        case .backwardWeights:
            primitive = firstImplemented { algorithm in
                guard let hint = forwardDescriptor(algorithm, attributes: nil) else { return nil }
                var d = dnnl_convolution_desc_t()
                DNNL.check(dnnl_convolution_backward_weights_desc_init(&d, algorithm, &srcAny, &weightsAny,
                                                                       &biasPlain, &dstAny, strides, padding, padding),
                           "conv backward weights \(g)")
                return withUnsafePointer(to: &d) {
                    DNNLPrimitive(operation: $0, attributes: attributes, hint: hint, "conv backward weights \(g)")
                }
            }
            ports = [DNNLLayoutPair(user: userSrc, primitive: primitive.layout(dnnl_query_src_md), isInput: true),
                     DNNLLayoutPair(user: userDst, primitive: primitive.layout(dnnl_query_diff_dst_md), isInput: true),
                     DNNLLayoutPair(user: userWeights, primitive: primitive.layout(dnnl_query_diff_weights_md), isInput: false)]
        }
    }

}

extension Kernels {
    /// Splits `0..<batch` across workers and each worker's share into chunks of at most
    /// `DNNLConvolution.chunkSize`; `body(worker, chunk, stream)` runs on the worker's thread.
    static func forEachConvolutionChunk(batch: Int, workers: Int, _ body: (Int, Range<Int>, dnnl_stream_t) -> Void) {
        parallelFor(workers) { w in
            let share = split(batch, into: workers, part: w)
            DNNL.withStream(threads: 1) { stream in
                var start = share.lowerBound
                while start < share.upperBound {
                    let end = min(start + DNNLConvolution.chunkSize, share.upperBound)
                    body(w, start..<end, stream)
                    start = end
                }
            }
        }
    }

    /// Same contract as `conv2DForwardIm2col`, through oneDNN; with `relu` the output is
    /// max(0, conv) (fused into the primitive).
    static func conv2DForwardDNNL(input: [Float], weight: [Float], bias: [Float], geometry g: Conv2DGeometry,
                                  relu: Bool) -> [Float] {
        checkConv(g, input: input.count, weight: weight.count, bias: bias.count)
        var output = [Float](unsafeUninitializedCapacity: g.outputShape.count) { _, n in n = g.outputShape.count }
        guard g.batch > 0 else { return output }
        let workers = min(threadCount, g.batch)
        let inputSample = g.inputChannels * g.inputPlane, outputSample = g.outputChannels * g.outputPlane
        input.withUnsafeBytes { x in weight.withUnsafeBytes { w in bias.withUnsafeBytes { b in
            output.withUnsafeMutableBytes { y in
                let (x, w, b, y) = (x.baseAddress!, w.baseAddress!, b.baseAddress!, y.baseAddress!)
                let biasLayout = DNNL.plain([g.outputChannels], dnnl_x)
                forEachConvolutionChunk(batch: g.batch, workers: workers) { _, chunk, stream in
                    var cg = g
                    cg.batch = chunk.count
                    let conv = DNNLConvolution.get(cg, .forward(relu: relu))
                    let (srcPort, weightsPort, dstPort) = (conv.ports[0], conv.ports[1], conv.ports[2])
                    DNNL.withBuffer(bytes: srcPort.bytes + weightsPort.bytes + dstPort.bytes + conv.primitive.scratchpadBytes) { scratch in
                        let srcScratch = scratch, weightsScratch = scratch + srcPort.bytes
                        let dstScratch = weightsScratch + weightsPort.bytes, pad = dstScratch + dstPort.bytes
                        let src = DNNL.input(srcPort, x + chunk.lowerBound * inputSample * 4, scratch: srcScratch, stream)
                        let wt = DNNL.input(weightsPort, w, scratch: weightsScratch, stream)
                        let userDst = y + chunk.lowerBound * outputSample * 4
                        let dst = DNNL.outputBuffer(dstPort, userDst, scratch: dstScratch)
                        DNNL.execute(conv.primitive.primitive, stream, [
                            (DNNL_ARG_SRC, srcPort.primitive, src), (DNNL_ARG_WEIGHTS, weightsPort.primitive, wt),
                            (DNNL_ARG_BIAS, biasLayout, UnsafeMutableRawPointer(mutating: b)),
                            (DNNL_ARG_DST, dstPort.primitive, dst), (DNNL_ARG_SCRATCHPAD, conv.scratchpadLayout, pad)])
                        DNNL.finishOutput(dstPort, dst, userDst, stream)
                    }
                }
            }
        } } }
        return output
    }

    /// Same contract as `conv2DBackwardIm2col`, through oneDNN.
    static func conv2DBackwardDNNL(input: [Float], weight: [Float], outputGradient: [Float],
                                   geometry g: Conv2DGeometry,
                                   weightGradient: inout [Float], biasGradient: inout [Float],
                                   needsInputGradient: Bool) -> [Float] {
        checkConv(g, input: input.count, weight: weight.count, bias: biasGradient.count)
        precondition(outputGradient.count == g.outputShape.count && weightGradient.count == weight.count,
                     "conv backward: gradient sizes do not match \(g)")
        var inputGradient = [Float](unsafeUninitializedCapacity: needsInputGradient ? input.count : 0) { _, n in
            n = needsInputGradient ? input.count : 0
        }
        guard g.batch > 0 else { return inputGradient }
        let workers = min(threadCount, g.batch)
        let inputSample = g.inputChannels * g.inputPlane, outputSample = g.outputChannels * g.outputPlane
        let (weightCount, oc) = (weight.count, g.outputChannels)
        // Per worker: its share of dW then dB, in the user layout (summed at the end).
        var partial = [Float](repeating: 0, count: workers * (weightCount + oc))
        input.withUnsafeBytes { x in weight.withUnsafeBytes { w in outputGradient.withUnsafeBytes { dy in
            inputGradient.withUnsafeMutableBytes { dx in partial.withUnsafeMutableBufferPointer { partial in
                let (x, w, dy, partial) = (x.baseAddress!, w.baseAddress!, dy.baseAddress!, partial.baseAddress!)
                let dx = needsInputGradient ? dx.baseAddress : nil
                let biasLayout = DNNL.plain([oc], dnnl_x)
                forEachConvolutionChunk(batch: g.batch, workers: workers) { worker, chunk, stream in
                    var cg = g
                    cg.batch = chunk.count
                    let userX = x + chunk.lowerBound * inputSample * 4
                    let userDY = UnsafeMutableRawPointer(mutating: dy + chunk.lowerBound * outputSample * 4)
                    // Weights: dW_chunk and dB_chunk, then added into this worker's partial sums.
                    let bw = DNNLConvolution.get(cg, .backwardWeights)
                    let (srcPort, dyPort, dwPort) = (bw.ports[0], bw.ports[1], bw.ports[2])
                    // Data: dx_chunk = conv_transpose(dy_chunk, W).
                    let bd = dx == nil ? nil : DNNLConvolution.get(cg, .backwardData)
                    let dataBytes = bd.map { $0.ports[0].bytes + $0.ports[1].bytes + $0.ports[2].bytes + $0.primitive.scratchpadBytes } ?? 0
                    let bytes = srcPort.bytes + dyPort.bytes + 2 * dwPort.bytes + oc * 4 + bw.primitive.scratchpadBytes
                    DNNL.withBuffer(bytes: bytes + dataBytes) { scratch in
                        let srcScratch = scratch, dyScratch = srcScratch + srcPort.bytes
                        let dwScratch = dyScratch + dyPort.bytes, dwUser = dwScratch + dwPort.bytes
                        let dbScratch = dwUser + dwPort.bytes, pad = dbScratch + oc * 4
                        let src = DNNL.input(srcPort, userX, scratch: srcScratch, stream)
                        let diffDst = DNNL.input(dyPort, userDY, scratch: dyScratch, stream)
                        let dw = DNNL.outputBuffer(dwPort, dwUser, scratch: dwScratch)
                        DNNL.execute(bw.primitive.primitive, stream, [
                            (DNNL_ARG_SRC, srcPort.primitive, src), (DNNL_ARG_DIFF_DST, dyPort.primitive, diffDst),
                            (DNNL_ARG_DIFF_WEIGHTS, dwPort.primitive, dw), (DNNL_ARG_DIFF_BIAS, biasLayout, dbScratch),
                            (DNNL_ARG_SCRATCHPAD, bw.scratchpadLayout, pad)])
                        DNNL.finishOutput(dwPort, dw, dwUser, stream)
                        let sums = partial + worker * (weightCount + oc)
                        let (dwChunk, dbChunk) = (dwUser.assumingMemoryBound(to: Float.self),
                                                  dbScratch.assumingMemoryBound(to: Float.self))
                        for i in 0..<weightCount { sums[i] += dwChunk[i] }
                        for i in 0..<oc { sums[weightCount + i] += dbChunk[i] }

                        guard let dx, let bd else { return }
                        let (ddPort, wPort, dsPort) = (bd.ports[0], bd.ports[1], bd.ports[2])
                        let ddScratch = scratch + bytes, wScratch = ddScratch + ddPort.bytes
                        let dsScratch = wScratch + wPort.bytes, dataPad = dsScratch + dsPort.bytes
                        // dy in the layout both primitives want is reordered once.
                        var (dyLayout, ddLayout) = (dyPort.primitive, ddPort.primitive)
                        let dataDiffDst = dnnl_memory_desc_equal(&dyLayout, &ddLayout) != 0
                            ? diffDst : DNNL.input(ddPort, userDY, scratch: ddScratch, stream)
                        let wt = DNNL.input(wPort, w, scratch: wScratch, stream)
                        let userDX = dx + chunk.lowerBound * inputSample * 4
                        let ds = DNNL.outputBuffer(dsPort, userDX, scratch: dsScratch)
                        DNNL.execute(bd.primitive.primitive, stream, [
                            (DNNL_ARG_DIFF_DST, ddPort.primitive, dataDiffDst), (DNNL_ARG_WEIGHTS, wPort.primitive, wt),
                            (DNNL_ARG_DIFF_SRC, dsPort.primitive, ds), (DNNL_ARG_SCRATCHPAD, bd.scratchpadLayout, dataPad)])
                        DNNL.finishOutput(dsPort, ds, userDX, stream)
                    }
                }
            } }
        } } }
        for worker in 0..<workers {
            let base = worker * (weightCount + oc)
            for i in 0..<weightCount { weightGradient[i] += partial[base + i] }
            for i in 0..<oc { biasGradient[i] += partial[base + weightCount + i] }
        }
        return inputGradient
    }
}

extension DNNLConvolution {
    var scratchpadLayout: dnnl_memory_desc_t { primitive.layout(dnnl_query_scratchpad_md) }
}
