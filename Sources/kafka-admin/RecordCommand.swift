import ArgumentParser
import Foundation
import KafkaRecorder

/// `kafka-admin record`: a recording proxy between a Kafka client and a broker.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Proxy a Kafka connection and record every frame to files.",
        discussion: """
            Listens on --listen, connects each accepted client to --upstream, copies bytes both ways \
            unchanged, and writes each frame (with its 4-byte size prefix) to \
            DIR/NNNNN-<apiKey>-v<version>-<request|response>.bin plus one line per frame in \
            DIR/frames.jsonl. Responses are matched to requests by correlation id. Stops on SIGINT or \
            SIGTERM. Make the broker advertise the --listen address, or clients will bypass the proxy.

            Example:
              tansu broker --listener-url tcp://127.0.0.1:19092 \\
                --advertised-listener-url tcp://127.0.0.1:9092 --storage-engine memory://tansu/ &
              kafka-admin record --listen 127.0.0.1:9092 --upstream 127.0.0.1:19092 \\
                --out Fixtures/frames/demo --client-label librdkafka-2.16.1 --broker-label tansu-0.6.0
            """
    )

    @Option(help: "Loopback address to accept clients on, HOST:PORT (numeric IPv4).")
    var listen: String

    @Option(help: "Broker address to forward to, HOST:PORT (numeric IPv4).")
    var upstream: String

    @Option(help: "Directory for frame files and frames.jsonl (created if missing).")
    var out: String

    @Option(help: "Client name recorded with every frame.")
    var clientLabel: String = "unknown-client"

    @Option(help: "Broker name recorded with every frame.")
    var brokerLabel: String = "unknown-broker"

    func validate() throws {
        guard Endpoint(parsing: listen) != nil else { throw ValidationError("--listen must be IPv4:PORT") }
        guard Endpoint(parsing: upstream) != nil else { throw ValidationError("--upstream must be IPv4:PORT") }
    }

    func run() throws {
        guard let listenAt = Endpoint(parsing: listen), let upstreamAt = Endpoint(parsing: upstream) else {
            throw ValidationError("bad address")
        }
        let store = try FrameStore(
            directory: URL(fileURLWithPath: out), clientLabel: clientLabel, brokerLabel: brokerLabel)
        StopSignals.handle { signal in
            let frames = store.close()
            FileHandle.standardError.write(Data("kafka-admin record: signal \(signal), stopped after \(frames) frame(s)\n".utf8))
            Foundation.exit(0)
        }
        let proxy = RecordingProxy(listen: listenAt, upstream: upstreamAt, store: store)
        try proxy.bind()
        // Scripts wait for this line before starting clients.
        FileHandle.standardError.write(Data("kafka-admin record: listening on \(listenAt), upstream \(upstreamAt), out \(out)\n".utf8))
        proxy.run()
        _ = store.close()
    }
}
