import KafkaProtocol

/// Walks a decoded message tree for the facts the manifest names.
extension WireValue {
    /// Every string value anywhere in the tree.
    var allStrings: Set<String> {
        var out = Set<String>()
        collect { value, _ in if case let .string(s?) = value { out.insert(s) } }
        return out
    }

    /// Every value of a field named `ErrorCode`.
    var allErrorCodes: Set<Int16> {
        var out = Set<Int16>()
        collect { value, name in
            if name == "ErrorCode", case let .int(code) = value { out.insert(Int16(truncatingIfNeeded: code)) }
        }
        return out
    }

    /// The bytes of every non-null `records` field, in wire order.
    var allRecordFields: [[UInt8]] {
        var out: [[UInt8]] = []
        collect { value, _ in if case let .records(bytes?) = value { out.append(bytes) } }
        return out
    }

    func collect(_ visit: (WireValue, String?) -> Void) {
        walk(name: nil, visit)
    }

    private func walk(name: String?, _ visit: (WireValue, String?) -> Void) {
        visit(self, name)
        switch self {
        case let .array(items?): for item in items { item.walk(name: nil, visit) }
        case let .object(fields): for field in fields { field.value.walk(name: field.name, visit) }
        default: break
        }
    }
}
