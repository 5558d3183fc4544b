import Foundation
import MinerService
import PipelineKit

// miner: repos.ingested -> code.mined. Configuration: see `miner --help`.
let code = await ServiceRunner.main(name: "miner") { settings, logger in
    try await MinerService.build(settings: settings, logger: logger)
}
exit(code)
