import Foundation
import PipelineModels

/// Analyzes one file. Never throws: unreadable input becomes `Findings.error`, so a bad file is
/// recorded in the graph rather than stalling the pipeline. `file` is not inspected today; it is
/// part of the signature so that path-based rules need no API change.
public func analyze(file: String, lang: Language, contents: Data) -> Findings {
    analyze(file: file, lang: lang, bytes: [UInt8](contents))
}

/// Same as `analyze(file:lang:contents:)` over raw bytes.
public func analyze(file: String, lang: Language, bytes: [UInt8]) -> Findings {
    // Reject invalid UTF-8 up front: both tokenizers work on bytes and would otherwise
    // report names made of replacement characters.
    if let offset = firstInvalidUTF8Offset(bytes) {
        return .error("not valid UTF-8 (byte offset \(offset))")
    }
    do {
        switch lang {
        case .python: return .python(functionNames: try PythonAnalyzer.functionNames(in: bytes))
        case .sql: return .sql(tables: try SQLAnalyzer.tables(in: bytes))
        }
    } catch {
        return .error(error.description)
    }
}

/// Offset of the first byte that breaks UTF-8 decoding, or nil when the whole buffer is valid.
func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var consumed = 0
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar):
            consumed += UTF8.width(scalar)
        case .emptyInput:
            return nil
        case .error:
            return consumed
        }
    }
}
