import AnalyzerService
import Foundation
import PipelineKit

// analyzer: code.mined -> code.analyzed. Configuration: see `analyzer --help`.
let code = await ServiceRunner.main(name: "analyzer") { settings, logger in
    try await AnalyzerService.build(settings: settings, logger: logger)
}
exit(code)
