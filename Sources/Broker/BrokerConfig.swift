// Broker-wide configuration: Kafka's property names, Kafka's defaults, and the limits the broker
// enforces. Read from a Java-properties style file and `--set key=value` overrides; unknown keys
// are refused so that a typo does not silently leave a default in force.
import Foundation

/// A listener address (`host:port`).
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (IPv6 hosts in brackets: `[::1]:9092`).
    public init(parsing text: String) throws(BrokerConfigError) {
        var hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalid(key: "listener", value: text, why: "expected [host]:port") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw .invalid(key: "listener", value: text, why: "expected host:port")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        if hostPart.isEmpty { hostPart = "0.0.0.0" }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw .invalid(key: "listener", value: text, why: "port must be a number from 0 to 65535")
        }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public enum BrokerConfigError: Error, Equatable, CustomStringConvertible {
    case unknownKey(String)
    case invalid(key: String, value: String, why: String)
    case unreadableFile(path: String, why: String)
    case malformedLine(path: String, line: Int, text: String)

    public var description: String {
        switch self {
        case let .unknownKey(key): "unknown broker config '\(key)' (see `brook serve --help` for the supported keys)"
        case let .invalid(key, value, why): "invalid value '\(value)' for '\(key)': \(why)"
        case let .unreadableFile(path, why): "cannot read config file \(path): \(why)"
        case let .malformedLine(path, line, text):
            "\(path):\(line): expected key=value, found '\(text)'"
        }
    }
}

public struct BrokerConfig: Sendable {
    public var nodeId: Int32 = 1
    public var dataDirectory: String = "./data"
    public var listener = HostPort(host: "127.0.0.1", port: 9092)
    /// The address written into Metadata responses; nil = the bound listener address.
    public var advertisedListener: HostPort?
    public var clusterId: String?

    // Topics.
    public var autoCreateTopicsEnable = true                 // auto.create.topics.enable
    public var defaultPartitionCount: Int32 = 1              // num.partitions
    public var defaultReplicationFactor: Int16 = 1           // default.replication.factor
    // Limits.
    public var messageMaxBytes = 1_048_588                   // message.max.bytes
    public var socketRequestMaxBytes = 104_857_600           // socket.request.max.bytes
    public var connectionsMax = 10_000                       // max.connections
    public var fetchMaxWaitMillisecondsMax: Int32 = 30_000   // caps a client's fetch long-poll
    // Logs (broker-wide defaults of the topic-level configs).
    public var logSegmentBytes = 1 << 30                     // log.segment.bytes
    public var logRollMilliseconds: Int64 = 7 * 24 * 3_600_000   // log.roll.ms
    public var logRetentionMilliseconds: Int64 = 7 * 24 * 3_600_000  // log.retention.ms
    public var logRetentionBytes: Int64 = -1                 // log.retention.bytes
    public var logRetentionCheckIntervalMilliseconds: Int64 = 300_000  // log.retention.check.interval.ms
    public var logFlushIntervalMessages: Int64 = Int64.max   // log.flush.interval.messages
    public var logFlushIntervalMilliseconds: Int64 = Int64.max   // log.flush.interval.ms
    public var logIndexIntervalBytes = 4096                  // log.index.interval.bytes
    public var logCleanupPolicy = "delete"                   // log.cleanup.policy
    // Groups (used by the group coordinator).
    /// group.initial.rebalance.delay.ms. Kafka's 3000 makes a lone consumer wait 3 s. With 0,
    /// consumers that start together get one generation each as they trickle in, and each
    /// rebalance after the first costs the earlier members a heartbeat interval (3 s in
    /// librdkafka) to notice; 100 ms gathers them into one generation (bench/group-rebalance-bench.py:
    /// three consumers split in ~250 ms every run instead of 90 ms to 3 s) while a lone consumer
    /// still has its assignment in ~160 ms.
    public var groupInitialRebalanceDelayMilliseconds: Int64 = 100
    public var groupMinSessionTimeoutMilliseconds: Int32 = 6_000      // group.min.session.timeout.ms
    public var groupMaxSessionTimeoutMilliseconds: Int32 = 1_800_000  // group.max.session.timeout.ms
    /// offsets.topic.num.partitions: Kafka's default is 50, spread over a cluster. One broker gains
    /// nothing from 50 (each partition is a directory with open segment and index files), so
    /// Brook uses 10. The count is fixed once `__consumer_offsets` exists: a group's partition
    /// is a hash of its id modulo the count, so an existing topic keeps the count it was made with.
    public var offsetsTopicPartitionCount: Int32 = 10
    /// The largest offsets.topic.num.partitions accepted (Kafka has no limit; this one bounds
    /// the files opened at start-up).
    public static let offsetsTopicPartitionCountMax: Int32 = 1_000
    public var numberOfThreads = 0                           // num.network.threads; 0 = one per core

    public init() {}

    /// Every key `set(_:_:)` accepts, for help texts and errors.
    public static let supportedKeys: [String] = [
        "node.id", "broker.id", "log.dirs", "log.dir", "listeners", "advertised.listeners", "cluster.id",
        "auto.create.topics.enable", "num.partitions", "default.replication.factor",
        "message.max.bytes", "socket.request.max.bytes", "max.connections",
        "log.segment.bytes", "log.roll.ms", "log.roll.hours", "log.retention.ms", "log.retention.minutes",
        "log.retention.hours", "log.retention.bytes", "log.retention.check.interval.ms",
        "log.flush.interval.messages", "log.flush.interval.ms", "log.index.interval.bytes",
        "log.cleanup.policy", "group.initial.rebalance.delay.ms", "num.network.threads",
        "group.min.session.timeout.ms", "group.max.session.timeout.ms", "offsets.topic.num.partitions",
    ]

    /// Applies one `key=value` setting.
    public mutating func set(_ key: String, _ value: String) throws(BrokerConfigError) {
        func integer<T: FixedWidthInteger>(_: T.Type, min: T = 0) throws(BrokerConfigError) -> T {
            guard let number = T(value.trimmingCharacters(in: .whitespaces)), number >= min else {
                throw .invalid(key: key, value: value, why: "expected a whole number ≥ \(min)")
            }
            return number
        }
        func boolean() throws(BrokerConfigError) -> Bool {
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: throw .invalid(key: key, value: value, why: "expected true or false")
            }
        }
        func listenerAddress() throws(BrokerConfigError) -> HostPort {
            // Accept Kafka's `PLAINTEXT://host:port` form as well as a bare `host:port`.
            var text = value
            if let scheme = text.range(of: "://") { text = String(text[scheme.upperBound...]) }
            if let comma = text.firstIndex(of: ",") { text = String(text[..<comma]) }
            return try HostPort(parsing: text)
        }
        switch key {
        case "node.id", "broker.id": nodeId = try integer(Int32.self)
        case "log.dirs", "log.dir": dataDirectory = value
        case "listeners": listener = try listenerAddress()
        case "advertised.listeners": advertisedListener = try listenerAddress()
        case "cluster.id": clusterId = value
        case "auto.create.topics.enable": autoCreateTopicsEnable = try boolean()
        case "num.partitions": defaultPartitionCount = try integer(Int32.self, min: 1)
        case "default.replication.factor": defaultReplicationFactor = try integer(Int16.self, min: 1)
        case "message.max.bytes": messageMaxBytes = try integer(Int.self, min: 0)
        case "socket.request.max.bytes": socketRequestMaxBytes = try integer(Int.self, min: 1024)
        case "max.connections": connectionsMax = try integer(Int.self, min: 1)
        case "log.segment.bytes": logSegmentBytes = try integer(Int.self, min: 14)
        case "log.roll.ms": logRollMilliseconds = try integer(Int64.self, min: 1)
        case "log.roll.hours": logRollMilliseconds = try integer(Int64.self, min: 1) * 3_600_000
        case "log.retention.ms": logRetentionMilliseconds = try integer(Int64.self, min: -1)
        case "log.retention.minutes": logRetentionMilliseconds = try integer(Int64.self, min: -1) * 60_000
        case "log.retention.hours": logRetentionMilliseconds = try integer(Int64.self, min: -1) * 3_600_000
        case "log.retention.bytes": logRetentionBytes = try integer(Int64.self, min: -1)
        case "log.retention.check.interval.ms": logRetentionCheckIntervalMilliseconds = try integer(Int64.self, min: 1)
        case "log.flush.interval.messages": logFlushIntervalMessages = try integer(Int64.self, min: 1)
        case "log.flush.interval.ms": logFlushIntervalMilliseconds = try integer(Int64.self, min: 0)
        case "log.index.interval.bytes": logIndexIntervalBytes = try integer(Int.self, min: 0)
        case "log.cleanup.policy":
            guard TopicConfigs.validCleanupPolicies.contains(value) else {
                throw .invalid(key: key, value: value, why: "expected delete, compact or compact,delete")
            }
            logCleanupPolicy = value
        case "group.initial.rebalance.delay.ms": groupInitialRebalanceDelayMilliseconds = try integer(Int64.self)
        case "num.network.threads": numberOfThreads = try integer(Int.self)
        case "group.min.session.timeout.ms": groupMinSessionTimeoutMilliseconds = try integer(Int32.self, min: 1)
        case "group.max.session.timeout.ms": groupMaxSessionTimeoutMilliseconds = try integer(Int32.self, min: 1)
        case "offsets.topic.num.partitions":
            let count = try integer(Int32.self, min: 1)
            guard count <= Self.offsetsTopicPartitionCountMax else {
                throw .invalid(key: key, value: value, why: "at most \(Self.offsetsTopicPartitionCountMax) partitions")
            }
            offsetsTopicPartitionCount = count
        default: throw .unknownKey(key)
        }
    }

    /// Applies a Java-properties style text (`key=value` lines, `#`/`!` comments).
    public mutating func load(propertiesText text: String, path: String) throws(BrokerConfigError) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let equals = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw .malformedLine(path: path, line: number + 1, text: line)
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            try set(key, value)
        }
    }
}
