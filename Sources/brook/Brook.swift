// The `brook` command line: one binary for the broker (`serve`) and the client tools.
import ArgumentParser

@main
struct Brook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brook",
        abstract: "A Kafka-compatible, schema-aware event streaming platform.",
        subcommands: [ServeCommand.self, RegistryCommand.self, TopicCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupCommand.self, SchemaCommand.self, CodegenCommand.self, BenchCommand.self])
}
