/// The text of a synthetic number: what is written and what a reader must print.
///
/// The label uses the reader's text convention: the digits, with the separators "." "," "-"
/// in place, e.g. `-12.5`, `18.014`, `7`, `0042`.
enum NumberText {
    /// One written mark.
    enum Mark: Equatable, Sendable {
        case digit(Int), point, comma, minus

        init?(_ character: Character) {
            switch character {
            case "0"..."9": self = .digit(Int(String(character))!)
            case ".": self = .point
            case ",": self = .comma
            case "-": self = .minus
            default: return nil
            }
        }

        var isDigit: Bool { if case .digit = self { true } else { false } }
    }

    /// A random number text drawn with the configuration's formats and frequencies.
    static func random(_ configuration: SynthConfiguration,
                       using rng: inout some RandomNumberGenerator) -> String {
        let count = weightedIndex(configuration.digitCountWeights, using: &rng) + 1
        func digits(_ n: Int, nonZeroFirst: Bool) -> String {
            String((0..<n).map { i in
                Character(String(Int.random(in: (i == 0 && nonZeroFirst ? 1 : 0)...9, using: &rng)))
            })
        }
        let style = Double.random(in: 0..<1, using: &rng)
        var text: String
        var leadingZeros = false
        if count >= 2, style < configuration.decimalFraction {
            let decimals = Int.random(in: 1...min(3, count - 1), using: &rng)
            let integer = count - decimals
            let separator = Double.random(in: 0..<1, using: &rng) < 0.6 ? "." : ","
            text = digits(integer, nonZeroFirst: integer > 1) + separator + digits(decimals, nonZeroFirst: false)
        } else if count >= 4, style < configuration.decimalFraction + configuration.groupedFraction {
            let separator: Character = Bool.random(using: &rng) ? "," : "."
            let plain = digits(count, nonZeroFirst: true)
            text = ""
            for (i, c) in plain.enumerated() {
                if i > 0, (count - i) % 3 == 0 { text.append(separator) }
                text.append(c)
            }
        } else {
            leadingZeros = count >= 2 && Double.random(in: 0..<1, using: &rng) < configuration.leadingZeroFraction
            if leadingZeros {
                let zeros = Int.random(in: 1...max(1, count / 2), using: &rng)
                text = String(repeating: "0", count: zeros) + digits(count - zeros, nonZeroFirst: false)
            } else {
                text = digits(count, nonZeroFirst: count > 1)
            }
        }
        if !leadingZeros, text != "0", Double.random(in: 0..<1, using: &rng) < configuration.negativeFraction {
            text = "-" + text
        }
        return text
    }

    static func marks(_ text: String) -> [Mark] { text.compactMap(Mark.init) }
}

/// An index drawn with probability proportional to `weights`.
func weightedIndex(_ weights: [Double], using rng: inout some RandomNumberGenerator) -> Int {
    precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 }, "weights \(weights)")
    var r = Double.random(in: 0..<weights.reduce(0, +), using: &rng)
    for (i, w) in weights.enumerated() {
        if r < w { return i }
        r -= w
    }
    return weights.count - 1
}
