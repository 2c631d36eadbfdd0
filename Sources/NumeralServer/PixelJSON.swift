/// Reads `{"pixels": [n, n, ...]}` or `[n, n, ...]` straight from the bytes.
///
/// The fast path of `POST /v1/classify`: Foundation's `JSONDecoder` spends about as long on
/// 784 numbers as the model spends on the digit. Anything this parser does not
/// recognise (other keys, escapes, nesting) returns `nil`, and the caller falls back to
/// `JSONDecoder`, the reference, which a test compares it with.
enum PixelJSON {
    static func parse(_ bytes: [UInt8]) -> [Double]? {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        if reader.peek == UInt8(ascii: "{") {
            reader.index += 1
            reader.skipSpace()
            guard reader.consume(literal: Array("\"pixels\"".utf8)) else { return nil }
            reader.skipSpace()
            guard reader.consume(UInt8(ascii: ":")) else { return nil }
            reader.skipSpace()
            guard let values = reader.array() else { return nil }
            reader.skipSpace()
            guard reader.consume(UInt8(ascii: "}")) else { return nil }
            reader.skipSpace()
            return reader.atEnd ? values : nil
        }
        guard let values = reader.array() else { return nil }
        reader.skipSpace()
        return reader.atEnd ? values : nil
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func consume(literal: [UInt8]) -> Bool {
            guard bytes.count - index >= literal.count, bytes[index..<(index + literal.count)].elementsEqual(literal) else {
                return false
            }
            index += literal.count
            return true
        }

        /// `[number, ...]`; at most 4096 values (classify needs 784).
        mutating func array() -> [Double]? {
            guard consume(UInt8(ascii: "[")) else { return nil }
            var values: [Double] = []
            values.reserveCapacity(784)
            skipSpace()
            if consume(UInt8(ascii: "]")) { return values }
            while values.count < 4096 {
                skipSpace()
                guard let value = number() else { return nil }
                values.append(value)
                skipSpace()
                if consume(UInt8(ascii: ",")) { continue }
                return consume(UInt8(ascii: "]")) ? values : nil
            }
            return nil
        }

        /// A JSON number. Plain integers (MNIST bytes) are converted exactly here; anything
        /// with a fraction or exponent goes through `Double(String)`, which rounds correctly.
        mutating func number() -> Double? {
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            var integer = 0
            var digits = 0
            while let byte = peek, byte >= 0x30, byte <= 0x39 {
                if digits < 15 { integer = integer * 10 + Int(byte - 0x30) }
                digits += 1
                index += 1
            }
            // JSON: at least one digit, no leading zeros.
            guard digits > 0, !(digits > 1 && bytes[start + (bytes[start] == UInt8(ascii: "-") ? 1 : 0)] == 0x30) else {
                return nil
            }
            var simple = digits <= 15
            if peek == UInt8(ascii: ".") {
                simple = false
                index += 1
                let fractionStart = index
                while let byte = peek, byte >= 0x30, byte <= 0x39 { index += 1 }
                guard index > fractionStart else { return nil }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                simple = false
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                let exponentStart = index
                while let byte = peek, byte >= 0x30, byte <= 0x39 { index += 1 }
                guard index > exponentStart else { return nil }
            }
            if simple { return bytes[start] == UInt8(ascii: "-") ? -Double(integer) : Double(integer) }
            return Double(String(decoding: bytes[start..<index], as: UTF8.self))
        }
    }
}
