import Hummingbird
import Logging
import Miner
import PipelineKit

/// The analyzer service: consumes `code.mined`, publishes `code.analyzed`.
public enum AnalyzerService {
    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let policy = try settings.allowedRootsPolicy()
        return try ServiceParts.consuming(service: "analyzer", sourceTopic: settings.topicCodeMined,
                                          processor: AnalyzerProcessor(settings: settings, policy: policy, logger: logger),
                                          settings: settings, logger: logger).parts
    }
}
