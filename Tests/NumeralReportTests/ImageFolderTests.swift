import Testing
import Foundation
import NumeralCore
import NumeralNN
import NumeralData
import NumeralTraining
import NumeralVision
@testable import NumeralReport

/// A reader that "reads" the bytes of a file as the text it contains, so the string metrics can
/// be checked by hand; a file holding BAD is unreadable.
struct TextFileReader: ImageReader {
    func readout(imageData: Data, name: String) throws(ImageError) -> ImageReadout {
        let text = String(decoding: imageData, as: UTF8.self)
        if text == "BAD" { throw .corrupt(name: name, reason: "test fixture") }
        let digits = text.compactMap { $0.wholeNumberValue }.map { ImageReadout.Digit(digit: $0, confidence: 0.9) }
        return ImageReadout(text: text, confidence: 0.9, digits: digits)
    }
}

func write(_ text: String, to path: String) {
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}

@Suite("Image folders")
struct ImageFolderTests {
    @Test func labelsCSVWithMultiDigitLabels() throws {
        let directory = temporaryDirectory("csv")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // label   read      digit edits
        // 123     123       0  right
        // 45      46        1
        // 7       ?         1  rejected
        // -12.5   -12.5     0  right
        // 1,250   1250      0  separator missing: string wrong, digits right
        // 999     (BAD)     3  unreadable
        write("file,label\na.png,123\nb.png,45\nc.png,7\nd.png,-12.5\ne.png,\"1,250\"\nf.png,999\n", to: directory + "/labels.csv")
        for (file, text) in [("a", "123"), ("b", "46"), ("c", "?"), ("d", "-12.5"), ("e", "1250"), ("f", "BAD")] {
            write(text, to: directory + "/\(file).png")
        }
        let images = try ImageFolder.load(directory)
        #expect(images.map(\.label) == ["123", "45", "7", "-12.5", "1,250", "999"])
        var rng = SplitMix64(seed: 1)
        let model = Model(network: Sequential(Zoo.mlp, using: &rng))
        let report = EvaluationReport(images: images, directory: directory, reader: TextFileReader(), model: model,
                                      modelFile: "m")
        let r = try #require(report.images)
        #expect(r.items.count == 6)
        #expect(abs(r.stringAccuracy - 2.0 / 6) < 1e-12)
        #expect(abs(r.characterErrorRate - 5.0 / 16) < 1e-12)       // 5 edits over 3+2+1+3+4+3 label digits
        #expect(abs(r.digitAccuracy - 11.0 / 16) < 1e-12)
        #expect(abs(r.rejectionRate - 1.0 / 6) < 1e-12)
        #expect(r.unreadable.map(\.file) == ["f.png"])
        #expect(r.unreadable[0].error?.contains("f.png") == true)
        #expect(report.classification == nil, "multi-digit labels have no confusion matrix")
        #expect(report.text.contains("unreadable f.png: f.png is a damaged image"))
        #expect(report.text.contains("string accuracy 0.3333   digit accuracy 0.6875   rejection rate 0.1667   unreadable 1"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let json = try #require(object["images"] as? [String: Any])
        #expect((json["unreadable"] as? [[String: Any]])?.first?["file"] as? String == "f.png")
        #expect((json["items"] as? [Any])?.count == 6)
        #expect(report.html().contains("<td class=\"l\">f.png</td>"))
    }

    @Test func badLabelsFileIsAnError() {
        let directory = temporaryDirectory("badcsv")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        write("name,digit\na.png,1\n", to: directory + "/labels.csv")
        #expect(throws: ImageFolderError.badLabels(path: directory + "/labels.csv", line: 1, reason: "the header must be file,label")) {
            try ImageFolder.load(directory)
        }
        write("file,label\na.png\n", to: directory + "/labels.csv")
        #expect(throws: ImageFolderError.self) { try ImageFolder.load(directory) }
        #expect(throws: ImageFolderError.notADirectory(path: directory + "/missing")) { try ImageFolder.load(directory + "/missing") }
        try? FileManager.default.removeItem(atPath: directory + "/labels.csv")
        #expect(throws: ImageFolderError.empty(path: directory)) { try ImageFolder.load(directory) }
    }

    /// Class subfolders of real 28×28 PNGs through the stand-in reader, plus one file that is
    /// not an image and one image of the wrong size: both reported by name, counted as wrong,
    /// and the rest is still evaluated with the full classification report.
    @Test func classFoldersWithUnreadableImages() throws {
        let directory = temporaryDirectory("classes")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (model, data) = makeFixture(seed: 3, count: 30)
        // Label each image with what the model answers for it, so the expected accuracy is known.
        let predicted = evaluate(model, on: data).predictions
        for i in 0..<data.count {
            let folder = directory + "/\(predicted[i])"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // Dark ink on light paper, as a scan would be: the reader inverts it.
            let gray = EvaluationReport.thumbnail(data.pixels[(i * 784)..<((i + 1) * 784)])
            let paper = Raster(width: 28, height: 28, channels: 1, pixels: gray.pixels.map { 255 - $0 })
            FileManager.default.createFile(atPath: folder + "/\(i).png", contents: PNG.encode(paper))
        }
        try FileManager.default.createDirectory(atPath: directory + "/4", withIntermediateDirectories: true)
        write("not a png", to: directory + "/4/notes.png")
        FileManager.default.createFile(atPath: directory + "/4/big.png",
                                       contents: PNG.encode(Raster(width: 40, height: 30, channels: 1, fill: 255)))

        let images = try ImageFolder.load(directory)
        #expect(images.count == 32)
        let report = EvaluationReport(images: images, directory: directory, reader: MNISTImageReader(model: model, threshold: 0),
                                      model: model, modelFile: "m")
        let r = try #require(report.images)
        #expect(Set(r.unreadable.map(\.file)) == ["4/notes.png", "4/big.png"])
        #expect(r.unreadable.first { $0.file == "4/big.png" }?.error?.contains("40x30") == true)
        #expect(abs(r.stringAccuracy - 30.0 / 32) < 1e-12)
        let k = try #require(report.classification)
        #expect(k.matrix.total == 32)
        #expect(k.matrix.correct == 30)
        #expect(k.matrix.unanswered[4] == 2)
        #expect(k.mistakes.count == 2 && k.mistakes.allSatisfy { $0.predicted == -1 })
        // Gallery and heatmap still draw.
        #expect(report.pictures.count == 2)
    }

    @Test func foldersWithoutADigitAreNotClasses() throws {
        let directory = temporaryDirectory("notclasses")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for folder in ["7", "report", ".hidden"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
            write("x", to: directory + "/\(folder)/a.png")
        }
        #expect(try ImageFolder.load(directory) == [LabelledImage(file: "7/a.png", label: "7")])
    }

    @Test func wholeImageThumbnailFitsAndInverts() {
        // A 56×28 light image with one dark vertical bar at x = 10: shrunk by 2 into 28×14,
        // centred vertically (rows 7..<21), ink white.
        var image = Raster(width: 56, height: 28, channels: 3, fill: 250)
        for y in 0..<28 { for c in 0..<3 { image[10, y, c] = 0; image[11, y, c] = 0 } }
        let t = EvaluationReport.thumbnail(of: image)
        #expect(t.width == 28 && t.height == 28 && t.channels == 1)
        #expect(t[5, 10, 0] == 255)            // the bar, inverted to ink = 255
        #expect(t[6, 10, 0] == 5)              // paper, inverted to near black
        #expect(t[5, 3, 0] == 0 && t[5, 24, 0] == 0)   // outside the fitted box
    }

    @Test func csvFields() {
        #expect(ImageFolder.csvFields("a.png, 7") == ["a.png", "7"])
        #expect(ImageFolder.csvFields("\"my, file.png\",\"18,014\"") == ["my, file.png", "18,014"])
    }
}
