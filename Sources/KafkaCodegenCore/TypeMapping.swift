/// How spec types map to Swift: type names, default values, wire calls and WireValue forms.
enum TypeMapping {
    static func swiftType(_ type: FieldType) -> String {
        switch type {
        case .bool: return "Bool"
        case .int8: return "Int8"
        case .int16: return "Int16"
        case .int32: return "Int32"
        case .int64: return "Int64"
        case .uint16: return "UInt16"
        case .uint32: return "UInt32"
        case .float64: return "Double"
        case .string: return "String"
        case .uuid: return "KafkaUUID"
        case .bytes, .records: return "[UInt8]"
        case let .structure(name): return name
        case let .array(element): return "[\(swiftType(element))]"
        }
    }

    static func propertyType(_ field: FieldSpec) -> String {
        let base = swiftType(field.type)
        return field.isOptional ? base + "?" : base
    }

    /// The Swift expression for the field's spec default.
    static func defaultExpression(_ field: FieldSpec, file: String) throws -> String {
        let text = field.defaultValue
        func fail(_ why: String) -> SpecError {
            SpecError(file: file, message: "\(field.name): default '\(text ?? "")' \(why)")
        }
        if text == "null" {
            guard field.isOptional else { throw fail("is null but the field is never nullable") }
            return "nil"
        }
        switch field.type {
        case .bool:
            guard let text else { return "false" }
            switch text.lowercased() {
            case "true": return "true"
            case "false": return "false"
            default: throw fail("is not a bool")
            }
        case .int8, .int16, .int32, .int64, .uint16, .uint32:
            guard let text else { return "0" }
            guard let value = parseInteger(text) else { throw fail("is not an integer") }
            let (low, high) = integerBounds(field.type)
            guard value >= low && value <= high else { throw fail("does not fit the type") }
            return String(value)
        case .float64:
            guard let text else { return "0.0" }
            guard let value = Double(text), value.isFinite else { throw fail("is not a float") }
            return "\(value)"
        case .string:
            return Naming.stringLiteral(text ?? "")
        case .uuid:
            guard text == nil else { throw fail("is not supported for uuid") }
            return "KafkaUUID.zero"
        case .bytes, .array:
            guard text == nil || text == "" else { throw fail("is not supported for this type") }
            return "[]"
        case .records:
            return "nil"
        case let .structure(name):
            guard text == nil || text == "" else { throw fail("is not supported for structs") }
            return "\(name)()"
        }
    }

    /// Parses decimal, 0x-hex and 0-octal integers as the spec README allows.
    static func parseInteger(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() }
        let magnitude: Int64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            magnitude = Int64(body.dropFirst(2), radix: 16)
        } else if body.count > 1 && body.hasPrefix("0") {
            magnitude = Int64(body.dropFirst(), radix: 8)
        } else {
            magnitude = Int64(body, radix: 10)
        }
        guard let magnitude else {
            // Int64.min has no positive counterpart.
            return text == "-9223372036854775808" ? Int64.min : nil
        }
        return negative ? -magnitude : magnitude
    }

    static func integerBounds(_ type: FieldType) -> (Int64, Int64) {
        switch type {
        case .int8: return (Int64(Int8.min), Int64(Int8.max))
        case .int16: return (Int64(Int16.min), Int64(Int16.max))
        case .int32: return (Int64(Int32.min), Int64(Int32.max))
        case .uint16: return (0, Int64(UInt16.max))
        case .uint32: return (0, Int64(UInt32.max))
        default: return (Int64.min, Int64.max)
        }
    }

    /// A Bool expression: the field holds something other than its default.
    static func nonDefaultCheck(_ field: FieldSpec, access: String, defaultExpression: String) -> String {
        switch field.type {
        case .string where !field.isOptional && defaultExpression == "\"\"":
            return "!\(access).isEmpty"
        case .bytes, .array:
            if !field.isOptional { return "!\(access).isEmpty" }
            return "\(access) != \(defaultExpression)"
        default:
            return "\(access) != \(defaultExpression)"
        }
    }

    /// The reader call for one non-null value of a non-array type.
    static func readExpression(_ type: FieldType, compact: String, reader: String) -> String {
        switch type {
        case .bool: return "try \(reader).readBool()"
        case .int8: return "try \(reader).readInt8()"
        case .int16: return "try \(reader).readInt16()"
        case .int32: return "try \(reader).readInt32()"
        case .int64: return "try \(reader).readInt64()"
        case .uint16: return "try \(reader).readUInt16()"
        case .uint32: return "try \(reader).readUInt32()"
        case .float64: return "try \(reader).readFloat64()"
        case .uuid: return "try \(reader).readUUID()"
        case .string: return "try \(reader).readString(compact: \(compact))"
        case .bytes, .records: return "try \(reader).readBytes(compact: \(compact))"
        case let .structure(name): return "try \(name)(from: &\(reader), version: version)"
        case .array: fatalError("arrays are read by loops")
        }
    }

    /// The writer statement for one non-null value of a non-array type.
    static func writeStatement(_ type: FieldType, value: String, compact: String, writer: String) -> String {
        switch type {
        case .bool: return "\(writer).writeBool(\(value))"
        case .int8: return "\(writer).writeInt8(\(value))"
        case .int16: return "\(writer).writeInt16(\(value))"
        case .int32: return "\(writer).writeInt32(\(value))"
        case .int64: return "\(writer).writeInt64(\(value))"
        case .uint16: return "\(writer).writeUInt16(\(value))"
        case .uint32: return "\(writer).writeUInt32(\(value))"
        case .float64: return "\(writer).writeFloat64(\(value))"
        case .uuid: return "\(writer).writeUUID(\(value))"
        case .string: return "try \(writer).writeString(\(value), compact: \(compact))"
        case .bytes, .records: return "\(writer).writeBytes(\(value), compact: \(compact))"
        case .structure: return "try \(value).encode(to: &\(writer), version: version)"
        case .array: fatalError("arrays are written by loops")
        }
    }

    /// The WireValue for one non-null value of a non-array type.
    static func describeExpression(_ type: FieldType, value: String) -> String {
        switch type {
        case .bool: return "WireValue.bool(\(value))"
        case .int64: return "WireValue.int(\(value))"
        case .int8, .int16, .int32, .uint16, .uint32: return "WireValue.int(Int64(\(value)))"
        case .float64: return "WireValue.float(\(value))"
        case .uuid: return "WireValue.uuid(\(value))"
        case .string: return "WireValue.string(\(value))"
        case .bytes: return "WireValue.bytes(\(value))"
        case .records: return "WireValue.records(\(value))"
        case .structure: return "\(value).describe(version: version)"
        case .array: fatalError("arrays are described by loops")
        }
    }
}
