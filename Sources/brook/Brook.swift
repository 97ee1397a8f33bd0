// The `brook` command line: one binary for the broker and its tooling.
import ArgumentParser

@main
struct Brook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brook",
        abstract: "Brook: a Kafka-compatible, schema-aware event streaming platform.",
        subcommands: [ServeCommand.self])
}
