import CNumeralSIMD
import Foundation

/// Hyper-parameters of one Adam step, with the bias corrections for step t already computed.
public struct AdamStep: Sendable {
    public var learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
    /// 1 − β₁ᵗ and 1 − β₂ᵗ.
    public var correction1: Float, correction2: Float
    /// Added to the gradient (L2, Adam) or applied as decoupled decay (AdamW).
    public var l2: Float, decoupledDecay: Float

    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, step: Int,
                l2: Float = 0, decoupledDecay: Float = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
        self.l2 = l2; self.decoupledDecay = decoupledDecay
    }
}

extension Kernels {
    /// Whether the AVX-512 loops in CNumeralSIMD can run on this CPU.
    static let hasAVX512F = numeral_has_avx512f() != 0

    /// One Adam/AdamW update of `weights` in place. `moments` holds the first moments then
    /// the second moments (2 × count).
    ///
    ///     g = grad + l2·w;  m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²
    ///     w −= lr·decay·w;  w −= lr · (m / c₁) / (√(v / c₂) + ε)
    public static func adamUpdate(weights: inout [Float], gradients: [Float], moments: inout [Float], _ s: AdamStep) {
        let n = weights.count
        precondition(gradients.count == n && moments.count == 2 * n, "adam: \(n) weights, \(gradients.count) gradients, \(moments.count) moments")
        weights.withUnsafeMutableBufferPointer { w in gradients.withUnsafeBufferPointer { g in
            moments.withUnsafeMutableBufferPointer { mv in
                let (w, g, m, v) = (w.baseAddress!, g.baseAddress!, mv.baseAddress!, mv.baseAddress! + n)
                let (b1, b2, c1, c2) = (s.beta1, s.beta2, 1 / s.correction1, 1 / s.correction2)
                let decay = 1 - s.learningRate * s.decoupledDecay
                // Eight lanes at a time: the same operations in the same order per element as
                // the scalar tail (so the results are identical), but the square roots and
                // divisions pipeline instead of running one by one.
                typealias V = SIMD8<Float>
                var i = hasAVX512F ? Int(numeral_adam_avx512(w, g, m, v, Int64(n), s.learningRate, b1, b2, c1, c2,
                                                             s.epsilon, s.l2, decay)) : 0
                while i + 8 <= n {
                    let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self) + s.l2 * UnsafeRawPointer(w + i).loadUnaligned(as: V.self)
                    let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + (1 - b1) * gi
                    let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + (1 - b2) * gi * gi
                    let wi = UnsafeRawPointer(w + i).loadUnaligned(as: V.self)
                    let updated = wi * decay - s.learningRate * (mi * c1) / ((vi * c2).squareRoot() + s.epsilon)
                    UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
                    UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
                    UnsafeMutableRawPointer(w + i).storeBytes(of: updated, as: V.self)
                    i += 8
                }
                for i in i..<n {
                    let gi = g[i] + s.l2 * w[i]
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    w[i] = w[i] * decay - s.learningRate * (m[i] * c1) / ((v[i] * c2).squareRoot() + s.epsilon)
                }
            }
        } }
    }

    /// Plain-loop twin of `adamUpdate`.
    public static func adamUpdateReference(weights: inout [Float], gradients: [Float], moments: inout [Float], _ s: AdamStep) {
        let n = weights.count
        for i in 0..<n {
            let g = gradients[i] + s.l2 * weights[i]
            moments[i] = s.beta1 * moments[i] + (1 - s.beta1) * g
            moments[n + i] = s.beta2 * moments[n + i] + (1 - s.beta2) * g * g
            let mHat = moments[i] / s.correction1, vHat = moments[n + i] / s.correction2
            weights[i] -= s.learningRate * s.decoupledDecay * weights[i]
            weights[i] -= s.learningRate * mHat / (vHat.squareRoot() + s.epsilon)
        }
    }
}

