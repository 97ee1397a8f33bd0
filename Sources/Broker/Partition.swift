// A partition this broker hosts: its log plus the fetch requests waiting for new data.
//
// Fetches that find less than `min.bytes` park a `FetchWaiter` here; every append wakes the
// partition's waiters, each of which re-runs its fetch on its own event loop. A waiter fires
// at most once (wake or timeout, whichever comes first).
import KafkaProtocol
import LogStorage
import NIOConcurrencyHelpers
import NIOCore

final class FetchWaiter: Sendable {
    private let fired = NIOLockedValueBox(false)
    private let action: @Sendable () -> Void
    let eventLoop: EventLoop

    init(eventLoop: EventLoop, action: @escaping @Sendable () -> Void) {
        self.eventLoop = eventLoop
        self.action = action
    }

    /// Runs the action once, on the waiter's event loop; later calls do nothing.
    func fire() {
        let first = fired.withLockedValue { fired in
            defer { fired = true }
            return !fired
        }
        guard first else { return }
        if eventLoop.inEventLoop { action() } else { eventLoop.execute(action) }
    }
}

final class Partition: Sendable {
    let id: TopicPartition
    let log: PartitionLog
    private let waiters = NIOLockedValueBox<[ObjectIdentifier: FetchWaiter]>([:])
    private let state = NIOLockedValueBox(PartitionSettings())

    struct PartitionSettings {
        var maxMessageBytes = 1_048_588
        /// Compacted topics refuse records without a key (Kafka does the same).
        var requiresKeys = false
        var flushMilliseconds: Int64 = .max
        var lastFlushMilliseconds: Int64 = 0
    }

    init(id: TopicPartition, log: PartitionLog, settings: PartitionSettings) {
        self.id = id
        self.log = log
        state.withLockedValue { $0 = settings }
    }

    var settings: PartitionSettings { state.withLockedValue { $0 } }

    func update(settings: PartitionSettings, logConfig: LogConfig) {
        state.withLockedValue { current in
            let lastFlush = current.lastFlushMilliseconds
            current = settings
            current.lastFlushMilliseconds = lastFlush
        }
        log.updateConfig(logConfig)
    }

    func append(_ batches: ByteBuffer, leaderEpoch: Int32, now: Int64) throws -> AppendResult {
        let result = try log.append(batches, leaderEpoch: leaderEpoch, now: now)
        wakeWaiters()
        return result
    }

    func addWaiter(_ waiter: FetchWaiter) {
        waiters.withLockedValue { $0[ObjectIdentifier(waiter)] = waiter }
    }

    func removeWaiter(_ waiter: FetchWaiter) {
        _ = waiters.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(waiter)) }
    }

    private func wakeWaiters() {
        let woken = waiters.withLockedValue { waiters -> [FetchWaiter] in
            guard !waiters.isEmpty else { return [] }
            defer { waiters.removeAll(keepingCapacity: true) }
            return Array(waiters.values)
        }
        for waiter in woken { waiter.fire() }
    }

    /// Flushes the log when the topic's `flush.ms` has elapsed since the last flush.
    func flushIfDue(now: Int64) throws {
        let due = state.withLockedValue { settings -> Bool in
            guard settings.flushMilliseconds != .max,
                now - settings.lastFlushMilliseconds >= settings.flushMilliseconds
            else { return false }
            settings.lastFlushMilliseconds = now
            return true
        }
        if due { try log.flush() }
    }
}

/// Within the broker, `TopicPartition` is the protocol layer's; the group coordinator's own
/// (standard-library-only) type is always written `GroupCoordinator.TopicPartition`.
typealias TopicPartition = KafkaProtocol.TopicPartition
