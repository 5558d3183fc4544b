/// Decides which checkout paths ingestion may accept: a requested path is allowed only if,
/// after resolving every symlink, it is a directory inside one of the configured roots.
public struct PathPolicy: Sendable, Equatable {
    /// Allowed roots with symlinks resolved.
    public let allowedRoots: [String]

    /// Roots that do not exist are an error: a misconfigured service should fail at start-up.
    public init(allowedRoots: [String]) throws(PathPolicyError) {
        let roots = allowedRoots.filter { !$0.isEmpty }
        guard !roots.isEmpty else { throw .noAllowedRoots }
        var resolved: [String] = []
        for root in roots {
            guard let real = FileSystem.realPath(root) else { throw .rootUnavailable(root) }
            resolved.append(real)
        }
        self.allowedRoots = resolved
    }

    /// Parses `ALLOWED_ROOTS`-style lists separated by `:` or `,`.
    public init(environmentValue: String) throws(PathPolicyError) {
        try self.init(allowedRoots: environmentValue.split(whereSeparator: { $0 == ":" || $0 == "," }).map {
            String($0).trimmingSpaces
        })
    }

    /// The canonical directory for `requested`. Absolute paths are checked as given; a relative
    /// path is looked up under each allowed root in order.
    public func resolve(_ requested: String) throws(PathPolicyError) -> String {
        guard !requested.isEmpty else { throw .empty }
        guard !requested.utf8.contains(0) else { throw .invalid(requested, "contains a NUL byte") }
        // Refuse `..` outright even when it would land inside a root: callers have no reason to send it.
        guard !requested.split(separator: "/").contains("..") else { throw .traversal(requested) }
        let candidates = requested.hasPrefix("/") ? [requested] : allowedRoots.map { FileSystem.join($0, requested) }
        var lastResolved: String?
        for candidate in candidates {
            guard let real = FileSystem.realPath(candidate) else { continue }
            lastResolved = real
            guard allowedRoots.contains(where: { FileSystem.isInside(real, root: $0) }) else { continue }
            guard FileSystem.info(real, follow: false)?.kind == .directory else { throw .notADirectory(requested) }
            return real
        }
        if let resolved = lastResolved { throw .outsideAllowedRoots(requested: requested, resolved: resolved) }
        throw .notFound(requested)
    }
}

public enum PathPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    case noAllowedRoots
    case rootUnavailable(String)
    case empty
    case invalid(String, String)
    case traversal(String)
    case notFound(String)
    case notADirectory(String)
    case outsideAllowedRoots(requested: String, resolved: String)

    /// The HTTP status ingestion should answer with.
    public var httpStatus: Int {
        switch self {
        case .noAllowedRoots, .rootUnavailable: return 500
        case .empty, .invalid, .traversal, .notADirectory: return 400
        case .outsideAllowedRoots: return 403
        case .notFound: return 404
        }
    }

    public var description: String {
        switch self {
        case .noAllowedRoots: return "no allowed roots configured (ALLOWED_ROOTS)"
        case .rootUnavailable(let r): return "allowed root \(r) does not exist"
        case .empty: return "path is empty"
        case .invalid(let p, let why): return "path \(p) is invalid: \(why)"
        case .traversal(let p): return "path \(p) contains \"..\""
        case .notFound(let p): return "path \(p) does not exist"
        case .notADirectory(let p): return "path \(p) is not a directory"
        case .outsideAllowedRoots(let p, let r): return "path \(p) resolves to \(r), outside the allowed roots"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
