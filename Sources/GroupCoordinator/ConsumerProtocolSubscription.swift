// Reads the topic list out of a `consumer` group member's subscription metadata.
//
// The coordinator otherwise treats protocol metadata as opaque bytes; only OffsetDelete needs to
// know which topics a group still consumes. Kafka's ConsumerProtocolSubscription starts with an
// int16 version and an array (int32 count) of int16-length topic names in every version; later
// fields (user data, owned partitions, rack) follow and are not needed here.

enum ConsumerProtocolSubscription {
    static let protocolType = "consumer"

    /// The topics in one subscription, or nil if the bytes are not a readable subscription.
    static func topics(_ metadata: [UInt8]) -> [String]? {
        var reader = RecordReader(metadata, flexible: false)
        do {
            _ = try reader.readInt16("version")
            let count = try reader.readArrayCount("topics")
            var topics: [String] = []
            for _ in 0..<count { topics.append(try reader.readString("topic")) }
            return topics
        } catch {
            return nil
        }
    }

    /// Every topic any member subscribes to, or nil if some member's subscription is unreadable.
    static func subscribedTopics(_ group: ClassicGroup) -> Set<String>? {
        var all: Set<String> = []
        for member in group.orderedMembers {
            guard let topics = topics(member.metadata(forProtocol: group.protocolName)) else { return nil }
            all.formUnion(topics)
        }
        return all
    }
}
