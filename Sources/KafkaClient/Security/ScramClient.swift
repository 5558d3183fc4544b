/// The client side of SCRAM (RFC 5802, RFC 7677) as a value-type state machine: it produces
/// the client-first and client-final messages and checks the server's answers; the caller
/// moves the bytes (SaslAuthenticate). The nonce is injectable so the RFCs' example
/// exchanges can be reproduced exactly.
public struct ScramClient: Sendable {
    public let hash: ScramHash
    private let username: String
    private let password: String
    public let clientNonce: String
    private var clientFirstBare = ""
    private var expectedServerSignature: [UInt8]?
    private var step = 0

    /// Kafka's brokers store credentials with at least 4096 iterations (as RFC 7677 asks);
    /// fewer is a downgrade. The cap keeps a hostile server from making us spin.
    public static let minIterations = 4096
    public static let maxIterations = 1_000_000

    public init(hash: ScramHash, username: String, password: String, nonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.password = password
        // 24 random bytes in base64: printable and free of ',' as the nonce must be.
        self.clientNonce = nonce ?? Base64.encode(SecureRandom.bytes(24))
    }

    /// "n,,n=USER,r=NONCE": no channel binding, no authorization identity.
    public mutating func clientFirstMessage() -> [UInt8] {
        clientFirstBare = "n=\(Self.escape(username)),r=\(clientNonce)"
        step = 1
        return Array(("n,," + clientFirstBare).utf8)
    }

    /// Checks the server-first message and answers with the client proof.
    public mutating func clientFinalMessage(serverFirst: [UInt8]) throws(ScramError) -> [UInt8] {
        guard step == 1 else { throw .outOfOrder }
        guard let serverFirstText = String(validating: serverFirst, as: UTF8.self) else {
            throw .malformedServerMessage("server-first is not UTF-8")
        }
        let attributes = try Self.attributes(serverFirstText)
        if let error = attributes["e"] { throw .serverError(error) }
        if attributes["m"] != nil { throw .malformedServerMessage("mandatory extension not supported") }
        guard let nonce = attributes["r"], let saltText = attributes["s"], let iterationText = attributes["i"] else {
            throw .malformedServerMessage("server-first lacks r, s or i")
        }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else { throw .nonceMismatch }
        guard let salt = Base64.decode(saltText), !salt.isEmpty else { throw .malformedServerMessage("salt is not base64") }
        guard let iterations = Int(iterationText) else { throw .malformedServerMessage("iteration count is not a number") }
        guard iterations >= Self.minIterations, iterations <= Self.maxIterations else {
            throw .unacceptableIterations(iterations)
        }

        let saltedPassword = hash.pbkdf2(password: Array(password.utf8), salt: salt, iterations: UInt32(iterations))
        guard saltedPassword.count == hash.length else { throw .malformedServerMessage("key derivation failed") }
        let clientKey = hash.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = hash.digest(clientKey)
        // c=biws is base64("n,,"): the GS2 header of client-first.
        let finalWithoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirstText),\(finalWithoutProof)".utf8)
        let clientSignature = hash.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = hash.hmac(key: saltedPassword, Array("Server Key".utf8))
        expectedServerSignature = hash.hmac(key: serverKey, authMessage)
        step = 2
        return Array("\(finalWithoutProof),p=\(Base64.encode(proof))".utf8)
    }

    /// Checks server-final: "e=…" is a refusal whatever error code came with it; "v=…" must
    /// carry the signature only a server that knows our credentials can compute.
    public mutating func verifyServerFinal(_ message: [UInt8]) throws(ScramError) {
        guard step == 2, let expected = expectedServerSignature else { throw .outOfOrder }
        guard let text = String(validating: message, as: UTF8.self) else {
            throw .malformedServerMessage("server-final is not UTF-8")
        }
        let attributes = try Self.attributes(text)
        if let error = attributes["e"] { throw .serverError(error) }
        guard let verifier = attributes["v"], let signature = Base64.decode(verifier) else {
            throw .malformedServerMessage("server-final lacks v")
        }
        guard signature == expected else { throw .serverSignatureMismatch }
        step = 3
    }

    public var isComplete: Bool { step == 3 }

    /// saslname: '=' and ',' escaped as =3D and =2C.
    static func escape(_ name: String) -> String {
        name.replacingAll("=", with: "=3D").replacingAll(",", with: "=2C")
    }

    /// "k=v,k=v" into a dictionary (values may contain '=').
    static func attributes(_ text: String) throws(ScramError) -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: eq) == 1 else {
                throw .malformedServerMessage("attribute \"\(part.prefix(20))\" is not k=v")
            }
            result[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return result
    }
}

public enum ScramError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedServerMessage(String)
    /// The server's nonce does not extend ours: a replayed or foreign exchange.
    case nonceMismatch
    case unacceptableIterations(Int)
    /// The server refused: RFC 5802's server-error value, e.g. "unknown-user", "invalid-proof".
    case serverError(String)
    /// The server could not prove it knows our credentials.
    case serverSignatureMismatch
    case outOfOrder

    public var description: String {
        switch self {
        case let .malformedServerMessage(detail): return "malformed SCRAM message from the server: \(detail)"
        case .nonceMismatch: return "the server's nonce does not extend ours"
        case let .unacceptableIterations(n):
            return "the server asks for \(n) iterations (accepted: \(ScramClient.minIterations)…\(ScramClient.maxIterations))"
        case let .serverError(value): return "the server refused: e=\(value)"
        case .serverSignatureMismatch: return "the server's signature is wrong: it does not know these credentials"
        case .outOfOrder: return "SCRAM messages out of order"
        }
    }
}

/// SASL PLAIN (RFC 4616): "authzid NUL authcid NUL password", with an empty authzid.
public enum PlainMechanism {
    public static func message(username: String, password: String) -> [UInt8] {
        [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
