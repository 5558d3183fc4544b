import KafkaProtocol

/// Runs SASL on a connection that has negotiated api versions: SaslHandshake v1 names the
/// mechanism, then SaslAuthenticate (v0–v2, header-framed) carries the mechanism's messages.
/// Every refusal ends in one `KafkaClientError.authenticationFailed`; the caller closes the
/// connection. The password never leaves this type except inside the mechanism's messages.
struct SaslAuthenticator: Sendable {
    let configuration: SASLConfiguration
    /// Overrides the random SCRAM nonce (tests reproducing a fixed exchange).
    var nonce: String?

    init(_ configuration: SASLConfiguration, nonce: String? = nil) {
        self.configuration = configuration
        self.nonce = nonce
    }

    /// Authenticates and returns the broker's session lifetime in ms (0: no limit).
    func authenticate(_ connection: BrokerConnection, versions: ApiVersionTable) async throws -> Int64 {
        let mechanism = configuration.mechanism.rawValue
        guard let handshakeVersion = versions.version(for: SaslHandshakeRequest.apiKey ?? 17), handshakeVersion >= 1,
              let authenticateVersion = versions.version(for: SaslAuthenticateRequest.apiKey ?? 36) else {
            throw failure(connection, "the broker offers no SaslHandshake v1 / SaslAuthenticate: is this a SASL listener?")
        }

        var handshake = SaslHandshakeRequest()
        handshake.mechanism = mechanism
        let handshakeResponse: SaslHandshakeResponse
        do {
            handshakeResponse = try await exchange(connection, handshake, version: handshakeVersion)
        } catch KafkaClientError.transport(.closedByPeer) {
            // Tansu, for one, hangs up on a mechanism it does not offer instead of answering 33.
            throw failure(connection, "the broker closed the connection on SaslHandshake(\(mechanism)): mechanism not enabled?")
        }
        let handshakeCode = KafkaErrorCode(rawValue: handshakeResponse.errorCode)
        guard handshakeCode == .none else {
            let offered = handshakeResponse.mechanisms.joined(separator: ", ")
            throw failure(connection, "SaslHandshake: \(handshakeCode.name) (the broker offers: \(offered.isEmpty ? "none" : offered))")
        }

        switch configuration.mechanism {
        case .plain:
            let answer = try await authenticateStep(
                connection, PlainMechanism.message(username: configuration.username, password: configuration.password),
                version: authenticateVersion)
            return answer.sessionLifetimeMs
        case .scramSHA256, .scramSHA512:
            var scram = ScramClient(hash: configuration.mechanism == .scramSHA256 ? .sha256 : .sha512,
                                    username: configuration.username, password: configuration.password, nonce: nonce)
            let serverFirst = try await authenticateStep(connection, scram.clientFirstMessage(), version: authenticateVersion)
            let clientFinal: [UInt8]
            do {
                clientFinal = try scram.clientFinalMessage(serverFirst: serverFirst.authBytes)
            } catch {
                throw failure(connection, error.description)
            }
            let serverFinal = try await authenticateStep(connection, clientFinal, version: authenticateVersion)
            // Judge by server-final, not by the error code: Tansu answers a failed exchange
            // ("e=unknown-user") with error code 0 and would go on serving the connection.
            do {
                try scram.verifyServerFinal(serverFinal.authBytes)
            } catch {
                throw failure(connection, error.description)
            }
            return serverFinal.sessionLifetimeMs
        }
    }

    private func authenticateStep(_ connection: BrokerConnection, _ bytes: [UInt8], version: Int16) async throws -> SaslAuthenticateResponse {
        var request = SaslAuthenticateRequest()
        request.authBytes = bytes
        let response: SaslAuthenticateResponse = try await exchange(connection, request, version: version)
        let code = KafkaErrorCode(rawValue: response.errorCode)
        guard code == .none else {
            var detail = "\(code.name)"
            if let message = response.errorMessage, !message.isEmpty { detail += ": \(message)" }
            if let text = String(validating: response.authBytes, as: UTF8.self), text.hasPrefix("e=") { detail += " (\(text))" }
            throw failure(connection, detail)
        }
        return response
    }

    private func exchange<Request: KafkaMessage, Response: KafkaMessage>(
        _ connection: BrokerConnection, _ request: Request, version: Int16
    ) async throws -> Response {
        let frame = try await connection.send(request, version: version, duringPause: true)
        guard let response = frame.body as? Response else {
            throw KafkaClientError.protocolViolation(broker: connection.peer, detail: "\(Request.messageName) answered with \(type(of: frame.body))")
        }
        return response
    }

    private func failure(_ connection: BrokerConnection, _ detail: String) -> KafkaClientError {
        .authenticationFailed(broker: connection.peer, mechanism: configuration.mechanism.rawValue,
                              username: configuration.username, detail: detail)
    }
}

/// When to re-authenticate (KIP-368): at a random point between 85 % and 95 % of the
/// session lifetime the broker granted, as Kafka's Java client does, so that many
/// connections opened together do not re-authenticate together.
enum ReauthenticationSchedule {
    static func delayMs(sessionLifetimeMs: Int64, jitter: Double = Double.random(in: 0...1)) -> Int64? {
        guard sessionLifetimeMs > 0 else { return nil }
        let fraction = 0.85 + 0.10 * min(max(jitter, 0), 1)
        return max(1, Int64(Double(sessionLifetimeMs) * fraction))
    }
}
