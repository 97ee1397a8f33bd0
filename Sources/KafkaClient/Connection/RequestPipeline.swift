// The sans-IO core of one Kafka connection: correlation ids, the in-flight window and the queue.
//
// Kafka lets a client pipeline requests on one connection; the broker answers each with the
// request's correlation id. This state machine hands out correlation ids, keeps at most
// `maxInFlightRequests` requests on the wire (the rest wait in submission order), and matches
// each answer to its request. It never touches a channel: its mutating methods return what the
// channel handler must do (write these frames, complete this request, fail these requests), in
// the style of swift-nio's handler state machines.
import NIOCore

struct RequestPipeline<Pending> {
    /// One request known to the pipeline. `frame` already carries its correlation id.
    struct Entry {
        var correlationId: Int32
        var frame: ByteBuffer
        /// False for acks=0 produce: the broker sends no answer, so the request is done once written.
        var expectsResponse: Bool
        var pending: Pending
    }

    /// What the handler must do after `submit`.
    enum SubmitAction {
        /// Write this frame now.
        case write(Entry)
        /// The window is full; the request waits until an answer frees a slot.
        case wait
    }

    /// What the handler must do after an answer arrives.
    enum ReceiveAction {
        /// Complete `pending` with the answer, then write `next` (requests released from the queue).
        case deliver(Pending, next: [Entry])
        /// An answer for a request that already timed out (or never existed); drop it.
        case ignore
    }

    /// Largest number of requests written but not answered.
    let maxInFlightRequests: Int
    private var nextCorrelationId: Int32 = 0
    private var inFlight: [Int32: Pending] = [:]
    /// Requests waiting for a free slot, oldest first.
    private var queued: [Entry] = []
    private(set) var isClosed = false

    init(maxInFlightRequests: Int) {
        precondition(maxInFlightRequests > 0, "maxInFlightRequests must be positive")
        self.maxInFlightRequests = maxInFlightRequests
    }

    var inFlightCount: Int { inFlight.count }
    var queuedCount: Int { queued.count }

    /// Takes the next correlation id; ids wrap to 0 after Int32.max (never negative).
    mutating func allocateCorrelationId() -> Int32 {
        let id = nextCorrelationId
        nextCorrelationId = nextCorrelationId == Int32.max ? 0 : nextCorrelationId + 1
        return id
    }

    /// Moves the id counter (tests of wrap-around).
    mutating func skipCorrelationIds(to next: Int32) {
        nextCorrelationId = max(0, next)
    }

    /// Registers a request whose frame was stamped with `correlationId`.
    mutating func submit(_ entry: Entry) -> SubmitAction {
        if inFlight.count >= maxInFlightRequests || !queued.isEmpty {
            queued.append(entry)
            return .wait
        }
        if entry.expectsResponse {
            inFlight[entry.correlationId] = entry.pending
        }
        return .write(entry)
    }

    /// Matches an answer to its request and releases queued requests into the freed slots.
    mutating func receive(correlationId: Int32) -> ReceiveAction {
        guard let pending = inFlight.removeValue(forKey: correlationId) else { return .ignore }
        return .deliver(pending, next: releaseQueued())
    }

    /// Forgets a request whose timeout fired, wherever it is; returns it so it can be failed.
    /// The next entries may be released when an in-flight request is dropped.
    mutating func timeOut(correlationId: Int32) -> (pending: Pending, next: [Entry])? {
        if let pending = inFlight.removeValue(forKey: correlationId) {
            return (pending, releaseQueued())
        }
        if let index = queued.firstIndex(where: { $0.correlationId == correlationId }) {
            return (queued.remove(at: index).pending, [])
        }
        return nil
    }

    /// A fire-and-forget request left the queue and was written: it never occupies a slot,
    /// so queued requests behind it may go too.
    mutating func releaseAfterWrite() -> [Entry] {
        releaseQueued()
    }

    /// Closes the pipeline; every request not yet answered is returned so it can be failed.
    mutating func close() -> [Pending] {
        isClosed = true
        let all = Array(inFlight.values) + queued.map(\.pending)
        inFlight.removeAll()
        queued.removeAll()
        return all
    }

    private mutating func releaseQueued() -> [Entry] {
        var released: [Entry] = []
        while inFlight.count < maxInFlightRequests, !queued.isEmpty {
            let entry = queued.removeFirst()
            if entry.expectsResponse {
                inFlight[entry.correlationId] = entry.pending
            }
            released.append(entry)
        }
        return released
    }
}
