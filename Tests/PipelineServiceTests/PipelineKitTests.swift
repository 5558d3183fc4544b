import Foundation
import KafkaClient
import PipelineKit
import Testing

/// The runtime's pure parts: offsets, retries, dead-letter envelopes, configuration.
@Suite struct OffsetTrackerTests {
    let tp = TopicPartition("t", 0)

    @Test func commitsOnlyWhatIsAcknowledgedInOrder() {
        var tracker = OffsetTracker()
        let a = tracker.begin(tp, offset: 0)
        let b = tracker.begin(tp, offset: 1)
        tracker.addOutput(a)
        tracker.addOutput(b)
        tracker.seal(a)
        tracker.seal(b)
        #expect(tracker.pendingCommits.isEmpty, "nothing acknowledged yet")
        tracker.outputAcknowledged(b)
        #expect(tracker.pendingCommits.isEmpty, "offset 1 is done but 0 is not")
        tracker.outputAcknowledged(a)
        #expect(tracker.pendingCommits == [tp: 2])
        tracker.markCommitted([tp: 2])
        #expect(tracker.pendingCommits.isEmpty)
        #expect(tracker.inFlight == 0)
    }

    @Test func unsealedRecordHoldsItsOffsetEvenWithOutputsAcknowledged() {
        var tracker = OffsetTracker()
        let a = tracker.begin(tp, offset: 5)
        tracker.addOutput(a)
        tracker.outputAcknowledged(a)
        #expect(tracker.committable(tp) == nil, "more outputs may come until the record is sealed")
        tracker.seal(a)
        #expect(tracker.committable(tp) == 6)
    }

    @Test func recordWithoutOutputsIsDoneWhenSealed() {
        var tracker = OffsetTracker()
        tracker.seal(tracker.begin(tp, offset: 9))
        #expect(tracker.pendingCommits == [tp: 10])
    }

    @Test func rewindStartsANewEpochAndIgnoresStaleCompletions() {
        var tracker = OffsetTracker()
        let old = tracker.begin(tp, offset: 10)
        tracker.addOutput(old)
        tracker.seal(old)
        let fresh = tracker.begin(tp, offset: 7)
        tracker.outputAcknowledged(old)
        #expect(tracker.committable(tp) == nil, "the old epoch's acknowledgment is ignored")
        tracker.seal(fresh)
        #expect(tracker.committable(tp) == 8)
    }

    @Test func revokedPartitionsAreForgotten() {
        var tracker = OffsetTracker()
        let a = tracker.begin(tp, offset: 0)
        tracker.revoke([tp])
        tracker.seal(a)
        #expect(tracker.pendingCommits.isEmpty)
        #expect(tracker.inFlight == 0)
    }
}

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleAndStayWithinJitter() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelayMs: 100)
        #expect(policy.nominalDelayMs(afterAttempt: 1) == 100)
        #expect(policy.nominalDelayMs(afterAttempt: 2) == 200)
        #expect(policy.nominalDelayMs(afterAttempt: 3) == 400)
        #expect(RetryPolicy(maxAttempts: 50, baseDelayMs: 1_000).nominalDelayMs(afterAttempt: 40) == 30_000)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let delay = policy.delayMs(afterAttempt: 2, using: &rng)
            #expect((150...250).contains(delay))
        }
    }

    @Test func transientJudgement() {
        #expect(ProcessingError.isTransient(ProcessingError.transient("x")))
        #expect(!ProcessingError.isTransient(ProcessingError.permanent("x")))
        #expect(ProcessingError.isTransient(KafkaClientError.timedOut("fetch")))
        #expect(!ProcessingError.isTransient(KafkaClientError.unknownTopic("t")))
        #expect(!ProcessingError.isTransient(CocoaError(.fileReadNoSuchFile)))
    }
}

@Suite struct DeadLetterEnvelopeTests {
    @Test func textAndBinaryFieldsRoundTrip() throws {
        let record = ConsumerRecord(topic: "code.mined", partition: 2, offset: 41, timestamp: 1_700_000_000_000,
                                    key: Array("shop".utf8), value: [0xFF, 0x00, 0x7F],
                                    headers: [(key: "checkout", value: Array("/repos/shop".utf8)), (key: "empty", value: nil)])
        let envelope = DeadLetterEnvelope(record: record, error: "bad", attempts: 3, timestamp: "2026-12-02T01:00:00.000Z")
        let decoded = try JSONDecoder().decode(DeadLetterEnvelope.self, from: Data(try envelope.encodeJSON()))
        #expect(decoded == envelope)
        #expect(decoded.key == "shop" && decoded.keyEncoding == "utf8")
        #expect(decoded.valueEncoding == "base64")
        #expect(DeadLetterEnvelope.decode(decoded.value, encoding: decoded.valueEncoding) == [0xFF, 0x00, 0x7F])
        #expect(decoded.headers[1].encoding == "null" && decoded.headers[1].value == nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try envelope.encodeJSON())) as? [String: Any])
        #expect(Set(object.keys) == ["key", "key_encoding", "value", "value_encoding", "headers", "error", "topic", "partition",
                                     "offset", "attempts", "timestamp", "record_timestamp"])
    }
}

@Suite struct ServiceSettingsTests {
    @Test func defaultsMatchCompose() throws {
        let settings = try ServiceSettings(environment: [:], serviceName: "miner")
        #expect(settings.groupId == "miner")
        #expect(settings.topicCodeMined == "code.mined")
        #expect(settings.dlqTopic(for: "code.mined") == "code.mined.dlq")
        #expect(settings.maxAttempts == 3)
        #expect(settings.graphStore == "sqlite")
        #expect(!settings.dryRun)
    }

    @Test(arguments: [
        ("HTTP_PORT", "eighty"), ("HTTP_PORT", "70000"), ("MAX_ATTEMPTS", "0"), ("DRY_RUN", "maybe"),
        ("KAFKA_BROKERS", "nohostport"), ("TOPIC_CODE_MINED", "bad topic"), ("LOG_LEVEL", "loud"),
        ("KAFKA_SECURITY_PROTOCOL", "SSLV3"), ("KAFKA_SASL_MECHANISM", "PLAIN"), ("GRAPH_STORE", "neo4j"), ("DGRAPH_URL", "dgraph:8080"),
        ("SESSION_TIMEOUT_MS", "10"), ("KAFKA_MAX_API_VERSIONS", "11=5"),
    ])
    func invalidValuesNameTheVariable(name: String, value: String) {
        #expect {
            try ServiceSettings(environment: [name: value], serviceName: "x")
        } throws: { error in
            (error as? ConfigurationError)?.variable == name
        }
    }

    @Test func securitySettingsReachTheClient() throws {
        let settings = try ServiceSettings(environment: [
            "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_USERNAME": "miner", "KAFKA_PASSWORD": "s3cret pass",
        ], serviceName: "miner")
        let client = try settings.clientConfiguration()
        #expect(client.security.securityProtocol == .saslPlaintext)
        #expect(client.security.sasl == SASLConfiguration(mechanism: .scramSHA512, username: "miner", password: "s3cret pass"))
        #expect(!"\(settings)".contains("s3cret"))
    }

    @Test func dgraphURLSelectsDgraph() throws {
        let settings = try ServiceSettings(environment: ["DGRAPH_URL": "http://dgraph:8080"], serviceName: "graph-writer")
        #expect(settings.graphStore == "dgraph")
        let forced = try ServiceSettings(environment: ["DGRAPH_URL": "http://dgraph:8080", "GRAPH_STORE": "sqlite"],
                                         serviceName: "graph-writer")
        #expect(forced.graphStore == "sqlite")
    }
}

@Suite struct MetricsTests {
    @Test func prometheusExposition() {
        let metrics = PipelineMetrics(service: "analyzer")
        metrics.recordConsumed()
        metrics.recordProcessed(seconds: 0.02)
        metrics.recordProduced(2)
        metrics.recordDeadLettered()
        let text = metrics.prometheusText(lag: [TopicPartition("code.mined", 1): 7])
        #expect(text.contains("pipeline_records_consumed_total{service=\"analyzer\"} 1\n"))
        #expect(text.contains("pipeline_records_produced_total{service=\"analyzer\"} 2\n"))
        #expect(text.contains("pipeline_dead_lettered_total{service=\"analyzer\"} 1\n"))
        #expect(text.contains("pipeline_processing_seconds_bucket{service=\"analyzer\",le=\"0.01\"} 0\n"))
        #expect(text.contains("pipeline_processing_seconds_bucket{service=\"analyzer\",le=\"0.025\"} 1\n"))
        #expect(text.contains("pipeline_processing_seconds_count{service=\"analyzer\"} 1\n"))
        #expect(text.contains("pipeline_consumer_lag{service=\"analyzer\",topic=\"code.mined\",partition=\"1\"} 7\n"))
    }
}
