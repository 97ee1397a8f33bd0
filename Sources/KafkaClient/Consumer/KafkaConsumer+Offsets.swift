// The consumer's positions and commits: seek by offset, to the log's ends or by timestamp, and
// OffsetCommit of consumed positions (explicit sync, async, or on the auto-commit interval).
//
// A group member commits with its generation and member id so the coordinator can refuse a
// commit from a member that has lost its partitions (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
// REBALANCE_IN_PROGRESS); those come back as non-retriable errors because retrying cannot make
// the commit valid. A consumer that was assigned partitions manually commits as Kafka's
// "simple" consumers do: generation -1, no member id.
import KafkaProtocol

extension KafkaConsumer {
    /// Commit attempts for retriable failures (coordinator moved or loading).
    static let commitAttemptsMax = 5

    // MARK: Seeking

    /// Moves the position of an owned partition; the next `poll` starts there.
    public func seek(_ partition: TopicPartition, to offset: Int64) throws(KafkaError) {
        let context = "seeking \(partition) to offset \(offset)"
        try checkOpen(context)
        guard assigned.contains(partition) else {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "the consumer does not own this partition")
        }
        guard offset >= 0 else { throw KafkaError(kind: .invalidArgument, context: context, detail: "the offset is negative") }
        bumpEpoch(partition)
        positionSources[partition] = nil
        positions[partition] = offset
        fetchOffsets[partition] = offset
        buffers[partition] = []
        wakeFetcher()
    }

    /// Moves owned partitions to their log start.
    public func seekToBeginning(_ partitions: [TopicPartition]) async throws(KafkaError) {
        try await seek(partitions, spec: .earliest, context: "seeking to the beginning")
    }

    /// Moves owned partitions to their log end (only records produced from now on).
    public func seekToEnd(_ partitions: [TopicPartition]) async throws(KafkaError) {
        try await seek(partitions, spec: .latest, context: "seeking to the end")
    }

    /// Moves owned partitions to the first record with a timestamp at or after
    /// `timestampMilliseconds`, or to the log end when there is none.
    public func seek(_ partitions: [TopicPartition], toTimestamp timestampMilliseconds: Int64) async throws(KafkaError) {
        try await seek(partitions, spec: .timestamp(timestampMilliseconds), context: "seeking to time \(timestampMilliseconds)")
    }

    private func seek(_ partitions: [TopicPartition], spec: OffsetSpec, context: String) async throws(KafkaError) {
        try checkOpen(context)
        for partition in partitions where !assigned.contains(partition) {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "the consumer does not own \(partition)")
        }
        let admin = KafkaAdmin(client: client)
        var targets: [TopicPartition: Int64] = [:]
        for (topic, owned) in Dictionary(grouping: partitions, by: \.topic) {
            let indexes = owned.map(\.partition)
            var found = try await admin.listOffsets(topic: topic, partitions: indexes, spec: spec)
            if case .timestamp = spec, found.contains(where: { $0.offset < 0 }) {
                let ends = try await admin.listOffsets(topic: topic, partitions: indexes, spec: .latest)
                found = found.map { entry in
                    entry.offset >= 0 ? entry : ends.first { $0.partition == entry.partition } ?? entry
                }
            }
            for entry in found { targets[TopicPartition(topic: topic, partition: entry.partition)] = entry.offset }
        }
        // Partitions revoked while the offsets were looked up are skipped.
        for (partition, offset) in targets where assigned.contains(partition) && offset >= 0 {
            try seek(partition, to: offset)
        }
    }

    /// The next offset `poll` hands out for an owned partition; nil while it is being resolved.
    public func position(_ partition: TopicPartition) -> Int64? {
        positionSources[partition] == nil ? positions[partition] : nil
    }

    /// The group's committed offsets for these partitions (absent when none).
    public func committed(_ partitions: [TopicPartition]) async throws(KafkaError) -> [TopicPartition: Int64] {
        guard let groupId = configuration.groupId else {
            throw KafkaError(kind: .invalidArgument, context: "reading committed offsets", detail: "the consumer has no group id")
        }
        return try await KafkaAdmin(client: client).committedOffsets(group: groupId, partitions: partitions)
    }

    // MARK: Committing

    /// Commits the positions of every owned partition (what `poll` has handed out) and waits
    /// for the coordinator's answer.
    public func commit() async throws(KafkaError) {
        try await commitPositions()
    }

    /// Commits these offsets (each the next offset to read, as Kafka defines commits).
    public func commit(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        try await commitOffsets(offsets)
    }

    /// Starts a commit of the current positions and returns at once; a failure is thrown by the
    /// next `poll` unless it is a rebalance refusal (the partitions are moving anyway).
    public func commitAsync() {
        let offsets = uncommittedPositions()
        guard !offsets.isEmpty else { return }
        Task {
            do throws(KafkaError) {
                try await self.commitOffsets(offsets)
            } catch {
                self.reportAsyncCommitFailure(error)
            }
        }
    }

    private func reportAsyncCommitFailure(_ error: KafkaError) {
        guard ![ErrorCode.rebalanceInProgress, .illegalGeneration, .unknownMemberId].contains(error.code ?? .none) else { return }
        guard error.kind != .shutDown else { return }
        fail(error)
    }

    /// Positions that moved since their last commit.
    func uncommittedPositions() -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for partition in assigned {
            if let position = positions[partition], positionSources[partition] == nil, lastCommitted[partition] != position {
                offsets[partition] = position
            }
        }
        return offsets
    }

    func commitPositions() async throws(KafkaError) {
        try await commitOffsets(uncommittedPositions())
    }

    func commitOffsets(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        let context = "committing offsets"
        guard let groupId = configuration.groupId else {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "the consumer has no group id")
        }
        for (partition, offset) in offsets where offset < 0 {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "offset \(offset) for \(partition) is negative")
        }
        guard !offsets.isEmpty else { return }
        if let membership {
            try await commitAsMember(offsets, groupId: groupId, membership: membership)
        } else {
            try await KafkaAdmin(client: client).commitOffsets(group: groupId, offsets: offsets)
        }
        for (partition, offset) in offsets where assigned.contains(partition) { lastCommitted[partition] = offset }
    }

    private func commitAsMember(_ offsets: [TopicPartition: Int64], groupId: String, membership: GroupMembership) async throws(KafkaError) {
        let generation = self.generation
        let request = OffsetCommitRequest(
            groupId: groupId, generationIdOrMemberEpoch: generation?.generationId ?? -1, memberId: generation?.memberId ?? "",
            groupInstanceId: configuration.groupInstanceId, retentionTimeMs: -1,
            topics: KafkaAdmin.partitionsByTopic(Array(offsets.keys)).map { topic in
                OffsetCommitRequest.OffsetCommitRequestTopic(
                    name: topic.topic,
                    partitions: topic.partitions.map { partition in
                        OffsetCommitRequest.OffsetCommitRequestPartition(
                            partitionIndex: partition, committedOffset: offsets[TopicPartition(topic: topic.topic, partition: partition)] ?? 0)
                    })
            })
        var attempt = 0
        while true {
            attempt += 1
            do throws(KafkaError) {
                let response = try await membership.sendToCoordinator(request)
                for topic in response.topics {
                    for partition in topic.partitions {
                        let code = ErrorCode(rawValue: partition.errorCode)
                        guard code != .none else { continue }
                        let context = "committing the offset of \(topic.name)-\(partition.partitionIndex) in group \(groupId)"
                        switch code {
                        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress, .requestTimedOut:
                            await membership.coordinatorFailed()
                            throw KafkaError(kind: .broker, code: code, context: context)
                        case .rebalanceInProgress, .illegalGeneration, .unknownMemberId, .fencedInstanceId:
                            throw KafkaError(
                                kind: .broker, code: code, context: context,
                                detail: "the group rebalanced; these partitions may belong to another member now", isRetriable: false)
                        default:
                            throw KafkaError(kind: .broker, code: code, context: context)
                        }
                    }
                }
                return
            } catch {
                guard error.isRetriable, attempt < Self.commitAttemptsMax, !isClosed || error.kind != .shutDown else { throw error }
                try? await Task.sleep(for: .milliseconds(configuration.retryBackoffMilliseconds))
            }
        }
    }
}
