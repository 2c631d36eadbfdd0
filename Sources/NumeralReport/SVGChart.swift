import Foundation

/// A small line-and-bar chart written as SVG text: linear axes with ticks, a legend, optional
/// bars (reliability diagram) and the y = x diagonal. No scripts or external resources, so it
/// works inline in an offline HTML file.
struct SVGChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }
    struct Bar {
        var x0: Double, x1: Double, y: Double
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>
    var series: [Series] = []
    var bars: [Bar] = []
    var barColor = "#1f5aaa"
    var diagonal = false
    /// Ticks on whole numbers only along x (epochs).
    var integerX = false
    enum Corner { case topLeft, topRight, bottomLeft, bottomRight }
    /// Where the legend goes: a corner the data leaves empty.
    var legend = Corner.topRight
    var width = 520, height = 320

    private let left = 62.0, right = 16.0, top = 34.0, bottom = 46.0

    func x(_ v: Double) -> Double {
        left + (v - xRange.lowerBound) / max(xRange.upperBound - xRange.lowerBound, 1e-12) * (Double(width) - left - right)
    }
    func y(_ v: Double) -> Double {
        Double(height) - bottom - (v - yRange.lowerBound) / max(yRange.upperBound - yRange.lowerBound, 1e-12)
            * (Double(height) - top - bottom)
    }

    var svg: String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<title>\(escapeHTML(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Int(left))\" y=\"20\" font-size=\"13\" font-weight=\"bold\">\(escapeHTML(title))</text>\n"
        // Grid and ticks.
        for v in ticks(xRange, integer: integerX) {
            s += "<line x1=\"\(f(x(v)))\" y1=\"\(f(y(yRange.lowerBound)))\" x2=\"\(f(x(v)))\" y2=\"\(f(y(yRange.upperBound)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(x(v)))\" y=\"\(f(Double(height) - bottom + 15))\" text-anchor=\"middle\">\(tick(v))</text>\n"
        }
        for v in ticks(yRange) {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(Double(width) - right))\" y2=\"\(f(y(v)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(tick(v))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(Double(width) - left - right))\" height=\"\(f(Double(height) - top - bottom))\" fill=\"none\" stroke=\"#888\"/>\n"
        s += "<text x=\"\(f((left + Double(width) - right) / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(escapeHTML(xLabel))</text>\n"
        s += "<text transform=\"translate(14 \(f((top + Double(height) - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escapeHTML(yLabel))</text>\n"
        for b in bars {
            let top = y(min(max(b.y, yRange.lowerBound), yRange.upperBound))
            s += "<rect x=\"\(f(x(b.x0) + 1))\" y=\"\(f(top))\" width=\"\(f(max(x(b.x1) - x(b.x0) - 2, 0)))\" height=\"\(f(y(yRange.lowerBound) - top))\" fill=\"\(barColor)\" fill-opacity=\"0.75\"/>\n"
        }
        if diagonal {
            s += "<line x1=\"\(f(x(xRange.lowerBound)))\" y1=\"\(f(y(yRange.lowerBound)))\" x2=\"\(f(x(xRange.upperBound)))\" y2=\"\(f(y(yRange.upperBound)))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"
        }
        for line in series where !line.points.isEmpty {
            let path = line.points.map { "\(f(x($0.x))),\(f(y(min(max($0.y, yRange.lowerBound), yRange.upperBound))))" }
                .joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 3\"" : "")/>\n"
            if line.points.count <= 30 {
                for p in line.points {
                    s += "<circle cx=\"\(f(x(p.x)))\" cy=\"\(f(y(min(max(p.y, yRange.lowerBound), yRange.upperBound))))\" r=\"2.5\" fill=\"\(line.color)\"/>\n"
                }
            }
        }
        // Legend, one row per series.
        for (k, line) in series.enumerated() {
            let atTop = legend == .topLeft || legend == .topRight
            let atLeft = legend == .topLeft || legend == .bottomLeft
            let ly = atTop ? top + 18 + Double(k) * 16 : Double(height) - bottom - 10 - Double(series.count - 1 - k) * 16
            let lx = atLeft ? left + 10 : Double(width) - right - 170
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 22))\" y2=\"\(f(ly - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 3\"" : "")/>\n"
            s += "<text x=\"\(f(lx + 28))\" y=\"\(f(ly))\">\(escapeHTML(line.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// About five round tick values inside `range`.
    private func ticks(_ range: ClosedRange<Double>, integer: Bool = false) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return [range.lowerBound] }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        var step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        if integer { step = max(1, step.rounded(.up)) }
        var values: [Double] = []
        var v = (range.lowerBound / step).rounded(.up) * step
        while v <= range.upperBound + step * 1e-9 { values.append(v); v += step }
        return values
    }

    private func tick(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(format: "%g", (v * 1e6).rounded() / 1e6)
    }
    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// Escapes text for HTML and SVG.
func escapeHTML(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}
