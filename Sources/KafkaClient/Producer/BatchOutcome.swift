// The one result a producer batch gets, shared by the delivery receipts of all its records.
//
// A batch is stored or fails as a whole, so a receipt needs only its batch's outcome and its
// own index in the batch to say where its record went. Completing a batch is one lock and one
// store however many records it holds, and a receipt whose batch has already answered reads
// the result under the lock without suspending or hopping to an event loop; only a receipt
// asked early waits, on a continuation the batch resumes when it answers.
import KafkaProtocol
import NIOConcurrencyHelpers

final class BatchOutcome: Sendable {
    /// What the broker said about the batch: where it stored the first record and, with
    /// log-append-time topics, the time it stamped (-1 otherwise).
    struct Stored: Sendable {
        var baseOffset: Int64
        var logAppendTime: Int64
    }

    private enum State {
        case pending(waiters: [CheckedContinuation<Result<Stored, KafkaError>, Never>])
        case finished(Result<Stored, KafkaError>)
    }

    let topicPartition: TopicPartition
    private let state = NIOLockedValueBox(State.pending(waiters: []))

    init(topicPartition: TopicPartition) {
        self.topicPartition = topicPartition
    }

    /// Sets the result once (later calls are ignored) and wakes every receipt waiting for it.
    func finish(_ result: Result<Stored, KafkaError>) {
        let waiters: [CheckedContinuation<Result<Stored, KafkaError>, Never>] = state.withLockedValue { state in
            guard case .pending(let waiters) = state else { return [] }
            state = .finished(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// The result when the batch has answered, nil while it has not.
    var result: Result<Stored, KafkaError>? {
        state.withLockedValue { state in
            if case .finished(let result) = state { return result }
            return nil
        }
    }

    /// The result, waiting for it when the batch has not answered yet.
    func wait() async -> Result<Stored, KafkaError> {
        if let result { return result }
        return await withCheckedContinuation { continuation in
            let finished: Result<Stored, KafkaError>? = state.withLockedValue { state in
                switch state {
                case .finished(let result):
                    return result
                case .pending(var waiters):
                    state = .pending(waiters: [])  // Drop the state's reference so the append does not copy.
                    waiters.append(continuation)
                    state = .pending(waiters: waiters)
                    return nil
                }
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }
}
