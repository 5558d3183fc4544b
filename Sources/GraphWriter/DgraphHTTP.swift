import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Dgraph's HTTP API as the store uses it: POST a body, get the JSON back, and sort failures
/// into transient and permanent. Dgraph answers most errors with HTTP 200 and an `errors`
/// array, so the body decides, not the status.
struct DgraphHTTP: Sendable {
    let baseURL: URL
    let timeout: TimeInterval

    /// POSTs `body` to `path` (with `query` items) and decodes the response's `data` object as
    /// `T`, or throws `GraphStoreError`.
    func post<T: Decodable>(_ path: String, query: [URLQueryItem] = [], contentType: String, body: String,
                            as type: T.Type) async throws -> T {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw GraphStoreError.permanent("Dgraph URL \(baseURL) is not a valid URL")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw GraphStoreError.permanent("Dgraph URL \(baseURL) is not a valid URL") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)

        let (data, status) = try await send(request)
        let what = "Dgraph \(path)"
        let outcome: Outcome
        do {
            outcome = try JSONDecoder().decode(Outcome.self, from: data)
        } catch {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            if (500...599).contains(status) { throw GraphStoreError.transient("\(what): HTTP \(status): \(text)") }
            throw GraphStoreError.permanent("\(what): HTTP \(status), not Dgraph's JSON: \(text)")
        }
        if let errors = outcome.errors, !errors.isEmpty {
            let message = errors.map(\.message).joined(separator: "; ")
            throw Self.isRetryable(message) ? GraphStoreError.transient("\(what): \(message)")
                                            : GraphStoreError.permanent("\(what): \(message)")
        }
        guard status == 200 else {
            if (500...599).contains(status) { throw GraphStoreError.transient("\(what): HTTP \(status)") }
            throw GraphStoreError.permanent("\(what): HTTP \(status)")
        }
        do {
            return try JSONDecoder().decode(Envelope<T>.self, from: data).data
        } catch {
            throw GraphStoreError.permanent("\(what): unexpected answer (\(error)): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }

    /// Conflicts between concurrent transactions: retrying the same mutation is correct.
    static func isRetryable(_ message: String) -> Bool {
        message.localizedCaseInsensitiveContains("Transaction has been aborted")
            || message.localizedCaseInsensitiveContains("Please retry")
    }

    private func send(_ request: URLRequest) async throws -> (Data, Int) {
        try await withCheckedThrowingContinuation { continuation in
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    // Refused, reset, timed out, unresolvable: Dgraph may be starting or restarting.
                    continuation.resume(throwing: GraphStoreError.transient(
                        "Dgraph \(request.url?.absoluteString ?? "") unreachable: \(error.localizedDescription)"))
                    return
                }
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                continuation.resume(returning: (data ?? Data(), status))
            }
            task.resume()
        }
    }

    /// `{"errors": [{"message": …}], …}`: read first, since `data` has no fixed shape on errors.
    private struct Outcome: Decodable {
        var errors: [Message]?
        struct Message: Decodable { var message: String }
    }

    private struct Envelope<T: Decodable>: Decodable {
        var data: T
    }
}
