import PipelineModels

/// One source file found by the walker. `path` is relative to the root, with `/` separators.
public struct MinedFile: Sendable, Equatable {
    public var path: String
    public var size: Int
    /// Lowercase sha256 hex of the bytes.
    public var sha256: String
    public var language: Language

    public init(path: String, size: Int, sha256: String, language: Language) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.language = language
    }
}

/// Why an entry was passed over. Ignored directories and non-source files are not reported.
public enum SkipReason: Sendable, Equatable {
    case symlinkOutsideRoot(target: String)
    case brokenSymlink
    case directoryLoop
    case unreadable(String)
    case tooLarge(size: Int)
}

public enum WalkEntry: Sendable, Equatable {
    case file(MinedFile)
    case skipped(path: String, reason: SkipReason)
}

public enum WalkError: Error, Sendable, Equatable, CustomStringConvertible {
    case rootNotFound(String)
    case rootNotADirectory(String)

    public var description: String {
        switch self {
        case .rootNotFound(let p): return "repository root \(p) does not exist"
        case .rootNotADirectory(let p): return "repository root \(p) is not a directory"
        }
    }
}

/// Walks a checkout lazily, one directory listing at a time, yielding every `.py` and `.sql`
/// regular file with its size and sha256 (hashed while streaming, never held in memory).
/// Symlinks are followed only when their target stays inside the root, and each directory is
/// entered once, so links cannot escape the checkout or loop. Iteration does blocking file I/O:
/// services should drive it from a dedicated thread rather than the cooperative pool.
public struct RepositoryWalker: Sequence, Sendable {
    /// Directory names never entered: VCS metadata, dependency trees, caches, build output.
    public static let defaultSkippedDirectories: Set<String> = [
        ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", "target", ".tox",
    ]

    /// The root with symlinks resolved.
    public let root: String
    public let skippedDirectories: Set<String>
    /// Files larger than this are reported as `.tooLarge` instead of hashed (nil: no limit).
    public let maxFileSize: Int?

    public init(root: String, skippedDirectories: Set<String> = defaultSkippedDirectories, maxFileSize: Int? = nil) throws(WalkError) {
        guard let real = FileSystem.realPath(root) else { throw .rootNotFound(root) }
        guard FileSystem.info(real, follow: false)?.kind == .directory else { throw .rootNotADirectory(root) }
        self.root = real
        self.skippedDirectories = skippedDirectories
        self.maxFileSize = maxFileSize
    }

    public func makeIterator() -> Iterator { Iterator(walker: self) }

    /// Only the source files, dropping skip reports.
    public var files: some Sequence<MinedFile> {
        lazy.compactMap { entry in
            if case .file(let file) = entry { return file }
            return nil
        }
    }

    public struct Iterator: IteratorProtocol {
        let walker: RepositoryWalker
        /// Open directories, innermost last: each with its remaining names (reversed, so that
        /// popLast yields name order). Depth-first preorder gives a sorted, deterministic walk.
        private var stack: [Frame] = []
        private var visited: Set<[UInt64]> = []

        private struct Frame {
            var relative: String
            var real: String
            var names: [String]
        }

        init(walker: RepositoryWalker) {
            self.walker = walker
            if let info = FileSystem.info(walker.root, follow: true) { visited.insert([info.device, info.inode]) }
            stack = [Frame(relative: "", real: walker.root, names: (FileSystem.entries(walker.root) ?? []).reversed())]
        }

        public mutating func next() -> WalkEntry? {
            while !stack.isEmpty {
                guard let name = stack[stack.count - 1].names.popLast() else {
                    stack.removeLast()
                    continue
                }
                if let entry = visit(name, in: stack[stack.count - 1]) { return entry }
            }
            return nil
        }

        private mutating func visit(_ name: String, in current: Frame) -> WalkEntry? {
            let relative = FileSystem.join(current.relative, name)
            var real = FileSystem.join(current.real, name)
            guard var info = FileSystem.info(real, follow: false) else { return nil }
            if info.kind == .symlink {
                guard let target = FileSystem.realPath(real), let targetInfo = FileSystem.info(target, follow: false) else {
                    return Language(path: name) != nil ? .skipped(path: relative, reason: .brokenSymlink) : nil
                }
                guard FileSystem.isInside(target, root: walker.root) else {
                    let interesting = targetInfo.kind == .directory || Language(path: name) != nil
                    return interesting ? .skipped(path: relative, reason: .symlinkOutsideRoot(target: target)) : nil
                }
                real = target
                info = targetInfo
            }
            switch info.kind {
            case .directory:
                if walker.skippedDirectories.contains(name) { return nil }
                guard visited.insert([info.device, info.inode]).inserted else {
                    return .skipped(path: relative, reason: .directoryLoop)
                }
                guard let names = FileSystem.entries(real) else {
                    return .skipped(path: relative, reason: .unreadable("cannot list directory"))
                }
                stack.append(Frame(relative: relative, real: real, names: names.reversed()))
                return nil
            case .regular:
                guard let language = Language(path: name) else { return nil }
                if let limit = walker.maxFileSize, info.size > limit {
                    return .skipped(path: relative, reason: .tooLarge(size: info.size))
                }
                var hasher = SHA256()
                switch FileSystem.readChunks(real, { hasher.update($0) }) {
                case .success(let size):
                    return .file(MinedFile(path: relative, size: size, sha256: SHA256.hexString(hasher.finalize()), language: language))
                case .failure(let error):
                    return .skipped(path: relative, reason: .unreadable(error.message))
                }
            case .symlink, .other:
                return nil
            }
        }
    }
}
