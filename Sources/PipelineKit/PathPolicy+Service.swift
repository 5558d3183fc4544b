import Miner

extension ServiceSettings {
    /// `ALLOWED_ROOTS` as a path policy; a bad value stops the service at start-up.
    public func allowedRootsPolicy() throws -> PathPolicy {
        do {
            return try PathPolicy(environmentValue: allowedRoots)
        } catch {
            throw ConfigurationError(variable: "ALLOWED_ROOTS", message: error.description)
        }
    }
}

extension PathPolicy {
    /// The checkout a message names, resolved inside the allowed roots. A refused path is a
    /// permanent failure: the message is dead-lettered, not retried.
    public func resolveCheckout(_ path: String) throws -> String {
        do {
            return try resolve(path)
        } catch {
            throw ProcessingError.permanent("checkout refused: \(error)")
        }
    }
}
