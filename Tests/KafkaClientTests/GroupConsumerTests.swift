// KafkaConsumer and GroupMembership end to end against the in-process Brook broker: members
// share partitions disjointly and completely, a leave hands partitions over, commits survive a
// consumer restart, cooperative-sticky keeps unmoved partitions, a static member rejoins
// without a rebalance, seeks by timestamp and to the log ends, pause/resume, and the schema
// registry's use of the bare membership engine with its own protocol type.
import Foundation
import KafkaProtocol
import NIOCore
import Synchronization
import Testing

@testable import KafkaClient

/// Settings that make rebalances quick: members notice a rebalance within 100 ms.
func fastConsumerConfiguration(
    group: String?, instance: String? = nil, assignors: [ConsumerAssignor] = [.range], autoCommit: Bool = false
) -> KafkaConsumer.Configuration {
    KafkaConsumer.Configuration(
        groupId: group, groupInstanceId: instance, assignors: assignors, sessionTimeoutMilliseconds: 6_000,
        rebalanceTimeoutMilliseconds: 5_000, heartbeatIntervalMilliseconds: 100, autoOffsetReset: .earliest,
        enableAutoCommit: autoCommit, autoCommitIntervalMilliseconds: 200, fetchMaxWaitMilliseconds: 100, retryBackoffMilliseconds: 50)
}

/// Waits (bounded) until `condition` holds; fails the test with `what` otherwise.
func waitUntil(_ what: String, seconds: Int = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}

/// Polls until `count` records arrived (bounded wait).
func readRecords(_ consumer: KafkaConsumer, count: Int, seconds: Int = 20) async throws -> [ConsumerRecord] {
    var records: [ConsumerRecord] = []
    try await waitUntil("\(count) records arrived (have \(records.count))", seconds: seconds) {
        records += try await consumer.poll(timeoutMilliseconds: 100)
        return records.count >= count
    }
    return records
}

/// Collects a consumer's rebalance events as they come.
final class EventLog: Sendable {
    private let events = Mutex<[RebalanceEvent]>([])
    func append(_ event: RebalanceEvent) { events.withLock { $0.append(event) } }
    var all: [RebalanceEvent] { events.withLock { $0 } }
}

/// The primary a registry member last learned.
final class ElectionResult: Sendable {
    private let primary = Mutex<String?>(nil)
    func set(_ name: String) { primary.withLock { $0 = name } }
    var value: String? { primary.withLock { $0 } }
}

func allPartitions(_ topic: String, count: Int32) -> Set<TopicPartition> {
    Set((0..<count).map { TopicPartition(topic: topic, partition: $0) })
}

/// True when the consumers' assignments are disjoint, non-empty and cover `expected`.
func sharesDisjointlyAndCompletely(_ consumers: [KafkaConsumer], _ expected: Set<TopicPartition>) async -> Bool {
    var union: Set<TopicPartition> = []
    var total = 0
    for consumer in consumers {
        let owned = await consumer.assignment
        if owned.isEmpty { return false }
        union.formUnion(owned)
        total += owned.count
    }
    return union == expected && total == expected.count
}

@Suite struct GroupConsumerTests {
    @Test func twoThenThreeConsumersSharePartitionsAndReadEachRecordOnce() async throws {
        try await withGroupTestBroker { client, port in
            try await KafkaAdmin(client: client).createTopic(name: "orders", partitionCount: 6)
            // The broker answers one connection's requests in order: producing over the
            // consumers' connection would queue behind their fetch long-polls.
            let producerClient = KafkaClient(configuration: .init(bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: port)]))
            let expected = allPartitions("orders", count: 6)
            let first = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "shop"))
            try await first.subscribe(topics: ["orders"])
            try await waitUntil("the first consumer owns every partition") { Set(await first.assignment) == expected }

            let second = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "shop"))
            try await second.subscribe(topics: ["orders"])
            try await waitUntil("two consumers share the partitions") { await sharesDisjointlyAndCompletely([first, second], expected) }
            #expect(await first.assignment.count == 3)

            let third = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "shop", assignors: [.roundRobin, .range]))
            try await third.subscribe(topics: ["orders"])
            try await waitUntil("three consumers share the partitions") { await sharesDisjointlyAndCompletely([first, second, third], expected) }
            // The third member offers roundrobin first, but only range is common to all.
            #expect(await third.currentGeneration?.protocolName == "range")

            for partition in 0..<Int32(6) { try await produceRecords(producerClient, topic: "orders", partition: partition, count: 5) }
            await producerClient.shutdown()
            var seen: [TopicPartition: [Int64]] = [:]
            try await waitUntil("all 30 records were read") {
                for consumer in [first, second, third] {
                    for record in try await consumer.poll(timeoutMilliseconds: 50) {
                        seen[TopicPartition(topic: record.topic, partition: record.partition), default: []].append(record.offset)
                    }
                }
                return seen.values.map(\.count).reduce(0, +) >= 30
            }
            #expect(Set(seen.keys) == expected)
            #expect(seen.values.allSatisfy { $0 == [0, 1, 2, 3, 4] })
            for consumer in [first, second, third] { await consumer.close() }
        }
    }

    @Test func aLeavingConsumerHandsItsPartitionsOver() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "payments", partitionCount: 4)
            let expected = allPartitions("payments", count: 4)
            let events = EventLog()
            var configuration = fastConsumerConfiguration(group: "billing")
            configuration.onRebalance = { events.append($0) }
            let stays = try KafkaConsumer(client: client, configuration: configuration)
            let leaves = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "billing"))
            try await stays.subscribe(topics: ["payments"])
            try await leaves.subscribe(topics: ["payments"])
            try await waitUntil("both consumers own partitions") { await sharesDisjointlyAndCompletely([stays, leaves], expected) }
            let handedOver = Set(await leaves.assignment)

            await leaves.close()
            try await waitUntil("the remaining consumer owns every partition") { Set(await stays.assignment) == expected }
            // Eager protocol: the survivor gave up its partitions and got all of them back.
            guard case .assigned(let last)? = events.all.last else {
                Issue.record("the last event is not an assignment: \(events.all)")
                return
            }
            #expect(handedOver.isSubset(of: Set(last)))
            #expect(!events.all.contains { if case .lost = $0 { return true } else { return false } })
            #expect(try await KafkaAdmin(client: client).describeGroup("billing").members.count == 1)
            await stays.close()
            #expect(try await KafkaAdmin(client: client).describeGroup("billing").state == .empty)
        }
    }

    @Test func commitsResumeAfterAConsumerRestart() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "events", partitionCount: 1)
            try await produceRecords(client, topic: "events", partition: 0, count: 20)
            let partition = TopicPartition(topic: "events", partition: 0)

            // Explicit commit after reading ten records.
            let first = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "audit"))
            try await first.subscribe(topics: ["events"])
            var read: [ConsumerRecord] = []
            try await waitUntil("ten records were read") {
                read += try await first.poll(maxRecords: 10 - read.count, timeoutMilliseconds: 100)
                return read.count == 10
            }
            #expect(read.map(\.offset) == Array(0..<10))
            try await first.commit()
            #expect(try await first.committed([partition]) == [partition: 10])
            await first.close()

            // Auto-commit: close commits what was handed out.
            let second = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "audit", autoCommit: true))
            try await second.subscribe(topics: ["events"])
            let resumed = try await readRecords(second, count: 5)
            #expect(resumed.first?.offset == 10)
            let consumed = try #require(resumed.last?.offset) + 1
            await second.close()
            #expect(try await KafkaAdmin(client: client).committedOffsets(group: "audit") == [partition: consumed])

            let third = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "audit"))
            try await third.subscribe(topics: ["events"])
            let rest = try await readRecords(third, count: Int(20 - consumed))
            #expect(rest.map(\.offset) == Array(consumed..<20))
            await third.close()
        }
    }

    @Test func cooperativeStickyKeepsPartitionsThatDoNotMove() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "clicks", partitionCount: 4)
            let expected = allPartitions("clicks", count: 4)
            let events = EventLog()
            var configuration = fastConsumerConfiguration(group: "analytics", assignors: [.cooperativeSticky])
            configuration.onRebalance = { events.append($0) }
            let first = try KafkaConsumer(client: client, configuration: configuration)
            try await first.subscribe(topics: ["clicks"])
            try await waitUntil("the first consumer owns every partition") { Set(await first.assignment) == expected }

            let second = try KafkaConsumer(
                client: client, configuration: fastConsumerConfiguration(group: "analytics", assignors: [.cooperativeSticky]))
            try await second.subscribe(topics: ["clicks"])
            try await waitUntil("two consumers share the partitions evenly") {
                let secondCount = await second.assignment.count
                return await sharesDisjointlyAndCompletely([first, second], expected) && secondCount == 2
            }
            let kept = Set(await first.assignment)
            // The first member revoked exactly the two partitions that moved, never everything.
            let revoked = events.all.compactMap { event -> [TopicPartition]? in
                if case .revoked(let partitions) = event { return partitions } else { return nil }
            }
            #expect(revoked.count == 1)
            #expect(Set(revoked.flatMap { $0 }) == expected.subtracting(kept))
            #expect(kept.count == 2)
            #expect(await first.currentGeneration?.protocolName == "cooperative-sticky")
            for consumer in [first, second] { await consumer.close() }
        }
    }

    @Test func aStaticMemberRejoinsWithoutARebalance() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "ledger", partitionCount: 4)
            let expected = allPartitions("ledger", count: 4)
            let events = EventLog()
            var stayingConfiguration = fastConsumerConfiguration(group: "accounts", instance: "b")
            stayingConfiguration.onRebalance = { events.append($0) }
            let restarting = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "accounts", instance: "a"))
            let staying = try KafkaConsumer(client: client, configuration: stayingConfiguration)
            try await restarting.subscribe(topics: ["ledger"])
            try await staying.subscribe(topics: ["ledger"])
            try await waitUntil("both static members own partitions") { await sharesDisjointlyAndCompletely([restarting, staying], expected) }
            let generation = try #require(await staying.currentGeneration?.generationId)
            let ownedBefore = await restarting.assignment
            let eventsBefore = events.all.count

            // A static member does not leave on close: it comes back with the same instance id.
            await restarting.close()
            let restarted = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "accounts", instance: "a"))
            try await restarted.subscribe(topics: ["ledger"])
            try await waitUntil("the restarted member has its partitions back") { await restarted.assignment == ownedBefore }
            #expect(await restarted.currentGeneration?.generationId == generation)
            #expect(await staying.currentGeneration?.generationId == generation)
            #expect(events.all.count == eventsBefore)
            for consumer in [restarted, staying] { await consumer.close() }
        }
    }

    @Test func seeksByTimestampAndToTheLogEnds() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "readings", partitionCount: 1)
            try await produceRecords(client, topic: "readings", partition: 0, count: 10)
            let partition = TopicPartition(topic: "readings", partition: 0)
            let consumer = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: nil))
            try await consumer.assign([partition])

            try await consumer.seek([partition], toTimestamp: testBaseTimestamp + 5_500)
            #expect(try await readRecords(consumer, count: 4).map(\.offset) == [6, 7, 8, 9])
            try await consumer.seekToBeginning([partition])
            #expect(try await readRecords(consumer, count: 2).prefix(2).map(\.offset) == [0, 1])
            try await consumer.seek(partition, to: 8)
            #expect(try await readRecords(consumer, count: 2).map(\.offset) == [8, 9])
            // A time after every record: the position is the log end, only new records arrive.
            try await consumer.seek([partition], toTimestamp: testBaseTimestamp + 60_000)
            #expect(await consumer.position(partition) == 10)
            try await consumer.seekToEnd([partition])
            try await produceRecords(client, topic: "readings", partition: 0, count: 1)
            #expect(try await readRecords(consumer, count: 1).map(\.offset) == [10])

            await #expect(throws: KafkaError.self) { try await consumer.seek(TopicPartition(topic: "readings", partition: 3), to: 0) }
            await #expect(throws: KafkaError.self) { try await consumer.commit() }
            await consumer.close()
        }
    }

    @Test func pausedPartitionsAreNotDeliveredUntilResumed() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "jobs", partitionCount: 2)
            try await produceRecords(client, topic: "jobs", partition: 0, count: 6)
            try await produceRecords(client, topic: "jobs", partition: 1, count: 6)
            let held = TopicPartition(topic: "jobs", partition: 0)
            let flowing = TopicPartition(topic: "jobs", partition: 1)
            var configuration = fastConsumerConfiguration(group: "workers")
            // A small buffer and poll size exercise back-pressure: fetching stops and restarts.
            configuration.bufferedRecordsPerPartitionMax = 2
            configuration.maxPollRecords = 1
            let consumer = try KafkaConsumer(client: client, configuration: configuration)
            try await consumer.assign([held, flowing])
            await consumer.pause([held])
            #expect(await consumer.pausedPartitions == [held])

            let whilePaused = try await readRecords(consumer, count: 6)
            #expect(whilePaused.allSatisfy { $0.partition == 1 })
            #expect(whilePaused.map(\.offset) == Array(0..<6))
            #expect(try await consumer.poll(timeoutMilliseconds: 200).isEmpty)

            await consumer.resume([held])
            let afterResume = try await readRecords(consumer, count: 6)
            #expect(afterResume.allSatisfy { $0.partition == 0 })
            #expect(afterResume.map(\.offset) == Array(0..<6))
            // Manual assignment with a group id commits as a simple consumer (generation -1).
            try await consumer.commit()
            #expect(try await consumer.committed([held, flowing]) == [held: 6, flowing: 6])
            await consumer.close()
        }
    }

    @Test func recordsSequenceDeliversInOrderAndEndsOnClose() async throws {
        try await withGroupTestBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "stream", partitionCount: 1)
            try await produceRecords(client, topic: "stream", partition: 0, count: 5)
            let consumer = try KafkaConsumer(client: client, configuration: fastConsumerConfiguration(group: "readers"))
            try await consumer.subscribe(topics: ["stream"])
            var offsets: [Int64] = []
            for try await record in consumer.records {
                offsets.append(record.offset)
                if offsets.count == 5 { break }
            }
            #expect(offsets == [0, 1, 2, 3, 4])
            await consumer.close()
            var iterator = consumer.records.makeAsyncIterator()
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func theMembershipEngineServesOtherProtocolTypes() async throws {
        try await withGroupTestBroker { client, _ in
            // Primary election as the schema registry does it: the leader names itself primary.
            func member(_ name: String, elected: ElectionResult) throws -> GroupMembership {
                try GroupMembership(
                    client: client,
                    configuration: .init(groupId: "schema-registry", protocolType: "sr", sessionTimeoutMilliseconds: 6_000,
                                         rebalanceTimeoutMilliseconds: 5_000, heartbeatIntervalMilliseconds: 100),
                    handlers: GroupMembershipHandlers(
                        protocols: { [GroupProtocol(name: "v0", metadata: ByteBuffer(string: name))] },
                        assign: { context in
                            let primary = context.members.first { $0.memberId == context.leaderId }?.metadata ?? ByteBuffer()
                            return Dictionary(uniqueKeysWithValues: context.members.map { ($0.memberId, primary) })
                        },
                        joined: { _, assignment in
                            elected.set(String(buffer: assignment))
                            return false
                        }))
            }
            let firstElected = ElectionResult()
            let secondElected = ElectionResult()
            let first = try member("registry-1", elected: firstElected)
            await first.start()
            try await waitUntil("the first registry is elected") { firstElected.value == "registry-1" }
            let second = try member("registry-2", elected: secondElected)
            await second.start()
            try await waitUntil("both registries agree") {
                let firstGeneration = await first.generation?.generationId
                let secondGeneration = await second.generation?.generationId
                let primary = firstElected.value
                return primary != nil && primary == secondElected.value && secondGeneration != nil && firstGeneration == secondGeneration
            }
            await first.close()
            try await waitUntil("the second registry takes over") { secondElected.value == "registry-2" }
            #expect(try await KafkaAdmin(client: client).describeGroup("schema-registry").protocolType == "sr")
            await second.close()
        }
    }
}
