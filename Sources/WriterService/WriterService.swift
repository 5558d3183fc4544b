import Hummingbird
import Logging
import PipelineKit

/// The graph writer service: consumes `code.analyzed`, applies it to the graph store, publishes
/// `graph.apply`; `GET /writer/health` shows its counters.
public enum WriterService {
    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let (store, description) = try GraphStoreFactory.make(settings: settings)
        try await store.prepare()
        let metrics = PipelineMetrics(service: "graph-writer")
        let counters = WriterCounters()
        let loop = try PipelineLoop(sourceTopic: settings.topicCodeAnalyzed,
                                    processor: WriterProcessor(settings: settings, store: store, counters: counters),
                                    settings: settings, metrics: metrics, logger: logger)
        let router = Router()
        ServiceEndpoints(service: "graph-writer", metrics: metrics, cluster: loop.cluster, lag: { loop.lag() }).register(on: router)
        router.get("writer/health") { _, _ in
            try ServiceEndpoints.json(counters.snapshot(metrics: metrics.snapshot(), store: description), status: .ok)
        }
        logger.info("graph store ready", metadata: ["store": "\(description)"])
        return ServiceParts(router: router, services: [loop])
    }
}
