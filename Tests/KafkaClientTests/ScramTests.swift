@testable import KafkaClient
import Testing

/// SCRAM and PLAIN on published vectors; no network.
@Suite struct ScramTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPad(2) }.joined() }

    /// RFC 7677 section 3: the full SCRAM-SHA-256 example exchange.
    @Test func rfc7677ScramSha256Exchange() throws {
        var scram = ScramClient(hash: .sha256, username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(text(scram.clientFirstMessage()) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try scram.clientFinalMessage(serverFirst: bytes(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
        #expect(text(final) == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try scram.verifyServerFinal(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        #expect(scram.isComplete)
    }

    /// RFC 5802 section 5: the SCRAM-SHA-1 example exchange (same code path, other hash).
    @Test func rfc5802ScramSha1Exchange() throws {
        var scram = ScramClient(hash: .sha1, username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(text(scram.clientFirstMessage()) == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        let final = try scram.clientFinalMessage(serverFirst: bytes(
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"))
        #expect(text(final) == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        try scram.verifyServerFinal(bytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))
        #expect(scram.isComplete)
    }

    /// SCRAM-SHA-512 has no RFC example: its primitives are checked on known vectors, and a
    /// whole exchange against one computed independently with Python's hashlib/hmac.
    @Test func sha512PrimitivesMatchKnownVectors() {
        // PBKDF2-HMAC-SHA512("password", "salt", c=1 and c=2, 64 bytes).
        #expect(hex(ScramHash.sha512.pbkdf2(password: bytes("password"), salt: bytes("salt"), iterations: 1))
                == "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce")
        #expect(hex(ScramHash.sha512.pbkdf2(password: bytes("password"), salt: bytes("salt"), iterations: 2))
                == "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e")
        // RFC 4231 test case 2.
        #expect(hex(ScramHash.sha512.hmac(key: bytes("Jefe"), bytes("what do ya want for nothing?")))
                == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        #expect(hex(ScramHash.sha256.hmac(key: bytes("Jefe"), bytes("what do ya want for nothing?")))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // FIPS 180-4 "abc".
        #expect(hex(ScramHash.sha512.digest(bytes("abc"))).hasPrefix("ddaf35a193617aba"))
    }

    @Test func scramSha512Exchange() throws {
        var scram = ScramClient(hash: .sha512, username: "alice", password: "pa55,w=rd", nonce: "clientNONCE123")
        #expect(text(scram.clientFirstMessage()) == "n,,n=alice,r=clientNONCE123")
        let final = try scram.clientFinalMessage(serverFirst: bytes(
            "r=clientNONCE123serverNONCE456,s=AAECAwQFBgcICQoLDA0ODw==,i=4096"))
        #expect(text(final) == "c=biws,r=clientNONCE123serverNONCE456,p=HfpT1VH5YV6ux7tZAZ4XUi2P9KR3BeWnqFLMESt6823Xo576Ke0gstJvLQpH0lVUSstgerimS6Mvo3x578rZ0w==")
        try scram.verifyServerFinal(bytes("v=CUax3zk7gfgMbRNqKEq8LoCpJa7Lp/Ekryw/L41ddkjfIJTc35c2/ArgGtItI2mKVAXx9myurDH8sG0T+IlBWA=="))
        #expect(scram.isComplete)
    }

    @Test func serverErrorInServerFinalIsARefusal() throws {
        var scram = ScramClient(hash: .sha256, username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = scram.clientFirstMessage()
        _ = try scram.clientFinalMessage(serverFirst: bytes(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
        #expect(throws: ScramError.serverError("unknown-user")) { try scram.verifyServerFinal(bytes("e=unknown-user")) }
        #expect(!scram.isComplete)
    }

    @Test func forgedServerSignatureIsRejected() throws {
        var scram = ScramClient(hash: .sha256, username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = scram.clientFirstMessage()
        _ = try scram.clientFinalMessage(serverFirst: bytes(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
        #expect(throws: ScramError.serverSignatureMismatch) {
            try scram.verifyServerFinal(bytes("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        }
    }

    @Test func serverFirstIsChecked() throws {
        func attempt(_ serverFirst: String) throws {
            var scram = ScramClient(hash: .sha256, username: "u", password: "p", nonce: "abc")
            _ = scram.clientFirstMessage()
            _ = try scram.clientFinalMessage(serverFirst: bytes(serverFirst))
        }
        #expect(throws: ScramError.nonceMismatch) { try attempt("r=xyzdef,s=QSXCR+Q6sek8bf92,i=4096") }
        #expect(throws: ScramError.nonceMismatch) { try attempt("r=abc,s=QSXCR+Q6sek8bf92,i=4096") }
        #expect(throws: ScramError.unacceptableIterations(1)) { try attempt("r=abcdef,s=QSXCR+Q6sek8bf92,i=1") }
        #expect(throws: ScramError.serverError("other-error")) { try attempt("e=other-error") }
        #expect(throws: ScramError.self) { try attempt("r=abcdef,s=***,i=4096") }
        #expect(throws: ScramError.self) { try attempt("garbage") }
        #expect(throws: ScramError.self) { try attempt("r=abcdef,i=4096") }
    }

    @Test func usernamesAreEscapedAndNoncesAreRandom() {
        var scram = ScramClient(hash: .sha256, username: "a=b,c", password: "p", nonce: "n")
        #expect(text(scram.clientFirstMessage()) == "n,,n=a=3Db=2Cc,r=n")
        let one = ScramClient(hash: .sha256, username: "u", password: "p")
        let two = ScramClient(hash: .sha256, username: "u", password: "p")
        #expect(one.clientNonce != two.clientNonce)
        #expect(one.clientNonce.count >= 24 && !one.clientNonce.contains(","))
    }

    /// RFC 4616: [authzid] NUL authcid NUL passwd.
    @Test func plainMessageFormat() {
        #expect(PlainMechanism.message(username: "alice", password: "s3cret") == [0] + bytes("alice") + [0] + bytes("s3cret"))
        #expect(PlainMechanism.message(username: "", password: "").count == 2)
    }

    @Test func base64RoundTripsAndRejectsJunk() {
        for length in 0..<20 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decode(Base64.encode(data)) == data)
        }
        #expect(Base64.encode(bytes("foobar")) == "Zm9vYmFy")
        #expect(Base64.encode(bytes("fo")) == "Zm8=")
        #expect(Base64.decode("Zm9v!mFy") == nil)
        #expect(Base64.decode("Zm9") == nil)
        #expect(Base64.decode("Zm=v") == nil)
    }

    /// KIP-368 timing: between 85 % and 95 % of the lifetime, none without a lifetime.
    @Test func reauthenticationHappensBeforeTheSessionEnds() {
        #expect(ReauthenticationSchedule.delayMs(sessionLifetimeMs: 0) == nil)
        #expect(ReauthenticationSchedule.delayMs(sessionLifetimeMs: -1) == nil)
        #expect(ReauthenticationSchedule.delayMs(sessionLifetimeMs: 100_000, jitter: 0) == 85_000)
        #expect(ReauthenticationSchedule.delayMs(sessionLifetimeMs: 100_000, jitter: 1) == 95_000)
        for _ in 0..<100 {
            let delay = ReauthenticationSchedule.delayMs(sessionLifetimeMs: 60_000) ?? 0
            #expect(delay >= 51_000 && delay <= 57_000)
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
