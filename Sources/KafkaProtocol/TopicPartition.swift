// A topic partition: the unit of ordering, storage and assignment everywhere in Kafka. One type
// shared by the broker and the client (the group coordinator keeps its own, as it depends on
// nothing but the standard library).

public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)-\(partition)" }

    public static func < (left: TopicPartition, right: TopicPartition) -> Bool {
        (left.topic, left.partition) < (right.topic, right.partition)
    }
}
