import CSQLite

/// One SQLite connection and its prepared statements, mapped onto `GraphStoreError`: busy and
/// locked databases are transient (another writer holds the lock longer than the busy timeout),
/// everything else is permanent. Not thread-safe: its owner serializes every call.
final class SQLiteConnection {
    private let handle: OpaquePointer
    let path: String

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            if let db { sqlite3_close_v2(db) }
            throw GraphStoreError.permanent("cannot open SQLite database at \(path): \(reason)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows the caller needs.
    func execute(_ sql: String) throws {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status, doing: sql) }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard status == SQLITE_OK, let stmt else { throw error(status, doing: sql) }
        return SQLiteStatement(stmt, connection: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back if it throws. Writers use IMMEDIATE,
    /// which takes the write lock up front, so two writers wait on the busy timeout instead of
    /// failing on a read-to-write upgrade; readers use a deferred one for a consistent snapshot.
    func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    func error(_ status: Int32, doing sql: String) -> GraphStoreError {
        let message = String(cString: sqlite3_errmsg(handle))
        let what = "SQLite \(path): \(message) (code \(status)) in \(sql.prefix(60))"
        switch status & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .transient(what)
        default: return .permanent(what)
        }
    }
}

/// A prepared statement; bind with `bind`, read rows with `step` and the column accessors.
final class SQLiteStatement {
    private let stmt: OpaquePointer
    private let connection: SQLiteConnection
    private let sql: String

    fileprivate init(_ stmt: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.stmt = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(stmt)
    }

    enum Value {
        case text(String)
        case integer(Int)
        case null
    }

    /// Resets the statement and binds `values` to parameters 1…n.
    func bind(_ values: [Value]) throws {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .text(let text):
                status = text.utf8CString.withUnsafeBufferPointer { buffer in
                    csqlite_bind_text(stmt, index, buffer.baseAddress, Int32(buffer.count - 1))
                }
            case .integer(let number):
                status = sqlite3_bind_int64(stmt, index, Int64(number))
            case .null:
                status = sqlite3_bind_null(stmt, index)
            }
            guard status == SQLITE_OK else { throw connection.error(status, doing: sql) }
        }
    }

    /// Advances to the next row: true when a row is ready, false when done.
    func step() throws -> Bool {
        let status = sqlite3_step(stmt)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(status, doing: sql)
            sqlite3_reset(stmt)
            throw error
        }
    }

    /// Binds, runs to completion and discards any rows.
    func run(_ values: [Value]) throws {
        try bind(values)
        while try step() {}
    }

    /// Binds, runs and returns the first column of the first row as an integer.
    func integer(_ values: [Value]) throws -> Int? {
        try bind(values)
        defer { sqlite3_reset(stmt) }
        guard try step() else { return nil }
        return int(0)
    }

    func int(_ column: Int32) -> Int? {
        sqlite3_column_type(stmt, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(stmt, column))
    }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(stmt, column) else { return nil }
        let count = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
