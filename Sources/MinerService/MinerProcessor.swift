import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import Miner
import PipelineKit
import PipelineModels

/// repos.ingested → one code.mined per .py/.sql file of the checkout, walked as a stream (one
/// directory listing at a time, on a thread of its own) so a huge repository is never in memory.
public struct MinerProcessor: RecordProcessor {
    let settings: ServiceSettings
    let policy: PathPolicy
    let logger: Logger

    public init(settings: ServiceSettings, policy: PathPolicy, logger: Logger) {
        self.settings = settings
        self.policy = policy
        self.logger = logger
    }

    public func process(_ record: ConsumerRecord, emit: OutputSink) async throws {
        let message = try record.message(RepoIngested.self)
        let root = try policy.resolveCheckout(message.path)
        let walker: RepositoryWalker
        do {
            walker = try RepositoryWalker(root: root, maxFileSize: settings.maxFileSize)
        } catch {
            throw ProcessingError.permanent("\(error)")
        }
        var files = 0
        for await entry in walker.stream() {
            switch entry {
            case .file(let file):
                let mined = CodeMined(repo: message.repo, file: file.path, lang: file.language, size: file.size, hash: file.sha256)
                let headers = [
                    RecordHeader(key: PipelineHeaders.checkout, value: Array(root.utf8)),
                    RecordHeader(key: PipelineHeaders.ref, value: Array(message.ref.utf8)),
                ]
                try await emit(OutgoingRecord(topic: settings.topicCodeMined, key: message.repo,
                                              value: Array(try mined.encodeJSON()), headers: headers))
                files += 1
            case .skipped(let path, let reason):
                logger.info("skipped", metadata: ["repo": "\(message.repo)", "path": "\(path)", "reason": "\(reason)"])
            }
        }
        logger.info("mined", metadata: ["repo": "\(message.repo)", "root": "\(root)", "files": "\(files)"])
    }
}
