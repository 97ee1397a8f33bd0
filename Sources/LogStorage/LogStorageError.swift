// Errors of the partition log. Each case carries what a caller needs to answer a client: the
// broker maps them to Kafka error codes (offsetOutOfRange → OFFSET_OUT_OF_RANGE (1),
// outOfOrderSequence → OUT_OF_ORDER_SEQUENCE_NUMBER (45), duplicateSequence →
// DUPLICATE_SEQUENCE_NUMBER (46), invalidProducerEpoch → INVALID_PRODUCER_EPOCH (47),
// unknownProducerId → UNKNOWN_PRODUCER_ID (59), messageTooLarge → MESSAGE_TOO_LARGE (10),
// invalidBatch/corrupt → CORRUPT_MESSAGE (2), io/closed → KAFKA_STORAGE_ERROR (56)).

public enum LogStorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The offset is below the log start or above the log end.
    case offsetOutOfRange(offset: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// An idempotent producer's batch does not follow its last sequence.
    case outOfOrderSequence(producerId: Int64, expectedSequence: Int32, receivedSequence: Int32)
    /// Kept for the broker's error mapping. A batch that repeats one of the last five batches is
    /// answered with its original offsets (`AppendResult.isDuplicate`); an older repeat is
    /// reported as `outOfOrderSequence`, as Kafka does. The log does not throw this today.
    case duplicateSequence
    /// The batch's producer epoch is older than the one the log has seen for this producer id.
    case invalidProducerEpoch(producerId: Int64, currentEpoch: Int16, receivedEpoch: Int16)
    /// Kept for the broker's error mapping. The log follows Kafka 2.5+ (KIP-360) and accepts any
    /// sequence from a producer it has no state for, so it does not throw this today.
    case unknownProducerId(Int64)
    /// A batch is larger than `maxMessageBytes`.
    case messageTooLarge(sizeBytes: Int, maxMessageBytes: Int)
    /// The appended bytes are not a sequence of whole magic-2 batches.
    case invalidBatch(String)
    /// Stored data does not look like what the log wrote.
    case corrupt(String)
    /// A system call failed.
    case io(String, errno: Int32)
    /// The log was closed.
    case closed

    public var description: String {
        switch self {
        case let .offsetOutOfRange(offset, logStart, logEnd):
            "offset \(offset) is out of range: the log holds offsets \(logStart) up to \(logEnd) (exclusive)"
        case let .outOfOrderSequence(producerId, expected, received):
            "out of order sequence for producer \(producerId): expected \(expected), received \(received)"
        case .duplicateSequence:
            "duplicate sequence number: the batch was already written"
        case let .invalidProducerEpoch(producerId, current, received):
            "producer \(producerId) epoch \(received) is older than the current epoch \(current)"
        case let .unknownProducerId(producerId):
            "unknown producer id \(producerId)"
        case let .messageTooLarge(size, limit):
            "record batch of \(size) bytes exceeds max.message.bytes \(limit)"
        case let .invalidBatch(why): "invalid record batch: \(why)"
        case let .corrupt(why): "corrupt log: \(why)"
        case let .io(what, errno): "\(what) failed: errno \(errno)"
        case .closed: "the partition log is closed"
        }
    }
}
