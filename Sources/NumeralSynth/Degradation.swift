/// What the camera or scanner does after the light leaves the paper: optical blur, sensor
/// noise, and (for negatives, chalkboards, inverted scans) swapped polarity. JPEG is separate
/// (`JPEG.swift`).
struct Degradation: Sendable {
    /// Gaussian blur σ in final pixels.
    var blur: Float
    /// Sensor noise σ in grey levels (0…255).
    var noise: Float
    var inverted: Bool

    static func random(_ configuration: SynthConfiguration, digitHeight h: Float,
                       using rng: inout some RandomNumberGenerator) -> Degradation {
        let blur = Float(Double.random(in: configuration.blurSigma, using: &rng)
                         + Double.random(in: configuration.blurPerHeight, using: &rng) * Double(h))
        let noise = Double.random(in: 0..<1, using: &rng) < configuration.lowLightFraction
            ? Double.random(in: configuration.lowLightNoiseSigma, using: &rng)
            : Double.random(in: configuration.noiseSigma, using: &rng)
        let inverted = Double.random(in: 0..<1, using: &rng) < configuration.invertedFraction
        return Degradation(blur: blur, noise: Float(noise), inverted: inverted)
    }

    /// Applies blur, polarity and noise to channels holding grey levels 0…255.
    func apply(to channels: [Plane], using rng: inout some RandomNumberGenerator) -> [Plane] {
        channels.map { channel in
            var out = channel.blurred(sigma: blur)
            for i in out.values.indices {
                var v = out.values[i]
                if inverted { v = 255 - v }
                if noise > 0 { v += noise * gaussian(using: &rng) }
                out.values[i] = v
            }
            return out
        }
    }
}
