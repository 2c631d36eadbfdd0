import Foundation

/// Sizes of a max pooling over an NCHW batch (no padding; windows that would cross the
/// border are dropped, as in PyTorch's default `ceil_mode=False`).
public struct Pool2DGeometry: Sendable, Equatable {
    public var batch: Int, channels: Int, height: Int, width: Int
    public var size: Int, stride: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, size: Int, stride: Int) {
        precondition(size >= 1 && stride >= 1 && size <= height && size <= width,
                     "pool \(size)/\(stride) over \(height)x\(width)")
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.size = size; self.stride = stride
    }
    public var outputHeight: Int { (height - size) / stride + 1 }
    public var outputWidth: Int { (width - size) / stride + 1 }
    public var inputShape: Shape { [batch, channels, height, width] }
    public var outputShape: Shape { [batch, channels, outputHeight, outputWidth] }
}

extension Kernels {
    /// Max pooling. Returns the output and, for each output element, the flat index of the
    /// input element that won (what backward routes the gradient to). Ties go to the first.
    public static func maxPool2DForward(input: [Float], geometry g: Pool2DGeometry) -> (output: [Float], argmax: [Int32]) {
        precondition(input.count == g.inputShape.count, "maxPool \(g.inputShape): input has \(input.count) scalars")
        let count = g.outputShape.count
        // Both are written in full below.
        var output = [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
        var argmax = [Int32](unsafeUninitializedCapacity: count) { _, n in n = count }
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        input.withUnsafeBufferPointer { x in output.withUnsafeMutableBufferPointer { y in
            argmax.withUnsafeMutableBufferPointer { am in
                let (x, y, am) = (x.baseAddress!, y.baseAddress!, am.baseAddress!)
                forEachPlaneChunk(g) { planes in
                    for p in planes {
                        let inBase = p * g.height * g.width, outBase = p * oh * ow
                        if g.size == 2 && g.stride == 2 {
                            // The common 2×2/2 window unrolled: same comparisons in the same order,
                            // as selects rather than branches (which window element wins is random).
                            for oy in 0..<oh {
                                let top = inBase + 2 * oy * g.width, out = outBase + oy * ow
                                for ox in 0..<ow {
                                    let i0 = top + 2 * ox, i2 = i0 + g.width
                                    let (a, b, c, d) = (x[i0], x[i0 + 1], x[i2], x[i2 + 1])
                                    var best = a > -Float.infinity ? a : -Float.infinity, bestIndex = i0
                                    bestIndex = b > best ? i0 + 1 : bestIndex; best = b > best ? b : best
                                    bestIndex = c > best ? i2 : bestIndex; best = c > best ? c : best
                                    bestIndex = d > best ? i2 + 1 : bestIndex; best = d > best ? d : best
                                    y[out + ox] = best
                                    am[out + ox] = Int32(bestIndex)
                                }
                            }
                            continue
                        }
                        for oy in 0..<oh { for ox in 0..<ow {
                            var best = -Float.infinity, bestIndex = inBase + oy * g.stride * g.width + ox * g.stride
                            for ky in 0..<g.size {
                                let rowIndex = inBase + (oy * g.stride + ky) * g.width + ox * g.stride
                                for kx in 0..<g.size where x[rowIndex + kx] > best {
                                    best = x[rowIndex + kx]; bestIndex = rowIndex + kx
                                }
                            }
                            y[outBase + oy * ow + ox] = best
                            am[outBase + oy * ow + ox] = Int32(bestIndex)
                        } }
                    }
                }
            }
        } }
        return (output, argmax)
    }

    /// Inputs smaller than this many scalars are pooled on one thread: handing a digit's
    /// 32 planes to a second core costs more than pooling them.
    static let parallelPoolingThreshold = 1 << 16

    /// Runs `body` on ranges of the `batch · channels` planes, split across workers only
    /// when the input is large.
    static func forEachPlaneChunk(_ g: Pool2DGeometry, _ body: (Range<Int>) -> Void) {
        let planes = g.batch * g.channels
        if g.inputShape.count < parallelPoolingThreshold { body(0..<planes); return }
        forEachSampleChunk(planes, body)
    }

    /// Max pooling's output alone, for inference (no argmax for a backward): the same values
    /// as `maxPool2DForward`, compared in the same order.
    public static func maxPool2DInference(input: [Float], geometry g: Pool2DGeometry) -> [Float] {
        precondition(input.count == g.inputShape.count, "maxPool \(g.inputShape): input has \(input.count) scalars")
        let count = g.outputShape.count
        var output = [Float](unsafeUninitializedCapacity: count) { _, n in n = count }  // written in full below
        let (oh, ow, w) = (g.outputHeight, g.outputWidth, g.width)
        input.withUnsafeBufferPointer { x in output.withUnsafeMutableBufferPointer { y in
            guard let x = x.baseAddress, let y = y.baseAddress else { return }
            forEachPlaneChunk(g) { planes in
                for p in planes {
                    let plane = x + p * g.height * w, out = y + p * oh * ow
                    for oy in 0..<oh {
                        let row = out + oy * ow
                        if g.size == 2 && g.stride == 2 {
                            // top and bottom rows of the 2×2 windows of output row oy
                            let top = plane + 2 * oy * w, bottom = top + w
                            for ox in 0..<ow {
                                var best = top[2 * ox]
                                best = top[2 * ox + 1] > best ? top[2 * ox + 1] : best
                                best = bottom[2 * ox] > best ? bottom[2 * ox] : best
                                best = bottom[2 * ox + 1] > best ? bottom[2 * ox + 1] : best
                                row[ox] = best
                            }
                            continue
                        }
                        for ox in 0..<ow {
                            var best = -Float.infinity
                            for ky in 0..<g.size {
                                let window = plane + (oy * g.stride + ky) * w + ox * g.stride
                                for kx in 0..<g.size where window[kx] > best { best = window[kx] }
                            }
                            row[ox] = best
                        }
                    }
                }
            }
        } }
        return output
    }

    /// Routes each output gradient to the input element that won the forward max.
    ///
    /// With `output` (the forward's result), gradients of windows whose max was not positive
    /// are dropped: that is the backward of a ReLU in front of the pooling (max and ReLU
    /// commute, and every input that receives a gradient is a window's max), done here so
    /// the ReLU layer can skip its own pass.
    public static func maxPool2DBackward(outputGradient: [Float], argmax: [Int32], inputCount: Int,
                                         maskingNonPositive output: [Float]? = nil) -> [Float] {
        precondition(outputGradient.count == argmax.count, "maxPool backward: \(outputGradient.count) vs \(argmax.count)")
        precondition(output == nil || output!.count == argmax.count, "maxPool backward: output has \(output!.count) scalars")
        var dx = [Float](repeating: 0, count: inputCount)
        dx.withUnsafeMutableBufferPointer { dx in outputGradient.withUnsafeBufferPointer { dy in
            argmax.withUnsafeBufferPointer { am in
                if let output {
                    output.withUnsafeBufferPointer { y in
                        // A select, not a branch: whether a window's max is positive is random.
                        for i in am.indices { dx[Int(am[i])] += y[i] > 0 ? dy[i] : 0 }
                    }
                } else {
                    for i in am.indices { dx[Int(am[i])] += dy[i] }
                }
            }
        } }
        return dx
    }

    /// Scatter-add backward written as plainly as possible, same contract as `maxPool2DBackward`.
    public static func maxPool2DBackwardReference(outputGradient: [Float], argmax: [Int32], inputCount: Int,
                                                  maskingNonPositive output: [Float]? = nil) -> [Float] {
        var dx = [Float](repeating: 0, count: inputCount)
        for i in argmax.indices where output == nil || output![i] > 0 { dx[Int(argmax[i])] += outputGradient[i] }
        return dx
    }

    /// Plain-loop max pooling, same contract as `maxPool2DForward`.
    public static func maxPool2DForwardReference(input: [Float], geometry g: Pool2DGeometry) -> (output: [Float], argmax: [Int32]) {
        var output: [Float] = [], argmax: [Int32] = []
        for p in 0..<(g.batch * g.channels) {
            for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
                var best = -Float.infinity, bestIndex = -1
                for ky in 0..<g.size { for kx in 0..<g.size {
                    let i = p * g.height * g.width + (oy * g.stride + ky) * g.width + ox * g.stride + kx
                    if bestIndex < 0 || input[i] > best { best = input[i]; bestIndex = i }
                } }
                output.append(best); argmax.append(Int32(bestIndex))
            } }
        }
        return (output, argmax)
    }
}
