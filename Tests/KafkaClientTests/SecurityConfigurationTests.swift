import KafkaClient
import Testing

/// Security settings from the environment: values, errors naming the variable, no secrets shown.
@Suite struct SecurityConfigurationTests {
    let password = "hunter2-Very-Secret"

    @Test func readsEverySetting() throws {
        let config = try ClientConfiguration(environment: [
            "KAFKA_BROKERS": "b1:9093, b2:9094",
            "KAFKA_CLIENT_ID": "ingestion",
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_USERNAME": "svc",
            "KAFKA_PASSWORD": password,
            "KAFKA_SSL_CA_LOCATION": "/etc/ssl/certs/ca-certificates.crt",
        ])
        #expect(config.bootstrapServers.map(\.description) == ["b1:9093", "b2:9094"])
        #expect(config.clientId == "ingestion")
        #expect(config.security.securityProtocol == .saslSSL)
        #expect(config.security.sasl == SASLConfiguration(mechanism: .scramSHA512, username: "svc", password: password))
        #expect(config.security.tls.caLocation == "/etc/ssl/certs/ca-certificates.crt")
        #expect(config.security.tls.verifyHostname)
    }

    @Test func defaultsToPlaintext() throws {
        let config = try ClientConfiguration(environment: [:], defaultBrokers: "127.0.0.1:9092")
        #expect(config.security == .plaintext)
        #expect(throws: KafkaClientError.self) { try ClientConfiguration(environment: [:]) }
    }

    @Test(arguments: [
        (["KAFKA_BROKERS": "nohost"], "KAFKA_BROKERS"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "TLS"], "KAFKA_SECURITY_PROTOCOL"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"], "KAFKA_SASL_MECHANISM"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "GSSAPI"], "KAFKA_SASL_MECHANISM"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "PLAIN"], "KAFKA_USERNAME"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_USERNAME": "u"], "KAFKA_PASSWORD"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SASL_MECHANISM": "PLAIN"], "KAFKA_SECURITY_PROTOCOL"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CA_LOCATION": "/nonexistent/ca.pem"], "KAFKA_SSL_CA_LOCATION"),
        (["KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_VERIFY_HOSTNAME": "maybe"], "KAFKA_SSL_VERIFY_HOSTNAME"),
    ])
    func errorsNameTheVariable(environment: [String: String], variable: String) {
        do {
            _ = try ClientConfiguration(environment: environment)
            Issue.record("accepted \(environment)")
        } catch {
            #expect("\(error)".contains(variable), "\(error)")
        }
    }

    @Test func thePasswordNeverShows() throws {
        let config = try ClientConfiguration(environment: [
            "KAFKA_BROKERS": "b:1", "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "PLAIN",
            "KAFKA_USERNAME": "svc", "KAFKA_PASSWORD": password,
        ])
        let sasl = try #require(config.security.sasl)
        var dumped = ""
        dump(sasl, to: &dumped)
        for shown in ["\(config.security)", "\(sasl)", String(reflecting: sasl), dumped] {
            #expect(!shown.contains(password), "\(shown)")
            #expect(shown.contains("svc"))
        }
        let error = KafkaClientError.authenticationFailed(broker: "b:1", mechanism: "PLAIN", username: "svc", detail: "refused")
        #expect(!"\(error)".contains(password))
    }
}
