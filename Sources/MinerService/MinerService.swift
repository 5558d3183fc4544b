import Hummingbird
import Logging
import Miner
import PipelineKit

/// The miner service: consumes `repos.ingested`, publishes `code.mined`.
public enum MinerService {
    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let policy = try settings.allowedRootsPolicy()
        return try ServiceParts.consuming(service: "miner", sourceTopic: settings.topicReposIngested,
                                          processor: MinerProcessor(settings: settings, policy: policy, logger: logger),
                                          settings: settings, logger: logger).parts
    }
}
