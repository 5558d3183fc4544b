/// How the client secures broker connections: Kafka's `security.protocol` and the TLS and SASL
/// settings it needs. Secrets (the SASL password) never appear in descriptions.
public struct SecurityConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Kafka's `security.protocol`.
    public enum SecurityProtocol: String, Sendable, CaseIterable {
        case plaintext = "PLAINTEXT"
        case ssl = "SSL"
        case saslPlaintext = "SASL_PLAINTEXT"
        case saslSSL = "SASL_SSL"

        public var usesTLS: Bool { self == .ssl || self == .saslSSL }
        public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    }

    public var securityProtocol: SecurityProtocol
    /// Used when the protocol is SSL or SASL_SSL.
    public var tls: TLSConfiguration
    /// Required when the protocol is SASL_PLAINTEXT or SASL_SSL.
    public var sasl: SASLConfiguration?

    public init(securityProtocol: SecurityProtocol = .plaintext, tls: TLSConfiguration = .init(), sasl: SASLConfiguration? = nil) {
        self.securityProtocol = securityProtocol
        self.tls = tls
        self.sasl = sasl
    }

    public static let plaintext = SecurityConfiguration()

    /// Checks that the pieces fit together (SASL settings for a SASL protocol, key with certificate).
    public func validate() throws(KafkaClientError) {
        if securityProtocol.usesSASL {
            guard let sasl else {
                throw .invalidConfiguration("\(securityProtocol.rawValue) needs a SASL mechanism, username and password")
            }
            if sasl.username.isEmpty { throw .invalidConfiguration("SASL username is empty") }
        }
        if securityProtocol.usesTLS && (tls.certificateLocation == nil) != (tls.keyLocation == nil) {
            throw .invalidConfiguration("a TLS client certificate needs both a certificate and a key location")
        }
    }

    public var description: String {
        var parts = ["protocol=\(securityProtocol.rawValue)"]
        if securityProtocol.usesTLS { parts.append(tls.description) }
        if securityProtocol.usesSASL, let sasl { parts.append(sasl.description) }
        return parts.joined(separator: " ")
    }
}

/// TLS settings: which CAs to trust, an optional client certificate, hostname verification.
public struct TLSConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// PEM file of trusted CA certificates; nil trusts the system's roots.
    public var caLocation: String?
    /// PEM client certificate (chain) and its private key, for brokers that require one.
    public var certificateLocation: String?
    public var keyLocation: String?
    /// Checks that the broker's certificate names the host (or IP) we connected to.
    /// Turning it off leaves the connection open to impersonation; it exists for lab setups.
    public var verifyHostname: Bool

    public init(caLocation: String? = nil, certificateLocation: String? = nil, keyLocation: String? = nil,
                verifyHostname: Bool = true) {
        self.caLocation = caLocation
        self.certificateLocation = certificateLocation
        self.keyLocation = keyLocation
        self.verifyHostname = verifyHostname
    }

    public var description: String {
        "ca=\(caLocation ?? "system roots") client-cert=\(certificateLocation ?? "none") verify-hostname=\(verifyHostname)"
    }
}

/// SASL mechanism and credentials.
public struct SASLConfiguration: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public enum Mechanism: String, Sendable, CaseIterable {
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
        case scramSHA512 = "SCRAM-SHA-512"
    }

    public var mechanism: Mechanism
    public var username: String
    /// Never printed: `description`, `dump` and errors show it as redacted.
    public var password: String

    public init(mechanism: Mechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }

    public var description: String { "sasl=\(mechanism.rawValue) user=\(username) password=[redacted]" }

    /// Keeps the password out of `dump` and debugger output as well.
    public var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanism, "username": username, "password": "[redacted]"])
    }
}
