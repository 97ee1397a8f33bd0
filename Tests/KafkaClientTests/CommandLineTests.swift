// The brook CLI's argument parsing, ISO-8601 times and output formatting.
import ArgumentParser
import Foundation
import NIOCore
import KafkaClient
import KafkaProtocol
import Testing

@testable import brook

@Suite struct ISO8601TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("1970-01-01", Int64(0)),
        ("2024-05-01T12:30:00Z", Int64(1_714_566_600_000)),
        ("2024-05-01T14:30:00+02:00", Int64(1_714_566_600_000)),
        ("2024-05-01T07:00:00-0530", Int64(1_714_566_600_000)),
        ("2024-05-01T12:30:00.5Z", Int64(1_714_566_600_500)),
        ("2024-05-01T12:30:00.123456789Z", Int64(1_714_566_600_123)),
        ("2024-05-01T12:30", Int64(1_714_566_600_000)),
        ("2000-02-29T00:00:00Z", Int64(951_782_400_000)),
        ("1969-12-31T23:59:59.999Z", Int64(-1)),
    ])
    func parses(text: String, milliseconds: Int64) throws {
        #expect(try ISO8601Timestamp.parseMilliseconds(text) == milliseconds)
    }

    @Test(arguments: [
        "", "2024", "2024-13-01", "2023-02-29", "2024-05-01T25:00:00Z", "2024-05-01T12:30:00Q",
        "2024-05-01T12:30:00.Z", "yesterday", "2024-05-01T12:30:00+2",
    ])
    func rejects(text: String) {
        #expect(throws: ISO8601Timestamp.ParseError.self) { try ISO8601Timestamp.parseMilliseconds(text) }
    }

    @Test func formatsAndRoundTrips() throws {
        #expect(ISO8601Timestamp.format(milliseconds: 1_714_566_600_123) == "2024-05-01T12:30:00.123Z")
        #expect(ISO8601Timestamp.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        for milliseconds in [Int64(0), 951_782_400_000, 4_102_444_800_000, 1_714_566_600_007] {
            #expect(try ISO8601Timestamp.parseMilliseconds(ISO8601Timestamp.format(milliseconds: milliseconds)) == milliseconds)
        }
    }
}

@Suite struct OutputFormattingTests {
    @Test func tablesPadColumnsAndRightAlignNumbers() {
        var table = TextTable(headers: ["TOPIC", "PARTITIONS"], alignments: [.left, .right])
        table.append(["orders", "12"])
        table.append(["a", "3"])
        #expect(table.render() == "TOPIC   PARTITIONS\norders          12\na                3")
    }

    @Test func topicListAsJSONIsOneSortedLine() {
        let topic = TopicMetadata(
            name: "orders", topicId: .zero, isInternal: false, errorCode: .none,
            partitions: [PartitionMetadata(partition: 0, leaderId: 1, leaderEpoch: 0, replicas: [1], inSyncReplicas: [1], offlineReplicas: [], errorCode: .none)])
        #expect(TopicRendering.list([topic], format: .json) == #"[{"internal":false,"name":"orders","partitions":1}]"#)
        #expect(TopicRendering.list([topic], format: .text) == "TOPIC   PARTITIONS  REPLICAS\norders           1         1")
    }

    @Test func errorAdviceSaysWhatToFix() {
        let exists = KafkaError(kind: .broker, code: .topicAlreadyExists, context: "creating topic orders")
        let text = advice(for: exists, bootstrapServer: "127.0.0.1:9092")
        #expect(text.hasPrefix("Creating topic orders failed: TOPIC_ALREADY_EXISTS"))
        #expect(text.contains("brook topic delete"))
        let refused = KafkaError(kind: .connectionFailed, context: "connecting to bootstrap servers 127.0.0.1:9", detail: "Connection refused")
        #expect(advice(for: refused, bootstrapServer: "127.0.0.1:9").contains("--bootstrap-server"))
    }
}

@Suite struct ArgumentParsingTests {
    @Test func topicCreateTakesPartitionsAndRepeatableConfigs() throws {
        let command = try Brook.parseAsRoot(["topic", "create", "orders", "--partitions", "3", "--config", "retention.ms=1000", "--config", "cleanup.policy=compact"])
        let create = try #require(command as? TopicCommand.Create)
        #expect(create.topic == "orders")
        #expect(create.partitions == 3)
        #expect(create.configs == ["retention.ms=1000", "cleanup.policy=compact"])
        #expect(create.connection.bootstrapServer == "127.0.0.1:9092")
    }

    @Test func badArgumentsAreRejectedBeforeConnecting() {
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["topic", "create", "orders", "--partitions", "0"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["topic", "create", "bad/name"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["topic", "create", "orders", "--config", "novalue"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["topic", "list", "--bootstrap-server", "host:notaport"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["topic", "alter-config", "orders"]) }
    }

    @Test func listAcceptsJSONOutputAndAnotherServer() throws {
        let list = try #require(try Brook.parseAsRoot(["topic", "list", "--output", "json", "--bootstrap-server", "10.0.0.1:19092"]) as? TopicCommand.List)
        #expect(list.output == .json)
        #expect(list.connection.bootstrapServer == "10.0.0.1:19092")
    }

    @Test func brokerAddressesParse() throws {
        #expect(try BrokerAddress(parsing: "127.0.0.1:9092") == BrokerAddress(host: "127.0.0.1", port: 9092))
        #expect(try BrokerAddress(parsing: "kafka") == BrokerAddress(host: "kafka", port: 9092))
        #expect(try BrokerAddress(parsing: "[::1]:19092") == BrokerAddress(host: "::1", port: 19092))
        #expect(try BrokerAddress.parseList("a:1, b:2").count == 2)
        #expect(throws: KafkaError.self) { try BrokerAddress(parsing: "a:0") }
        #expect(throws: KafkaError.self) { try BrokerAddress(parsing: ":9092") }
    }
}

@Suite struct ProduceConsumeCommandTests {
    @Test func produceOptionsParse() throws {
        let produce = try #require(
            try Brook.parseAsRoot([
                "produce", "orders", "--key-separator", ":", "--header", "a=1", "--header", "b=x=y", "--compression", "zstd",
                "--partition", "2", "--acks", "1",
            ]) as? ProduceCommand)
        #expect(produce.topic == "orders")
        #expect(produce.keySeparator == ":")
        #expect(produce.headers == ["a=1", "b=x=y"])
        #expect(produce.compression.codec == .zstd)
        #expect(produce.partition == 2)
        #expect(produce.acks.acks == .leader)
        #expect(try KeyValueArgument.parse("b=x=y", option: "--header") == ("b", "x=y"))
    }

    @Test func produceRejectsBadValues() {
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["produce", "t", "--compression", "brotli"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["produce", "t", "--acks", "2"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["produce", "t", "--file", "/nonexistent/file"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["produce", "t", "--header", "novalue"]) }
    }

    @Test func consumeStartAndEndPositions() throws {
        let fromTime = try #require(
            try Brook.parseAsRoot(["consume", "t", "--from", "2024-05-01T12:30:00Z", "--to", "2024-05-01T13:30:00Z"]) as? ConsumeCommand)
        #expect(try fromTime.startPosition == .timestamp(1_714_566_600_000))
        #expect(try fromTime.endPosition == .timestamp(1_714_570_200_000))
        let beginning = try #require(try Brook.parseAsRoot(["consume", "t", "--from-beginning", "--exit-at-end"]) as? ConsumeCommand)
        #expect(try beginning.startPosition == .earliest)
        #expect(try beginning.endPosition == .logEndAtStart)
        let plain = try #require(try Brook.parseAsRoot(["consume", "t", "--offset", "5", "--partition", "1"]) as? ConsumeCommand)
        #expect(try plain.startPosition == .offset(5))
        #expect(try plain.endPosition == .never)
    }

    @Test func consumeRejectsConflictingStarts() {
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["consume", "t", "--from-beginning", "--offset", "3"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["consume", "t", "--from", "tomorrow"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["consume", "t", "--max-messages", "0"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["consume", "t", "--offset", "-1"]) }
    }

    @Test func recordsRenderAsTextAndJSONLines() {
        let record = ConsumerRecord(
            topic: "t", partition: 1, offset: 42, timestamp: 1_714_566_600_000, key: ByteBuffer(string: "k"),
            value: ByteBuffer(string: "hello \"world\""), headers: [RecordHeader(key: "h", value: ByteBuffer(bytes: [0xff, 0x00]))])
        #expect(RecordRendering.render(record, format: .text, printKey: false, keySeparator: "\t") == "hello \"world\"")
        #expect(RecordRendering.render(record, format: .text, printKey: true, keySeparator: "=") == "k=hello \"world\"")
        #expect(
            RecordRendering.render(record, format: .json, printKey: false, keySeparator: "\t")
                == #"{"headers":[{"key":"h","value":{"base64":"/wA="}}],"key":"k","offset":42,"partition":1,"timestamp":1714566600000,"topic":"t","value":"hello \"world\""}"#)
        let tombstone = ConsumerRecord(topic: "t", partition: 0, offset: 0, timestamp: 0, key: nil, value: nil, headers: [])
        #expect(RecordRendering.render(tombstone, format: .json, printKey: false, keySeparator: "\t").contains(#""value":null"#))
    }

    @Test func progressBarShowsFractionBytesAndRate() {
        let line = ProgressBar.render(bytesDone: 2_500_000, totalBytes: 10_000_000, records: 5_000, elapsed: .seconds(2))
        #expect(line == "[#######-----------------------]  25%  2.5/10.0 MB  5000 records  2500 rec/s")
    }

    @Test func lineReaderSplitsLinesAcrossChunksAndDropsCarriageReturns() throws {
        let path = NSTemporaryDirectory() + "brook-line-reader-\(UUID().uuidString)"
        let long = String(repeating: "x", count: LineReader.chunkBytes + 10)
        try Data("a\r\n\(long)\nlast".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try #require(LineReader(path: path))
        #expect(reader.nextLine() == "a")
        #expect(reader.nextLine() == long)
        #expect(reader.nextLine() == "last")
        #expect(reader.nextLine() == nil)
        #expect(reader.bytesRead == reader.totalBytes)
    }
}
