// Idempotent-producer state of one partition, as Kafka's ProducerStateManager keeps it: per
// producer id, the current epoch and the last five batches (sequence range and offsets). It lets
// the log drop a retried batch (answering with the offsets it got the first time), reject a gap
// in sequences, and fence an old epoch. The state is derived from batch headers only, so a
// restart rebuilds it from a snapshot (ProducerStateSnapshot.swift) plus the headers after it,
// and retention forgets producers whose batches are all gone (a later batch from such a
// producer is accepted with any sequence, as in Kafka 2.5+).
import KafkaProtocol

struct ProducerBatchMetadata: Equatable, Sendable {
    var firstSequence: Int32
    var lastSequence: Int32
    var firstOffset: Int64
    var lastOffset: Int64
    /// The batch's max timestamp as stored (the log-append time under LogAppendTime).
    var maxTimestamp: Int64
}

struct ProducerStateEntry: Equatable, Sendable {
    var epoch: Int16
    /// Oldest first, at most `ProducerStateManager.retainedBatchesPerProducer`.
    var batches: [ProducerBatchMetadata]
}

enum ProducerAppendCheck: Equatable {
    case accept
    /// The batch repeats one already in the log.
    case duplicate(ProducerBatchMetadata)
}

struct ProducerStateManager: Sendable {
    /// Batches remembered per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN);
    /// it is why clients keep at most five requests in flight with idempotence on.
    static let retainedBatchesPerProducer = 5

    private(set) var entries: [Int64: ProducerStateEntry] = [:]

    /// Whether a batch takes part in idempotence: it has a producer id and a sequence and is
    /// not a control batch (transaction markers come from the coordinator, not the producer).
    static func isIdempotent(_ header: RecordBatchHeader) -> Bool {
        header.producerId >= 0 && header.baseSequence >= 0 && !header.isControl
    }

    /// The last sequence of a batch; sequences wrap from Int32.max to 0.
    static func lastSequence(of header: RecordBatchHeader) -> Int32 {
        let first = header.baseSequence
        let delta = header.lastOffsetDelta
        return first > Int32.max - delta ? delta - (Int32.max - first) - 1 : first + delta
    }

    static func sequence(after sequence: Int32) -> Int32 {
        sequence == Int32.max ? 0 : sequence + 1
    }

    /// Decides what to do with an idempotent batch given the producer's state `entry` (which
    /// must include earlier batches of the same append).
    static func check(_ header: RecordBatchHeader, against entry: ProducerStateEntry?) throws(LogStorageError) -> ProducerAppendCheck {
        // No state (a new producer, or one whose batches retention removed): any sequence starts it.
        guard let entry else { return .accept }
        if header.producerEpoch < entry.epoch {
            throw .invalidProducerEpoch(
                producerId: header.producerId, currentEpoch: entry.epoch, receivedEpoch: header.producerEpoch)
        }
        if header.producerEpoch > entry.epoch {
            // A bumped epoch resets the sequence.
            guard header.baseSequence == 0 else {
                throw .outOfOrderSequence(producerId: header.producerId, expectedSequence: 0, receivedSequence: header.baseSequence)
            }
            return .accept
        }
        let last = lastSequence(of: header)
        if let original = entry.batches.first(where: { $0.firstSequence == header.baseSequence && $0.lastSequence == last }) {
            return .duplicate(original)
        }
        let expected = entry.batches.last.map { sequence(after: $0.lastSequence) } ?? 0
        guard header.baseSequence == expected else {
            throw .outOfOrderSequence(
                producerId: header.producerId, expectedSequence: expected, receivedSequence: header.baseSequence)
        }
        return .accept
    }

    /// The state after `header` (already stamped with its offsets) is in the log.
    static func applying(_ header: RecordBatchHeader, to entry: ProducerStateEntry?) -> ProducerStateEntry {
        var updated = entry ?? ProducerStateEntry(epoch: header.producerEpoch, batches: [])
        if updated.epoch != header.producerEpoch {
            updated = ProducerStateEntry(epoch: header.producerEpoch, batches: [])
        }
        updated.batches.append(
            ProducerBatchMetadata(
                firstSequence: header.baseSequence, lastSequence: lastSequence(of: header),
                firstOffset: header.baseOffset, lastOffset: header.lastOffset, maxTimestamp: header.maxTimestamp))
        if updated.batches.count > retainedBatchesPerProducer {
            updated.batches.removeFirst(updated.batches.count - retainedBatchesPerProducer)
        }
        return updated
    }

    func entry(for producerId: Int64) -> ProducerStateEntry? { entries[producerId] }

    mutating func set(_ entry: ProducerStateEntry, for producerId: Int64) {
        entries[producerId] = entry
    }

    /// Replays a stored batch (restart): no checks, the log already accepted it.
    mutating func replay(_ header: RecordBatchHeader) {
        guard Self.isIdempotent(header) else { return }
        entries[header.producerId] = Self.applying(header, to: entries[header.producerId])
    }

    /// Forgets producers whose last batch is below the log start (their batches were deleted),
    /// so the state stays what a rebuild from the remaining segments would give.
    mutating func removeProducers(lastOffsetBelow logStartOffset: Int64) {
        entries = entries.filter { ($0.value.batches.last?.lastOffset ?? -1) >= logStartOffset }
    }
}
