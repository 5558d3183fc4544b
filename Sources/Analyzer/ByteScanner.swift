/// Cursor over UTF-8 bytes with line tracking, shared by the Python and SQL tokenizers.
struct ByteScanner {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let i = index + offset
        return i < bytes.count ? bytes[i] : nil
    }

    /// Advances one byte, counting lines (a CR LF pair counts once, at the LF).
    mutating func advance() {
        guard index < bytes.count else { return }
        if bytes[index] == .lf || (bytes[index] == .cr && peek(1) != .lf) { line += 1 }
        index += 1
    }

    mutating func advance(_ n: Int) {
        for _ in 0..<n { advance() }
    }

    func matches(_ text: String) -> Bool {
        var i = index
        for b in text.utf8 {
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
        }
        return true
    }

    /// Case-insensitive ASCII comparison at the cursor.
    func matchesIgnoringCase(_ text: String) -> Bool {
        var i = index
        for b in text.utf8 {
            guard i < bytes.count, bytes[i].asciiLowercased == b.asciiLowercased else { return false }
            i += 1
        }
        return true
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
}

extension UInt8 {
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    var asciiLowercased: UInt8 { (65...90).contains(self) ? self + 32 : self }
    var isASCIIDigit: Bool { (48...57).contains(self) }
    var isASCIILetter: Bool { (65...90).contains(self) || (97...122).contains(self) }
    /// Identifier start for Python and SQL: letters, underscore, and any non-ASCII byte
    /// (both languages allow Unicode letters; validity was checked when decoding UTF-8).
    var isIdentifierStart: Bool { isASCIILetter || self == UInt8(ascii: "_") || self >= 0x80 }
    var isIdentifierPart: Bool { isIdentifierStart || isASCIIDigit }
}
