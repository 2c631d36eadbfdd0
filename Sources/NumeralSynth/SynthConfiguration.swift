/// What `numeral synth` draws, as probabilities and ranges sampled independently for each image.
///
/// The defaults aim at *realistic* scans and phone photos of a handwritten number in a form field,
/// not at difficulty for its own sake; the extremes are reachable by changing a field (or a CLI
/// flag). Ranges are sampled uniformly unless noted. Lengths called `h` are the written digit
/// height in the final image, in pixels.
///
/// | what | default |
/// |---|---|
/// | digits per number | 1…10, weights 8 10 12 13 12 11 10 9 8 7 |
/// | decimal number (`12.5`, `3,75`) | 18% (of numbers with ≥ 2 digits); 1–3 decimals; `.` 60%, `,` 40% |
/// | thousands groups (`1,250`, `18.014`) | 10% (of numbers with ≥ 4 digits) |
/// | leading zeros (`0042`, meter style) | 6% |
/// | minus sign | 10% |
/// | touching or overlapping digits | 35% of numbers with ≥ 2 adjacent digits have at least one such pair (about 30% of all numbers); of those pairs 60% touch (ink 0…2% of h into each other), 40% overlap (3…10% of h) |
/// | other digit gaps | 0.06…0.4 h, skewed towards tight |
/// | digit height h | 12…400 px, log-uniform (median ≈ 70 px, a 6 mm digit at 300 dpi) |
/// | size / baseline jitter per digit | ±10% / ±6% of h |
/// | rotation of the line | ±10°, triangular (most within ±5°), plus ±3° per digit |
/// | slant (shear) | −0.15…+0.35, plus ±0.08 per digit |
/// | stroke thickness change | −0.5…+0.7 MNIST pixels of radius (MNIST strokes are already thick for a pen) |
/// | blur σ | 0…0.8 px + 0…1.2% of h (defocus of large photos) |
/// | sensor noise σ | 0…6 grey levels; 15% of images 6…14 |
/// | illumination | brightness 0.72…1.0, linear gradient up to ±25%, a soft shadow on 25% of images, vignette on 30% |
/// | paper | white 60%, tinted (cream, grey, bluish, pink, green, kraft) 40%; texture 0…6% |
/// | ink | black 60%, blue 40%; opacity 0.8…1, pressure variation 0…25% |
/// | ruled lines | 25% (notebook lines, one underline, or squared grid) |
/// | box around the number | 15% |
/// | inverted polarity (light ink on dark) | 5% |
/// | grey-scale file | 40% (the rest RGB) |
/// | JPEG | 50% of images, quality 30…95 (the rest PNG) |
/// | page photographed on a desk | 0% (`--desk-fraction`): the page 30…85% of the picture's width, turned up to ±10°, on a surface of grey level 0.05…0.45 (wood to black), never inverted; half seen at an angle (the far edge 5…20% shorter), a third close-ups (the desk along 1 or 2 sides only) |
public struct SynthConfiguration: Sendable, Equatable {
    /// Relative weights of 1, 2, …, 10 digits per number.
    public var digitCountWeights: [Double] = [8, 10, 12, 13, 12, 11, 10, 9, 8, 7]
    public var decimalFraction = 0.18
    public var groupedFraction = 0.10
    public var leadingZeroFraction = 0.06
    public var negativeFraction = 0.10

    /// Share of numbers (with at least two adjacent digits) that get touching or overlapping pairs.
    public var contactFraction = 0.35
    /// Share of contact pairs that overlap rather than just touch.
    public var overlapShare = 0.4
    /// Gap between separated digits, in units of h.
    public var digitGap: ClosedRange<Double> = 0.06...0.4

    /// Written digit height in the final image, pixels (sampled log-uniformly).
    public var digitHeight: ClosedRange<Double> = 12...400
    public var sizeJitter = 0.10
    public var baselineJitter = 0.06
    public var rotationDegrees = 10.0
    public var digitRotationDegrees = 3.0
    public var slant: ClosedRange<Double> = -0.15...0.35
    public var digitSlantJitter = 0.08
    /// Change of stroke radius, in MNIST pixels (MNIST strokes are about 2.5 px wide).
    public var thickness: ClosedRange<Double> = -0.5...0.7

    public var blurSigma: ClosedRange<Double> = 0...0.8
    /// Extra blur proportional to h (defocus), as a fraction of h.
    public var blurPerHeight: ClosedRange<Double> = 0...0.012
    public var noiseSigma: ClosedRange<Double> = 0...6
    public var lowLightFraction = 0.15
    public var lowLightNoiseSigma: ClosedRange<Double> = 6...14

    public var brightness: ClosedRange<Double> = 0.72...1.0
    public var gradientStrength = 0.25
    public var shadowFraction = 0.25
    public var shadowDepth: ClosedRange<Double> = 0.15...0.5
    public var vignetteFraction = 0.3

    public var tintedPaperFraction = 0.4
    public var textureAmplitude: ClosedRange<Double> = 0...0.06
    public var blueInkFraction = 0.4
    public var inkOpacity: ClosedRange<Double> = 0.8...1.0
    public var pressureVariation: ClosedRange<Double> = 0...0.25

    public var ruledFraction = 0.25
    public var boxFraction = 0.15
    public var invertedFraction = 0.05
    public var grayscaleFraction = 0.4
    public var jpegFraction = 0.5
    public var jpegQuality: ClosedRange<Int> = 30...95

    /// Share of pages photographed lying on a desk (`Desk`); 0 leaves every other image as it was.
    public var deskFraction = 0.0
    public var deskPageShare: ClosedRange<Double> = 0.3...0.85
    public var deskRotationDegrees = 10.0

    public init() {}
}
