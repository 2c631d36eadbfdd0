import Testing
import Foundation
import NumeralCore
import NumeralNN
import NumeralData
import NumeralTraining
import NumeralVision
@testable import NumeralReport

/// A seeded random MLP and 200 random images: enough for every part of the report to have
/// something in it (mistakes, several confidence bins, a history with validation).
func makeFixture(seed: UInt64 = 7, count: Int = 200) -> (model: Model, data: Dataset) {
    var rng = SplitMix64(seed: seed)
    var model = Model(network: Sequential(Zoo.mlp, using: &rng))
    model.history = [
        EpochRecord(epoch: 1, loss: 0.5, accuracy: 0.85, validationLoss: 0.4, validationAccuracy: 0.88, seconds: 1.5),
        EpochRecord(epoch: 2, loss: 0.3, accuracy: 0.91, validationLoss: 0.35, validationAccuracy: 0.9, seconds: 1.4),
    ]
    let pixels = (0..<(count * 784)).map { _ in Float.random(in: 0...1, using: &rng) > 0.8 ? Float(1) : 0 }
    let labels = (0..<count).map { _ in Int.random(in: 0..<10, using: &rng) }
    return (model, Dataset(pixels: pixels, labels: labels))
}

func makeReport() -> EvaluationReport {
    let (model, data) = makeFixture()
    return EvaluationReport(evaluation: evaluate(model, on: data), dataset: data, model: model,
                            modelFile: "fixture.safetensors", dataPath: "memory", seconds: 0.25)
}

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "numeral-report-tests-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Evaluation report")
struct ReportTests {
    let report = makeReport()

    @Test func jsonParsesAndMatchesTheText() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let text = report.text
        let accuracy = try #require(object["accuracy"] as? Double)
        let loss = try #require(object["loss"] as? Double)
        #expect(object["schema"] as? Int == EvaluationReport.schemaVersion)
        #expect(object["samples"] as? Int == 200)
        #expect(text.contains("accuracy  \(Format.rate(accuracy))   loss \(Format.rate(loss))"))

        let classes = try #require(object["classes"] as? [[String: Any]])
        #expect(classes.count == 10)
        let lines = text.split(separator: "\n").map(String.init)
        for row in classes {
            let label = try #require(row["label"] as? Int)
            let numbers = ["precision", "recall", "f1"].map { Format.rate(row[$0] as! Double) }
            let line = try #require(lines.first { $0.hasPrefix("\(label)         ") }, "no text row for class \(label)")
            #expect(line.split(separator: " ").map(String.init) == ["\(label)"] + numbers + [String(row["support"] as! Int)])
        }
        for average in ["macro", "weighted"] {
            let a = try #require(object[average] as? [String: Any])
            let line = try #require(lines.first { $0.hasPrefix(average) })
            #expect(line.split(separator: " ").map(String.init)
                    == [average] + ["precision", "recall", "f1"].map { Format.rate(a[$0] as! Double) } + ["200"])
        }

        let matrix = try #require(object["confusionMatrix"] as? [[Int]])
        #expect(matrix.joined().reduce(0, +) == 200)
        for (t, row) in matrix.enumerated() {
            let line = try #require(lines.first { $0 == String(repeating: " ", count: 8) + "\(t)" + row.map { String(repeating: " ", count: 5 - String($0).count) + "\($0)" }.joined() })
            #expect(!line.isEmpty)
        }

        let calibration = try #require(object["calibration"] as? [String: Any])
        let ece = try #require(calibration["ece"] as? Double)
        // Foundation's JSON parser may round the last bit of a Double.
        #expect(abs(ece - report.classification!.calibration.expectedCalibrationError) < 1e-12)
        #expect(text.contains("ECE \(Format.rate(ece))"))
        #expect((calibration["bins"] as? [Any])?.count == 15)

        let coverage = try #require(object["coverage"] as? [String: Any])
        #expect((coverage["points"] as? [Any])?.count == 100)
        for p in try #require(coverage["thresholds"] as? [[String: Any]]) {
            let row = "  " + Format.padRight(String(p["threshold"] as! Double), 11) + Format.rate(p["coverage"] as! Double)
                + "    " + Format.rate(p["accuracy"] as! Double) + "    " + Format.rate(p["risk"] as! Double)
            #expect(lines.contains(row), "no coverage row \(row)")
        }
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.count == 2 && history[0]["validationAccuracy"] as? Double == 0.88)
        #expect(object["images"] is NSNull)
        let mistakes = try #require(object["mistakes"] as? [[String: Any]])
        let confidences = mistakes.map { $0["confidence"] as! Double }
        #expect(confidences == confidences.sorted(by: >), "mistakes must be most confident first")
    }

    @Test func everyKeyIsPresentEvenWhenNull() throws {
        var multiDigit = report
        multiDigit.classification = nil
        multiDigit.loss = nil
        let object = try #require(try JSONSerialization.jsonObject(with: Data(multiDigit.json().utf8)) as? [String: Any])
        for key in ["schema", "model", "data", "samples", "seconds", "samplesPerSecond", "loss", "accuracy", "classes", "macro",
                    "weighted", "confusionMatrix", "unanswered", "confusedPairs", "calibration", "coverage", "mistakes",
                    "history", "images", "lineModel"] {
            #expect(object.keys.contains(key), "key \(key) missing")
        }
        #expect(object["loss"] is NSNull && object["classes"] is NSNull && object["lineModel"] is NSNull)
    }

    @Test func htmlHoldsTheSameNumbers() throws {
        let html = report.html()
        let k = try #require(report.classification)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<td class=\"l\">accuracy</td><td class=\"l\">\(Format.rate(report.accuracy))</td>"))
        #expect(html.contains("<td class=\"l\">macro F1</td><td class=\"l\">\(Format.rate(k.metrics.macro.f1))</td>"))
        #expect(html.contains("<b id=\"ece\">\(Format.rate(k.calibration.expectedCalibrationError))</b>"))
        for (c, m) in k.metrics.classes.enumerated() {
            let row = "<tr><td class=\"l\">\(c)</td><td>\(Format.rate(m.precision))</td><td>\(Format.rate(m.recall))</td><td>\(Format.rate(m.f1))</td><td>\(m.support)</td>"
            #expect(html.contains(row), "class \(c) row missing")
        }
        for p in k.confusedPairs {
            #expect(html.contains("<tr><td>\(p.trueClass)</td><td>\(p.predictedClass)</td><td>\(p.count)</td>"))
        }
        // Self-contained: pictures embedded, no external resource or script.
        #expect(html.components(separatedBy: "src=\"data:image/png;base64,").count == 3)
        #expect(html.components(separatedBy: "<svg ").count == 5)
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        #expect(!html.contains("<script"))
    }

    @Test func writesEveryFileAndThePNGsDecode() throws {
        let directory = temporaryDirectory("write")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try report.write(to: directory + "/nested/report")
        let names = Set(files.map { ($0 as NSString).lastPathComponent })
        #expect(names == ["confusion.png", "gallery.png", "loss.svg", "accuracy.svg", "reliability.svg", "coverage.svg",
                          "report.json", "report.txt", "report.html"])
        let k = try #require(report.classification)
        let confusion = try PNG.decode(try Data(contentsOf: URL(fileURLWithPath: directory + "/nested/report/confusion.png")), name: "confusion.png")
        #expect((confusion.width, confusion.height) == Pictures.confusionMatrixSize(classCount: 10))
        let gallery = try PNG.decode(try Data(contentsOf: URL(fileURLWithPath: directory + "/nested/report/gallery.png")), name: "gallery.png")
        #expect((gallery.width, gallery.height) == Pictures.gallerySize(count: k.mistakes.count))
        #expect(k.mistakes.count == min(EvaluationReport.mistakeLimit, 200 - k.matrix.correct))
        let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/nested/report/report.json"))
        #expect((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["accuracy"] as? Double == report.accuracy)
    }
}

@Suite("Pictures")
struct PictureTests {
    @Test(arguments: [1, 2, 10, 12])
    func confusionMatrixSizeAndColours(classCount: Int) throws {
        let labels = (0..<(classCount * 5)).map { $0 % classCount }
        let predictions = labels.enumerated().map { i, l in i < classCount ? (l + 1) % classCount : l }
        let matrix = ConfusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        let raster = Pictures.confusionMatrix(matrix, title: "TEST")
        // PNG.decode gives gray or RGBA; compare the RGB channels.
        let decoded = try PNG.decode(PNG.encode(raster), name: "confusion.png", channels: 4)
        #expect((decoded.width, decoded.height) == Pictures.confusionMatrixSize(classCount: classCount))
        let rgb = decoded.pixels.enumerated().filter { $0.offset % 4 != 3 }.map(\.element)
        #expect(rgb == raster.pixels)
        // Corner pixel of the first diagonal cell: blue dominates when the class is mostly right.
        if classCount > 1 {
            let x = Pictures.matrixLeft + 3, y = Pictures.matrixTop + 3
            #expect(raster[x, y, 2] > raster[x, y, 0], "diagonal cell should be blue")
            let ox = Pictures.matrixLeft + Pictures.cell + 3
            #expect(raster[ox, y, 0] > raster[ox, y, 2], "a mistake cell should be red")
        }
    }

    @Test(arguments: [0, 1, 10, 11, 50])
    func gallerySize(count: Int) throws {
        let thumbnail = Raster(width: 28, height: 28, channels: 1, fill: 255)
        let mistakes = (0..<count).map {
            EvaluationReport.Mistake(index: $0, file: nil, label: 1, predicted: 7, confidence: 0.99, thumbnail: $0 % 2 == 0 ? thumbnail : nil)
        }
        let png = PNG.encode(Pictures.gallery(mistakes, title: "MISTAKES"))
        let decoded = try PNG.decode(png, name: "gallery.png")
        #expect((decoded.width, decoded.height) == Pictures.gallerySize(count: count))
        #expect(decoded.height == Pictures.galleryTop + max(1, (count + 9) / 10) * Pictures.tileHeight + Pictures.galleryMargin)
    }

    @Test func fontGlyphsAreFiveBySeven() {
        for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ .,:-+=><%/()#?_'" {
            let g = BitmapFont.glyph(c)
            #expect(g.count == 7 && g.allSatisfy { $0.count == 5 }, "glyph \(c)")
        }
        #expect(BitmapFont.glyph("a") == BitmapFont.glyph("A"))
        #expect(BitmapFont.width(of: "100", scale: 2) == 34)
    }

    /// `numeral read --debug` labels a digit above its box: at the right edge of a small
    /// image the label starts past the raster (data-dev synth-00134.jpg crashed so).
    @Test func drawingWhollyOutsideTheRasterIsClipped() {
        var raster = Raster(width: 20, height: 10, channels: 3, fill: 255)
        Drawing.fill(&raster, BoundingBox(minX: 25, minY: 2, maxX: 30, maxY: 4), color: (0, 0, 0))
        Drawing.fill(&raster, BoundingBox(minX: 2, minY: -9, maxX: 5, maxY: -3), color: (0, 0, 0))
        BitmapFont.draw("9", into: &raster, x: 24, y: 1, scale: 2, color: (0, 0, 0))
        Drawing.outline(&raster, BoundingBox(minX: 18, minY: 8, maxX: 40, maxY: 30), thickness: 3, color: (0, 0, 0))
        #expect(raster.pixels.filter { $0 == 0 }.count == 3 * 2 * 2)  // only the outline's corner inside
    }

    @Test func textIsDrawnWhereAsked() {
        var canvas = Canvas(width: 20, height: 10)
        canvas.text("1", x: 2, y: 1)
        // "1" has ink in its middle column on every row but the first is offset: row 0 is "..#..".
        #expect(canvas.raster[4, 1, 0] == 0)
        #expect(canvas.raster[2, 1, 0] == 255)
        #expect(canvas.raster[15, 5, 0] == 255)
    }
}

@Suite("Compare")
struct CompareTests {
    @Test func tableHasOneAlignedRowPerModel() {
        let (model, data) = makeFixture(seed: 5, count: 50)
        let rows = [ModelComparison(model: model, file: "a.safetensors", on: data, latencySamples: 3),
                    ModelComparison(model: model, file: "b.safetensors", on: data, latencySamples: 3)]
        #expect(rows[0].accuracy == evaluate(model, on: data).accuracy)
        #expect(rows[0].parameters == 42_310)
        #expect(rows.allSatisfy { $0.imagesPerSecond > 0 && $0.latencyMilliseconds > 0 })
        let lines = ModelComparison.table(rows).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("model  parameters  accuracy  macro F1"))
        #expect(lines[1].hasSuffix("a.safetensors") && lines[2].hasSuffix("b.safetensors"))
        #expect(lines[1].contains(Format.rate(rows[0].macroF1)) && lines[1].contains("42,310"))
        // Columns line up: every row is as long as the header up to the file column.
        #expect(lines[1].count - "a.safetensors".count == lines[0].count - "file".count)
    }
}
