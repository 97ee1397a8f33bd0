// One batch of a partition on its way to the broker, and the rules that decide what happens
// to it when the broker answers.
//
// The rules are pure functions over the answer and the partition's sequence bookkeeping, so
// they can be tested without a broker. They follow Java's idempotent producer
// (`TransactionManager`): a retriable failure keeps the batch's sequence and retries it; an
// OUT_OF_ORDER_SEQUENCE_NUMBER answer is expected for a batch sent behind one that failed, and
// only a genuine gap (the batch carried exactly the sequence the broker should expect) makes
// the producer bump its epoch; DUPLICATE_SEQUENCE_NUMBER means the batch is already stored.
import KafkaProtocol
import NIOCore

/// The batch a partition is still adding records to.
struct OpenBatch {
    var records: [Record]
    var bytes: Int
    /// Shared with the receipts of the records added so far.
    let outcome: BatchOutcome
    /// When the first record was added; the delivery timeout counts from here.
    let createdAt: ContinuousClock.Instant
}

struct ProducerBatch {
    /// Unique within the producer; answers are matched to batches by it.
    var id: Int
    /// The id of a batch just closed, until the producer numbers it.
    static let unnumberedId = -1
    var records: [Record]
    var bytes: Int
    /// When the oldest record of the batch was accepted; the delivery timeout counts from here.
    let createdAt: ContinuousClock.Instant
    /// Completed once when the batch is stored or fails; every receipt of the batch reads it.
    let outcome: BatchOutcome
    /// The batch's base sequence, -1 without idempotence. It moves down when an earlier batch
    /// fails for good (the broker never stored it, so later sequences close the gap).
    var sequence: Int32 = RecordBatch.noSequence
    /// The sequence the batch carried on its current or last attempt.
    var sentSequence: Int32 = RecordBatch.noSequence
    var isInFlight = false
    /// Attempts made so far.
    var attempts = 0
    /// Whether the last failed attempt may have reached the log (a lost answer rather than a
    /// broker refusal): expiring such a batch leaves its sequence unresolved.
    var outcomeUnknown = false
    /// Why the last attempt failed, for the error a caller sees if the batch expires.
    var lastError: KafkaError?

    var recordCount: Int32 { Int32(records.count) }
}

/// What the producer does with a batch after an answer (or a failure to get one).
enum BatchDisposition: Equatable {
    /// Stored: complete every record. `baseOffset` is -1 when the broker only said the batch
    /// was a duplicate of one it already has.
    case complete(baseOffset: Int64, logAppendTime: Int64)
    /// Send it again with the same sequence, after backoff. `outcomeUnknown` when the request
    /// may have been stored (timeout, lost connection).
    case retry(outcomeUnknown: Bool)
    /// The broker does not know the producer id (its state expired): get a new epoch, then
    /// resend this batch and every later one with fresh sequences.
    case retryAfterEpochBump
    /// The broker refused the batch and did not store it: fail its records; later batches
    /// move their sequences down to close the gap.
    case failClosingGap
    /// Fail the batch and start a new epoch: the broker's sequence state no longer matches
    /// ours (a genuine sequence gap, a fenced epoch, or an answer we could not read).
    case failAndBumpEpoch
}

enum ProducerSequence {
    /// Sequences wrap from Int32.max to 0, as the broker's do.
    static func adding(_ sequence: Int32, _ count: Int32) -> Int32 {
        let (sum, overflow) = sequence.addingReportingOverflow(count)
        return overflow ? sum &- Int32.min : sum
    }

    static func subtracting(_ sequence: Int32, _ count: Int32) -> Int32 {
        let difference = sequence &- count
        return difference < 0 ? difference &+ Int32.max &+ 1 : difference
    }

    /// What to do with a batch whose attempt ended with `error`.
    /// - `sentSequence`: the batch's sequence on that attempt (-1 without idempotence).
    /// - `expectedSequence`: the sequence the broker should expect next for this partition and
    ///   epoch (the last acknowledged sequence + 1, or 0 when nothing was acknowledged yet).
    static func disposition(
        of error: KafkaError, isIdempotent: Bool, sentSequence: Int32, expectedSequence: Int32
    ) -> BatchDisposition {
        if isIdempotent {
            switch error.code {
            case .some(.duplicateSequenceNumber):
                return .complete(baseOffset: -1, logAppendTime: -1)
            case .some(.outOfOrderSequenceNumber):
                // Sent behind a batch that failed: the broker is waiting for that one first.
                return sentSequence == expectedSequence ? .failAndBumpEpoch : .retry(outcomeUnknown: false)
            case .some(.unknownProducerId):
                return .retryAfterEpochBump
            case .some(.invalidProducerEpoch), .some(.producerFenced):
                return .failAndBumpEpoch
            default:
                break
            }
        }
        if error.isRetriable {
            // A broker's error code means it refused the batch; anything else (timeout, lost
            // connection) may hide a stored batch whose answer never arrived.
            return .retry(outcomeUnknown: error.kind != .broker)
        }
        if error.kind == .broker || error.kind == .invalidArgument || error.kind == .unsupportedVersion {
            return .failClosingGap
        }
        return isIdempotent ? .failAndBumpEpoch : .failClosingGap
    }
}
