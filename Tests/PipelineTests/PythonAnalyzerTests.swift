import Testing
@testable import Analyzer

@Suite("Python function finder")
struct PythonAnalyzerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let source: String
        let names: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "plain def", source: "def f():\n    pass\n", names: ["f"]),
        Case(label: "async def", source: "async def fetch():\n    await x\n", names: ["fetch"]),
        Case(label: "methods and nested", source: """
            class A:
                def m(self):
                    def inner():
                        pass
                    return inner
                async def am(self): ...
            def top(): pass
            """, names: ["m", "inner", "am", "top"]),
        Case(label: "decorators", source: "@app.route('/def x')\n@staticmethod\ndef handler(): pass\n", names: ["handler"]),
        Case(label: "identifiers containing def", source: "undefined = 1\ndefine(x)\nmy_def = defaults\nx.define()\n", names: []),
        Case(label: "double-quoted string", source: "s = \"def fake(): pass\"\n", names: []),
        Case(label: "single-quoted string with escaped quote", source: "s = 'it\\'s def fake():'\ndef real(): pass\n", names: ["real"]),
        Case(label: "triple double quotes", source: "\"\"\"\ndef fake():\n\"\"\"\ndef real(): pass\n", names: ["real"]),
        Case(label: "triple single quotes with inner quotes", source: "s = '''it's \"def\" def fake(): ''' ; def_ = 1\n", names: []),
        Case(label: "raw and bytes strings", source: "a = r'\\d def x' ; b = b\"def y\" ; c = Rb'def z'\ndef ok(): pass\n", names: ["ok"]),
        Case(label: "f-string", source: "msg = f\"def {name} def fake():\"\ndef real(): pass\n", names: ["real"]),
        Case(label: "f-string with nested same quotes (3.12)", source: "msg = f\"{d[\"def k\"]} def fake():\"\ndef real(): pass\n", names: ["real"]),
        Case(label: "f-string with format spec and conversion", source: "s = f'{v!r:>{w}} def no():'\ndef yes(): pass\n", names: ["yes"]),
        Case(label: "f-string with doubled braces", source: "s = f'{{def no():}}'\ndef yes(): pass\n", names: ["yes"]),
        Case(label: "triple-quoted f-string", source: "s = f'''\n{x}\ndef no():\n'''\ndef yes(): pass\n", names: ["yes"]),
        Case(label: "comment", source: "# def commented(): pass\ndef real(): pass  # def trailing():\n", names: ["real"]),
        Case(label: "line continuation between def and name", source: "def \\\n    spaced(): pass\n", names: ["spaced"]),
        Case(label: "tabs", source: "class C:\n\tdef tabbed(self):\n\t\tpass\n", names: ["tabbed"]),
        Case(label: "CRLF", source: "def a():\r\n    return 1\r\n\r\ndef b():\r\n    pass\r\n", names: ["a", "b"]),
        Case(label: "unicode names", source: "def grüße(): pass\ndef 函数(): pass\n", names: ["grüße", "函数"]),
        Case(label: "def as attribute-like text in lambda", source: "f = lambda: None\nundef = lambda d: d\n", names: []),
        Case(label: "keyword def without a name", source: "def (broken\n", names: []),
        Case(label: "overloads count each definition", source: "@overload\ndef f(x: int) -> int: ...\n@overload\ndef f(x: str) -> str: ...\ndef f(x): return x\n", names: ["f", "f", "f"]),
        Case(label: "empty file", source: "", names: []),
    ]

    @Test(arguments: cases)
    func finds(_ c: Case) throws {
        #expect(try PythonAnalyzer.functionNames(in: c.source) == c.names)
    }

    @Test(arguments: ["s = 'never closed\ndef x(): pass\n", "s = \"\"\"never closed\ndef x(): pass\n", "s = f'{x'\n"])
    func unterminatedStringIsAnError(_ source: String) {
        #expect(throws: AnalysisError.self) { try PythonAnalyzer.functionNames(in: source) }
    }

    @Test func errorNamesTheLine() {
        #expect(throws: AnalysisError("unterminated string", line: 3)) {
            try PythonAnalyzer.functionNames(in: "x = 1\n\ns = 'open\n")
        }
    }
}
