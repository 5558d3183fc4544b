/// Finds every struct a message uses (inline and common), in first-use order, with the
/// versions in which each can appear on the wire.
struct CollectedStruct {
    var name: String
    var fields: [FieldSpec]
    var versions: SpecVersions
}

enum StructCollector {
    /// Names nested types must not take: the generated code refers to these unqualified.
    static let reservedNames: Set<String> = [
        "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
        "Double", "String", "Array", "Optional", "KafkaUUID", "WireReader", "WireWriter", "WireValue",
        "VersionRange", "UnknownTaggedField", "KafkaCodecError", "KafkaMessage",
    ]

    static func collect(_ message: MessageSpec) throws -> [CollectedStruct] {
        let file = message.fileName + ".json"
        var definitions: [String: [FieldSpec]] = [:]
        var order: [String] = []
        var common: [String: [FieldSpec]] = [:]
        for spec in message.commonStructs {
            guard common[spec.name] == nil else {
                throw SpecError(file: file, message: "common struct \(spec.name) defined twice")
            }
            common[spec.name] = spec.fields
        }

        // Definitions, in first-use order (depth first, as the fields appear).
        func define(_ fields: [FieldSpec]) throws {
            for field in fields {
                guard let name = field.type.structName else { continue }
                if !field.fields.isEmpty {
                    guard definitions[name] == nil else {
                        throw SpecError(file: file, message: "struct \(name) defined twice")
                    }
                    guard common[name] == nil else {
                        throw SpecError(file: file, message: "struct \(name) is also a common struct")
                    }
                    definitions[name] = field.fields
                    order.append(name)
                    try define(field.fields)
                } else if definitions[name] == nil {
                    guard let fields = common[name] else {
                        throw SpecError(file: file, message: "field \(field.name) uses undefined struct \(name)")
                    }
                    definitions[name] = fields
                    order.append(name)
                    try define(fields)
                }
            }
        }
        try define(message.fields)
        for name in order where reservedNames.contains(name) || name == message.name {
            throw SpecError(file: file, message: "struct name \(name) clashes with a name the generated code uses")
        }

        // Versions: grow each struct's range until nothing changes (common structs can be
        // reached from several fields).
        var versions: [String: SpecVersions] = [:]
        var changed = true
        func visit(_ fields: [FieldSpec], context: SpecVersions) {
            for field in fields {
                guard let name = field.type.structName else { continue }
                let reach = field.versions.intersection(context)
                let old = versions[name] ?? .none
                let new = old.hull(reach)
                if new != old {
                    versions[name] = new
                    changed = true
                }
            }
        }
        while changed {
            changed = false
            visit(message.fields, context: message.validVersions)
            for name in order {
                visit(definitions[name] ?? [], context: versions[name] ?? .none)
            }
        }
        var result: [CollectedStruct] = []
        for name in order {
            result.append(CollectedStruct(name: name, fields: definitions[name] ?? [], versions: versions[name] ?? .none))
        }
        return result
    }
}
