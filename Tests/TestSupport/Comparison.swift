public import Testing

/// The largest |x − y| / max(1, |y|) over two arrays (relative for large values, absolute
/// near zero), and where it is.
public func maxDifference(_ x: [Float], _ y: [Float]) -> (difference: Double, index: Int) {
    precondition(x.count == y.count, "comparing \(x.count) scalars with \(y.count)")
    var worst = (difference: 0.0, index: -1)
    for i in x.indices {
        let (a, b) = (Double(x[i]), Double(y[i]))
        let d = a.isNaN || b.isNaN ? .infinity : abs(a - b) / max(1, abs(b))
        if d > worst.difference || worst.index < 0 { worst = (d, i) }
    }
    return worst
}

/// Expects `actual` to match `expected` scalar by scalar within `tolerance` (relative above 1,
/// absolute below), and on failure says how far off the worst scalar is (llm.c `check_tensor`).
public func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Double, _ label: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(label): \(actual.count) scalars, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let (difference, index) = maxDifference(actual, expected)
    if difference > tolerance {
        Issue.record("""
            \(label): max difference \(difference) > \(tolerance) at [\(index)]: \
            got \(actual[index]), expected \(expected[index])
            """, sourceLocation: sourceLocation)
    }
}

/// Runs `body` for every item; when it throws (a `#require` that failed, or any error),
/// records which item it was, so a seeded sweep names its failing case
/// (swift-collections' `withEvery`).
public func withEvery<Item>(_ label: String, in items: some Sequence<Item>,
                            sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: (Item) throws -> Void) {
    for item in items {
        do { try body(item) } catch {
            Issue.record("failed for \(label) = \(item): \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// A failed check inside a `withEvery` body.
public struct CheckFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Throws a `CheckFailure` with `message` unless `condition` holds.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(CheckFailure) {
    if !condition { throw CheckFailure(message()) }
}
