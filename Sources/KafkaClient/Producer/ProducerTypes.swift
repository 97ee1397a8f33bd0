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

    /// Most batches of one partition an idempotent producer keeps in flight; the broker
    /// remembers the last five batches per producer for duplicate detection, so more would let
    /// a retried batch slip past it (Kafka's `max.in.flight.requests.per.connection` limit).
    public static let idempotentInFlightBatchesMax = 5

    public var acks: Acks
    /// Whether the producer is idempotent (InitProducerId, per-partition sequence numbers): a
    /// retried batch is never stored twice and batches of a partition are stored in send order
    /// even with several in flight. On by default; it needs `acks` = all. Left at nil in `init`,
    /// it follows Java's rule: on with acks=all, off otherwise; set to true with other acks, every
    /// send fails with a clear error (see `validate()`).
    public var enableIdempotence: Bool
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
    /// Batches of one partition written but not yet answered. Idempotent producers allow up to
    /// `idempotentInFlightBatchesMax`; without idempotence it is 1, so a retry cannot reorder.
    public var inFlightBatchesPerPartitionMax: Int
    /// Upper bound on the time from `send`/`enqueue` until the record is acknowledged or has
    /// failed, retries included (Kafka's `delivery.timeout.ms`).
    public var deliveryTimeoutMilliseconds: Int64

    public init(
        acks: Acks = .all, enableIdempotence: Bool? = nil, compression: CompressionCodec = .none,
        lingerMilliseconds: Int64 = 5, batchBytesMax: Int = 1_000_000, recordBytesMax: Int = 1_048_576,
        bufferedBytesMax: Int = 32 * 1024 * 1024, produceTimeoutMilliseconds: Int32 = 30_000,
        inFlightBatchesPerPartitionMax: Int = idempotentInFlightBatchesMax, deliveryTimeoutMilliseconds: Int64 = 120_000
    ) {
        self.acks = acks
        self.enableIdempotence = enableIdempotence ?? (acks == .all)
        self.compression = compression
        self.lingerMilliseconds = max(0, lingerMilliseconds)
        self.batchBytesMax = max(1, batchBytesMax)
        self.recordBytesMax = max(1, recordBytesMax)
        self.bufferedBytesMax = max(self.batchBytesMax, bufferedBytesMax)
        self.produceTimeoutMilliseconds = produceTimeoutMilliseconds
        self.inFlightBatchesPerPartitionMax = inFlightBatchesPerPartitionMax
        self.deliveryTimeoutMilliseconds = max(1, deliveryTimeoutMilliseconds)
    }

    /// Checks the settings that cannot work together; the producer fails every send with this
    /// error rather than silently weakening a guarantee the caller asked for.
    public func validate() throws(KafkaError) {
        if enableIdempotence && acks != .all {
            throw KafkaError(
                kind: .invalidArgument, context: "configuring the producer",
                detail: "idempotence needs acks=all (acks is \(acks)); set acks to .all or enableIdempotence to false")
        }
        let limit = enableIdempotence ? Self.idempotentInFlightBatchesMax : Int.max
        guard inFlightBatchesPerPartitionMax >= 1, inFlightBatchesPerPartitionMax <= limit else {
            throw KafkaError(
                kind: .invalidArgument, context: "configuring the producer",
                detail: "inFlightBatchesPerPartitionMax must be 1...\(Self.idempotentInFlightBatchesMax) with idempotence "
                    + "(it is \(inFlightBatchesPerPartitionMax))")
        }
    }

    /// The in-flight window actually used: without idempotence only one batch, so that a retried
    /// batch cannot land behind a later one.
    var effectiveInFlightBatchesPerPartition: Int {
        enableIdempotence ? inFlightBatchesPerPartitionMax : 1
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
///
/// A receipt is its batch's shared outcome plus the record's place in the batch: making one
/// allocates nothing per record, and reading it once the batch has answered does not suspend.
public struct DeliveryReceipt: Sendable {
    let outcome: BatchOutcome
    /// The record's index in its batch (its offset is the batch's base offset + index).
    let index: Int32
    /// The record's create time, reported unless the broker stamps log-append time.
    let timestamp: Int64

    public func metadata() async throws(KafkaError) -> RecordMetadata {
        // Read an answered batch's result directly: no call into the async wait at all.
        let result: Result<BatchOutcome.Stored, KafkaError>
        if let finished = outcome.result { result = finished } else { result = await outcome.wait() }
        switch result {
        case .success(let stored):
            return RecordMetadata(
                topic: outcome.topicPartition.topic, partition: outcome.topicPartition.partition,
                offset: stored.baseOffset >= 0 ? stored.baseOffset + Int64(index) : -1,
                timestamp: stored.logAppendTime >= 0 ? stored.logAppendTime : timestamp)
        case .failure(let error):
            throw error
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
