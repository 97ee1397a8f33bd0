// The partition assignors a consumer-group leader runs: range, round-robin and cooperative-sticky.
//
// They are pure functions from the members' subscriptions and the topics' partition counts to a
// partition list per member, and they follow Kafka's Java assignors so that a Swift leader hands
// out the same partitions a Java or librdkafka leader would for the same group: members are
// ordered by group instance id (static members first) and then member id, topics and partitions
// in ascending order. `ConsumerAssignor` is an extensible struct, so applications can plug in
// their own strategy under a new protocol name.
import KafkaProtocol

/// How a group moves partitions between generations.
public struct RebalanceProtocol: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    private init(_ name: String) { self.name = name }

    /// Every member gives up all its partitions before rejoining ("stop the world").
    public static let eager = RebalanceProtocol("eager")
    /// Members keep their partitions across a rebalance and give up only those that move; a
    /// second rebalance hands the moved ones to their new owners (KIP-429).
    public static let cooperative = RebalanceProtocol("cooperative")

    public var description: String { name }
}

/// One member of a group as the leader's assignor sees it.
public struct ConsumerGroupSubscriber: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    /// Subscribed topics.
    public var topics: [String]
    /// Partitions the member owned in `generationId` (cooperative protocol; empty for eager members).
    public var ownedPartitions: [TopicPartition]
    /// The generation the owned partitions belong to; -1 when unknown.
    public var generationId: Int32

    public init(memberId: String, groupInstanceId: String? = nil, topics: [String], ownedPartitions: [TopicPartition] = [], generationId: Int32 = -1) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.topics = topics
        self.ownedPartitions = ownedPartitions
        self.generationId = generationId
    }

    /// Kafka's member order: static members (by instance id) before dynamic ones (by member id).
    static func precedes(_ left: ConsumerGroupSubscriber, _ right: ConsumerGroupSubscriber) -> Bool {
        switch (left.groupInstanceId, right.groupInstanceId) {
        case (let leftInstance?, let rightInstance?):
            return leftInstance == rightInstance ? left.memberId < right.memberId : leftInstance < rightInstance
        case (.some, .none): return true
        case (.none, .some): return false
        case (.none, .none): return left.memberId < right.memberId
        }
    }
}

/// A named partition-assignment strategy (the JoinGroup protocol name).
public struct ConsumerAssignor: Sendable {
    /// Protocol name sent in JoinGroup; every member of a group must offer the chosen one.
    public let name: String
    public let rebalanceProtocol: RebalanceProtocol
    /// Partitions per member id for `subscribers` given each topic's partition count. Topics
    /// missing from `partitionCounts` do not exist and get no assignment.
    public let assign: @Sendable (_ subscribers: [ConsumerGroupSubscriber], _ partitionCounts: [String: Int32]) -> [String: [TopicPartition]]

    public init(
        name: String, rebalanceProtocol: RebalanceProtocol,
        assign: @escaping @Sendable (_ subscribers: [ConsumerGroupSubscriber], _ partitionCounts: [String: Int32]) -> [String: [TopicPartition]]
    ) {
        self.name = name
        self.rebalanceProtocol = rebalanceProtocol
        self.assign = assign
    }

    /// Kafka's RangeAssignor: per topic, consecutive ranges; the first members get one extra
    /// partition when the count does not divide evenly.
    public static let range = ConsumerAssignor(name: "range", rebalanceProtocol: .eager) { subscribers, partitionCounts in
        var result = emptyResult(subscribers)
        let sorted = subscribers.sorted(by: ConsumerGroupSubscriber.precedes)
        for topic in Set(subscribers.flatMap(\.topics)).sorted() {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let members = sorted.filter { $0.topics.contains(topic) }
            let perMember = Int(count) / members.count
            let extra = Int(count) % members.count
            for (index, member) in members.enumerated() {
                let start = perMember * index + min(index, extra)
                let length = perMember + (index < extra ? 1 : 0)
                for partition in start..<(start + length) {
                    result[member.memberId, default: []].append(TopicPartition(topic: topic, partition: Int32(partition)))
                }
            }
        }
        return result
    }

    /// Kafka's RoundRobinAssignor: every partition in (topic, partition) order goes to the next
    /// member in a circular order that subscribes to its topic.
    public static let roundRobin = ConsumerAssignor(name: "roundrobin", rebalanceProtocol: .eager) { subscribers, partitionCounts in
        var result = emptyResult(subscribers)
        let sorted = subscribers.sorted(by: ConsumerGroupSubscriber.precedes)
        guard !sorted.isEmpty else { return result }
        var cursor = 0
        for partition in allPartitions(subscribers, partitionCounts) {
            // At least one member subscribes to the topic, so this visits at most one full circle.
            for _ in 0..<sorted.count {
                let member = sorted[cursor % sorted.count]
                cursor += 1
                if member.topics.contains(partition.topic) {
                    result[member.memberId, default: []].append(partition)
                    break
                }
            }
        }
        return result
    }

    /// Cooperative sticky: keeps each member's owned partitions where balance allows, spreads
    /// the rest over the least-loaded members, and holds back any partition that moves from one
    /// live owner to another until the owner has revoked it (the next rebalance hands it over).
    public static let cooperativeSticky = ConsumerAssignor(name: "cooperative-sticky", rebalanceProtocol: .cooperative) {
        subscribers, partitionCounts in
        StickyAssignment.assign(subscribers, partitionCounts: partitionCounts)
    }

    /// The assignors this client knows, by protocol name.
    public static let builtIn: [ConsumerAssignor] = [.range, .roundRobin, .cooperativeSticky]

    static func emptyResult(_ subscribers: [ConsumerGroupSubscriber]) -> [String: [TopicPartition]] {
        Dictionary(subscribers.map { ($0.memberId, [TopicPartition]()) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every existing partition of every subscribed topic, in (topic, partition) order.
    static func allPartitions(_ subscribers: [ConsumerGroupSubscriber], _ partitionCounts: [String: Int32]) -> [TopicPartition] {
        Set(subscribers.flatMap(\.topics)).sorted().flatMap { topic in
            (0..<max(0, partitionCounts[topic] ?? 0)).map { TopicPartition(topic: topic, partition: $0) }
        }
    }
}

/// The sticky balancing behind `ConsumerAssignor.cooperativeSticky`.
enum StickyAssignment {
    static func assign(_ subscribers: [ConsumerGroupSubscriber], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        let members = subscribers.sorted(by: ConsumerGroupSubscriber.precedes)
        guard !members.isEmpty else { return [:] }
        let partitions = ConsumerAssignor.allPartitions(subscribers, partitionCounts)
        let existing = Set(partitions)

        // A partition claimed by two members (one missed a rebalance) stays with the claim of
        // the newest generation; claims on partitions that are gone or unsubscribed are dropped.
        var previousOwner: [TopicPartition: (memberId: String, generationId: Int32)] = [:]
        for member in members {
            for partition in member.ownedPartitions where existing.contains(partition) && member.topics.contains(partition.topic) {
                if let claim = previousOwner[partition], claim.generationId >= member.generationId { continue }
                previousOwner[partition] = (member.memberId, member.generationId)
            }
        }
        var kept: [String: [TopicPartition]] = Dictionary(members.map { ($0.memberId, []) }, uniquingKeysWith: { first, _ in first })
        for partition in partitions {
            if let owner = previousOwner[partition] { kept[owner.memberId, default: []].append(partition) }
        }

        // With identical subscriptions the balanced counts are known: `total % n` members may
        // hold one more than the rest. Owners above their share give up their highest partitions.
        let identical = Set(members.map { Set($0.topics) }).count == 1
        if identical {
            let quotaMin = partitions.count / members.count
            var membersAtMaxQuota = partitions.count % members.count
            let byLoad = members.sorted { (kept[$0.memberId]?.count ?? 0) > (kept[$1.memberId]?.count ?? 0) }
            for member in byLoad {
                var quota = quotaMin
                if membersAtMaxQuota > 0 && (kept[member.memberId]?.count ?? 0) > quotaMin {
                    quota += 1
                    membersAtMaxQuota -= 1
                }
                if let owned = kept[member.memberId], owned.count > quota { kept[member.memberId] = Array(owned.prefix(quota)) }
            }
        }

        var assignment = kept
        let placed = Set(kept.values.flatMap { $0 })
        for partition in partitions where !placed.contains(partition) {
            let eligible = members.filter { $0.topics.contains(partition.topic) }
            guard
                let target = eligible.min(by: { left, right in
                    let leftCount = assignment[left.memberId]?.count ?? 0
                    let rightCount = assignment[right.memberId]?.count ?? 0
                    return leftCount != rightCount ? leftCount < rightCount : ConsumerGroupSubscriber.precedes(left, right)
                })
            else { continue }
            assignment[target.memberId, default: []].append(partition)
        }

        // Cooperative rule: a partition another member still owns is not handed out this round.
        for (memberId, assigned) in assignment {
            assignment[memberId] = assigned.filter { partition in
                guard let owner = previousOwner[partition] else { return true }
                return owner.memberId == memberId
            }.sorted()
        }
        return assignment
    }
}
