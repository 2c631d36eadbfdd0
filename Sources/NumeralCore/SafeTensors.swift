
public import Foundation

/// What is wrong with a model file.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notSafetensors(path: String, reason: String)
    case notNumeralModel(path: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read model \(path): \(reason)"
        case let .notSafetensors(path, reason): "\(path) is not a safetensors file: \(reason)"
        case let .notNumeralModel(path): "\(path) is a safetensors file but not a Numeral model (no numeral metadata)"
        case let .invalid(path, reason): "model \(path) is damaged or incompatible: \(reason)"
        }
    }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// `{"__metadata__": {String: String}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`,
/// then the raw little-endian tensor bytes. Numeral computes in F32; it writes F32, or F16 to halve a
/// file, and reads either.
public enum SafeTensors {
    /// How scalars are stored in a file.
    public enum ScalarType: String, Sendable {
        /// IEEE binary32: exact.
        case float32 = "F32"
        /// IEEE binary16: half the bytes; 11 significant bits (relative rounding ≤ 2⁻¹¹), finite up to 65504.
        case float16 = "F16"

        public var byteCount: Int { self == .float32 ? 4 : 2 }
    }

    /// The largest magnitude `type` stores as a finite number.
    public static func largestFinite(_ type: ScalarType) -> Float {
        type == .float32 ? .greatestFiniteMagnitude : Float(Float16.greatestFiniteMagnitude)
    }

    /// A file's bytes; a missing or unreadable file is a `ModelFileError` naming it.
    public static func read(_ path: String) throws(ModelFileError) -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file")
        }
    }

    /// The file's bytes, every tensor stored as `type`. Every scalar must be finite in `type`
    /// (`largestFinite`): callers check values that come from outside.
    public static func encode(tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
                              as type: ScalarType = .float32) -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.shape.count * type.byteCount
            header[name] = ["dtype": type.rawValue, "shape": tensor.shape.dimensions, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        // Pad the header with spaces to a multiple of 8 so the data is aligned.
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (name, tensor) in tensors {
            // x86-64 and arm64 are little-endian, as the format is.
            switch type {
            case .float32:
                tensor.scalars.withUnsafeBytes { out.append(contentsOf: $0) }
            case .float16:
                precondition(!tensor.scalars.contains { $0.isFinite && abs($0) > largestFinite(.float16) },
                             "tensor \(name) has values beyond float16's range")
                tensor.scalars.map(Float16.init).withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    public static func decode(_ data: Data, path: String) throws(ModelFileError)
        -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard data.count >= 8 else { throw .notSafetensors(path: path, reason: "only \(data.count) bytes") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength >= 2, headerLength <= UInt64(data.count - 8), headerLength < 100_000_000 else {
            throw .notSafetensors(path: path, reason: "header length \(headerLength) does not fit a \(data.count)-byte file")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let object = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)),
              let header = object as? [String: Any] else {
            throw .notSafetensors(path: path, reason: "header is not a JSON object")
        }
        let body = data.count - headerEnd
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                  offsets.count == 2 else {
                throw .notSafetensors(path: path, reason: "entry \(name) lacks dtype, shape or data_offsets")
            }
            guard let type = ScalarType(rawValue: dtype) else {
                throw .invalid(path: path, reason: "tensor \(name) is \(dtype), Numeral reads F32 and F16")
            }
            // Overflow-checked: three dimensions of 2³⁰ are each in range but their product is not.
            guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }), let count = Shape.checkedCount(shape), count <= Int.max / 4 else {
                throw .invalid(path: path, reason: "tensor \(name) has shape \(shape)")
            }
            let bytes = count * type.byteCount
            guard offsets[0] >= 0, offsets[1] <= body, offsets[1] - offsets[0] == bytes else {
                throw .invalid(path: path, reason: "tensor \(name) \(shape) has offsets \(offsets) in a \(body)-byte body")
            }
            let start = headerEnd + offsets[0]
            let scalars: [Float]
            switch type {
            case .float32:
                var values = [Float](repeating: 0, count: count)
                values.withUnsafeMutableBytes { _ = data.copyBytes(to: $0, from: start..<(start + bytes)) }
                scalars = values
            case .float16:
                var halves = [Float16](repeating: 0, count: count)
                halves.withUnsafeMutableBytes { _ = data.copyBytes(to: $0, from: start..<(start + bytes)) }
                scalars = halves.map(Float.init)
            }
            tensors[name] = Tensor(shape: Shape(shape), scalars: scalars)
        }
        let metadata = (header["__metadata__"] as? [String: String]) ?? [:]
        return (tensors, metadata)
    }
}
