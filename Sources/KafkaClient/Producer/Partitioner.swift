// Chooses a partition for each record the way Kafka's Java client does.
//
// A keyed record goes to murmur2(key) mod partitions, so Java, kafka-python and franz-go
// producers agree with us on where a key lives. Records without a key use the sticky
// partitioner (KIP-480): they all go to one partition until that partition's batch is sent,
// then to another, which fills batches faster than spreading each record round-robin.
import KafkaProtocol
import NIOCore

struct Partitioner {
    /// The sticky partition per topic for records without a key.
    private var stickyPartitions: [String: Int32] = [:]
    private var generator: any RandomNumberGenerator

    init(generator: any RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.generator = generator
    }

    mutating func partition(topic: String, key: ByteBuffer?, partitionCount: Int) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        if let key, let partition = kafkaPartition(forKey: key.readableBytesView, partitionCount: partitionCount) {
            return Int32(partition)
        }
        if let sticky = stickyPartitions[topic], Int(sticky) < partitionCount {
            return sticky
        }
        let chosen = Int32(Int.random(in: 0..<partitionCount, using: &generator))
        stickyPartitions[topic] = chosen
        return chosen
    }

    /// A batch for `partition` was sent: records without a key move to another partition.
    mutating func batchSent(topic: String, partition: Int32, partitionCount: Int) {
        guard stickyPartitions[topic] == partition else { return }
        guard partitionCount > 1 else { return }
        var next = Int32(Int.random(in: 0..<(partitionCount - 1), using: &generator))
        if next >= partition { next += 1 }
        stickyPartitions[topic] = next
    }
}
