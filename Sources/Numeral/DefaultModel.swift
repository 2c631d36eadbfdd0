@_exported public import NumeralCore
@_exported public import NumeralNN
@_exported public import NumeralData
@_exported public import NumeralTraining
@_exported public import NumeralVision
import Foundation

/// Where the model a command uses comes from when no `--model` is given.
public enum DefaultModel {
    /// The trained model shipped in the repository, bundled with the `Numeral` library.
    public static var shippedPath: String? {
        Bundle.module.path(forResource: "numeral-default", ofType: "safetensors")
    }

    /// `explicit`, else `$NUMERAL_MODEL`, else the shipped model.
    public static func resolve(_ explicit: String?) throws(ModelFileError) -> String {
        if let explicit { return explicit }
        if let fromEnvironment = ProcessInfo.processInfo.environment["NUMERAL_MODEL"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        guard let shippedPath else {
            throw .unreadable(path: "numeral-default.safetensors", reason: "the shipped model is missing from this build; pass --model FILE")
        }
        return shippedPath
    }

    public static func load(_ explicit: String?) throws(ModelFileError) -> Model {
        try Model.load(from: resolve(explicit))
    }

    /// The line model shipped in the repository, if this build has one.
    public static var shippedLinesPath: String? {
        Bundle.module.path(forResource: "numeral-lines", ofType: "safetensors")
    }

    /// The line model's path: `explicit`, else `$NUMERAL_LINE_MODEL`, else the shipped one;
    /// nil for "none" (no line model) or a build without one.
    public static func resolveLines(_ explicit: String?) -> String? {
        let environment = ProcessInfo.processInfo.environment["NUMERAL_LINE_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = explicit ?? environment ?? shippedLinesPath, path != "none" else { return nil }
        return path
    }

    public static func loadLines(_ explicit: String?) throws(ModelFileError) -> LineModel? {
        try loadLinesWithPath(explicit)?.model
    }

    /// The line model `resolveLines` names, and that path (for reports); nil for none.
    public static func loadLinesWithPath(_ explicit: String?) throws(ModelFileError) -> (model: LineModel, path: String)? {
        guard let path = resolveLines(explicit) else { return nil }
        return (try LineModel.load(from: path), path)
    }
}

extension DefaultModel {
    /// The field model shipped in the repository, if this build has one.
    public static var shippedFieldsPath: String? {
        Bundle.module.path(forResource: "numeral-fields", ofType: "safetensors")
    }

    /// The field model's path: `explicit`, else `$NUMERAL_FIELD_MODEL`, else the shipped one;
    /// nil for "none" (binarised reading only) or a build without one.
    public static func resolveFields(_ explicit: String?) -> String? {
        let environment = ProcessInfo.processInfo.environment["NUMERAL_FIELD_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = explicit ?? environment ?? shippedFieldsPath, path != "none" else { return nil }
        return path
    }

    /// The field model `resolveFields` names; nil for none. A line model of the digit
    /// alphabet is not a field model.
    public static func loadFields(_ explicit: String?) throws(ModelFileError) -> LineModel? {
        guard let path = resolveFields(explicit) else { return nil }
        let model = try LineModel.load(from: path)
        guard model.symbols == LineModel.amountAlphabet else {
            throw .invalid(path: path, reason: "a field model reads \"\(String(LineModel.amountAlphabet))\"; this line model reads \"\(String(model.symbols))\"")
        }
        return model
    }
}

/// Where MNIST is read from: `--data DIR`, else `$NUMERAL_DATA`, else `./data/mnist`.
public func resolveDataDirectory(_ explicit: String?) -> String {
    if let explicit { return explicit }
    if let fromEnvironment = ProcessInfo.processInfo.environment["NUMERAL_DATA"], !fromEnvironment.isEmpty {
        return fromEnvironment
    }
    return "data/mnist"
}
