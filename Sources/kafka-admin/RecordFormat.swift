import KafkaClient
import KafkaProtocol

/// How `consume` prints a record: a named format (one line per record) or a kcat-style format
/// string, printed exactly as written (so it needs its own `\n`).
enum RecordFormat: Equatable {
    case value
    case kv
    case json
    case template([Piece])

    enum Piece: Equatable {
        case literal(String)
        case topic, partition, offset, key, value, timestamp, headers, keyLength, valueLength
    }

    static let tokenHelp = "%t topic, %p partition, %o offset, %k key, %s value, %T timestamp (ms), %h headers (k=v,…), %K key length, %S value length, %% a percent sign; escapes \\n \\t \\r \\\\"

    /// `value`, `kv`, `json`, or a format string with at least one %-token or escape.
    init(parsing text: String) throws(FormatError) {
        switch text {
        case "value": self = .value
        case "kv": self = .kv
        case "json": self = .json
        default:
            let pieces = try Self.pieces(text)
            guard pieces.contains(where: { if case .literal = $0 { return false } else { return true } })
                    || text.contains("\\") else {
                throw FormatError("-f \(text): expected value, kv, json or a format string such as '%k=%s\\n' (\(Self.tokenHelp))")
            }
            self = .template(pieces)
        }
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private static func pieces(_ text: String) throws(FormatError) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var iterator = text.makeIterator()
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
        }
        while let character = iterator.next() {
            switch character {
            case "%":
                guard let token = iterator.next() else { throw FormatError("-f \(text): a lone % at the end (write %% for a percent sign)") }
                let piece: Piece
                switch token {
                case "%": literal.append("%"); continue
                case "t": piece = .topic
                case "p": piece = .partition
                case "o": piece = .offset
                case "k": piece = .key
                case "s": piece = .value
                case "T": piece = .timestamp
                case "h": piece = .headers
                case "K": piece = .keyLength
                case "S": piece = .valueLength
                default: throw FormatError("-f \(text): unknown token %\(token) (\(tokenHelp))")
                }
                flush()
                pieces.append(piece)
            case "\\":
                guard let escaped = iterator.next() else { throw FormatError("-f \(text): a lone \\ at the end (write \\\\ for a backslash)") }
                switch escaped {
                case "n": literal.append("\n")
                case "t": literal.append("\t")
                case "r": literal.append("\r")
                case "\\": literal.append("\\")
                default: throw FormatError("-f \(text): unknown escape \\\(escaped) (\\n, \\t, \\r or \\\\)")
                }
            default:
                literal.append(character)
            }
        }
        flush()
        return pieces
    }

    /// The text to print for `record`; named formats end with a newline, templates as written.
    func render(_ record: ConsumerRecord) -> String {
        func text(_ bytes: [UInt8]?) -> String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "" }
        switch self {
        case .value: return text(record.value) + "\n"
        case .kv: return "\(text(record.key))\t\(text(record.value))\n"
        case .json:
            func bytes(_ value: [UInt8]?) -> JSONValue { value.map(JSONValue.bytes) ?? .null }
            let json = JSONValue.object([
                ("topic", .string(record.topic)),
                ("partition", .int(Int64(record.partition))),
                ("offset", .int(record.offset)),
                ("timestamp", .int(record.timestamp)),
                ("key", bytes(record.key)),
                ("value", bytes(record.value)),
                ("headers", .object(record.headers.map { ($0.key, bytes($0.value)) })),
            ])
            return json.rendered(indent: "").replacingOccurrences(of: "\n", with: "") + "\n"
        case .template(let pieces):
            return pieces.map { piece -> String in
                switch piece {
                case .literal(let text): return text
                case .topic: return record.topic
                case .partition: return String(record.partition)
                case .offset: return String(record.offset)
                case .key: return text(record.key)
                case .value: return text(record.value)
                case .timestamp: return String(record.timestamp)
                case .headers: return record.headers.map { "\($0.key)=\(text($0.value))" }.joined(separator: ",")
                case .keyLength: return String(record.key?.count ?? -1)
                case .valueLength: return String(record.value?.count ?? -1)
                }
            }.joined()
        }
    }
}
