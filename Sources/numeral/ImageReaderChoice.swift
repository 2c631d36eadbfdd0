import Numeral
import NumeralReport

/// The reader `numeral evaluate --images` runs every image through.
///
/// TODO(issue 4): switch to `NumberReader` when it lands on main, so evaluation and
/// `numeral read` share one preprocessing; until then 28x28 grayscale digits are taken as they are.
func makeImageReader(model: Model) -> some ImageReader {
    MNISTImageReader(model: model)
}
