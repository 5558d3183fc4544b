import Foundation
import Testing
@testable import Miner
import PipelineModels

@Suite("Repository walker")
struct WalkerTests {
    private func files(_ walker: RepositoryWalker) -> [String] { walker.files.map(\.path) }

    @Test func yieldsSourceFilesWithSizeHashAndLanguage() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.py", "def a(): pass\n")
        try dir.write("sub/b.SQL", "select 1")
        try dir.write("sub/readme.md", "# no")
        try dir.write("sub/deeper/c.py", "")
        let walker = try RepositoryWalker(root: dir.path)
        let found = Array(walker.files)
        #expect(found.map(\.path) == ["a.py", "sub/b.SQL", "sub/deeper/c.py"])
        let a = try #require(found.first)
        #expect(a.size == 14)
        #expect(a.language == .python)
        #expect(a.sha256 == SHA256.hex(Array("def a(): pass\n".utf8)))
        #expect(found.last?.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func skipsVCSDependencyAndCacheDirectories() throws {
        let dir = try TemporaryDirectory()
        for skipped in [".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", "target", ".tox", "src/.git"] {
            try dir.write("\(skipped)/hidden.py", "def hidden(): pass\n")
        }
        try dir.write("src/kept.py", "")
        try dir.write(".github/kept.sql", "")
        #expect(files(try RepositoryWalker(root: dir.path)) == [".github/kept.sql", "src/kept.py"])
    }

    @Test func symlinksLeavingTheRootAreSkipped() throws {
        let outside = try TemporaryDirectory()
        try outside.write("secret.py", "def secret(): pass\n")
        try outside.write("tree/deep.sql", "select 1")
        let dir = try TemporaryDirectory()
        try dir.write("ok.py", "")
        try dir.symlink("escape.py", to: outside.path + "/secret.py")
        try dir.symlink("escape_dir", to: outside.path)
        try dir.symlink("etc_link", to: "/etc")
        try dir.symlink("relative_escape.py", to: "../" + (outside.path as NSString).lastPathComponent + "/secret.py")
        try dir.symlink("dangling.py", to: dir.path + "/missing.py")
        let entries = Array(try RepositoryWalker(root: dir.path))
        #expect(entries.compactMap { if case .file(let f) = $0 { f.path } else { nil } } == ["ok.py"])
        let skipped = entries.compactMap { if case .skipped(let p, let r) = $0 { (p, r) } else { nil } }
        #expect(skipped.map(\.0) == ["dangling.py", "escape.py", "escape_dir", "etc_link", "relative_escape.py"])
        #expect(skipped.first { $0.0 == "escape_dir" }?.1 == .symlinkOutsideRoot(target: outside.path))
        #expect(skipped.first { $0.0 == "dangling.py" }?.1 == .brokenSymlink)
    }

    @Test func symlinksInsideTheRootAreFollowedWithoutLoops() throws {
        let dir = try TemporaryDirectory()
        try dir.write("real/x.py", "def x(): pass\n")
        try dir.symlink("alias.py", to: "real/x.py")
        try dir.symlink("real/loop", to: "..")
        try dir.symlink("real/self", to: ".")
        let entries = Array(try RepositoryWalker(root: dir.path))
        let found = entries.compactMap { if case .file(let f) = $0 { f } else { nil } }
        #expect(found.map(\.path) == ["alias.py", "real/x.py"])
        #expect(found[0].sha256 == found[1].sha256)
        let loops = entries.filter { if case .skipped(_, .directoryLoop) = $0 { true } else { false } }
        #expect(loops.count == 2)
    }

    @Test func rootBehindASymlinkIsResolved() throws {
        let dir = try TemporaryDirectory()
        try dir.write("repo/a.py", "")
        try dir.symlink("link", to: dir.path + "/repo")
        let walker = try RepositoryWalker(root: dir.path + "/link")
        #expect(walker.root == dir.path + "/repo")
        #expect(files(walker) == ["a.py"])
    }

    @Test func specialFilesAreNeverOpened() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path + "/pipe.sql"
        #expect(mkfifo(fifo, 0o600) == 0)
        try dir.write("z.sql", "select 1")
        #expect(files(try RepositoryWalker(root: dir.path)) == ["z.sql"]) // would block if opened
    }

    @Test func largeFilesCanBeCapped() throws {
        let dir = try TemporaryDirectory()
        try dir.write("big.sql", String(repeating: "x", count: 100))
        try dir.write("small.sql", "x")
        let entries = Array(try RepositoryWalker(root: dir.path, maxFileSize: 10))
        #expect(entries.first == .skipped(path: "big.sql", reason: .tooLarge(size: 100)))
        #expect(entries.count == 2)
    }

    @Test func streamsLazily() throws {
        let dir = try TemporaryDirectory()
        for i in 0..<50 { try dir.write("d\(i / 10)/f\(i).py", "") }
        var iterator = try RepositoryWalker(root: dir.path).files.makeIterator()
        // The first file is available before the rest of the tree is touched: delete it and the walk goes on.
        let first = iterator.next()
        #expect(first?.path == "d0/f0.py")
        try FileManager.default.removeItem(atPath: dir.path + "/d4")
        var rest = 0
        while iterator.next() != nil { rest += 1 }
        #expect(rest == 39)
    }

    @Test func missingRootIsAnError() throws {
        #expect(throws: WalkError.rootNotFound("/nonexistent/repo")) { try RepositoryWalker(root: "/nonexistent/repo") }
        let dir = try TemporaryDirectory()
        let file = try dir.write("f.py", "")
        #expect(throws: WalkError.rootNotADirectory(file)) { try RepositoryWalker(root: file) }
    }
}

// Serialized: `WalkStream.producers` counts every live walk in the process, so a walk of the other
// test would be counted as one this test abandoned.
@Suite("Repository walker stream", .serialized)
struct WalkStreamTests {
    @Test func streamMatchesTheSynchronousWalk() async throws {
        let dir = try TemporaryDirectory()
        for i in 0..<30 { try dir.write("d\(i % 4)/f\(i).sql", "select \(i)") }
        try dir.write("d0/skip.txt", "")
        let walker = try RepositoryWalker(root: dir.path)
        var streamed: [WalkEntry] = []
        for await entry in walker.stream(bufferSize: 2) { streamed.append(entry) }
        #expect(streamed == Array(walker))
        #expect(streamed.count == 30)
    }

    @Test func breakingEarlyStopsTheWalk() async throws {
        let dir = try TemporaryDirectory()
        for i in 0..<20 { try dir.write("f\(i).py", "") }
        var seen = 0
        for await _ in try RepositoryWalker(root: dir.path).stream(bufferSize: 1) {
            seen += 1
            if seen == 3 { break }
        }
        #expect(seen == 3)
        // The abandoned producer thread must exit rather than wait forever for buffer space.
        let deadline = Date().addingTimeInterval(10)
        while WalkStream.producers.value > 0 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(WalkStream.producers.value == 0)
    }
}
