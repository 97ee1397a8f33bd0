// Topic-level configuration: the keys Kafka users set on topics (`retention.ms`,
// `cleanup.policy`, ...), their broker-wide defaults, validation, and the mapping onto the
// partition log's `LogConfig`. A topic stores only the keys set on it; everything else
// resolves to the broker default, which is what DescribeConfigs reports as DEFAULT_CONFIG.
import LogStorage

public enum TopicConfigs {
    public static let validCleanupPolicies: Set<String> = ["delete", "compact", "compact,delete", "delete,compact"]

    /// How a key's value is checked.
    enum Kind {
        case long(min: Int64)
        case int(min: Int64)
        case choice(Set<String>)
        case boolean
        case double(min: Double, max: Double)
        case text
    }

    /// Every topic-level key Brook accepts, with how to check it.
    static let kinds: [String: Kind] = [
        "cleanup.policy": .choice(validCleanupPolicies),
        "compression.type": .choice(["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"]),
        "delete.retention.ms": .long(min: 0),
        "file.delete.delay.ms": .long(min: 0),
        "flush.messages": .long(min: 1),
        "flush.ms": .long(min: 0),
        "index.interval.bytes": .int(min: 0),
        "max.compaction.lag.ms": .long(min: 1),
        "max.message.bytes": .int(min: 0),
        "message.timestamp.type": .choice(["CreateTime", "LogAppendTime"]),
        "message.timestamp.before.max.ms": .long(min: 0),
        "message.timestamp.after.max.ms": .long(min: 0),
        "min.cleanable.dirty.ratio": .double(min: 0, max: 1),
        "min.compaction.lag.ms": .long(min: 0),
        "min.insync.replicas": .int(min: 1),
        "preallocate": .boolean,
        "retention.bytes": .long(min: -1),
        "retention.ms": .long(min: -1),
        "segment.bytes": .int(min: 14),
        "segment.index.bytes": .int(min: 4),
        "segment.jitter.ms": .long(min: 0),
        "segment.ms": .long(min: 1),
        "unclean.leader.election.enable": .boolean,
    ]

    /// The broker-wide default of every topic key, as Kafka reports it.
    public static func defaults(for broker: BrokerConfig) -> [String: String] {
        [
            "cleanup.policy": broker.logCleanupPolicy,
            "compression.type": "producer",
            "delete.retention.ms": "86400000",
            "file.delete.delay.ms": "60000",
            "flush.messages": String(broker.logFlushIntervalMessages),
            "flush.ms": String(broker.logFlushIntervalMilliseconds),
            "index.interval.bytes": String(broker.logIndexIntervalBytes),
            "max.compaction.lag.ms": String(Int64.max),
            "max.message.bytes": String(broker.messageMaxBytes),
            "message.timestamp.type": "CreateTime",
            "message.timestamp.before.max.ms": String(Int64.max),
            "message.timestamp.after.max.ms": String(Int64.max),
            "min.cleanable.dirty.ratio": "0.5",
            "min.compaction.lag.ms": "0",
            "min.insync.replicas": "1",
            "preallocate": "false",
            "retention.bytes": String(broker.logRetentionBytes),
            "retention.ms": String(broker.logRetentionMilliseconds),
            "segment.bytes": String(broker.logSegmentBytes),
            "segment.index.bytes": "10485760",
            "segment.jitter.ms": "0",
            "segment.ms": String(broker.logRollMilliseconds),
            "unclean.leader.election.enable": "false",
        ]
    }

    /// Checks one key/value; returns a sentence saying what is wrong, or nil when it is fine.
    public static func problem(key: String, value: String?) -> String? {
        guard let kind = kinds[key] else { return "unknown topic config '\(key)'" }
        guard let value else { return nil }  // null = reset to default
        switch kind {
        case let .long(min):
            guard let number = Int64(value), number >= min else { return "'\(key)' must be a whole number ≥ \(min), got '\(value)'" }
        case let .int(min):
            guard let number = Int32(value), Int64(number) >= min else {
                return "'\(key)' must be a whole number ≥ \(min) that fits in 32 bits, got '\(value)'"
            }
        case let .choice(options):
            guard options.contains(value) else {
                return "'\(key)' must be one of \(options.sorted().joined(separator: ", ")), got '\(value)'"
            }
        case .boolean:
            guard value == "true" || value == "false" else { return "'\(key)' must be true or false, got '\(value)'" }
        case let .double(min, max):
            guard let number = Double(value), number >= min, number <= max else {
                return "'\(key)' must be a number from \(min) to \(max), got '\(value)'"
            }
        case .text: break
        }
        return nil
    }

    /// Every key's effective value for a topic with `overrides`: its own value, else the default.
    public static func effective(overrides: [String: String], broker: BrokerConfig) -> [String: String] {
        defaults(for: broker).merging(overrides) { _, topic in topic }
    }

    /// The partition log settings for a topic.
    public static func logConfig(overrides: [String: String], broker: BrokerConfig) -> LogConfig {
        logConfig(effective: effective(overrides: overrides, broker: broker))
    }

    /// The partition log settings from an already merged `effective` map.
    static func logConfig(effective: [String: String]) -> LogConfig {
        func long(_ key: String) -> Int64 { Int64(effective[key] ?? "") ?? 0 }
        var config = LogConfig()
        config.segmentBytes = Int(long("segment.bytes"))
        config.segmentMilliseconds = long("segment.ms")
        config.retentionMilliseconds = long("retention.ms")
        config.retentionBytes = long("retention.bytes")
        config.indexIntervalBytes = Int(long("index.interval.bytes"))
        config.flushMessages = long("flush.messages")
        config.flushMilliseconds = long("flush.ms")
        config.maxMessageBytes = Int(long("max.message.bytes"))
        config.timestampType = effective["message.timestamp.type"] == "LogAppendTime" ? .logAppendTime : .createTime
        config.deleteRetentionMilliseconds = long("delete.retention.ms")
        config.minCompactionLagMilliseconds = long("min.compaction.lag.ms")
        config.minCleanableDirtyRatio = Double(effective["min.cleanable.dirty.ratio"] ?? "") ?? 0.5
        switch effective["cleanup.policy"] {
        case "compact": config.cleanupPolicy = .compact
        case "compact,delete", "delete,compact": config.cleanupPolicy = .compactDelete
        default: config.cleanupPolicy = .delete
        }
        return config
    }

    /// Topic names Kafka accepts: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
    public static func topicNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "topic name is empty" }
        if name == "." || name == ".." { return "topic name cannot be '.' or '..'" }
        if name.utf8.count > 249 { return "topic name is longer than 249 characters" }
        for byte in name.utf8 {
            let ok = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
            if !ok { return "topic name '\(name)' has characters other than ASCII letters, digits, '.', '_' and '-'" }
        }
        return nil
    }
}
