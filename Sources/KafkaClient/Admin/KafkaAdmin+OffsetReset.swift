// Moving a consumer group's committed offsets, as Kafka's `kafka-consumer-groups.sh
// --reset-offsets` does: first a plan (current and new offset per partition), then, if the
// caller wants, a commit of that plan.
//
// Kafka allows this only while the group has no members, because a running consumer would
// overwrite the new offsets with its own next commit; the plan refuses early with a clear error
// and the coordinator enforces it again at commit time. New offsets are clamped to the
// partition's [log start, log end], so a reset never points a consumer at missing records.
import KafkaProtocol

extension KafkaAdmin {
    /// Where each partition of `topic` (only `partitions` when given) would move. Throws
    /// NON_EMPTY_GROUP when the group has members, and INVALID_ARGUMENT for a shift of a
    /// partition the group has never committed.
    public func planOffsetReset(
        group groupId: String, topic: String, partitions: [Int32]? = nil, to spec: OffsetResetSpec
    ) async throws(KafkaError) -> [OffsetResetPlanEntry] {
        let context = "planning an offset reset of group \(groupId) on \(topic)"
        let description = try await describeGroup(groupId)
        guard description.members.isEmpty else {
            throw KafkaError(
                kind: .broker, code: .nonEmptyGroup, context: context,
                detail: "the group has \(description.members.count) active member(s) and is \(description.state); "
                    + "offsets can be reset only while it has none")
        }
        if let partitions, let negative = partitions.first(where: { $0 < 0 }) {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "partition \(negative) is negative")
        }
        let starts = try await listOffsets(topic: topic, partitions: partitions, spec: .earliest)
        let ends = try await listOffsets(topic: topic, partitions: partitions, spec: .latest)
        var byTime: [Int32: Int64] = [:]
        if case .timestamp(let milliseconds) = spec {
            for listed in try await listOffsets(topic: topic, partitions: partitions, spec: .timestamp(milliseconds)) {
                byTime[listed.partition] = listed.offset
            }
        }
        let endByPartition = Dictionary(ends.map { ($0.partition, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let topicPartitions = starts.map { TopicPartition(topic: topic, partition: $0.partition) }
        let committed = try await committedOffsets(group: groupId, partitions: topicPartitions)
        var plan: [OffsetResetPlanEntry] = []
        for start in starts {
            let topicPartition = TopicPartition(topic: topic, partition: start.partition)
            let logEnd = endByPartition[start.partition] ?? start.offset
            let newOffset = try Self.resetTarget(
                spec, current: committed[topicPartition], logStart: start.offset, logEnd: logEnd,
                offsetForTimestamp: byTime[start.partition], partition: topicPartition, context: context)
            plan.append(OffsetResetPlanEntry(topicPartition: topicPartition, currentOffset: committed[topicPartition], newOffset: newOffset))
        }
        return plan
    }

    /// Commits a plan from `planOffsetReset`.
    public func executeOffsetReset(group groupId: String, plan: [OffsetResetPlanEntry]) async throws(KafkaError) {
        var offsets: [TopicPartition: Int64] = [:]
        for entry in plan { offsets[entry.topicPartition] = entry.newOffset }
        try await commitOffsets(group: groupId, offsets: offsets)
    }

    /// The offset one partition moves to. `offsetForTimestamp` is ListOffsets' answer for a
    /// `.timestamp` spec: -1 (no record that late) means the log end.
    public static func resetTarget(
        _ spec: OffsetResetSpec, current: Int64?, logStart: Int64, logEnd: Int64, offsetForTimestamp: Int64?,
        partition: TopicPartition, context: String = "planning an offset reset"
    ) throws(KafkaError) -> Int64 {
        func clamped(_ offset: Int64) -> Int64 { min(max(offset, logStart), max(logStart, logEnd)) }
        switch spec {
        case .earliest:
            return logStart
        case .latest:
            return logEnd
        case .offset(let offset):
            return clamped(offset)
        case .timestamp:
            guard let found = offsetForTimestamp, found >= 0 else { return logEnd }
            return clamped(found)
        case .shift(let delta):
            guard let current else {
                throw KafkaError(
                    kind: .invalidArgument, context: context,
                    detail: "the group has no committed offset for \(partition) to shift; use --to-earliest, --to-latest or --to-offset")
            }
            // Saturating: a huge shift clamps instead of overflowing.
            let (sum, overflow) = current.addingReportingOverflow(delta)
            return clamped(overflow ? (delta < 0 ? Int64.min : Int64.max) : sum)
        }
    }
}
