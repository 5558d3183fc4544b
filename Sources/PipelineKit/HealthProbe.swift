import Foundation

/// `<binary> --health`: asks the service's own `/health` on 127.0.0.1:`HTTP_PORT` (the
/// container HEALTHCHECK, with no curl in the image). Exit code 0 when it answers 200.
public enum HealthProbe {
    public static func run(port: Int, path: String = "/health") -> Int32 {
        guard let response = LoopbackHTTP.request(port: port, path: path) else {
            FileHandle.standardError.write(Data("health: no answer from 127.0.0.1:\(port)\(path)\n".utf8))
            return 1
        }
        print(response.body)
        return response.status == 200 ? 0 : 1
    }
}

/// A minimal blocking HTTP/1.1 client for 127.0.0.1 (health probes, tests, `make run`): one
/// request per connection, bounded time and size.
public enum LoopbackHTTP {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func request(method: String = "GET", port: Int, path: String, body: [UInt8] = [],
                               contentType: String? = nil, timeoutSeconds: Int = 5) -> Response? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return nil }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while response.count < 16 * 1024 * 1024 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1."), let space = text.firstIndex(of: " ") else { return nil }
        let codeText = text[text.index(after: space)...].prefix(3)
        guard let status = Int(codeText) else { return nil }
        guard let split = text.range(of: "\r\n\r\n") else { return Response(status: status, body: "") }
        let headers = text[..<split.lowerBound].lowercased()
        var payload = String(text[split.upperBound...])
        if headers.contains("transfer-encoding: chunked") { payload = dechunk(payload) }
        return Response(status: status, body: payload)
    }

    static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        while let lineEnd = rest.range(of: "\r\n") {
            guard let size = Int(rest[..<lineEnd.lowerBound].split(separator: ";")[0], radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let bytes = Array(rest[start...].utf8)
            guard bytes.count >= size else { break }
            out += String(decoding: bytes[0..<size], as: UTF8.self)
            rest = Substring(String(decoding: bytes[size...], as: UTF8.self)).dropFirst(2)
        }
        return out
    }
}
