import Foundation
import Hummingbird
import KafkaClient
import Logging
import Miner
import PipelineKit
import PipelineModels

/// The ingestion service: `GET|POST /trigger?repo=NAME&path=DIR&ref=REF` validates the request,
/// publishes `repos.ingested` (key = repo) and answers 202 with where it was written.
public enum IngestionService {
    /// Longest request target accepted (the query carries the parameters).
    static let maxURILength = 4_096

    public static func build(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let policy = try settings.allowedRootsPolicy()
        let cluster = KafkaCluster(configuration: try settings.clientConfiguration())
        let producer = try KafkaProducer(configuration: try settings.producerConfiguration(), cluster: cluster)
        let metrics = PipelineMetrics(service: "ingestion")
        let router = Router()
        ServiceEndpoints(service: "ingestion", metrics: metrics, cluster: cluster).register(on: router)
        let handler = TriggerHandler(settings: settings, policy: policy, producer: producer, metrics: metrics, logger: logger)
        router.get("trigger") { request, _ in await handler.handle(request) }
        router.post("trigger") { request, _ in await handler.handle(request) }
        logger.info("ingestion ready", metadata: ["allowed_roots": "\(policy.allowedRoots)", "topic": "\(settings.topicReposIngested)"])
        let closer = ShutdownHook {
            await producer.close()
            await cluster.close()
        }
        return ServiceParts(router: router, services: [], closers: [closer])
    }
}

struct TriggerHandler: Sendable {
    let settings: ServiceSettings
    let policy: PathPolicy
    let producer: KafkaProducer
    let metrics: PipelineMetrics
    let logger: Logger

    struct Accepted: Encodable {
        var status = "accepted"
        var topic: String
        var partition: Int32
        var offset: Int64
        var message: RepoIngested
    }

    struct Failure: Encodable {
        var status = "error"
        var error: String
    }

    func handle(_ request: Request) async -> Response {
        metrics.recordConsumed()
        let started = ContinuousClock.now
        defer {
            let (s, atto) = (ContinuousClock.now - started).components
            metrics.recordProcessed(seconds: Double(s) + Double(atto) / 1e18)
        }
        do {
            let trigger = try await parse(request)
            let message = RepoIngested(repo: trigger.repo, ref: trigger.ref, path: trigger.path)
            let value = try message.encodeJSON()
            let metadata: RecordMetadata
            if settings.dryRun {
                logger.info("dry run: would produce", metadata: ["topic": "\(settings.topicReposIngested)",
                                                                 "value": "\(String(decoding: value, as: UTF8.self))"])
                metadata = RecordMetadata(topic: settings.topicReposIngested, partition: -1, offset: -1, timestamp: 0)
            } else {
                do {
                    metadata = try await producer.send(topic: settings.topicReposIngested, key: Array(trigger.repo.utf8),
                                                       value: Array(value))
                } catch {
                    metrics.recordError()
                    logger.error("publish failed", metadata: ["error": "\(error)"])
                    return respond(Failure(error: "could not publish to \(settings.topicReposIngested): \(error)"), status: 503)
                }
                metrics.recordProduced()
            }
            logger.info("triggered", metadata: ["repo": "\(trigger.repo)", "path": "\(trigger.path)", "ref": "\(trigger.ref)",
                                                "partition": "\(metadata.partition)", "offset": "\(metadata.offset)"])
            return respond(Accepted(topic: metadata.topic, partition: metadata.partition, offset: metadata.offset, message: message),
                           status: 202)
        } catch let error as TriggerError {
            metrics.recordError()
            logger.notice("trigger refused", metadata: ["status": "\(error.status)", "error": "\(error.message)"])
            return respond(Failure(error: error.message), status: error.status)
        } catch {
            metrics.recordError()
            return respond(Failure(error: "\(error)"), status: 500)
        }
    }

    func parse(_ request: Request) async throws -> TriggerRequest {
        guard request.uri.string.utf8.count <= IngestionService.maxURILength else {
            throw TriggerError(status: 414, message: "request target longer than \(IngestionService.maxURILength) bytes")
        }
        var parameters: [(String, String)] = []
        if let query = request.uri.query, !query.isEmpty {
            parameters = try TriggerRequest.formParameters(query)
        }
        if request.method == .post {
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > settings.maxRequestBytes {
                throw TriggerError(status: 413, message: "body larger than \(settings.maxRequestBytes) bytes")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: settings.maxRequestBytes)
            } catch {
                throw TriggerError(status: 413, message: "body larger than \(settings.maxRequestBytes) bytes")
            }
            parameters += try TriggerRequest.bodyParameters(Array(body.readableBytesView), contentType: request.headers[.contentType])
        }
        return try TriggerRequest.validate(parameters, policy: policy)
    }

    func respond<T: Encodable>(_ value: T, status: Int) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{\"status\":\"error\"}".utf8)
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
