import Foundation
import GraphWriter
import PipelineModels
import Synchronization
import Testing

/// The Dgraph store against a loopback server that answers as Dgraph's HTTP API does: what it
/// sends (schema, upsert blocks, commitNow), how it reads errors inside HTTP 200, and retries.
@Suite struct DgraphGraphStoreTests {
    static let ordersFile = GraphFile(repo: "shop", path: "models/orders.sql", lang: .sql, size: 120, hash: "abc",
                                      findings: .sql(tables: ["raw.orders", "customers", "customers"]))

    static func store(_ server: FakeDgraphServer, attempts: Int = 3) -> DgraphGraphStore {
        DgraphGraphStore(url: server.url, attempts: attempts, backoff: .milliseconds(1))
    }

    @Test func prepareAltersTheSchemaWithAnUpsertIndexOnXid() async throws {
        let server = try FakeDgraphServer { _ in (200, DgraphAnswers.alterDone) }
        defer { server.stop() }
        try await Self.store(server).prepare()
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "POST" && request.target == "/alter")
        #expect(request.body.contains("xid: string @index(exact) @upsert ."))
        #expect(request.body.contains("references: [uid] @reverse @count ."))
        for type in ["type Repo {", "type File {", "type Table {"] { #expect(request.body.contains(type)) }
    }

    @Test func applySendsOneUpsertBlockCommittedNow() async throws {
        let server = try FakeDgraphServer { _ in (200, DgraphAnswers.mutateDone) }
        defer { server.stop() }
        let store = Self.store(server)
        try await store.apply(Self.ordersFile)
        try await store.apply(Self.ordersFile)

        let requests = server.requests
        try #require(requests.count == 2)
        let request = requests[0]
        #expect(request.method == "POST" && request.target == "/mutate?commitNow=true")
        #expect(request.headers["content-type"] == "application/rdf")
        let body = request.body
        #expect(body.hasPrefix("upsert {"))
        // Nodes are found by xid and written through uid(variable), so a replay reuses them.
        #expect(body.contains(#"r as var(func: eq(xid, "repo:shop"))"#))
        #expect(body.contains(#"f as var(func: eq(xid, "file:shop/models/orders.sql"))"#))
        #expect(body.contains(#"t0 as var(func: eq(xid, "table:customers"))"#))
        #expect(body.contains(#"t1 as var(func: eq(xid, "table:raw.orders"))"#))
        #expect(!body.contains("t2 as"), "duplicate table names collapse to one edge")
        #expect(body.contains("uid(r) <contains> uid(f) ."))
        #expect(body.contains("uid(f) <references> uid(t0) ."))
        #expect(body.contains("uid(f) <references> uid(t1) ."))
        #expect(body.contains(#"uid(f) <size> "120"^^<xs:int> ."#))
        #expect(body.contains(#"uid(f) <dgraph.type> "File" ."#))
        // Edges to tables the file no longer names are deleted; fields it does not carry are cleared.
        #expect(body.contains(#"stale as references @filter(NOT eq(xid, ["table:customers", "table:raw.orders"]))"#))
        #expect(body.contains("uid(f) <references> uid(stale) ."))
        #expect(body.contains("uid(f) <function_count> * ."))
        #expect(body.contains("uid(f) <error> * ."))
        #expect(!body.contains("_:"), "no blank nodes: they would create a new node on every replay")
        // A replay sends the very same block.
        #expect(requests[1].body == body)
    }

    @Test func aPythonFileClearsAllItsTableEdgesAndSetsItsFunctionCount() async throws {
        let server = try FakeDgraphServer { _ in (200, DgraphAnswers.mutateDone) }
        defer { server.stop() }
        try await Self.store(server).apply(GraphFile(repo: "shop", path: "etl/load.py", lang: .python, size: nil,
                                                     hash: nil, findings: .python(functionNames: ["a", "b"])))
        let body = try #require(server.requests.first?.body)
        #expect(body.contains("stale as references\n"))
        #expect(body.contains(#"uid(f) <function_count> "2"^^<xs:int> ."#))
        #expect(body.contains("uid(f) <size> * ."))
        #expect(body.contains("uid(f) <hash> * ."))
        #expect(!body.contains("<references> uid(t"))
    }

    @Test func stringsAreEscapedInTheUpsertBlock() async throws {
        let server = try FakeDgraphServer { _ in (200, DgraphAnswers.mutateDone) }
        defer { server.stop() }
        try await Self.store(server).apply(GraphFile(repo: "shop", path: "we\"ird\\dir\nx.sql", lang: .sql, size: 1,
                                                     hash: "h", findings: .error("bad \"quote\"")))
        let body = try #require(server.requests.first?.body)
        #expect(body.contains(#"eq(xid, "file:shop/we\"ird\\dir\nx.sql")"#))
        #expect(body.contains(#"uid(f) <error> "bad \"quote\"" ."#))
    }

    @Test func anAbortedTransactionIsRetriedUntilItCommits() async throws {
        let calls = Mutex(0)
        let server = try FakeDgraphServer { _ in
            let call = calls.withLock { $0 += 1; return $0 }
            return (200, call == 1 ? DgraphAnswers.aborted : DgraphAnswers.mutateDone)
        }
        defer { server.stop() }
        try await Self.store(server).apply(Self.ordersFile)
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests.first?.body == requests.last?.body)
    }

    @Test func abortsPastTheAttemptsAreTransient() async throws {
        let server = try FakeDgraphServer { _ in (200, DgraphAnswers.aborted) }
        defer { server.stop() }
        let error = await #expect(throws: GraphStoreError.self) {
            try await Self.store(server, attempts: 3).apply(Self.ordersFile)
        }
        #expect(error?.isTransient == true)
        #expect(error?.description.contains("Transaction has been aborted") == true)
        #expect(server.requests.count == 3)
    }

    @Test func anErrorsBodyWithHTTP200IsPermanentAndNotRetried() async throws {
        let server = try FakeDgraphServer { _ in (200, DgraphAnswers.parseError) }
        defer { server.stop() }
        let error = await #expect(throws: GraphStoreError.self) {
            try await Self.store(server).apply(Self.ordersFile)
        }
        #expect(error?.isTransient == false)
        #expect(error?.description.contains("Unrecognized character") == true, "\(String(describing: error))")
        #expect(server.requests.count == 1)
    }

    @Test func serverErrorsAreTransientAndOtherStatusesPermanent() async throws {
        let unavailable = try FakeDgraphServer { _ in (503, "upstream unavailable") }
        defer { unavailable.stop() }
        let transient = await #expect(throws: GraphStoreError.self) {
            try await Self.store(unavailable, attempts: 2).prepare()
        }
        #expect(transient?.isTransient == true)
        #expect(unavailable.requests.count == 2)

        let notFound = try FakeDgraphServer { _ in (404, "404 page not found") }
        defer { notFound.stop() }
        let permanent = await #expect(throws: GraphStoreError.self) { try await Self.store(notFound).prepare() }
        #expect(permanent?.isTransient == false)
        #expect(permanent?.description.contains("404") == true)
        #expect(notFound.requests.count == 1)
    }

    @Test func anUnreachableDgraphIsTransient() async throws {
        // A port that was just listening and is closed now refuses connections.
        let server = try FakeDgraphServer { _ in (200, "{}") }
        server.stop()
        let error = await #expect(throws: GraphStoreError.self) {
            try await Self.store(server, attempts: 2).apply(Self.ordersFile)
        }
        #expect(error?.isTransient == true, "\(String(describing: error))")
        #expect(error?.description.contains("unreachable") == true, "\(String(describing: error))")
    }

    @Test func aURLThatIsNotHTTPIsRejected() {
        #expect(throws: GraphStoreError.self) { try DgraphGraphStore(url: "localhost:8080") }
        #expect(throws: Never.self) { try DgraphGraphStore(url: "http://dgraph:8080") }
    }

    @Test func summaryReadsDgraphCountsAndGroups() async throws {
        let server = try FakeDgraphServer { _ in
            (200, #"""
            {"data":{"repos":[{"count":1}],"files":[{"count":4}],
             "languages":[{"@groupby":[{"lang":"sql","count":2},{"lang":"python","count":2}]}],
             "tables":[{"count":3}],"functionTotal":[{"total":3}],"referenceTotal":[{"total":4}],
             "containTotal":[{"total":4}]},
             "extensions":{"server_latency":{"total_ns":1000},"txn":{"start_ts":12}}}
            """#)
        }
        defer { server.stop() }
        let summary = try await Self.store(server).summary()
        #expect(summary == GraphSummary(repos: 1, files: 4, filesByLanguage: ["sql": 2, "python": 2], functions: 3,
                                        tables: 3, containsEdges: 4, referencesEdges: 4))
        let request = try #require(server.requests.first)
        #expect(request.target == "/query")
        #expect(request.body.contains("@groupby(lang)"))
    }

    @Test func anEmptyGraphSummarizesToZero() async throws {
        let server = try FakeDgraphServer { _ in
            (200, #"{"data":{"repos":[{"count":0}],"files":[{"count":0}],"languages":[],"tables":[{"count":0}],"functionTotal":[],"referenceTotal":[],"containTotal":[]}}"#)
        }
        defer { server.stop() }
        #expect(try await Self.store(server).summary()
                == GraphSummary(repos: 0, files: 0, filesByLanguage: [:], functions: 0, tables: 0, containsEdges: 0,
                                referencesEdges: 0))
    }

    @Test func fileQueriesReadNodesAndSortThem() async throws {
        let server = try FakeDgraphServer { request in
            if request.body.contains("~references {") {
                return (200, #"""
                {"data":{"files":[{"~references":[
                  {"repo":"shop","path":"z.sql","lang":"sql","size":5,"hash":"h2","references":[{"name":"t"},{"name":"a"}]},
                  {"repo":"blog","path":"q.sql","lang":"sql","references":[{"name":"t"}]}]}]}}
                """#)
            }
            return (200, #"""
            {"data":{"files":[{"contains":[
              {"repo":"shop","path":"b.py","lang":"python","size":9,"function_count":2},
              {"repo":"shop","path":"a.sql","lang":"sql","error":"unreadable"}]}]}}
            """#)
        }
        defer { server.stop() }
        let store = Self.store(server)
        let referencing = try await store.filesReferencing(table: "t")
        #expect(referencing.map(\.repo) == ["blog", "shop"])
        #expect(referencing.last == GraphFileNode(repo: "shop", path: "z.sql", lang: "sql", size: 5, hash: "h2",
                                                  functionCount: nil, tables: ["a", "t"], error: nil))
        #expect(server.requests.first?.body.contains(#"eq(xid, "table:t")"#) == true)

        let files = try await store.files(inRepo: "shop")
        #expect(files.map(\.path) == ["a.sql", "b.py"])
        #expect(files[0].error == "unreadable")
        #expect(files[1].functionCount == 2 && files[1].size == 9)
        #expect(server.requests.last?.body.contains(#"eq(xid, "repo:shop")"#) == true)
    }
}
