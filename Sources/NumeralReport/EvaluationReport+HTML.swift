public import Foundation
public import NumeralCore
import NumeralTraining
public import NumeralVision

extension EvaluationReport {
    /// The charts of the report as SVG documents, by file name (empty when there is nothing
    /// to draw: no history, or no classification for multi-digit image folders).
    public var charts: [(file: String, svg: String)] {
        var charts: [(file: String, svg: String)] = []
        if !history.isEmpty {
            let epochs = history.map { Double($0.epoch) }
            let xRange = (epochs.min()! - (history.count == 1 ? 1 : 0))...max(epochs.max()!, 1)
            var loss = SVGChart(title: "Loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
                                xRange: xRange, yRange: 0...niceCeiling(history.flatMap { [$0.loss, $0.validationLoss ?? 0] }.max()! * 1.05))
            loss.series.append(.init(name: "train", color: "#1f5aaa", points: history.map { (Double($0.epoch), $0.loss) }))
            let validationLoss = history.compactMap { r in r.validationLoss.map { (Double(r.epoch), $0) } }
            if !validationLoss.isEmpty { loss.series.append(.init(name: "validation", color: "#be1e2d", points: validationLoss, dashed: true)) }
            let accuracies = history.flatMap { [$0.accuracy] + ($0.validationAccuracy.map { [$0] } ?? []) }
            var accuracy = SVGChart(title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
                                    xRange: xRange, yRange: niceFloor(accuracies.min()! - 0.005)...1)
            accuracy.legend = .bottomRight
            accuracy.integerX = true
            loss.integerX = true
            accuracy.series.append(.init(name: "train", color: "#1f5aaa", points: history.map { (Double($0.epoch), $0.accuracy) }))
            let validationAccuracy = history.compactMap { r in r.validationAccuracy.map { (Double(r.epoch), $0) } }
            if !validationAccuracy.isEmpty {
                accuracy.series.append(.init(name: "validation", color: "#be1e2d", points: validationAccuracy, dashed: true))
            }
            charts.append(("loss.svg", loss.svg))
            charts.append(("accuracy.svg", accuracy.svg))
        }
        if let k = classification {
            var reliability = SVGChart(title: "Reliability diagram (ECE \(Format.rate(k.calibration.expectedCalibrationError)))",
                                       xLabel: "confidence of the answer", yLabel: "accuracy", xRange: 0...1, yRange: 0...1)
            reliability.bars = k.calibration.bins.filter { $0.count > 0 }.map { .init(x0: $0.lower, x1: $0.upper, y: $0.accuracy) }
            reliability.diagonal = true
            reliability.legend = .topLeft
            reliability.series.append(.init(name: "accuracy at mean confidence", color: "#be1e2d",
                                            points: k.calibration.bins.filter { $0.count > 0 }.map { ($0.confidence, $0.accuracy) }))
            charts.append(("reliability.svg", reliability.svg))

            let lowest = k.coverage.points.map(\.accuracy).min() ?? 0
            var coverage = SVGChart(title: "Accuracy when unsure answers are rejected", xLabel: "coverage (share of answers kept)",
                                    yLabel: "accuracy of the kept answers", xRange: 0...1, yRange: niceFloor(lowest - 0.002)...1)
            coverage.legend = .bottomLeft
            coverage.series.append(.init(name: "accuracy", color: "#1f5aaa", points: k.coverage.points.map { ($0.coverage, $0.accuracy) }))
            charts.append(("coverage.svg", coverage.svg))
        }
        return charts
    }

    /// The confusion-matrix heatmap and the gallery of mistakes (classification reports only).
    public var pictures: [(file: String, raster: Raster)] {
        var pictures: [(file: String, raster: Raster)] = []
        if let k = classification {
            let what = data.source == "images" ? "IMAGES" : "TEST IMAGES"
            pictures.append(("confusion.png", Pictures.confusionMatrix(k.matrix, title: "\(model.name) - \(Format.count(data.samples)) \(what)")))
            pictures.append(("gallery.png", Pictures.gallery(k.mistakes, title: "MOST CONFIDENT MISTAKES - T TRUE, P PREDICTED")))
        } else if let images {
            pictures.append(("reads.png", Pictures.readsGallery(images.wrongReads(), previews: images.previews,
                                                                title: "MOST CONFIDENT WRONG READS - LABEL, THEN READ")))
        }
        return pictures
    }

    /// One self-contained HTML page: the PNG pictures embedded as base64 data, the charts as
    /// inline SVG, no scripts and no external resources, so it opens offline.
    public func html(pictures: [(file: String, raster: Raster)]? = nil) -> String {
        let pictures = pictures ?? self.pictures
        let charts = Dictionary(self.charts.map { ($0.file, $0.svg) }, uniquingKeysWith: { a, _ in a })
        func image(_ file: String, alt: String) -> String {
            guard let p = pictures.first(where: { $0.file == file }) else { return "" }
            return "<img src=\"data:image/png;base64,\(PNG.encode(p.raster).base64EncodedString())\" width=\"\(p.raster.width)\" height=\"\(p.raster.height)\" alt=\"\(escapeHTML(alt))\">"
        }
        var b = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Numeral evaluation: \(escapeHTML(model.name))</title>
        <style>
        body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #ddd; font-variant-numeric: tabular-nums; }
        th { background: #f3f3f3; } td.l, th.l { text-align: left; }
        .numbers td:first-child { text-align: left; font-weight: bold; }
        .charts { display: flex; flex-wrap: wrap; gap: 1em; }
        img { image-rendering: pixelated; max-width: 100%; height: auto; }
        .note { color: #555; font-size: 0.9em; max-width: 50em; }
        </style></head><body>
        <h1>Numeral evaluation: \(escapeHTML(model.name))</h1>

        """
        b += "<table class=\"numbers\" id=\"summary\">\n"
        b += row(["model", "\(escapeHTML(model.name)), \(Format.count(model.parameters)) parameters"], first: "l", rest: "l")
        b += row(["model file", escapeHTML(model.file)], first: "l", rest: "l")
        if let lineModel {
            b += row(["line model", "\(escapeHTML(lineModel.name)), \(Format.count(lineModel.parameters)) parameters (\(escapeHTML(lineModel.file)))"],
                     first: "l", rest: "l")
        }
        b += row(["data", "\(data.source == "images" ? "image folder" : "MNIST test set"), \(Format.count(data.samples)) images (\(escapeHTML(data.path)))"], first: "l", rest: "l")
        b += row(["accuracy", Format.rate(accuracy)], first: "l", rest: "l")
        if let loss { b += row(["loss", Format.rate(loss)], first: "l", rest: "l") }
        if let k = classification {
            b += row(["macro F1", Format.rate(k.metrics.macro.f1)], first: "l", rest: "l")
            b += row(["ECE (15 bins)", Format.rate(k.calibration.expectedCalibrationError)], first: "l", rest: "l")
        }
        if let images {
            b += row(["string accuracy", Format.rate(images.stringAccuracy)], first: "l", rest: "l")
            b += row(["digit accuracy", Format.rate(images.digitAccuracy)], first: "l", rest: "l")
            b += row(["rejection rate", Format.rate(images.rejectionRate)], first: "l", rest: "l")
            b += row(["accuracy when not rejected", Format.rate(images.acceptedAccuracy)], first: "l", rest: "l")
            b += row(["unreadable images", String(images.unreadable.count)], first: "l", rest: "l")
        }
        b += row(["time", "\(Format.seconds(seconds)), \(Format.count(Int(samplesPerSecond.rounded()))) images/s"], first: "l", rest: "l")
        b += "</table>\n"

        if let k = classification {
            b += "<h2>Per class</h2>\n<table id=\"classes\">\n"
            b += "<tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th><th>predicted</th></tr>\n"
            for (c, m) in k.metrics.classes.enumerated() {
                b += row(["\(c)", Format.rate(m.precision), Format.rate(m.recall), Format.rate(m.f1), String(m.support),
                          String(k.matrix.predicted(c))], first: "l")
            }
            b += row(["macro avg", Format.rate(k.metrics.macro.precision), Format.rate(k.metrics.macro.recall),
                      Format.rate(k.metrics.macro.f1), String(k.metrics.macro.support), ""], first: "l")
            b += row(["weighted avg", Format.rate(k.metrics.weighted.precision), Format.rate(k.metrics.weighted.recall),
                      Format.rate(k.metrics.weighted.f1), String(k.metrics.weighted.support), ""], first: "l")
            b += "</table>\n<p class=\"note\">Precision of a class that is never predicted is 0 by definition, as in scikit-learn's <code>zero_division=0</code>.</p>\n"
            if images != nil {
                b += "<p class=\"note\">Image folder: an image read as exactly one digit counts with that digit, even when it was marked uncertain (\"?\", which the string accuracy counts as wrong); anything else (nothing, several digits, unreadable) is \"none\" and lowers recall only.</p>\n"
            }

            b += "<h2>Confusion matrix</h2>\n<p class=\"note\">Rows: true class; columns: predicted class. Blue: share of the row answered right; red: mistakes (square-root scale, so a few errors still show).</p>\n"
            b += image("confusion.png", alt: "confusion matrix") + "\n"
            b += "<h3>Most confused pairs</h3>\n<table id=\"pairs\"><tr><th>true</th><th>predicted</th><th>count</th><th>share of the true class</th></tr>\n"
            for p in k.confusedPairs {
                b += row([String(p.trueClass), String(p.predictedClass), String(p.count), Format.percent(p.rate)])
            }
            b += "</table>\n"

            b += "<h2>Mistakes, most confident first</h2>\n<p class=\"note\">T: true label (green), P: predicted (red), then the model's confidence in its wrong answer.</p>\n"
            b += image("gallery.png", alt: "gallery of misclassified digits") + "\n"

            let c = k.calibration
            b += "<h2>Calibration</h2>\n<p>Expected calibration error <b id=\"ece\">\(Format.rate(c.expectedCalibrationError))</b>, maximum \(Format.rate(c.maximumCalibrationError)) (\(c.bins.count) equal-width confidence bins).</p>\n"
            b += "<div class=\"charts\">\(charts["reliability.svg"] ?? "")\(charts["coverage.svg"] ?? "")</div>\n"
            b += "<table id=\"calibration\"><tr><th>confidence</th><th>count</th><th>accuracy</th><th>mean confidence</th></tr>\n"
            for bin in c.bins where bin.count > 0 {
                b += row([String(format: "(%.3f, %.3f]", bin.lower, bin.upper), String(bin.count), Format.rate(bin.accuracy), Format.rate(bin.confidence)])
            }
            b += "</table>\n"
            b += "<h3>Rejecting unsure answers</h3>\n<p class=\"note\">Answers whose confidence is below the threshold are rejected (\"not sure\"); coverage is the share kept, accuracy is measured on the kept answers, errors kept is the share of all samples answered wrongly anyway.</p>\n"
            b += "<table id=\"coverage\"><tr><th>threshold</th><th>coverage</th><th>accuracy</th><th>errors kept</th></tr>\n"
            for p in k.coverage.thresholds {
                b += row([String(p.threshold), Format.rate(p.coverage), Format.rate(p.accuracy), Format.rate(p.risk)])
            }
            b += "</table>\n"
        }

        if let images {
            b += "<h2>Image folder</h2>\n"
            if !images.unreadable.isEmpty {
                b += "<h3>Unreadable images</h3>\n<table id=\"unreadable\"><tr><th class=\"l\">file</th><th class=\"l\">error</th></tr>\n"
                for item in images.unreadable { b += row([escapeHTML(item.file), escapeHTML(item.error ?? "")], first: "l", rest: "l") }
                b += "</table>\n"
            }
            if pictures.contains(where: { $0.file == "reads.png" }) {
                b += "<h3>Most confident wrong reads</h3>\n<p class=\"note\">The image, its label (green), and what was read (red) with the confidence of the whole number.</p>\n"
                b += image("reads.png", alt: "gallery of wrongly read images") + "\n"
            }
            let wrong = images.items.filter { !$0.correct && $0.error == nil }
            b += "<h3>Wrong or uncertain reads (\(wrong.count))</h3>\n<table id=\"wrong\"><tr><th class=\"l\">file</th><th class=\"l\">label</th><th class=\"l\">read</th><th>confidence</th></tr>\n"
            for item in wrong.prefix(200) {
                b += row([escapeHTML(item.file), escapeHTML(item.label), escapeHTML(item.text ?? ""), item.confidence.map(Format.rate) ?? ""], first: "l", rest: "l")
            }
            b += "</table>\n"
        }

        if !history.isEmpty {
            b += "<h2>Training</h2>\n<div class=\"charts\">\(charts["loss.svg"] ?? "")\(charts["accuracy.svg"] ?? "")</div>\n"
            b += "<table id=\"history\"><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th><th>seconds</th></tr>\n"
            for r in history {
                b += row([String(r.epoch), Format.rate(r.loss), Format.rate(r.accuracy), r.validationLoss.map(Format.rate) ?? "-",
                          r.validationAccuracy.map(Format.rate) ?? "-", String(format: "%.1f", r.seconds)])
            }
            b += "</table>\n"
        }
        b += "<p class=\"note\">Written by <code>numeral evaluate --report</code>; every number is also in <code>report.json</code> (format: docs/evaluation-json.md).</p>\n</body></html>\n"
        return b
    }

    /// Writes report.html, report.json, report.txt, the PNG pictures and the SVG charts into
    /// `directory` (created if needed). Returns the files written.
    @discardableResult
    public func write(to directory: String) throws(ReportWriteError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: directory, reason: error.localizedDescription)
        }
        let pictures = self.pictures
        var files: [(String, Data)] = pictures.map { ($0.file, PNG.encode($0.raster)) }
        files += charts.map { ($0.file, Data($0.svg.utf8)) }
        files.append(("report.json", Data((json(prettyPrinted: true) + "\n").utf8)))
        files.append(("report.txt", Data(text.utf8)))
        files.append(("report.html", Data(html(pictures: pictures).utf8)))
        for (name, data) in files {
            do { try writeAtomically(data, to: directory + "/" + name) } catch { throw .cannotWrite(error) }
        }
        return files.map { directory + "/" + $0.0 }
    }
}

/// Why `--report DIR` could not be written.
public enum ReportWriteError: Error, Equatable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotWrite(FileWriteError)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason): "cannot create the report directory \(path): \(reason)"
        case let .cannotWrite(error): error.description
        }
    }
}

private func row(_ cells: [String], first: String = "", rest: String = "") -> String {
    "<tr>" + cells.enumerated().map { i, c in
        let cls = i == 0 ? first : rest
        return cls.isEmpty ? "<td>\(c)</td>" : "<td class=\"\(cls)\">\(c)</td>"
    }.joined() + "</tr>\n"
}

/// A round value at or above `x` for an axis end (two significant digits).
private func niceCeiling(_ x: Double) -> Double {
    guard x > 0 else { return 1 }
    let m = pow(10, floor(log10(x)) - 1)
    return (x / m).rounded(.up) * m
}

/// A round value at or below `x` in [0, 1] for an accuracy axis.
private func niceFloor(_ x: Double) -> Double { max(0, (x * 100).rounded(.down) / 100) }
