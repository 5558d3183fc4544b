import ArgumentParser
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode")
    func run() async throws { throw ValidationError("not yet implemented") }
}
