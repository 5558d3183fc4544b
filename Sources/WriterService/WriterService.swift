import Hummingbird
import Logging
import PipelineKit

/// The graph writer service: consumes `code.analyzed`, applies it to the graph store, publishes
/// `graph.apply`; `GET /writer/health` shows its counters.
public enum WriterService {
    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let (store, description) = try GraphStoreFactory.make(settings: settings)
        try await store.prepare()
        let counters = WriterCounters()
        let (parts, _, metrics) = try ServiceParts.consuming(
            service: "graph-writer", sourceTopic: settings.topicCodeAnalyzed,
            processor: WriterProcessor(settings: settings, store: store, counters: counters), settings: settings, logger: logger)
        parts.router.get("writer/health") { _, _ in
            try ServiceEndpoints.json(counters.snapshot(metrics: metrics.snapshot(), store: description), status: .ok)
        }
        logger.info("graph store ready", metadata: ["store": "\(description)"])
        return parts
    }
}
