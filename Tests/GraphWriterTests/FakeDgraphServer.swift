import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server that stands in for Dgraph's `/alter`, `/mutate` and `/query`:
/// it records every request and answers with what the test's handler returns (Dgraph's own
/// shapes, including errors inside an HTTP 200). One connection at a time, `Connection: close`.
final class FakeDgraphServer: Sendable {
    struct Request: Sendable {
        var method: String
        /// Path and query string, e.g. `/mutate?commitNow=true`.
        var target: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: String
    }

    typealias Handler = @Sendable (Request) -> (status: Int, body: String)

    let port: UInt16
    private let listener: Int32
    private let state: Mutex<[Request]> = Mutex([])
    private let handler: Handler

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var requests: [Request] { state.withLock { $0 } }

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw ServerError("bind/listen on 127.0.0.1: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting: shutting the listener down wakes the blocked accept(2), and the accept
    /// thread closes it on its way out. Closing it here instead would free the descriptor
    /// number while that thread may still call accept(2) on it: a server another test opens
    /// next can get the same number, and this thread would answer its clients.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            serve(connection)
            close(connection)
        }
    }

    private func serve(_ fd: Int32) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        func readMore() -> Bool {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            guard readMore() else { return }
            headerEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
        }
        guard let headerEnd else { return }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { write(fd, "HTTP/1.1 100 Continue\r\n\r\n") }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count - (headerEnd + 4) < length {
            guard readMore() else { return }
        }
        let body = String(decoding: buffer[(headerEnd + 4)..<(headerEnd + 4 + length)], as: UTF8.self)
        let request = Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
        state.withLock { $0.append(request) }
        let (status, answer) = handler(request)
        let bytes = Array(answer.utf8)
        write(fd, "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n")
        write(fd, answer)
    }

    private func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            bytes = bytes.dropFirst(sent)
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Dgraph's documented answers.
enum DgraphAnswers {
    static let alterDone = #"{"data":{"code":"Success","message":"Done"}}"#
    static let mutateDone = #"{"data":{"code":"Success","message":"Done","queries":null,"uids":{}},"extensions":{"txn":{"start_ts":10,"commit_ts":11,"preds":["1-0-xid"]}}}"#
    static let aborted = #"{"errors":[{"message":"Transaction has been aborted. Please retry","extensions":{"code":"Error"}}],"data":null}"#
    static let parseError = #"{"errors":[{"message":"while lexing upsert: line 3 column 5: Unrecognized character","extensions":{"code":"ErrorInvalidRequest"}}],"data":null}"#
}
