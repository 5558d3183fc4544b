import Foundation
import PipelineKit
import WriterService

// graph-writer: code.analyzed -> graph store -> graph.apply; `graph-writer query ...` reads the
// graph. Configuration: see `graph-writer --help`.
let arguments = CommandLine.arguments
if arguments.count > 1 && arguments[1] == "query" {
    exit(await GraphQueryCommand.run(arguments: Array(arguments.dropFirst(2)), environment: ProcessInfo.processInfo.environment))
}
let code = await ServiceRunner.main(name: "graph-writer") { settings, logger in
    try await WriterService.build(settings: settings, logger: logger)
}
exit(code)
