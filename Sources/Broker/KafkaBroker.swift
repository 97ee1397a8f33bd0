// The broker's state and request dispatch: cluster metadata, the partitions hosted here, and
// one handler per Kafka API (in Handlers/, one file each). Connections hand it decoded requests;
// it answers with encoded response frames. Partition logs serialize their own appends, so
// requests from different connections run on their event loops in parallel.
import CBrookSystem
import Foundation
import GroupCoordinator
import KafkaProtocol
import LogStorage
import NIOConcurrencyHelpers
import NIOCore

/// What a handler produced for one request.
enum HandlerOutcome {
    /// A response frame (size prefix included) to write now.
    case respond(ByteBuffer)
    /// No response at all (Produce with acks=0).
    case noResponse
    /// A response that comes later (a long-polling Fetch).
    case later(EventLoopFuture<ByteBuffer>)
}

/// Per-request facts a handler may need.
struct RequestContext {
    let header: RequestHeader
    let eventLoop: EventLoop
    let allocator: ByteBufferAllocator
    /// The client's address as Kafka shows it in group descriptions (`/127.0.0.1`).
    var clientHost: String = ""
    var version: Int16 { header.apiVersion }
}

public final class KafkaBroker: Sendable {
    public let config: BrokerConfig
    let metadata: MetadataStore
    /// Consumer groups and committed offsets (Groups/GroupCoordinatorService.swift).
    let groupCoordinator: GroupCoordinatorService
    private let partitions = NIOLockedValueBox<[TopicPartition: Partition]>([:])
    private let producerIds = NIOLockedValueBox<(next: Int64, end: Int64)>((0, 0))
    /// The advertised address; set once the listener is bound.
    private let advertised = NIOLockedValueBox<HostPort?>(nil)

    /// Producer ids are reserved from the metadata store in blocks, so a restart never reuses
    /// one and the store is not rewritten for every new producer.
    static let producerIdBlockSize: Int64 = 1000

    public init(config: BrokerConfig) throws {
        self.config = config
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        metadata = try MetadataStore(directory: config.dataDirectory + "/meta", clusterId: config.clusterId)
        groupCoordinator = GroupCoordinatorService(configuration: GroupCoordinatorService.configuration(for: config))
        let now = Self.nowMilliseconds()
        for topic in metadata.current.topics.values.sorted(by: { $0.name < $1.name }) {
            for index in 0..<topic.partitionCount {
                try openPartition(TopicPartition(topic: topic.name, partition: index), topic: topic, now: now)
            }
        }
        try loadGroupCoordinator()
    }

    /// Creates `__consumer_offsets` if it is missing and replays it into the group coordinator.
    private func loadGroupCoordinator() throws {
        let name = GroupCoordinatorService.topicName
        let topic = try metadata.current.topics[name] ?? createTopic(
            name: name, partitionCount: config.offsetsTopicPartitionCount, replicationFactor: 1,
            configs: [
                "cleanup.policy": "compact",
                "segment.bytes": String(GroupCoordinatorService.topicSegmentBytes),
            ])
        let logs = try (0..<topic.partitionCount).map { index in
            guard let partition = partition(TopicPartition(topic: name, partition: index)) else {
                throw OffsetsTopicError(description: "\(name) partition \(index) is in the metadata but not open")
            }
            return partition
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let replayed = try groupCoordinator.load(partitions: logs, nowMilliseconds: Self.nowMilliseconds())
        if replayed > 0 {
            let milliseconds = (DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
            BrokerLog.info("replayed \(replayed) records of \(name) in \(milliseconds) ms")
        }
    }

    static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    // MARK: advertised address

    func setBoundAddress(_ bound: HostPort) {
        advertised.withLockedValue { $0 = config.advertisedListener ?? bound }
    }

    var advertisedAddress: HostPort { advertised.withLockedValue { $0 } ?? config.listener }

    // MARK: partitions

    func partition(_ id: TopicPartition) -> Partition? {
        partitions.withLockedValue { $0[id] }
    }

    var allPartitions: [Partition] { partitions.withLockedValue { Array($0.values) } }

    func partitionDirectory(_ id: TopicPartition) -> String {
        "\(config.dataDirectory)/\(id.topic)-\(id.partition)"
    }

    /// The broker-side settings of a topic's partitions, from its effective configs.
    private func settings(effective: [String: String]) -> Partition.PartitionSettings {
        var settings = Partition.PartitionSettings()
        settings.maxMessageBytes = effective["max.message.bytes"].flatMap { Int($0) } ?? config.messageMaxBytes
        settings.requiresKeys = effective["cleanup.policy"]?.contains("compact") ?? false
        settings.flushMilliseconds = effective["flush.ms"].flatMap { Int64($0) } ?? .max
        return settings
    }

    private func openPartition(_ id: TopicPartition, topic: TopicImage, now: Int64) throws {
        let effective = TopicConfigs.effective(overrides: topic.configs, broker: config)
        let log = try PartitionLog(
            directory: partitionDirectory(id), config: TopicConfigs.logConfig(effective: effective), now: now)
        let partition = Partition(id: id, log: log, settings: settings(effective: effective))
        partitions.withLockedValue { $0[id] = partition }
    }

    // MARK: topic lifecycle (validated by the admin handlers before they call these)

    func createTopic(name: String, partitionCount: Int32, replicationFactor: Int16, configs: [String: String]) throws
        -> TopicImage
    {
        let topic = TopicImage(
            name: name, id: KafkaUUID.random().hexString, partitionCount: partitionCount,
            replicationFactor: replicationFactor, configs: configs)
        try metadata.apply(.createTopic(topic))
        let now = Self.nowMilliseconds()
        for index in 0..<partitionCount {
            try openPartition(TopicPartition(topic: name, partition: index), topic: topic, now: now)
        }
        return topic
    }

    func deleteTopic(name: String) throws {
        guard let topic = metadata.current.topics[name] else { return }
        try metadata.apply(.deleteTopic(name: name))
        for index in 0..<topic.partitionCount {
            let id = TopicPartition(topic: name, partition: index)
            let removed = partitions.withLockedValue { $0.removeValue(forKey: id) }
            removed?.log.close()
            try? removed?.log.deleteFromDisk()
        }
    }

    func addPartitions(topic name: String, newCount: Int32) throws {
        guard let topic = metadata.current.topics[name] else { return }
        let updated = try metadata.apply(.setPartitionCount(topic: name, count: newCount))
        let now = Self.nowMilliseconds()
        for index in topic.partitionCount..<newCount {
            try openPartition(TopicPartition(topic: name, partition: index), topic: updated.topics[name] ?? topic, now: now)
        }
    }

    func setTopicConfigs(topic name: String, configs: [String: String]) throws {
        let updated = try metadata.apply(.setTopicConfigs(topic: name, configs: configs))
        guard let topic = updated.topics[name] else { return }
        let effective = TopicConfigs.effective(overrides: topic.configs, broker: config)
        let logConfig = TopicConfigs.logConfig(effective: effective)
        let settings = settings(effective: effective)
        for index in 0..<topic.partitionCount {
            partition(TopicPartition(topic: name, partition: index))?.update(settings: settings, logConfig: logConfig)
        }
    }

    /// Creates `name` with broker defaults if auto-creation is on and the name is valid.
    func autoCreateTopic(_ name: String) -> TopicImage? {
        guard config.autoCreateTopicsEnable, TopicConfigs.topicNameProblem(name) == nil else { return nil }
        if let existing = metadata.current.topics[name] { return existing }
        return try? createTopic(
            name: name, partitionCount: config.defaultPartitionCount,
            replicationFactor: config.defaultReplicationFactor, configs: [:])
    }

    func allocateProducerId() throws -> Int64 {
        try producerIds.withLockedValue { block in
            if block.next >= block.end {
                let start = metadata.current.nextProducerId
                try metadata.apply(.allocateProducerIds(count: Self.producerIdBlockSize))
                block = (start, start + Self.producerIdBlockSize)
            }
            defer { block.next += 1 }
            return block.next
        }
    }

    // MARK: housekeeping

    /// Retention and time-based flushes; the server calls this periodically.
    func runHousekeeping(retention: Bool) {
        let now = Self.nowMilliseconds()
        for partition in allPartitions {
            do {
                try partition.flushIfDue(now: now)
                if retention { try partition.log.applyRetention(now: now) }
            } catch {
                BrokerLog.error("housekeeping of \(partition.id) failed: \(error)")
            }
        }
    }

    /// Hands memory freed after a burst (fetch and produce buffers) back to the OS. glibc keeps
    /// freed heap for reuse; without this an idle broker's RSS stays at its busiest level.
    func releaseFreeMemory() {
        brook_release_free_memory()
    }

    /// Flushes and closes every log (clean shutdown marker included).
    public func shutdown() {
        groupCoordinator.stop()
        for partition in allPartitions {
            try? partition.log.flush()
            partition.log.close()
        }
    }
}

/// Minimal stderr logging; the broker logs only lifecycle events and errors.
enum BrokerLog {
    static func info(_ message: String) { write("info", message) }
    static func warning(_ message: String) { write("warn", message) }
    static func error(_ message: String) { write("error", message) }

    private static func write(_ level: String, _ message: String) {
        let line = "brook[\(level)]: \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
