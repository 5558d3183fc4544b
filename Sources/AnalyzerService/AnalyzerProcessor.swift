import Analyzer
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import Miner
import PipelineKit
import PipelineModels

/// code.mined → code.analyzed. The file is read from the checkout named in the record's
/// `checkout` header (else `REPOS_ROOT/<repo>`), which must resolve inside `ALLOWED_ROOTS`, as
/// must the file itself after symlinks. A file the analyzer cannot parse is an error finding;
/// a message it cannot read (bad JSON, refused path, oversize) is dead-lettered. Size and hash
/// travel on as headers for the writer.
public struct AnalyzerProcessor: RecordProcessor {
    let settings: ServiceSettings
    let policy: PathPolicy
    let logger: Logger

    public init(settings: ServiceSettings, policy: PathPolicy, logger: Logger) {
        self.settings = settings
        self.policy = policy
        self.logger = logger
    }

    public func process(_ record: ConsumerRecord, emit: OutputSink) async throws {
        let mined = try record.message(CodeMined.self)
        let checkout: String
        if let header = record.header(PipelineHeaders.checkout), !header.isEmpty {
            checkout = header
        } else if let reposRoot = settings.reposRoot {
            checkout = reposRoot + "/" + mined.repo
        } else {
            throw ProcessingError.permanent("no \(PipelineHeaders.checkout) header and REPOS_ROOT is not set")
        }
        let root = try policy.resolveCheckout(checkout)
        let contents = try read(file: mined.file, root: root)
        let findings = analyze(file: mined.file, lang: mined.lang, contents: contents)
        let analyzed = CodeAnalyzed(repo: mined.repo, file: mined.file, lang: mined.lang, findings: findings)
        let headers = [
            RecordHeader(key: PipelineHeaders.size, value: Array(String(mined.size).utf8)),
            RecordHeader(key: PipelineHeaders.hash, value: Array(mined.hash.utf8)),
            RecordHeader(key: PipelineHeaders.checkout, value: Array(root.utf8)),
        ]
        try await emit(OutgoingRecord(topic: settings.topicCodeAnalyzed, key: mined.repo,
                                      value: Array(try analyzed.encodeJSON()), headers: headers))
    }

    /// The file's bytes, after checking that it resolves inside `root` and is not oversize.
    func read(file: String, root: String) throws -> Data {
        let joined = root + "/" + file
        guard let real = realPath(joined) else {
            // Vanished between mining and analysis, or a file system blip: worth a retry.
            throw ProcessingError.transient("cannot resolve \(file) under \(root)")
        }
        guard real.hasPrefix(root + "/") else {
            throw ProcessingError.permanent("\(file) resolves to \(real), outside the checkout \(root)")
        }
        var info = stat()
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ProcessingError.permanent("\(file) is not a regular file")
        }
        guard Int(info.st_size) <= settings.maxFileSize else {
            throw ProcessingError.permanent("\(file) has \(info.st_size) bytes, above MAX_FILE_SIZE \(settings.maxFileSize)")
        }
        guard let data = FileManager.default.contents(atPath: real) else {
            throw ProcessingError.transient("cannot read \(real)")
        }
        return data
    }

    func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
