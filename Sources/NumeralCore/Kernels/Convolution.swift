import Foundation

/// Sizes of a 2-D convolution over an NCHW batch.
///
/// input `[batch, inputChannels, height, width]`, weight `[outputChannels, inputChannels,
/// kernelHeight, kernelWidth]` (PyTorch's layout), output `[batch, outputChannels,
/// outputHeight, outputWidth]`. Zero padding on all four sides.
public struct Conv2DGeometry: Sendable, Hashable, CustomStringConvertible {
    public var batch: Int, inputChannels: Int, height: Int, width: Int
    public var outputChannels: Int, kernelHeight: Int, kernelWidth: Int
    public var stride: Int, padding: Int

    public init(batch: Int, inputChannels: Int, height: Int, width: Int,
                outputChannels: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0) {
        precondition(stride >= 1 && padding >= 0, "stride \(stride), padding \(padding)")
        self.batch = batch; self.inputChannels = inputChannels; self.height = height; self.width = width
        self.outputChannels = outputChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.stride = stride; self.padding = padding
        precondition(outputHeight >= 1 && outputWidth >= 1, "convolution \(self) has an empty output")
    }

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    public var inputShape: Shape { [batch, inputChannels, height, width] }
    public var weightShape: Shape { [outputChannels, inputChannels, kernelHeight, kernelWidth] }
    public var outputShape: Shape { [batch, outputChannels, outputHeight, outputWidth] }
    /// Rows of the im2col matrix: one per (channel, ky, kx).
    var patchSize: Int { inputChannels * kernelHeight * kernelWidth }
    var outputPlane: Int { outputHeight * outputWidth }
    var inputPlane: Int { height * width }
    public var description: String {
        "conv \(inputShape) * \(weightShape) stride \(stride) pad \(padding)"
    }
    /// Multiply-adds ×2 of one forward pass.
    public var forwardFLOPs: Int { 2 * batch * outputChannels * outputPlane * patchSize }
}

extension Kernels {
    /// Convolution forward, `max(0, ·)` applied to the output when `relu`: oneDNN's primitive
    /// (see DNNLConvolution.swift). `conv2DForwardIm2col` is its plain twin.
    public static func conv2DForward(input: [Float], weight: [Float], bias: [Float],
                                     geometry g: Conv2DGeometry, relu: Bool = false) -> [Float] {
        conv2DForwardDNNL(input: input, weight: weight, bias: bias, geometry: g, relu: relu)
    }

    /// Convolution backward: returns the input gradient (empty unless `needsInputGradient`)
    /// and *adds* the weight and bias gradients into `weightGradient` and `biasGradient`.
    /// oneDNN's primitives; `conv2DBackwardIm2col` is the plain twin.
    public static func conv2DBackward(input: [Float], weight: [Float], outputGradient: [Float],
                                      geometry g: Conv2DGeometry,
                                      weightGradient: inout [Float], biasGradient: inout [Float],
                                      needsInputGradient: Bool = true) -> [Float] {
        conv2DBackwardDNNL(input: input, weight: weight, outputGradient: outputGradient, geometry: g,
                           weightGradient: &weightGradient, biasGradient: &biasGradient,
                           needsInputGradient: needsInputGradient)
    }

    /// Convolution forward by im2col + GEMM, samples split across workers (the previous fast
    /// path, kept as the reference the oneDNN primitives are tested against).
    public static func conv2DForwardIm2col(input: [Float], weight: [Float], bias: [Float],
                                           geometry g: Conv2DGeometry) -> [Float] {
        checkConv(g, input: input.count, weight: weight.count, bias: bias.count)
        // Every element is written by the GEMM (beta 0), so the buffer starts uninitialised.
        var output = [Float](unsafeUninitializedCapacity: g.outputShape.count) { _, n in n = g.outputShape.count }
        input.withUnsafeBufferPointer { x in weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in output.withUnsafeMutableBufferPointer { y in
                let (x, w, b, y) = (x.baseAddress!, w.baseAddress!, b.baseAddress!, y.baseAddress!)
                forEachSampleChunk(g.batch) { samples in
                    let col = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
                    defer { col.deallocate() }
                    for n in samples {
                        im2col(x + n * g.inputChannels * g.inputPlane, g, into: col)
                        let yn = y + n * g.outputChannels * g.outputPlane
                        // y[n]: [OC, OH*OW] = w: [OC, C*KH*KW] · col: [C*KH*KW, OH*OW]
                        gemm(GEMMShape(m: g.outputChannels, n: g.outputPlane, k: g.patchSize),
                             a: w, transposeA: false, b: col, transposeB: false, c: yn,
                             alpha: 1, beta: 0, parallel: false)
                        for oc in 0..<g.outputChannels {
                            let row = yn + oc * g.outputPlane
                            let bo = b[oc]
                            for i in 0..<g.outputPlane { row[i] += bo }
                        }
                    }
                }
            } }
        } }
        return output
    }

    /// Convolution backward by im2col + GEMM, same contract as `conv2DBackward`.
    public static func conv2DBackwardIm2col(input: [Float], weight: [Float], outputGradient: [Float],
                                      geometry g: Conv2DGeometry,
                                      weightGradient: inout [Float], biasGradient: inout [Float],
                                      needsInputGradient: Bool = true) -> [Float] {
        checkConv(g, input: input.count, weight: weight.count, bias: biasGradient.count)
        precondition(outputGradient.count == g.outputShape.count && weightGradient.count == weight.count,
                     "conv backward: gradient sizes do not match \(g)")
        var inputGradient = [Float](repeating: 0, count: needsInputGradient ? input.count : 0)
        let workers = min(threadCount, max(g.batch, 1))
        // One weight-gradient buffer per worker, summed at the end (no shared writes).
        var partial = [Float](repeating: 0, count: workers * weight.count)
        input.withUnsafeBufferPointer { x in weight.withUnsafeBufferPointer { w in
            outputGradient.withUnsafeBufferPointer { dy in inputGradient.withUnsafeMutableBufferPointer { dx in
                partial.withUnsafeMutableBufferPointer { dwAll in
                    let (x, w, dy, dwAll) = (x.baseAddress!, w.baseAddress!, dy.baseAddress!, dwAll.baseAddress!)
                    let dx = needsInputGradient ? dx.baseAddress : nil  // an empty array may still have a base address
                    parallelFor(workers) { worker in
                        let dw = dwAll + worker * weight.count
                        let col = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
                        defer { col.deallocate() }
                        for n in split(g.batch, into: workers, part: worker) {
                            let dyn = dy + n * g.outputChannels * g.outputPlane
                            im2col(x + n * g.inputChannels * g.inputPlane, g, into: col)
                            // dw: [OC, CKK] += dy[n]: [OC, OHW] · colᵀ: [OHW, CKK]
                            gemm(GEMMShape(m: g.outputChannels, n: g.patchSize, k: g.outputPlane),
                                 a: dyn, transposeA: false, b: col, transposeB: true, c: dw,
                                 alpha: 1, beta: 1, parallel: false)
                            if let dx {
                                // dcol: [CKK, OHW] = wᵀ: [CKK, OC] · dy[n]: [OC, OHW]
                                gemm(GEMMShape(m: g.patchSize, n: g.outputPlane, k: g.outputChannels),
                                     a: w, transposeA: true, b: dyn, transposeB: false, c: col,
                                     alpha: 1, beta: 0, parallel: false)
                                col2im(col, g, into: dx + n * g.inputChannels * g.inputPlane)
                            }
                        }
                    }
                }
            } }
        } }
        for worker in 0..<workers {
            for i in 0..<weight.count { weightGradient[i] += partial[worker * weight.count + i] }
        }
        for n in 0..<g.batch {
            for oc in 0..<g.outputChannels {
                let base = (n * g.outputChannels + oc) * g.outputPlane
                var sum: Float = 0
                for i in 0..<g.outputPlane { sum += outputGradient[base + i] }
                biasGradient[oc] += sum
            }
        }
        return inputGradient
    }

    static func checkConv(_ g: Conv2DGeometry, input: Int, weight: Int, bias: Int) {
        precondition(input == g.inputShape.count, "\(g): input has \(input) scalars")
        precondition(weight == g.weightShape.count, "\(g): weight has \(weight) scalars")
        precondition(bias == g.outputChannels, "\(g): bias has \(bias) scalars")
    }

    /// Splits `0..<count` into one contiguous chunk per worker and runs them in parallel.
    static func forEachSampleChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
        let workers = min(threadCount, max(count, 1))
        if workers == 1 { body(0..<count); return }
        parallelFor(workers) { body(split(count, into: workers, part: $0)) }
    }

    /// The output columns `ox` whose input column `ox·stride − padding + kx` lies inside the image.
    @inline(__always)
    static func validColumns(_ g: Conv2DGeometry, kx: Int) -> Range<Int> {
        // ix = ox·s − p + kx ≥ 0  ⇔  ox ≥ ceil((p − kx) / s);  ix < W  ⇔  ox ≤ floor((W − 1 + p − kx) / s)
        let low = max(0, (g.padding - kx + g.stride - 1) / g.stride)
        let highNumerator = g.width - 1 + g.padding - kx
        let high = highNumerator < 0 ? 0 : min(g.outputWidth, highNumerator / g.stride + 1)
        return low..<max(low, high)
    }

    /// col: [C*KH*KW, OH*OW]; row (c, ky, kx) holds the input pixel each output position sees.
    /// Loops run over the valid column range only, so the inner loop has no bounds tests
    /// (and is a plain copy when stride is 1).
    static func im2col(_ x: UnsafePointer<Float>, _ g: Conv2DGeometry, into col: UnsafeMutablePointer<Float>) {
        let (oh, ow, s) = (g.outputHeight, g.outputWidth, g.stride)
        var row = 0
        for c in 0..<g.inputChannels {
            let plane = x + c * g.inputPlane
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let valid = validColumns(g, kx: kx)
                    let out = col + row * g.outputPlane
                    for oy in 0..<oh {
                        let iy = oy * s - g.padding + ky
                        let dst = out + oy * ow
                        if iy < 0 || iy >= g.height || valid.isEmpty {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                        if valid.upperBound < ow { (dst + valid.upperBound).update(repeating: 0, count: ow - valid.upperBound) }
                        let src = plane + iy * g.width - g.padding + kx
                        if s == 1 {
                            (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                        } else {
                            for ox in valid { dst[ox] = src[ox * s] }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// The adjoint of im2col: adds each column entry back onto the pixel it came from.
    static func col2im(_ col: UnsafePointer<Float>, _ g: Conv2DGeometry, into dx: UnsafeMutablePointer<Float>) {
        let (oh, ow, s) = (g.outputHeight, g.outputWidth, g.stride)
        var row = 0
        for c in 0..<g.inputChannels {
            let plane = dx + c * g.inputPlane
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let valid = validColumns(g, kx: kx)
                    let src = col + row * g.outputPlane
                    for oy in 0..<oh {
                        let iy = oy * s - g.padding + ky
                        if iy < 0 || iy >= g.height { continue }
                        let dst = plane + iy * g.width - g.padding + kx
                        let from = src + oy * ow
                        for ox in valid { dst[ox * s] += from[ox] }
                    }
                    row += 1
                }
            }
        }
    }

    // MARK: - References

    /// Direct seven-loop convolution, same contract as `conv2DForward`.
    public static func conv2DForwardReference(input: [Float], weight: [Float], bias: [Float],
                                              geometry g: Conv2DGeometry) -> [Float] {
        checkConv(g, input: input.count, weight: weight.count, bias: bias.count)
        var y = [Float](repeating: 0, count: g.outputShape.count)
        for n in 0..<g.batch { for oc in 0..<g.outputChannels {
            for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
                var sum = bias[oc]
                for c in 0..<g.inputChannels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                    let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                    guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                    sum += input[((n * g.inputChannels + c) * g.height + iy) * g.width + ix]
                        * weight[((oc * g.inputChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx]
                } } }
                y[((n * g.outputChannels + oc) * g.outputHeight + oy) * g.outputWidth + ox] = sum
            } }
        } }
        return y
    }

    /// Direct-loop backward, same contract as `conv2DBackward`.
    public static func conv2DBackwardReference(input: [Float], weight: [Float], outputGradient: [Float],
                                               geometry g: Conv2DGeometry,
                                               weightGradient: inout [Float], biasGradient: inout [Float],
                                               needsInputGradient: Bool = true) -> [Float] {
        checkConv(g, input: input.count, weight: weight.count, bias: biasGradient.count)
        var dx = [Float](repeating: 0, count: needsInputGradient ? input.count : 0)
        for n in 0..<g.batch { for oc in 0..<g.outputChannels {
            for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
                let d = outputGradient[((n * g.outputChannels + oc) * g.outputHeight + oy) * g.outputWidth + ox]
                biasGradient[oc] += d
                for c in 0..<g.inputChannels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                    let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                    guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                    let xi = ((n * g.inputChannels + c) * g.height + iy) * g.width + ix
                    let wi = ((oc * g.inputChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx
                    weightGradient[wi] += d * input[xi]
                    if needsInputGradient { dx[xi] += d * weight[wi] }
                } } }
            } }
        } }
        return dx
    }
}
