// What the client knows about the cluster: brokers, the controller, topics and their partitions.
//
// Built from a MetadataResponse. Topic and partition error codes are kept rather than thrown so
// that one bad topic in a multi-topic request does not hide the others; callers turn them into
// `KafkaError`s where they need a particular topic.
import Foundation
import KafkaProtocol

/// A broker's host and port (a bootstrap server or an advertised listener).
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public static let defaultPort = 9092

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port", "host" (port 9092) or "[ipv6]:port".
    public init(parsing text: String) throws(KafkaError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func invalid(_ why: String) -> KafkaError {
            KafkaError(kind: .invalidArgument, context: "reading broker address \"\(text)\"", detail: why)
        }
        var host = trimmed
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw invalid("missing ] after an IPv6 address") }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw invalid("expected :port after ]") }
                portText = rest.dropFirst()
            }
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = String(trimmed[..<colon])
            portText = trimmed[trimmed.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid("the host is empty; use host:port such as 127.0.0.1:9092") }
        var port = Self.defaultPort
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else {
                throw invalid("the port must be a number from 1 to 65535")
            }
            port = parsed
        }
        self.init(host: host, port: port)
    }

    /// Parses a comma-separated list such as "a:9092,b:9092".
    public static func parseList(_ text: String) throws(KafkaError) -> [BrokerAddress] {
        var addresses: [BrokerAddress] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            addresses.append(try BrokerAddress(parsing: String(part)))
        }
        guard !addresses.isEmpty else {
            throw KafkaError(kind: .invalidArgument, context: "reading bootstrap servers", detail: "no address given")
        }
        return addresses
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct PartitionMetadata: Sendable, Equatable {
    public var partition: Int32
    /// -1 when the partition has no leader right now.
    public var leaderId: Int32
    public var leaderEpoch: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]
    public var offlineReplicas: [Int32]
    public var errorCode: ErrorCode

    public init(
        partition: Int32, leaderId: Int32, leaderEpoch: Int32, replicas: [Int32], inSyncReplicas: [Int32],
        offlineReplicas: [Int32], errorCode: ErrorCode
    ) {
        self.partition = partition
        self.leaderId = leaderId
        self.leaderEpoch = leaderEpoch
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
        self.offlineReplicas = offlineReplicas
        self.errorCode = errorCode
    }
}

public struct TopicMetadata: Sendable, Equatable {
    public var name: String
    public var topicId: KafkaUUID
    public var isInternal: Bool
    public var errorCode: ErrorCode
    /// Sorted by partition index.
    public var partitions: [PartitionMetadata]

    public init(name: String, topicId: KafkaUUID, isInternal: Bool, errorCode: ErrorCode, partitions: [PartitionMetadata]) {
        self.name = name
        self.topicId = topicId
        self.isInternal = isInternal
        self.errorCode = errorCode
        self.partitions = partitions
    }

    public func partition(_ index: Int32) -> PartitionMetadata? {
        partitions.first { $0.partition == index }
    }
}

public struct ClusterMetadata: Sendable, Equatable {
    public var clusterId: String?
    /// -1 when unknown.
    public var controllerId: Int32
    public var brokers: [Int32: BrokerAddress]
    public var topics: [String: TopicMetadata]

    public init(clusterId: String?, controllerId: Int32, brokers: [Int32: BrokerAddress], topics: [String: TopicMetadata]) {
        self.clusterId = clusterId
        self.controllerId = controllerId
        self.brokers = brokers
        self.topics = topics
    }

    init(response: MetadataResponse) {
        var brokers: [Int32: BrokerAddress] = [:]
        for broker in response.brokers {
            brokers[broker.nodeId] = BrokerAddress(host: broker.host, port: Int(broker.port))
        }
        var topics: [String: TopicMetadata] = [:]
        for topic in response.topics {
            guard let name = topic.name else { continue }
            let partitions = topic.partitions.map {
                PartitionMetadata(
                    partition: $0.partitionIndex, leaderId: $0.leaderId, leaderEpoch: $0.leaderEpoch,
                    replicas: $0.replicaNodes, inSyncReplicas: $0.isrNodes, offlineReplicas: $0.offlineReplicas,
                    errorCode: ErrorCode(rawValue: $0.errorCode))
            }.sorted { $0.partition < $1.partition }
            topics[name] = TopicMetadata(
                name: name, topicId: topic.topicId, isInternal: topic.isInternal,
                errorCode: ErrorCode(rawValue: topic.errorCode), partitions: partitions)
        }
        self.init(clusterId: response.clusterId, controllerId: response.controllerId, brokers: brokers, topics: topics)
    }

    /// The topic, or the error a caller should see when it is missing or failed.
    /// A topic the broker says does not exist is not retried: the lookup that could have created
    /// it (a producer's, with auto-creation allowed) already ran, so waiting would only delay the answer.
    public func topic(_ name: String) throws(KafkaError) -> TopicMetadata {
        guard let topic = topics[name] else {
            throw KafkaError(
                kind: .broker, code: .unknownTopicOrPartition, context: "looking up topic \(name)",
                detail: "the topic does not exist", isRetriable: false)
        }
        if var error = KafkaError.broker(topic.errorCode, context: "looking up topic \(name)") {
            if topic.errorCode == .unknownTopicOrPartition { error.isRetriable = false }
            throw error
        }
        return topic
    }

    /// Merges a newer answer for some topics into this snapshot.
    mutating func merge(_ newer: ClusterMetadata, replacingAllTopics: Bool) {
        clusterId = newer.clusterId ?? clusterId
        controllerId = newer.controllerId
        brokers = newer.brokers
        if replacingAllTopics {
            topics = newer.topics
        } else {
            topics.merge(newer.topics) { _, new in new }
        }
    }
}
