import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// What a service's builder hands to the runner: its HTTP routes and background services.
public struct ServiceParts {
    public var router: Router<BasicRequestContext>
    /// Shut down before the HTTP server (consume loops), the last listed first.
    public var services: [any Service]
    /// Shut down after the HTTP server (what request handlers use, such as a producer).
    public var closers: [any Service]

    /// A stage that consumes `sourceTopic` through `processor`: its loop, and a router with the
    /// common endpoints (`/health`, `/ready`, `/metrics`, `/stats`).
    public static func consuming(
        service: String, sourceTopic: String, processor: some RecordProcessor, settings: ServiceSettings, logger: Logger
    ) throws -> (parts: ServiceParts, loop: PipelineLoop, metrics: PipelineMetrics) {
        let metrics = PipelineMetrics(service: service)
        let loop = try PipelineLoop(sourceTopic: sourceTopic, processor: processor, settings: settings, metrics: metrics, logger: logger)
        let router = Router()
        ServiceEndpoints(service: service, metrics: metrics, cluster: loop.cluster, lag: { loop.lag() }).register(on: router)
        return (ServiceParts(router: router, services: [loop]), loop, metrics)
    }

    public init(router: Router<BasicRequestContext>, services: [any Service], closers: [any Service] = []) {
        self.router = router
        self.services = services
        self.closers = closers
    }
}

/// The shared `main` of the service executables: `--health` probes the running service;
/// otherwise it reads the environment (exit 2 with the variable named when invalid), sets up
/// JSON logs, builds the service and runs it with its HTTP server until SIGTERM/SIGINT, which
/// shut down gracefully (background services first, HTTP last). Exit 0 after a clean stop.
public enum ServiceRunner {
    public static func main(
        name: String,
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        build: @Sendable (ServiceSettings, Logger) async throws -> ServiceParts
    ) async -> Int32 {
        let settings: ServiceSettings
        do {
            settings = try ServiceSettings(environment: environment, serviceName: name)
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            return 2
        }
        if arguments.dropFirst().contains("--health") {
            return HealthProbe.run(port: settings.httpPort)
        }
        if arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
            print(usage(name: name))
            return 0
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: name)
        do {
            let parts = try await build(settings, logger)
            let app = Application(
                router: parts.router,
                configuration: .init(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: name),
                onServerRunning: { channel in
                    logger.info("http listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                },
                logger: logger
            )
            // A background service ending (even without error) stops the whole process.
            // The group shuts services down in reverse order: loops, then HTTP, then closers.
            let services: [ServiceGroupConfiguration.ServiceConfiguration] =
                (parts.closers + [app] + parts.services).map {
                    .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup)
                }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                          logger: logger))
            try await group.run()
            logger.info("exiting")
            return 0
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            return 1
        }
    }

    static func usage(name: String) -> String {
        var text = "usage: \(name) [--health]\n\nConfigured by environment variables:\n"
        for entry in ServiceSettings.documentation {
            text += "  \(entry.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(entry.meaning) (default \(entry.defaultValue))\n"
        }
        return text
    }
}

/// Runs until graceful shutdown, then closes what it owns (the ingestion producer, say): listed
/// before the HTTP server, it is shut down after it.
public struct ShutdownHook: Service {
    let action: @Sendable () async -> Void

    public init(_ action: @escaping @Sendable () async -> Void) {
        self.action = action
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await action()
    }
}
