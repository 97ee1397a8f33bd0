// Producer settings, the record a caller sends, and what comes back once it is stored.
import KafkaProtocol
import NIOCore

public struct ProducerConfiguration: Sendable {
    /// How many replicas must store a batch before the broker answers (Kafka's `acks`).
    public struct Acks: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        /// acks=0: the broker does not answer; offsets are unknown (-1).
        public static let none = Acks(rawValue: 0)
        /// acks=1: the leader stored it.
        public static let leader = Acks(rawValue: 1)
        /// acks=all (-1): every in-sync replica stored it.
        public static let all = Acks(rawValue: -1)

        public var description: String { rawValue == -1 ? "all" : String(rawValue) }
    }

    public var acks: Acks
    public var compression: CompressionCodec
    /// How long a partition's batch may wait for more records before it is sent.
    public var lingerMilliseconds: Int64
    /// A partition's batch is sent as soon as its records reach this many bytes.
    public var batchBytesMax: Int
    /// Largest single record (key + value + headers) accepted; Kafka's default message limit.
    public var recordBytesMax: Int
    /// Records waiting to be sent, in bytes; `send` waits while more than this is buffered.
    public var bufferedBytesMax: Int
    /// How long the broker may wait for replicas before answering a produce (Produce TimeoutMs).
    public var produceTimeoutMilliseconds: Int32

    public init(
        acks: Acks = .all, compression: CompressionCodec = .none, lingerMilliseconds: Int64 = 5,
        batchBytesMax: Int = 1_000_000, recordBytesMax: Int = 1_048_576, bufferedBytesMax: Int = 32 * 1024 * 1024,
        produceTimeoutMilliseconds: Int32 = 30_000
    ) {
        self.acks = acks
        self.compression = compression
        self.lingerMilliseconds = max(0, lingerMilliseconds)
        self.batchBytesMax = max(1, batchBytesMax)
        self.recordBytesMax = max(1, recordBytesMax)
        self.bufferedBytesMax = max(self.batchBytesMax, bufferedBytesMax)
        self.produceTimeoutMilliseconds = produceTimeoutMilliseconds
    }
}

/// A record to send. `partition` nil lets the partitioner choose; `timestamp` nil means now.
public struct ProducerRecord: Sendable {
    public var topic: String
    public var partition: Int32?
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]
    /// Milliseconds since the epoch.
    public var timestamp: Int64?

    public init(
        topic: String, partition: Int32? = nil, key: ByteBuffer? = nil, value: ByteBuffer?, headers: [RecordHeader] = [],
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// Where a record was stored.
public struct RecordMetadata: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// -1 with acks=0, when the broker does not say.
    public var offset: Int64
    /// The record's timestamp (create time as sent, or the broker's log append time).
    public var timestamp: Int64

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}

/// A record accepted by the producer; `metadata()` waits until the broker stored it.
public struct DeliveryReceipt: Sendable {
    let future: EventLoopFuture<RecordMetadata>

    public func metadata() async throws(KafkaError) -> RecordMetadata {
        do {
            return try await future.get()
        } catch let error as KafkaError {
            throw error
        } catch {
            throw KafkaError(kind: .connectionClosed, context: "waiting for a delivery", detail: "\(error)")
        }
    }
}

/// Bytes a record adds to a batch, a slight overestimate (varint lengths at their widest).
func estimatedRecordBytes(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader]) -> Int {
    let recordOverhead = 1 + 1 + 10 + 5 + 5 + 5 + 5
    var bytes = recordOverhead + (key?.readableBytes ?? 0) + (value?.readableBytes ?? 0)
    for header in headers {
        bytes += 10 + header.key.utf8.count + (header.value?.readableBytes ?? 0)
    }
    return bytes
}
