import NumeralCore
import Foundation

/// Updates a model's trainable parameters from their accumulated gradients.
///
/// The shared part (`step`) walks the parameters in visit order, applies the schedule's
/// learning rate and zeroes the gradients; each optimizer writes only `update`, the math for
/// one parameter. State is kept per trainable parameter, keyed by visit order ("slot").
public protocol Optimizer: Sendable {
    var configuration: OptimizerConfiguration { get }
    /// Steps taken so far (Adam's bias correction uses it).
    var stepCount: Int { get set }
    /// Per-slot state vectors (momentum, moments …), saved in checkpoints.
    var state: [[Float]] { get set }
    /// The math for one parameter. `learningRate` is this step's rate.
    mutating func update(_ parameter: inout Parameter, slot: Int, learningRate: Float)
}

/// Everything that defines an optimizer run; stored in model files.
public struct OptimizerConfiguration: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adam, adamw, rmsprop }
    public var kind: Kind
    public var learningRate: Float
    /// L2 penalty added to the gradient (SGD, Adam, RMSprop) or decoupled decay (AdamW).
    public var weightDecay: Float = 0
    public var momentum: Float = 0.9       // SGD
    public var nesterov: Bool = false      // SGD
    public var beta1: Float = 0.9          // Adam, AdamW
    public var beta2: Float = 0.999        // Adam, AdamW
    public var rho: Float = 0.9            // RMSprop
    public var epsilon: Float = 1e-7       // Keras' default, the reference recipe's framework
    public var schedule: LearningRateSchedule = .constant

    public init(kind: Kind, learningRate: Float, weightDecay: Float = 0, schedule: LearningRateSchedule = .constant) {
        self.kind = kind; self.learningRate = learningRate; self.weightDecay = weightDecay; self.schedule = schedule
    }

    public func makeOptimizer() -> any Optimizer {
        switch kind {
        case .sgd: SGD(self)
        case .adam, .adamw: Adam(self)
        case .rmsprop: RMSprop(self)
        }
    }
}

extension Optimizer {
    /// Applies one update to every trainable parameter and zeroes all gradients.
    /// `progress` is the fraction of training done, for the schedule.
    public mutating func step(_ model: inout some Layer, progress: Double) {
        stepCount += 1
        let rate = configuration.learningRate * configuration.schedule.factor(progress: progress)
        var slot = 0
        model.visitParameters { parameter in
            guard parameter.isTrainable else { return }
            if state.count <= slot { state.append([]) }
            update(&parameter, slot: slot, learningRate: rate)
            parameter.zeroGradient()
            slot += 1
        }
    }
}

/// Gradient with the L2 term added when the parameter decays.
func l2Gradient(_ p: Parameter, _ i: Int, _ decay: Float) -> Float {
    p.decays && decay != 0 ? p.gradient[i] + decay * p.value.scalars[i] : p.gradient[i]
}

/// Stochastic gradient descent with momentum (PyTorch's form: v = μv + g; w −= lr·v) and
/// optionally Nesterov's look-ahead (w −= lr·(g + μv)).
public struct SGD: Optimizer {
    public let configuration: OptimizerConfiguration
    public var stepCount = 0
    public var state: [[Float]] = []
    public init(_ configuration: OptimizerConfiguration) { self.configuration = configuration }

    public mutating func update(_ p: inout Parameter, slot: Int, learningRate: Float) {
        let (mu, decay) = (configuration.momentum, configuration.weightDecay)
        if state[slot].isEmpty { state[slot] = [Float](repeating: 0, count: p.gradient.count) }
        for i in p.gradient.indices {
            let g = l2Gradient(p, i, decay)
            if mu == 0 { p.value.scalars[i] -= learningRate * g; continue }
            state[slot][i] = mu * state[slot][i] + g
            let direction = configuration.nesterov ? g + mu * state[slot][i] : state[slot][i]
            p.value.scalars[i] -= learningRate * direction
        }
    }
}

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019, decoupled weight decay).
/// State per slot: first moments then second moments, concatenated.
public struct Adam: Optimizer {
    public let configuration: OptimizerConfiguration
    public var stepCount = 0
    public var state: [[Float]] = []
    public init(_ configuration: OptimizerConfiguration) { self.configuration = configuration }

    public mutating func update(_ p: inout Parameter, slot: Int, learningRate: Float) {
        let c = configuration
        if state[slot].isEmpty { state[slot] = [Float](repeating: 0, count: 2 * p.gradient.count) }
        let decoupled = c.kind == .adamw
        let decay = p.decays ? c.weightDecay : 0
        let step = AdamStep(learningRate: learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon,
                            step: stepCount, l2: decoupled ? 0 : decay, decoupledDecay: decoupled ? decay : 0)
        Kernels.adamUpdate(weights: &p.value.scalars, gradients: p.gradient, moments: &state[slot], step)
    }
}

/// RMSprop (Tieleman & Hinton 2012): v = ρv + (1−ρ)g²; w −= lr·g/(√v + ε).
public struct RMSprop: Optimizer {
    public let configuration: OptimizerConfiguration
    public var stepCount = 0
    public var state: [[Float]] = []
    public init(_ configuration: OptimizerConfiguration) { self.configuration = configuration }

    public mutating func update(_ p: inout Parameter, slot: Int, learningRate: Float) {
        let c = configuration
        if state[slot].isEmpty { state[slot] = [Float](repeating: 0, count: p.gradient.count) }
        for i in p.gradient.indices {
            let g = l2Gradient(p, i, c.weightDecay)
            state[slot][i] = c.rho * state[slot][i] + (1 - c.rho) * g * g
            p.value.scalars[i] -= learningRate * g / (state[slot][i].squareRoot() + c.epsilon)
        }
    }
}

/// Learning-rate multiplier as a function of training progress in [0, 1].
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    case constant
    /// × `factor` at each of `steps` equal intervals.
    case step(every: Double, factor: Double)
    /// Cosine from 1 down to 0 (Loshchilov & Hutter 2017, without restarts).
    case cosine
    /// One-cycle (Smith 2018): linear warm-up from 1/25 to 1 over `warmup`, then cosine to ~0.
    case oneCycle(warmup: Double)

    /// The schedules the command line names: constant, cosine, onecycle (30% warm-up) and
    /// step (×0.1 at each third of training).
    public static let names = ["constant", "cosine", "onecycle", "step"]

    public init?(name: String) {
        switch name {
        case "constant": self = .constant
        case "cosine": self = .cosine
        case "onecycle": self = .oneCycle(warmup: 0.3)
        case "step": self = .step(every: 1.0 / 3, factor: 0.1)
        default: return nil
        }
    }

    public func factor(progress: Double) -> Float {
        let p = min(max(progress, 0), 1)
        switch self {
        case .constant: return 1
        case let .step(every, factor): return Float(pow(factor, (p / every).rounded(.down)))
        case .cosine: return Float(0.5 * (1 + cos(Double.pi * p)))
        case let .oneCycle(warmup):
            if p < warmup { return Float(0.04 + 0.96 * p / warmup) }
            return Float(0.5 * (1 + cos(Double.pi * (p - warmup) / (1 - warmup))))
        }
    }
}
