import GraphWriter
import PipelineKit

/// The store the environment asks for: SQLite at `SQLITE_PATH` by default, Dgraph when
/// `GRAPH_STORE=dgraph` (the default once `DGRAPH_URL` is set).
public enum GraphStoreFactory {
    public static func make(settings: ServiceSettings) throws -> (store: any GraphStore, description: String) {
        switch settings.graphStore {
        case "dgraph":
            guard let url = settings.dgraphURL else {
                throw ConfigurationError(variable: "DGRAPH_URL", message: "GRAPH_STORE=dgraph needs DGRAPH_URL")
            }
            return (try makeDgraph(url: url), "dgraph \(url)")
        default:
            do {
                return (try SQLiteGraphStore(path: settings.sqlitePath), "sqlite \(settings.sqlitePath)")
            } catch {
                throw ConfigurationError(variable: "SQLITE_PATH", message: "cannot open \(settings.sqlitePath): \(error)")
            }
        }
    }
}
