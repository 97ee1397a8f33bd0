// The cluster's metadata as a value (Kafka KRaft calls it the metadata image): topics (id, partitions, configs) and the producer-id
// counter. It changes only through `MetadataCommand`s applied in order, which is the shape the
// Raft metadata log will drive in the cluster issue: today a single node applies commands and
// persists a snapshot; later every node applies the same committed commands.
import KafkaProtocol

public struct TopicImage: Codable, Sendable, Equatable {
    public var name: String
    public var id: String            // KafkaUUID as 32 hex digits
    public var partitionCount: Int32
    public var replicationFactor: Int16
    public var configs: [String: String]

    public var topicId: KafkaUUID { KafkaUUID(hexString: id) ?? .zero }
}

public struct MetadataImage: Codable, Sendable, Equatable {
    public var clusterId: String
    public var topics: [String: TopicImage] = [:]
    /// The next producer id to hand out; ids are never reused, even across restarts.
    public var nextProducerId: Int64 = 1000
    /// How many applied commands this state reflects (the metadata log's offset, later).
    public var appliedCommandCount: Int64 = 0

    public init(clusterId: String) { self.clusterId = clusterId }
}

public enum MetadataCommand: Sendable {
    case createTopic(TopicImage)
    case deleteTopic(name: String)
    case setPartitionCount(topic: String, count: Int32)
    case setTopicConfigs(topic: String, configs: [String: String])
    /// Reserves `count` producer ids starting at the current `nextProducerId`.
    case allocateProducerIds(count: Int64)
}

extension MetadataImage {
    /// Applies a command. Commands are validated by their callers before they are proposed, so
    /// applying one never fails; a command about a topic that has since gone is a no-op.
    public mutating func apply(_ command: MetadataCommand) {
        appliedCommandCount += 1
        switch command {
        case let .createTopic(topic):
            topics[topic.name] = topic
        case let .deleteTopic(name):
            topics[name] = nil
        case let .setPartitionCount(topic, count):
            topics[topic]?.partitionCount = count
        case let .setTopicConfigs(topic, configs):
            topics[topic]?.configs = configs
        case let .allocateProducerIds(count):
            nextProducerId += count
        }
    }
}

extension KafkaUUID {
    /// Parses 32 hexadecimal digits (the form Brook persists).
    init?(hexString: String) {
        let digits = Array(hexString.utf8)
        guard digits.count == 32 else { return nil }
        func value(_ slice: ArraySlice<UInt8>) -> UInt64? { UInt64(String(decoding: slice, as: UTF8.self), radix: 16) }
        guard let high = value(digits[0..<16]), let low = value(digits[16..<32]) else { return nil }
        self.init(mostSignificantBits: high, leastSignificantBits: low)
    }

    var hexString: String {
        func pad(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return pad(mostSignificantBits) + pad(leastSignificantBits)
    }
}
