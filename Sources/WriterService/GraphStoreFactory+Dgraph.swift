import GraphWriter
import PipelineKit

extension GraphStoreFactory {
    // The Dgraph store is written on the `graph` branch; until it is merged, asking for it is a
    // clear startup error rather than a silent fallback to SQLite.
    static func makeDgraph(url: String) throws -> any GraphStore {
        throw ConfigurationError(variable: "GRAPH_STORE", message: "the Dgraph store (\(url)) is not in this build yet; use sqlite")
    }
}
