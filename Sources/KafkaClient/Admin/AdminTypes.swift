// Values the admin client takes and returns: new topics, config entries and operations,
// offset specifications, and per-topic outcomes.
import KafkaProtocol

public struct NewTopic: Sendable, Equatable {
    public var name: String
    /// -1 lets the broker use its default.
    public var partitionCount: Int32
    /// -1 lets the broker use its default.
    public var replicationFactor: Int16
    public var configs: [String: String]

    public init(name: String, partitionCount: Int32 = -1, replicationFactor: Int16 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitionCount = partitionCount
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// The outcome for one topic of a multi-topic admin request.
public struct TopicOutcome: Sendable {
    public var name: String
    /// Nil when the operation succeeded for this topic.
    public var error: KafkaError?
}

/// What a config describes (Kafka's ConfigResource.Type).
public struct ConfigResource: Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable {
        public let rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }
        public static let topic = Kind(rawValue: 2)
        public static let broker = Kind(rawValue: 4)
        public static let brokerLogger = Kind(rawValue: 8)
    }

    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    public static func topic(_ name: String) -> ConfigResource { ConfigResource(kind: .topic, name: name) }
    public static func broker(_ id: Int32) -> ConfigResource { ConfigResource(kind: .broker, name: String(id)) }

    public var description: String {
        switch kind {
        case .topic: return "topic \(name)"
        case .broker: return "broker \(name)"
        default: return "resource \(name) (type \(kind.rawValue))"
        }
    }
}

/// Where a config value comes from (DescribeConfigs ConfigSource).
public struct ConfigSource: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int8
    public init(rawValue: Int8) { self.rawValue = rawValue }
    public static let unknown = ConfigSource(rawValue: 0)
    public static let topic = ConfigSource(rawValue: 1)
    public static let dynamicBroker = ConfigSource(rawValue: 2)
    public static let dynamicDefaultBroker = ConfigSource(rawValue: 3)
    public static let staticBroker = ConfigSource(rawValue: 4)
    public static let `default` = ConfigSource(rawValue: 5)
    public static let dynamicBrokerLogger = ConfigSource(rawValue: 6)
    public static let clientMetrics = ConfigSource(rawValue: 7)
    public static let group = ConfigSource(rawValue: 8)

    public var description: String {
        switch rawValue {
        case 1: return "topic"
        case 2: return "dynamic-broker"
        case 3: return "dynamic-default-broker"
        case 4: return "static-broker"
        case 5: return "default"
        case 6: return "dynamic-broker-logger"
        case 7: return "client-metrics"
        case 8: return "group"
        default: return "unknown"
        }
    }
}

public struct ConfigEntry: Sendable, Equatable {
    public var name: String
    /// Nil for sensitive values and unset entries.
    public var value: String?
    public var source: ConfigSource
    public var isReadOnly: Bool
    public var isSensitive: Bool
    public var isDefault: Bool

    public init(name: String, value: String?, source: ConfigSource, isReadOnly: Bool, isSensitive: Bool, isDefault: Bool) {
        self.name = name
        self.value = value
        self.source = source
        self.isReadOnly = isReadOnly
        self.isSensitive = isSensitive
        self.isDefault = isDefault
    }
}

/// One change of IncrementalAlterConfigs.
public struct ConfigOperation: Sendable, Equatable {
    public struct Kind: Sendable, Hashable {
        public let rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }
        public static let set = Kind(rawValue: 0)
        public static let delete = Kind(rawValue: 1)
        public static let append = Kind(rawValue: 2)
        public static let subtract = Kind(rawValue: 3)
    }

    public var name: String
    public var kind: Kind
    public var value: String?

    public init(name: String, kind: Kind, value: String?) {
        self.name = name
        self.kind = kind
        self.value = value
    }

    public static func set(_ name: String, _ value: String) -> ConfigOperation { ConfigOperation(name: name, kind: .set, value: value) }
    public static func delete(_ name: String) -> ConfigOperation { ConfigOperation(name: name, kind: .delete, value: nil) }
    public static func append(_ name: String, _ value: String) -> ConfigOperation { ConfigOperation(name: name, kind: .append, value: value) }
    public static func subtract(_ name: String, _ value: String) -> ConfigOperation { ConfigOperation(name: name, kind: .subtract, value: value) }
}

/// Which offset ListOffsets should find.
public enum OffsetSpec: Sendable, Equatable {
    /// The log start offset.
    case earliest
    /// The log end offset (the offset the next record will get).
    case latest
    /// The first offset whose timestamp is at or after this many milliseconds since the epoch.
    case timestamp(Int64)

    /// The wire value: -2 earliest, -1 latest, else the timestamp.
    public var wireTimestamp: Int64 {
        switch self {
        case .earliest: return -2
        case .latest: return -1
        case .timestamp(let milliseconds): return milliseconds
        }
    }
}

public struct ListedOffset: Sendable, Equatable {
    public var partition: Int32
    /// -1 when no record has a timestamp at or after the one asked for.
    public var offset: Int64
    /// The record's timestamp for `.timestamp` lookups, -1 otherwise.
    public var timestamp: Int64

    public init(partition: Int32, offset: Int64, timestamp: Int64) {
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}
