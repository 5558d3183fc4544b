import Hummingbird
import Logging
import Miner
import PipelineKit

/// The analyzer service: consumes `code.mined`, publishes `code.analyzed`.
public enum AnalyzerService {
    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let policy: PathPolicy
        do {
            policy = try PathPolicy(environmentValue: settings.allowedRoots)
        } catch {
            throw ConfigurationError(variable: "ALLOWED_ROOTS", message: error.description)
        }
        let metrics = PipelineMetrics(service: "analyzer")
        let loop = try PipelineLoop(sourceTopic: settings.topicCodeMined,
                                    processor: AnalyzerProcessor(settings: settings, policy: policy, logger: logger),
                                    settings: settings, metrics: metrics, logger: logger)
        let router = Router()
        ServiceEndpoints(service: "analyzer", metrics: metrics, cluster: loop.cluster, lag: { loop.lag() }).register(on: router)
        return ServiceParts(router: router, services: [loop])
    }
}
