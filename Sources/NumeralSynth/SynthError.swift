public import Foundation
public import NumeralVision

/// What went wrong making a synthetic image.
public enum SynthError: Error, Equatable, CustomStringConvertible {
    case jpegEncoding(reason: String)
    case pngEncoding
    case noDigits(classes: [Int])

    public var description: String {
        switch self {
        case let .jpegEncoding(reason): "libjpeg-turbo could not encode the image: \(reason)"
        case .pngEncoding: "libpng could not encode the image"
        case let .noDigits(classes): "the digit set has no examples of \(classes.map(String.init).joined(separator: ", "))"
        }
    }
}

