import Foundation

/// Locations in the package, found from this file so tests run from any working directory.
enum Paths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func inPackage(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

    /// `../shared` next to the package unless SHARED_DIR says otherwise.
    static var shared: String {
        if let dir = ProcessInfo.processInfo.environment["SHARED_DIR"], !dir.isEmpty { return dir }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared").path
    }

    static var composeSchema: String { shared + "/compose-spec/compose-spec.json" }
}

/// A directory under the system temporary directory, removed when the test is done with it.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Resolve /tmp symlinks (macOS) so comparisons with realpath output hold.
        path = url.resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).appendingPathComponent(relative), withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: (path as NSString).appendingPathComponent(relative), withDestinationPath: destination)
    }
}
