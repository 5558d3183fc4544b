import Foundation
import Testing
import Miner

@Suite("Path policy")
struct PathPolicyTests {
    @Test func acceptsDirectoriesInsideAnAllowedRoot() throws {
        let root = try TemporaryDirectory()
        try root.mkdir("shop/models")
        let policy = try PathPolicy(allowedRoots: [root.path])
        #expect(try policy.resolve(root.path + "/shop") == root.path + "/shop")
        #expect(try policy.resolve(root.path + "/shop/./models/") == root.path + "/shop/models")
        #expect(try policy.resolve("shop") == root.path + "/shop") // relative to the roots
        #expect(try policy.resolve(root.path) == root.path)
    }

    @Test func rejectsTraversal() throws {
        let root = try TemporaryDirectory()
        try root.mkdir("shop")
        let policy = try PathPolicy(allowedRoots: [root.path])
        for path in ["../etc", root.path + "/shop/../shop", "shop/../../x", ".."] {
            #expect(throws: PathPolicyError.traversal(path)) { try policy.resolve(path) }
        }
        #expect(PathPolicyError.traversal("..").httpStatus == 400)
    }

    @Test func rejectsSymlinkEscapes() throws {
        let outside = try TemporaryDirectory()
        let root = try TemporaryDirectory()
        try root.symlink("evil", to: outside.path)
        let policy = try PathPolicy(allowedRoots: [root.path])
        #expect(throws: PathPolicyError.outsideAllowedRoots(requested: root.path + "/evil", resolved: outside.path)) {
            try policy.resolve(root.path + "/evil")
        }
        #expect(throws: PathPolicyError.outsideAllowedRoots(requested: "/etc", resolved: "/etc")) { try policy.resolve("/etc") }
        #expect(PathPolicyError.outsideAllowedRoots(requested: "", resolved: "").httpStatus == 403)
    }

    @Test func prefixIsNotEnough() throws {
        let parent = try TemporaryDirectory()
        try parent.mkdir("repos")
        try parent.mkdir("repos-evil")
        let policy = try PathPolicy(allowedRoots: [parent.path + "/repos"])
        #expect(throws: PathPolicyError.self) { try policy.resolve(parent.path + "/repos-evil") }
    }

    @Test func symlinkInsideTheRootIsFine() throws {
        let root = try TemporaryDirectory()
        try root.mkdir("real")
        try root.symlink("alias", to: root.path + "/real")
        #expect(try PathPolicy(allowedRoots: [root.path]).resolve("alias") == root.path + "/real")
    }

    @Test func otherRejections() throws {
        let root = try TemporaryDirectory()
        try root.write("file.py", "")
        let policy = try PathPolicy(allowedRoots: [root.path])
        #expect(throws: PathPolicyError.empty) { try policy.resolve("") }
        #expect(throws: PathPolicyError.notFound("missing")) { try policy.resolve("missing") }
        #expect(throws: PathPolicyError.notADirectory("file.py")) { try policy.resolve("file.py") }
        #expect(throws: PathPolicyError.invalid("a\0b", "contains a NUL byte")) { try policy.resolve("a\0b") }
        #expect(PathPolicyError.notFound("x").httpStatus == 404)
    }

    @Test func configuration() throws {
        let a = try TemporaryDirectory()
        let b = try TemporaryDirectory()
        #expect(try PathPolicy(environmentValue: "\(a.path):\(b.path)").allowedRoots == [a.path, b.path])
        #expect(try PathPolicy(environmentValue: "\(a.path), \(b.path)").allowedRoots == [a.path, b.path])
        #expect(throws: PathPolicyError.noAllowedRoots) { try PathPolicy(environmentValue: "") }
        #expect(throws: PathPolicyError.rootUnavailable("/no/such/root")) { try PathPolicy(allowedRoots: ["/no/such/root"]) }
    }
}
