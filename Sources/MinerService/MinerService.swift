import Hummingbird
import Logging
import Miner
import PipelineKit

/// The miner service: consumes `repos.ingested`, publishes `code.mined`.
public enum MinerService {
    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let policy: PathPolicy
        do {
            policy = try PathPolicy(environmentValue: settings.allowedRoots)
        } catch {
            throw ConfigurationError(variable: "ALLOWED_ROOTS", message: error.description)
        }
        let metrics = PipelineMetrics(service: "miner")
        let loop = try PipelineLoop(sourceTopic: settings.topicReposIngested,
                                    processor: MinerProcessor(settings: settings, policy: policy, logger: logger),
                                    settings: settings, metrics: metrics, logger: logger)
        let router = Router()
        ServiceEndpoints(service: "miner", metrics: metrics, cluster: loop.cluster, lag: { loop.lag() }).register(on: router)
        return ServiceParts(router: router, services: [loop])
    }
}
