// numeral-fuzz TARGET FILE|DIR...
//
// Runs each file through one of the places where Numeral parses what comes from outside
// (image files, model files, MNIST files, HTTP bodies). Every input must end in a result or
// a typed error; a trap (an index out of range, an overflow, a failed precondition) is a bug.
//
// Built by `scripts/fuzz` with -sanitize=fuzzer and -D FUZZING, the same program hands the
// target to libFuzzer, which searches for inputs that trap; the plain build replays files,
// such as the crashes a fuzzing run saved, so that they can be checked after a fix.
import CFuzzer
import Foundation
import Numeral
import NumeralCore
import NumeralData
import NumeralNN
import NumeralServer
import NumeralVision

/// What each target runs on one input. Results are thrown away: only traps matter.
let targets: [String: ([UInt8]) -> Void] = [
    // PNG or JPEG bytes, decoded (EXIF orientation applied). What the pixels then go
    // through is the "read" target's.
    "image": { bytes in _ = try? ImageDecoder.decode(Data(bytes), name: "fuzz", maxPixels: 1 << 22) },
    // A raster made up from the bytes (the first two give its width and channels), read:
    // the vision pipeline on odd sizes and arbitrary pixels.
    "read": { bytes in
        guard bytes.count >= 3 else { return }
        let width = 1 + Int(bytes[0]), channels = [1, 3, 4][Int(bytes[1]) % 3]
        let height = min(256, (bytes.count - 2) / (width * channels))
        guard height > 0 else { return }
        let pixels = Array(bytes[2..<(2 + width * height * channels)])
        _ = reader.read(raster: Raster(width: width, height: height, channels: channels, pixels: pixels), name: "fuzz")
    },
    // A model file: safetensors, then the digit model's and the line model's checks.
    "model": { bytes in
        _ = try? Model.decode(Data(bytes), path: "fuzz")
        _ = try? LineModel.decode(Data(bytes), path: "fuzz")
    },
    // An architecture drawn from the bytes (small layers of every kind, in any order that
    // chains), written as a model file, loaded back, and run forward and backward on a
    // batch: whatever the loader accepts must also run, here and in fine-tuning (--initial).
    "architecture": { bytes in
        guard let architecture = drawnArchitecture(bytes) else { return }
        var rng = SplitMix64(seed: 1)
        let written = Model(network: Sequential(architecture, using: &rng))
        guard var network = (try? Model.decode(written.encoded(), path: "fuzz"))?.model.networks.first else {
            preconditionFailure("a model Numeral wrote did not load: \(architecture)")
        }
        let batch = Tensor(shape: [3, 1, 28, 28], scalars: (0..<(3 * 784)).map { Float($0 % 7) / 6 })
        _ = written.probabilities(batch)
        let output = network.forward(batch, using: &rng)
        _ = network.backward(Tensor(shape: output.shape, scalars: [Float](repeating: 0.1, count: output.scalars.count)))
    },
    // An MNIST file, raw or gzip-compressed.
    "idx": { bytes in _ = try? IDXFile.parse(Data(bytes), path: "fuzz") },
    // The HTTP API's request bodies: a form upload to /v1/read and /v1/feedback, the
    // feedback JSON, the pixel JSON of /v1/classify.
    "body": { bytes in
        let form = "multipart/form-data; boundary=fuzz"
        _ = try? ReadController.images(inMultipart: bytes, contentType: form)
        _ = try? FeedbackController.input(from: bytes, contentType: form)
        _ = try? FeedbackController.input(from: bytes, contentType: "application/json")
        _ = try? ClassifyController.pixels(json: bytes)
    },
]

/// Layers drawn from `bytes`, four bytes a layer (its kind and three settings), each kept only
/// when it fits the shape so far; closed by a flatten and a dense layer to 10 classes. Nil
/// when nothing was drawn, the activations grow past 65,536 numbers a sample, or the layers
/// do not end in 10 classes (a sequence of columns cannot be flattened).
func drawnArchitecture(_ bytes: [UInt8]) -> Architecture? {
    var layers: [LayerSpec] = []
    var shape = [1, 28, 28]
    for start in stride(from: 0, to: bytes.count - 3, by: 4) where layers.count < 12 {
        let (a, b, c) = (Int(bytes[start + 1]), Int(bytes[start + 2]), Int(bytes[start + 3]))
        let kernel = 1 + b % 5
        let layer: LayerSpec = switch bytes[start] % 11 {
        case 0: .dense(inputSize: shape.last ?? 1, outputSize: 1 + a % 64)
        case 1: .conv2D(inputChannels: shape[0], outputChannels: 1 + a % 8, kernelSize: kernel, stride: 1 + c % 3, padding: (c / 3) % kernel)
        case 2: .maxPool2D(size: 1 + a % 3, stride: 1 + b % 3)
        case 3: .relu
        case 4: .sigmoid
        case 5: .tanh
        case 6: .dropout(rate: Float(a % 10) / 10)
        case 7: .batchNorm(features: shape[0])
        case 8: .flatten
        case 9: .lstm(inputSize: a % 2 == 0 ? shape.last ?? 1 : shape.reduce(1, *), hiddenSize: 1 + b % 32)
        default: .columns
        }
        guard let next = layer.outputShape(for: shape), next.reduce(1, *) <= 1 << 16 else { continue }
        layers.append(layer)
        shape = next
    }
    guard !layers.isEmpty else { return nil }
    if shape != [10] {
        if shape.count > 1 { layers.append(.flatten) }
        layers.append(.dense(inputSize: shape.reduce(1, *), outputSize: 10))
    }
    let architecture = Architecture(name: "fuzz", layers: layers)
    return architecture.outputShape == [10] ? architecture : nil
}

/// The reader with the shipped models, loaded once.
nonisolated(unsafe) let reader: NumberReader = {
    do {
        return NumberReader(model: try DefaultModel.load(nil), lineModel: try DefaultModel.loadLines(nil))
    } catch {
        FileHandle.standardError.write(Data("numeral-fuzz: \(error)\n".utf8))
        exit(1)
    }
}()

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = targets[arguments[1]] else {
    FileHandle.standardError.write(Data("usage: numeral-fuzz \(targets.keys.sorted().joined(separator: "|")) FILE|DIR...\n".utf8))
    exit(2)
}

#if FUZZING
nonisolated(unsafe) var chosen: ([UInt8]) -> Void = { _ in }
chosen = target
// libFuzzer reads its own flags and corpus directories from the arguments after the target.
var driverArguments = [arguments[0]] + arguments.dropFirst(2)
var argc = Int32(driverArguments.count)
var cStrings = driverArguments.map { strdup($0) } + [nil]
exit(cStrings.withUnsafeMutableBufferPointer { buffer in
    var argv = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        chosen(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
})
#else
var files: [String] = []
for path in arguments.dropFirst(2) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("numeral-fuzz: \(path) does not exist\n".utf8))
        exit(1)
    }
    if isDirectory.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += names.sorted().map { path + "/" + $0 }
    } else {
        files.append(path)
    }
}
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else { continue }
    target([UInt8](data))
}
print("numeral-fuzz \(arguments[1]): \(files.count) inputs, none trapped")
#endif
