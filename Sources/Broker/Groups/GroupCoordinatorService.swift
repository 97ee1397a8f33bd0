// The broker's side of the consumer-group coordinator: it owns the sans-IO `GroupCoordinatorCore`
// and carries out what the core asks for, in the core's order (etcd/raft's Ready contract):
// 1. append the output's records to `__consumer_offsets` (one magic-2 batch per partition),
// 2. then answer the requests the output addresses (parked JoinGroups and SyncGroups included),
// 3. then re-arm the one timer at the output's next deadline, which calls `tick`.
//
// Every group request gets a `RequestId` and an `EventLoopPromise` in the parked table; the core
// answers it in this call or a later one (a JoinGroup waits for the rebalance), and exactly once.
// The core and the table sit behind one lock, and the records are appended while it is held, so
// the log order is the order in which the core changed state. Promises are completed after the
// lock is released: completing one may run the next request of that connection inline.
//
// At start the broker replays every record of `__consumer_offsets` (all partitions, from log start)
// into a fresh core, so committed offsets and groups survive a restart. A group lives in the
// partition `abs(javaHashCode(groupId)) % partitionCount`, as in Kafka, so the topic stays
// readable by Kafka tooling; the core itself serves every partition of this single broker.
import Foundation
import GroupCoordinator
import KafkaProtocol
import LogStorage
import NIOConcurrencyHelpers
import NIOCore

/// Failure of a parked group request when the broker stops before the coordinator answered it.
struct GroupCoordinatorStoppedError: Error, CustomStringConvertible {
    var description: String { "the group coordinator stopped before answering this request" }
}

/// `__consumer_offsets` cannot be opened at start-up.
struct OffsetsTopicError: Error, CustomStringConvertible {
    var description: String
}

final class GroupCoordinatorService: Sendable {
    /// The internal compacted topic that holds committed offsets and group metadata.
    static let topicName = "__consumer_offsets"
    /// Kafka's offsets.topic.segment.bytes default: small segments so compaction can clean them.
    static let topicSegmentBytes = 104_857_600
    /// Bytes read per call while replaying; a larger batch is still returned whole.
    static let replayReadBytesMax = 1 << 20

    /// One request waiting for the core's answer, and how to frame that answer for its client.
    private struct ParkedRequest {
        let promise: EventLoopPromise<ByteBuffer>
        let encode: @Sendable (GroupResponse) -> ByteBuffer
    }

    private struct State {
        var core: GroupCoordinatorCore
        var parked: [RequestId: ParkedRequest] = [:]
        var nextRequestId: UInt64 = 0
        /// The `__consumer_offsets` partitions, by index; empty until `load` ran.
        var partitions: [Partition] = []
        var timerEventLoop: EventLoop?
        var timer: Scheduled<Void>?
        var timerDeadlineMilliseconds: Int64?
        var isStopped = false
    }

    private let state: NIOLockedValueBox<State>

    init(configuration: GroupCoordinatorConfiguration) {
        // A fresh salt per incarnation keeps member ids unique across restarts.
        let salt = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        state = NIOLockedValueBox(State(core: GroupCoordinatorCore(configuration: configuration, memberIdSalt: salt)))
    }

    /// The core configuration for a broker configuration.
    static func configuration(for config: BrokerConfig) -> GroupCoordinatorConfiguration {
        var configuration = GroupCoordinatorConfiguration()
        configuration.initialRebalanceDelayMilliseconds = Int32(clamping: config.groupInitialRebalanceDelayMilliseconds)
        configuration.sessionTimeoutMillisecondsMin = config.groupMinSessionTimeoutMilliseconds
        configuration.sessionTimeoutMillisecondsMax = config.groupMaxSessionTimeoutMilliseconds
        return configuration
    }

    // MARK: Partitioning

    /// Java's `String.hashCode`: 31-based polynomial over UTF-16 code units, wrapping at 32 bits.
    static func javaHashCode(_ text: String) -> Int32 {
        var hash: Int32 = 0
        for unit in text.utf16 { hash = hash &* 31 &+ Int32(unit) }
        return hash
    }

    /// The `__consumer_offsets` partition of a group: Kafka's `Utils.abs(hashCode) % count`, where
    /// `Utils.abs(Int.min)` is 0.
    static func partitionIndex(groupId: String, partitionCount: Int32) -> Int32 {
        let hash = javaHashCode(groupId)
        let positive = hash == Int32.min ? 0 : abs(hash)
        return positive % max(1, partitionCount)
    }

    // MARK: Loading

    /// Replays every record of `partitions` (the topic's partitions in index order) into the core
    /// and keeps the partitions for later appends. Records that cannot be decoded are skipped
    /// with a warning, as a corrupt or foreign record must not stop the broker from starting.
    /// Returns the number of records replayed.
    @discardableResult
    func load(partitions: [Partition], nowMilliseconds: Int64) throws -> Int {
        var replayed = 0
        var core = state.withLockedValue { $0.core }
        for partition in partitions {
            var offset = partition.log.logStartOffset
            while offset < partition.log.highWatermark {
                let read = try partition.log.read(from: offset, maxBytes: Self.replayReadBytesMax)
                let batches = try RecordBatch.decode(read.records)
                guard let last = batches.last else { break }  // nothing readable: stop rather than spin
                for batch in batches where !batch.header.isControl {
                    for record in batch.records where record.offset >= offset {
                        guard let key = record.key else {
                            BrokerLog.warning("\(partition.id) offset \(record.offset): record without a key skipped")
                            continue
                        }
                        do {
                            let decoded = try CoordinatorRecord.decode(
                                key: Array(buffer: key), value: record.value.map { Array(buffer: $0) })
                            core.replay(decoded, nowMilliseconds: nowMilliseconds)
                            replayed += 1
                        } catch {
                            BrokerLog.warning("\(partition.id) offset \(record.offset): \(error); record skipped")
                        }
                    }
                }
                let next = last.header.baseOffset + Int64(last.header.lastOffsetDelta) + 1
                guard next > offset else { break }
                offset = next
            }
        }
        state.withLockedValue {
            $0.core = core
            $0.partitions = partitions
        }
        return replayed
    }

    /// Starts the timer on `eventLoop` (restored members' sessions run from load time).
    func start(eventLoop: EventLoop) {
        state.withLockedValue { state in
            state.timerEventLoop = eventLoop
            armTimer(&state, deadline: state.core.nextDeadlineMilliseconds)
        }
    }

    /// Cancels the timer and fails every parked request, so no promise is left unfulfilled.
    func stop() {
        let parked = state.withLockedValue { state -> [ParkedRequest] in
            state.isStopped = true
            state.timer?.cancel()
            state.timer = nil
            defer { state.parked.removeAll() }
            return Array(state.parked.values)
        }
        for request in parked { request.promise.fail(GroupCoordinatorStoppedError()) }
    }

    // MARK: Requests

    /// Runs one core input for a request whose answer is framed by `encode`. The answer may come
    /// now or later; either way the handler returns `.later` with the request's future.
    func submit(
        context: RequestContext, encode: @escaping @Sendable (GroupResponse) -> ByteBuffer,
        _ input: (inout GroupCoordinatorCore, RequestId, Int64) -> GroupCoordinatorOutput
    ) -> HandlerOutcome {
        let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
        let answers = state.withLockedValue { state -> [(ParkedRequest, GroupResponse)]? in
            guard !state.isStopped else { return nil }
            state.nextRequestId += 1
            let requestId = RequestId(state.nextRequestId)
            state.parked[requestId] = ParkedRequest(promise: promise, encode: encode)
            let now = KafkaBroker.nowMilliseconds()
            let output = input(&state.core, requestId, now)
            return carryOut(output, in: &state, now: now)
        }
        guard let answers else {
            promise.fail(GroupCoordinatorStoppedError())
            return .later(promise.futureResult)
        }
        for (request, response) in answers { request.promise.succeed(request.encode(response)) }
        return .later(promise.futureResult)
    }

    /// Reads the core without changing it (OffsetFetch, DescribeGroups, ListGroups).
    func read<Result>(_ body: (GroupCoordinatorCore) -> Result) -> Result {
        state.withLockedValue { body($0.core) }
    }

    private func tick() {
        let answers = state.withLockedValue { state -> [(ParkedRequest, GroupResponse)] in
            state.timer = nil
            state.timerDeadlineMilliseconds = nil
            guard !state.isStopped else { return [] }
            let now = KafkaBroker.nowMilliseconds()
            let output = state.core.tick(nowMilliseconds: now)
            return carryOut(output, in: &state, now: now)
        }
        for (request, response) in answers { request.promise.succeed(request.encode(response)) }
    }

    /// Persists the output's records, takes the addressed requests out of the parked table and
    /// re-arms the timer. Runs under the lock; the caller completes the returned promises.
    private func carryOut(
        _ output: GroupCoordinatorOutput, in state: inout State, now: Int64
    ) -> [(ParkedRequest, GroupResponse)] {
        var responses = output.responses
        if !output.records.isEmpty, let failure = persist(output.records, partitions: state.partitions, now: now) {
            // The core has moved on but the log did not take the records: tell the clients that
            // asked for the change that it may not survive a restart, so they retry.
            BrokerLog.error("appending to \(Self.topicName) failed: \(failure)")
            responses = responses.map { Self.reportingPersistFailure($0) }
        }
        armTimer(&state, deadline: output.nextDeadlineMilliseconds)
        return responses.compactMap { addressed in
            guard let request = state.parked.removeValue(forKey: addressed.requestId) else {
                BrokerLog.warning("group coordinator answered unknown request \(addressed.requestId)")
                return nil
            }
            return (request, addressed.response)
        }
    }

    /// Offset commits and deletions whose records were lost report COORDINATOR_NOT_AVAILABLE,
    /// which clients retry; membership answers stay as they are (the state lives in memory).
    private static func reportingPersistFailure(_ addressed: AddressedGroupResponse) -> AddressedGroupResponse {
        var addressed = addressed
        switch addressed.response {
        case .offsetCommit(var results):
            for index in results.indices { results[index].errorCode = .coordinatorNotAvailable }
            addressed.response = .offsetCommit(results)
        case .offsetDelete(var result):
            result.errorCode = .coordinatorNotAvailable
            result.partitions = []
            addressed.response = .offsetDelete(result)
        case .deleteGroups(var results):
            for index in results.indices where results[index].errorCode == .none {
                results[index].errorCode = .coordinatorNotAvailable
            }
            addressed.response = .deleteGroups(results)
        default:
            break
        }
        return addressed
    }

    /// Appends `records` in order, one batch per `__consumer_offsets` partition. Returns the first
    /// error, or nil when every batch was appended.
    private func persist(_ records: [CoordinatorRecord], partitions: [Partition], now: Int64) -> Error? {
        guard !partitions.isEmpty else { return GroupCoordinatorStoppedError() }
        var byPartition: [Int32: [Record]] = [:]
        var order: [Int32] = []
        for record in records {
            let index = Self.partitionIndex(groupId: record.groupId, partitionCount: Int32(partitions.count))
            let key = ByteBuffer(bytes: record.encodeKey())
            let value = record.encodeValue().map { ByteBuffer(bytes: $0) }
            if byPartition[index] == nil { order.append(index) }
            byPartition[index, default: []].append(Record(timestamp: now, key: key, value: value))
        }
        for index in order {
            do {
                let batch = try RecordBatch.encode(records: byPartition[index] ?? [])
                _ = try partitions[Int(index)].append(batch, leaderEpoch: 0, now: now)
            } catch {
                return error
            }
        }
        return nil
    }

    /// Schedules `tick` at `deadline` unless a timer already fires at or before it.
    private func armTimer(_ state: inout State, deadline: Int64?) {
        guard let deadline, !state.isStopped, let eventLoop = state.timerEventLoop else { return }
        if let armed = state.timerDeadlineMilliseconds, state.timer != nil, armed <= deadline { return }
        state.timer?.cancel()
        let delay = max(0, deadline - KafkaBroker.nowMilliseconds())
        state.timerDeadlineMilliseconds = deadline
        state.timer = eventLoop.scheduleTask(in: .milliseconds(delay)) { [weak self] in self?.tick() }
    }
}
