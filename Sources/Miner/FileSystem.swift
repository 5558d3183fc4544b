#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX helpers; the walker and path policy need lstat and realpath semantics that
/// FileManager does not expose directly.
enum FileSystem {
    enum Kind: Equatable { case regular, directory, symlink, other }

    struct Info: Equatable {
        var kind: Kind
        var size: Int
        var device: UInt64
        var inode: UInt64
    }

    /// `lstat` (does not follow a final symlink) when `follow` is false, else `stat`.
    static func info(_ path: String, follow: Bool) -> Info? {
        var st = stat()
        let rc = follow ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return nil }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        return Info(kind: kind, size: Int(st.st_size), device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// Canonical absolute path with every symlink resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when `path` equals `root` or lies below it (whole components only).
    static func isInside(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }

    static func join(_ base: String, _ name: String) -> String {
        if base.isEmpty { return name }
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// Streams a regular file through `body` in fixed-size chunks. Opens with O_NOFOLLOW and
    /// O_NONBLOCK and re-checks the type after opening, so a file swapped for a symlink or FIFO
    /// between the directory scan and the read is refused rather than followed or blocked on.
    static func readChunks(_ path: String, chunkSize: Int = 64 * 1024, _ body: (UnsafeRawBufferPointer) -> Void) -> Result<Int, FileError> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileError(path: path, errno: errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(FileError(path: path, errno: errno)) }
        guard st.st_mode & S_IFMT == S_IFREG else { return .failure(FileError(path: path, message: "not a regular file")) }
        var total = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileError(path: path, errno: errno))
            }
            if n == 0 { return .success(total) }
            total += n
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Names in a directory, sorted for a deterministic walk; nil when it cannot be read.
    static func entries(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// A file that could not be read, with the system's reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    init(path: String, errno code: Int32) {
        self.init(path: path, message: String(cString: strerror(code)))
    }

    public var description: String { "\(path): \(message)" }
}
