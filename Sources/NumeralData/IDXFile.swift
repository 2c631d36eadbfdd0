public import Foundation
import CNumeralZlib

/// What is wrong with an IDX file (LeCun's MNIST format), naming the file.
public enum IDXError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case corruptGzip(path: String, reason: String)
    case badMagic(path: String, found: UInt32)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case trailingBytes(path: String, expectedBytes: Int, actualBytes: Int)
    case unexpectedShape(path: String, expected: String, found: [Int])
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    case badLabel(path: String, index: Int, value: UInt8)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .empty(path): "\(path) is empty"
        case let .corruptGzip(path, reason): "\(path) is not valid gzip: \(reason)"
        case let .badMagic(path, found):
            "\(path) is not an IDX file of unsigned bytes (magic 0x\(String(found, radix: 16)); expected 0x801 for labels or 0x803 for images)"
        case let .truncated(path, expected, actual): "\(path) is truncated: \(actual) bytes, the header promises \(expected)"
        case let .trailingBytes(path, expected, actual): "\(path) has \(actual - expected) bytes after the \(expected) its header describes"
        case let .unexpectedShape(path, expected, found): "\(path) holds \(found) but \(expected) was expected"
        case let .countMismatch(ip, images, lp, labels): "\(ip) has \(images) images but \(lp) has \(labels) labels"
        case let .badLabel(path, index, value): "\(path): label \(index) is \(value), not a digit 0-9"
        }
    }
}

/// An IDX array of unsigned bytes: dimensions and the raw bytes.
public struct IDXFile: Equatable, Sendable {
    public var dimensions: [Int]
    public var bytes: [UInt8]

    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(dimensions.reduce(1, *) == bytes.count, "IDX \(dimensions) needs \(dimensions.reduce(1, *)) bytes")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads a raw or gzip-compressed IDX file and checks magic number, dimensions and size.
    public static func read(path: String) throws(IDXError) -> IDXFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission or I/O error" : "no such file")
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws(IDXError) -> IDXFile {
        guard !data.isEmpty else { throw .empty(path: path) }
        let raw = data.starts(with: [0x1f, 0x8b]) ? try gunzip(data, path: path) : [UInt8](data)
        guard raw.count >= 4 else { throw .truncated(path: path, expectedBytes: 4, actualBytes: raw.count) }
        let magic = UInt32(raw[0]) << 24 | UInt32(raw[1]) << 16 | UInt32(raw[2]) << 8 | UInt32(raw[3])
        // Bytes 0-1 are zero, byte 2 is the type (0x08 = unsigned byte), byte 3 the rank.
        guard raw[0] == 0, raw[1] == 0, raw[2] == 0x08, (1...4).contains(raw[3]) else {
            throw .badMagic(path: path, found: magic)
        }
        let rank = Int(raw[3])
        let headerSize = 4 + 4 * rank
        guard raw.count >= headerSize else { throw .truncated(path: path, expectedBytes: headerSize, actualBytes: raw.count) }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            dimensions.append(Int(raw[o]) << 24 | Int(raw[o + 1]) << 16 | Int(raw[o + 2]) << 8 | Int(raw[o + 3]))
        }
        // A header can promise more bytes than Int counts (4 × 0xFFFFFFFF): saturate to Int.max.
        var payload: Int? = 1
        for d in dimensions {
            let (p, overflow) = payload?.multipliedReportingOverflow(by: d) ?? (0, true)
            payload = overflow ? nil : p
        }
        let expected = payload.map { $0 > Int.max - headerSize ? Int.max : headerSize + $0 } ?? Int.max
        guard raw.count >= expected else { throw .truncated(path: path, expectedBytes: expected, actualBytes: raw.count) }
        guard raw.count == expected else { throw .trailingBytes(path: path, expectedBytes: expected, actualBytes: raw.count) }
        return IDXFile(dimensions: dimensions, bytes: Array(raw[headerSize...]))
    }

    /// The IDX encoding of this array (uncompressed).
    public func encoded() -> Data {
        var out = Data([0, 0, 0x08, UInt8(dimensions.count)])
        for d in dimensions { out.append(contentsOf: [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)]) }
        out.append(contentsOf: bytes)
        return out
    }
}

/// Inflates a gzip stream with zlib.
func gunzip(_ data: Data, path: String) throws(IDXError) -> [UInt8] {
    var stream = z_stream()
    // 15 + 32: accept a gzip or zlib header.
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw .corruptGzip(path: path, reason: "zlib could not start")
    }
    defer { inflateEnd(&stream) }
    var output = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var status: Int32 = Z_OK
    var input = [UInt8](data)
    input.withUnsafeMutableBufferPointer { inBuffer in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = UInt32(inBuffer.count)
        repeat {
            chunk.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                status = inflate(&stream, Z_NO_FLUSH)
                output.append(contentsOf: outBuffer[0..<(outBuffer.count - Int(stream.avail_out))])
            }
        } while status == Z_OK
    }
    guard status == Z_STREAM_END else {
        let reason = status == Z_BUF_ERROR ? "the stream ends early" : (stream.msg.map { String(cString: $0) } ?? "zlib error \(status)")
        throw .corruptGzip(path: path, reason: reason)
    }
    return output
}
