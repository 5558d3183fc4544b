import KafkaProtocol
import Synchronization

/// A connection that has negotiated api versions: what producers, consumers and admin talk to.
public final class BrokerSession: Sendable {
    public let connection: BrokerConnection
    public let versions: ApiVersionTable
    /// The broker's node id when known from metadata (-1 for a bootstrap connection).
    public let nodeId: Int32
    /// Re-authentication before the SASL session lifetime ends (nil without SASL or lifetime).
    private let reauthentication = Mutex<Task<Void, Never>?>(nil)

    init(connection: BrokerConnection, versions: ApiVersionTable, nodeId: Int32) {
        self.connection = connection
        self.versions = versions
        self.nodeId = nodeId
    }

    public static let clientSoftwareName = "swift-kafka"
    public static let clientSoftwareVersion = "0.1.0"

    /// Connects, runs the ApiVersions exchange and then, when configured, SASL
    /// (`options.sasl`). A broker that does not know our ApiVersions
    /// version answers UNSUPPORTED_VERSION (possibly listing what it does know); we retry once
    /// at the version it offers, or v0, as the protocol guide prescribes.
    public static func open(
        host: String, port: Int, nodeId: Int32 = -1,
        options: BrokerConnection.Options = .init(), caps: [Int16: Int16] = [:]
    ) async throws -> BrokerSession {
        let connection = try await BrokerConnection.connect(host: host, port: port, options: options)
        do {
            let table = try await negotiate(connection, caps: caps)
            let session = BrokerSession(connection: connection, versions: table, nodeId: nodeId)
            if let sasl = options.sasl {
                let authenticator = SaslAuthenticator(sasl)
                let lifetime = try await authenticator.authenticate(connection, versions: table)
                session.scheduleReauthentication(authenticator, sessionLifetimeMs: lifetime)
            }
            return session
        } catch {
            connection.close()
            throw error
        }
    }

    static func negotiate(_ connection: BrokerConnection, caps: [Int16: Int16]) async throws -> ApiVersionTable {
        var version = ApiVersionsRequest.validVersions.highest
        if let cap = caps[ApiVersionsRequest.apiKey ?? 18] { version = min(version, cap) }
        for _ in 0..<2 {
            var request = ApiVersionsRequest()
            request.clientSoftwareName = clientSoftwareName
            request.clientSoftwareVersion = clientSoftwareVersion
            let frame = try await connection.send(request, version: version)
            guard let response = frame.body as? ApiVersionsResponse else {
                throw KafkaClientError.protocolViolation(broker: connection.peer, detail: "ApiVersions answered with \(type(of: frame.body))")
            }
            let code = KafkaErrorCode(rawValue: response.errorCode)
            if code == .unsupportedVersion {
                let offered = response.apiKeys.first { $0.apiKey == 18 }?.maxVersion ?? 0
                version = min(max(0, offered), version - 1)
                continue
            }
            guard code == .none else {
                throw KafkaClientError.broker(code, broker: connection.peer, context: "ApiVersions")
            }
            return ApiVersionTable(response, caps: caps)
        }
        throw KafkaClientError.protocolViolation(broker: connection.peer, detail: "ApiVersions negotiation did not converge")
    }

    /// Sends a request at the highest version both sides support and returns the typed response
    /// (`queued`: see `BrokerConnection.send`).
    public func send<Request: KafkaRequest>(
        _ request: Request, timeoutMs: Int? = nil, queued: (@Sendable () -> Void)? = nil
    ) async throws -> (response: Request.Response, version: Int16) {
        let version = try negotiatedVersion(Request.self)
        let frame = try await connection.send(request, version: version, timeoutMs: timeoutMs, queued: queued)
        guard let response = frame.body as? Request.Response else {
            throw KafkaClientError.protocolViolation(broker: connection.peer, detail: "unexpected response type \(type(of: frame.body))")
        }
        return (response, version)
    }

    /// Sends a request that gets no answer (Produce with acks=0).
    public func sendWithoutResponse<Request: KafkaRequest>(_ request: Request) async throws {
        let version = try negotiatedVersion(Request.self)
        try await connection.sendWithoutResponse(request, version: version)
    }

    public func negotiatedVersion<Request: KafkaRequest>(_ type: Request.Type) throws -> Int16 {
        guard let key = Request.apiKey, let version = versions.version(for: key) else {
            throw KafkaClientError.unsupportedApi(name: Request.messageName, broker: connection.peer)
        }
        return version
    }

    public func close() {
        reauthentication.withLock { task in
            task?.cancel()
            task = nil
        }
        connection.close()
    }

    /// KIP-368: the broker closes a SASL connection whose session lifetime has passed unless
    /// the client authenticates again on it first. New requests wait while the answers in
    /// flight arrive and the exchange runs alone on the connection; a failed
    /// re-authentication closes the connection, and its owner reconnects (or reports the
    /// authentication error) as after any other failure.
    private func scheduleReauthentication(_ authenticator: SaslAuthenticator, sessionLifetimeMs: Int64) {
        guard ReauthenticationSchedule.delayMs(sessionLifetimeMs: sessionLifetimeMs) != nil else { return }
        let connection = self.connection, versions = self.versions
        let task = Task {
            var lifetime = sessionLifetimeMs
            while let delay = ReauthenticationSchedule.delayMs(sessionLifetimeMs: lifetime) {
                do {
                    try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000)
                } catch {
                    return
                }
                if await connection.isClosed { return }
                do {
                    try await connection.pauseForReauthentication()
                    lifetime = try await authenticator.authenticate(connection, versions: versions)
                    connection.resumeAfterReauthentication()
                } catch {
                    connection.close()
                    return
                }
            }
        }
        reauthentication.withLock { $0 = task }
    }
}
