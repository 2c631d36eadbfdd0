import Foundation
public import NumeralCore
public import NumeralNN
public import Testing

/// The result of one gradient check: the worst relative error and where it was.
public struct GradientCheckResult: Sendable {
    public var checkedScalars = 0
    public var maxRelativeError = 0.0
    public var worst = ""
}

/// Relative error as STYLE.md §8 defines it: |n − a| / max(1e-3, |n| + |a|).
public func relativeError(_ numeric: Double, _ analytic: Double) -> Double {
    abs(numeric - analytic) / max(1e-3, abs(numeric) + abs(analytic))
}

/// Checks a layer's backward pass against central differences over every trainable
/// parameter scalar and every input scalar.
///
/// The scalar loss is a fixed random projection of the output, L = Σ rᵢ·yᵢ, so the output
/// gradient fed to `backward` is r. Every forward pass (analytic and numeric) uses the
/// training path with a fresh `SplitMix64(seed:)`, so a dropout mask is the same in all of
/// them. The loss is summed in Double; perturbations are ±`epsilon` in Float. Set
/// `checksInput` to false for a `Sequential`, which skips its first layer's input gradient.
@discardableResult
public func checkGradients(of layer: some Layer, input: Tensor, seed: UInt64 = 0,
                           epsilon: Float = 1e-2, tolerance: Double = 1e-2, checksInput: Bool = true,
                           sourceLocation: SourceLocation = #_sourceLocation) -> GradientCheckResult {
    var analyticLayer = layer
    analyticLayer.visitParameters { $0.zeroGradient() }
    var rng = SplitMix64(seed: seed)
    let output = analyticLayer.forward(input, using: &rng)
    var projectionRNG = SplitMix64(seed: seed &+ 0x5EED)
    let projection = Tensor.uniform(shape: output.shape, in: -1...1, using: &projectionRNG)
    let inputGradient = analyticLayer.backward(projection)

    func loss(_ candidate: some Layer, _ x: Tensor) -> Double {
        var copy = candidate
        var rng = SplitMix64(seed: seed)
        let y = copy.forward(x, using: &rng)
        return zip(y.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    var result = GradientCheckResult()
    var failures: [String] = []
    func compare(_ name: String, numeric: Double, analytic: Double) {
        let error = relativeError(numeric, analytic)
        result.checkedScalars += 1
        if error > result.maxRelativeError {
            result.maxRelativeError = error
            result.worst = "\(name): numeric \(numeric), analytic \(analytic)"
        }
        if error > tolerance { failures.append("\(name): numeric \(numeric), analytic \(analytic), relative error \(error)") }
    }

    // Parameters, in visit order: "p<k>.<name>[i]".
    var analyticGradients: [(name: String, gradient: [Float])] = []
    analyticLayer.visitParameters { p in
        if p.isTrainable { analyticGradients.append((p.name, p.gradient)) }
    }
    for (k, entry) in analyticGradients.enumerated() {
        for i in entry.gradient.indices {
            func perturbed(_ delta: Float) -> Double {
                var copy = layer
                var slot = 0
                copy.visitParameters { p in
                    guard p.isTrainable else { return }
                    if slot == k { p.value.scalars[i] += delta }
                    slot += 1
                }
                return loss(copy, input)
            }
            let numeric = (perturbed(epsilon) - perturbed(-epsilon)) / (2 * Double(epsilon))
            compare("parameter \(k) (\(entry.name))[\(i)]", numeric: numeric, analytic: Double(entry.gradient[i]))
        }
    }

    // The input.
    for i in input.scalars.indices where checksInput {
        var plus = input, minus = input
        plus.scalars[i] += epsilon
        minus.scalars[i] -= epsilon
        let numeric = (loss(layer, plus) - loss(layer, minus)) / (2 * Double(epsilon))
        compare("input[\(i)]", numeric: numeric, analytic: Double(inputGradient.scalars[i]))
    }

    if !failures.isEmpty {
        Issue.record("""
            \(failures.count) of \(result.checkedScalars) gradient scalars of \(type(of: layer)) on input \(input.shape) \
            differ by more than \(tolerance) (max \(result.maxRelativeError)):
            \(failures.prefix(8).joined(separator: "\n"))
            """, sourceLocation: sourceLocation)
    }
    return result
}

/// Checks the gradient of a scalar function of one tensor against central differences.
@discardableResult
public func checkGradient(of function: (Tensor) -> Double, at x: Tensor, analytic: Tensor,
                          epsilon: Float = 1e-2, tolerance: Double = 1e-2, label: String = "function",
                          sourceLocation: SourceLocation = #_sourceLocation) -> GradientCheckResult {
    precondition(analytic.shape == x.shape, "gradient \(analytic.shape) for input \(x.shape)")
    var result = GradientCheckResult()
    var failures: [String] = []
    for i in x.scalars.indices {
        var plus = x, minus = x
        plus.scalars[i] += epsilon
        minus.scalars[i] -= epsilon
        let numeric = (function(plus) - function(minus)) / (2 * Double(epsilon))
        let a = Double(analytic.scalars[i])
        let error = relativeError(numeric, a)
        result.checkedScalars += 1
        if error > result.maxRelativeError {
            result.maxRelativeError = error
            result.worst = "[\(i)]: numeric \(numeric), analytic \(a)"
        }
        if error > tolerance { failures.append("[\(i)]: numeric \(numeric), analytic \(a), relative error \(error)") }
    }
    if !failures.isEmpty {
        Issue.record("""
            \(failures.count) of \(x.shape.count) gradient scalars of \(label) differ by more than \(tolerance):
            \(failures.prefix(8).joined(separator: "\n"))
            """, sourceLocation: sourceLocation)
    }
    return result
}
