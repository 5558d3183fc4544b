import GraphWriter
import PipelineKit

extension GraphStoreFactory {
    static func makeDgraph(url: String) throws -> any GraphStore {
        do {
            return try DgraphGraphStore(url: url)
        } catch {
            throw ConfigurationError(variable: "DGRAPH_URL", message: "\(error)")
        }
    }
}
