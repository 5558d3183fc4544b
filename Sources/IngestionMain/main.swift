import Foundation
import IngestionService
import PipelineKit

// ingestion: HTTP trigger -> repos.ingested. Configuration: see `ingestion --help`.
let code = await ServiceRunner.main(name: "ingestion") { settings, logger in
    try await IngestionService.build(settings: settings, logger: logger)
}
exit(code)
