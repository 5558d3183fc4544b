import Foundation
import Hummingbird
import KafkaClient

/// The endpoints every service serves: `/health` (liveness, with readiness in the body),
/// `/ready` (readiness: 200 only while the broker answers), `/metrics` (Prometheus) and
/// `/stats` (the counters as JSON).
public struct ServiceEndpoints: Sendable {
    public let service: String
    public let metrics: PipelineMetrics
    public let cluster: KafkaCluster
    public let lag: @Sendable () -> [TopicPartition: Int64]

    public init(service: String, metrics: PipelineMetrics, cluster: KafkaCluster,
                lag: @escaping @Sendable () -> [TopicPartition: Int64] = { [:] }) {
        self.service = service
        self.metrics = metrics
        self.cluster = cluster
        self.lag = lag
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.get("health") { _, _ -> Response in
            let (ready, detail) = await self.brokerReachable()
            return try Self.json(HealthBody(status: "ok", service: self.service, ready: ready, broker: detail), status: .ok)
        }
        router.get("ready") { _, _ -> Response in
            let (ready, detail) = await self.brokerReachable()
            return try Self.json(HealthBody(status: ready ? "ok" : "unavailable", service: self.service, ready: ready, broker: detail),
                                 status: ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: self.metrics.prometheusText(lag: self.lag()))))
        }
        router.get("stats") { _, _ -> Response in
            try Self.json(self.metrics.snapshot(lag: self.lag()), status: .ok)
        }
    }

    struct HealthBody: Codable {
        var status: String
        var service: String
        var ready: Bool
        var broker: String
    }

    /// Readiness: a metadata round trip to any broker within 2 s.
    public func brokerReachable() async -> (Bool, String) {
        let cluster = self.cluster
        return await withTaskGroup(of: (Bool, String).self) { group in
            group.addTask {
                do {
                    _ = try await cluster.refreshMetadata(topics: [])
                    return (true, "reachable")
                } catch {
                    return (false, "unreachable: \(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return (false, "unreachable: no answer within 2 s")
            }
            let first = await group.next() ?? (false, "unknown")
            group.cancelAll()
            return first
        }
    }

    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
