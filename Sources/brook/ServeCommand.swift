// Placeholder for `brook serve`; the Broker owner replaces this file.
import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run a broker")

    func run() async throws {
        throw CommandFailure("`brook serve` is not part of this build yet.")
    }
}
