public import Hummingbird
import Numeral

/// `GET /healthz`, `GET /metrics` and `GET /v1/model`: what a load balancer, Prometheus
/// and a curious person ask.
struct InfoController {
    typealias Context = NumeralRequestContext

    let model: Model
    let modelFile: String
    let lineModel: LineModel?
    let metrics: ServerMetrics

    struct Health: ResponseEncodable, Decodable, Equatable {
        var status: String
    }

    struct ModelInfo: ResponseEncodable, Decodable, Equatable {
        var name: String
        var file: String
        var parameters: Int
        /// Accuracy and loss on the MNIST test set, as stored in the model file.
        var test: TestMetrics?
        var recipe: TrainingRecipe?
        var preprocessing: String
        /// The model that reads whole numbers, if one is loaded.
        var lineModel: LineModelInfo?
    }

    struct LineModelInfo: Codable, Equatable {
        var name: String
        var parameters: Int
        var alphabet: String
    }

    func addRoutes(to router: Router<Context>) {
        router.get("healthz") { _, _ in Health(status: "ok") }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        let info = ModelInfo(name: model.name, file: modelFile, parameters: model.parameterCount,
                             test: model.testMetrics, recipe: model.recipe, preprocessing: Model.preprocessing,
                             lineModel: lineModel.map { LineModelInfo(name: $0.network.architecture.name, parameters: $0.network.parameterCount,
                                                                      alphabet: String($0.symbols)) })
        router.get("v1/model") { _, _ in info }
    }
}
