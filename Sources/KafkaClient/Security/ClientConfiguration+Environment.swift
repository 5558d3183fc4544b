import Glibc

extension ClientConfiguration {
    /// The environment variables `init(environment:)` reads.
    public enum EnvironmentKey {
        public static let brokers = "KAFKA_BROKERS"
        public static let clientId = "KAFKA_CLIENT_ID"
        public static let securityProtocol = "KAFKA_SECURITY_PROTOCOL"
        public static let saslMechanism = "KAFKA_SASL_MECHANISM"
        public static let username = "KAFKA_USERNAME"
        public static let password = "KAFKA_PASSWORD"
        public static let caLocation = "KAFKA_SSL_CA_LOCATION"
        public static let certificateLocation = "KAFKA_SSL_CERT_LOCATION"
        public static let keyLocation = "KAFKA_SSL_KEY_LOCATION"
        /// "false" (or "none", as librdkafka spells it) turns hostname verification off.
        public static let verifyHostname = "KAFKA_SSL_VERIFY_HOSTNAME"
    }

    /// Reads the client settings from environment variables (`EnvironmentKey`): brokers,
    /// client id, security protocol, SASL mechanism and credentials, CA / certificate / key
    /// locations. Errors name the variable at fault and never echo the password.
    /// `defaultBrokers` is used when `KAFKA_BROKERS` is unset (nil: it is required).
    public init(environment: [String: String], defaultBrokers: String? = nil) throws {
        func value(_ key: String) -> String? {
            guard let raw = environment[key] else { return nil }
            let trimmed = raw.trimmingCharacters(in: " ")
            return trimmed.isEmpty ? nil : trimmed
        }
        guard let brokers = value(EnvironmentKey.brokers) ?? defaultBrokers else {
            throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.brokers) is not set (host:port[,host:port])")
        }
        do {
            try self.init(brokers: brokers)
        } catch let error as KafkaClientError {
            throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.brokers): \(error.detailWithoutPrefix)")
        }
        if let clientId = value(EnvironmentKey.clientId) { self.clientId = clientId }

        var security = SecurityConfiguration()
        if let text = value(EnvironmentKey.securityProtocol) {
            guard let parsed = SecurityConfiguration.SecurityProtocol(rawValue: text.uppercased()) else {
                let allowed = SecurityConfiguration.SecurityProtocol.allCases.map(\.rawValue).joined(separator: ", ")
                throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.securityProtocol)=\(text): expected one of \(allowed)")
            }
            security.securityProtocol = parsed
        }
        security.tls.caLocation = value(EnvironmentKey.caLocation)
        security.tls.certificateLocation = value(EnvironmentKey.certificateLocation)
        security.tls.keyLocation = value(EnvironmentKey.keyLocation)
        if let text = value(EnvironmentKey.verifyHostname) {
            switch text.lowercased() {
            case "true", "1", "yes", "https": security.tls.verifyHostname = true
            case "false", "0", "no", "none": security.tls.verifyHostname = false
            default:
                throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.verifyHostname)=\(text): expected true or false")
            }
        }
        for key in [EnvironmentKey.caLocation, EnvironmentKey.certificateLocation, EnvironmentKey.keyLocation] {
            if let path = value(key), access(path, R_OK) != 0 {
                throw KafkaClientError.invalidConfiguration("\(key)=\(path): file not readable")
            }
        }
        if (value(EnvironmentKey.certificateLocation) == nil) != (value(EnvironmentKey.keyLocation) == nil) {
            throw KafkaClientError.invalidConfiguration(
                "\(EnvironmentKey.certificateLocation) and \(EnvironmentKey.keyLocation) go together: set both or neither")
        }

        let mechanismText = value(EnvironmentKey.saslMechanism)
        if security.securityProtocol.usesSASL || mechanismText != nil {
            guard security.securityProtocol.usesSASL else {
                throw KafkaClientError.invalidConfiguration(
                    "\(EnvironmentKey.saslMechanism) is set but \(EnvironmentKey.securityProtocol) is \(security.securityProtocol.rawValue): use SASL_PLAINTEXT or SASL_SSL")
            }
            let allowed = SASLConfiguration.Mechanism.allCases.map(\.rawValue).joined(separator: ", ")
            guard let mechanismText else {
                throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.saslMechanism) is not set: expected one of \(allowed)")
            }
            guard let mechanism = SASLConfiguration.Mechanism(rawValue: mechanismText.uppercased()) else {
                throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.saslMechanism)=\(mechanismText): expected one of \(allowed)")
            }
            guard let username = value(EnvironmentKey.username) else {
                throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.username) is not set (needed for SASL)")
            }
            // The password is taken as is (spaces may be part of it) and never echoed.
            guard let password = environment[EnvironmentKey.password], !password.isEmpty else {
                throw KafkaClientError.invalidConfiguration("\(EnvironmentKey.password) is not set (needed for SASL)")
            }
            security.sasl = SASLConfiguration(mechanism: mechanism, username: username, password: password)
        }
        try security.validate()
        self.security = security
    }

    /// `init(environment:)` over this process's environment.
    public static func fromProcessEnvironment(defaultBrokers: String? = nil) throws -> ClientConfiguration {
        try ClientConfiguration(environment: processEnvironment(), defaultBrokers: defaultBrokers)
    }

    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            cursor += 1
        }
        return result
    }
}

extension KafkaClientError {
    /// The message of an `invalidConfiguration` without its "invalid configuration: " prefix.
    var detailWithoutPrefix: String {
        if case let .invalidConfiguration(detail) = self { return detail }
        return description
    }
}
