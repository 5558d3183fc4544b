import ArgumentParser
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "record")
    func run() async throws { throw ValidationError("not yet implemented") }
}
