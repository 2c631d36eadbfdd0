/// A small, fast, seedable generator (Steele, Lea & Flood 2014).
///
/// Every random function in Numeral takes `using rng: inout some RandomNumberGenerator`;
/// tests and the CLI pass a `SplitMix64(seed:)` so the same seed gives the same result.
/// The state is public so checkpoints can store and restore it.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
