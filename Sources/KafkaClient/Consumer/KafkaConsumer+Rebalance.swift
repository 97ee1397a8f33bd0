// The consumer's part in group rebalances: the ConsumerProtocol subscription it offers, the
// leader's assignment over the chosen assignor, and what happens to owned partitions.
//
// Eager protocol: before rejoining, commit (with auto-commit on) and revoke everything; after
// sync, take the new assignment whole. Cooperative protocol (KIP-429): keep everything while
// rejoining and advertise it as owned; after sync, revoke only the partitions no longer
// assigned, add the new ones, and when something was revoked rejoin at once so that the
// leader can hand it to its new owner in a second rebalance.
import KafkaProtocol
import NIOCore

extension KafkaConsumer {
    func membershipHandlers() -> GroupMembershipHandlers {
        GroupMembershipHandlers(
            protocols: { [weak self] in await self?.groupProtocols() ?? [] },
            assign: { [weak self] (context: GroupAssignmentContext) async throws(KafkaError) -> [String: ByteBuffer] in
                guard let self else { throw KafkaError(kind: .shutDown, context: "assigning partitions") }
                return try await self.computeAssignments(context)
            },
            willRejoin: { [weak self] previous in await self?.prepareRejoin(previous) },
            joined: { [weak self] generation, bytes in await self?.takeAssignment(generation, bytes) ?? false },
            lost: { [weak self] error in await self?.loseAssignment(error) },
            failed: { [weak self] error in await self?.groupFailed(error) })
    }

    func groupProtocols() -> [GroupProtocol] {
        let cooperative = configuration.rebalanceProtocol == .cooperative
        let metadata = ConsumerProtocolCodec.encodeSubscription(
            topics: subscription, ownedPartitions: cooperative ? assigned : [], generationId: generation?.generationId ?? -1)
        return configuration.assignors.map { GroupProtocol(name: $0.name, metadata: metadata) }
    }

    func computeAssignments(_ context: GroupAssignmentContext) async throws(KafkaError) -> [String: ByteBuffer] {
        guard let assignor = configuration.assignors.first(where: { $0.name == context.protocolName }) else {
            throw KafkaError(
                kind: .invalidArgument, context: "assigning partitions of generation \(context.generationId)",
                detail: "the coordinator chose \(context.protocolName), which this consumer does not offer")
        }
        var subscribers: [ConsumerGroupSubscriber] = []
        for member in context.members { subscribers.append(try ConsumerProtocolCodec.decodeSubscription(member)) }
        let topics = Set(subscribers.flatMap(\.topics)).sorted()
        let metadata = try await client.refreshMetadata(topics: topics)
        var partitionCounts: [String: Int32] = [:]
        for topic in topics {
            // A topic that does not exist (yet) gets no partitions; the rest are still assigned.
            if let described = metadata.topics[topic], described.errorCode == .none {
                partitionCounts[topic] = Int32(described.partitions.count)
            }
        }
        let assignment = assignor.assign(subscribers, partitionCounts)
        return assignment.mapValues { ConsumerProtocolCodec.encodeAssignment($0) }
    }

    func prepareRejoin(_ previous: GroupGeneration) async {
        guard configuration.rebalanceProtocol == .eager, !assigned.isEmpty else { return }
        if configuration.enableAutoCommit {
            // A refused commit (the generation already ended) loses at most the records since
            // the last commit; they are read again by the next owner.
            try? await commitPositions()
        }
        let owned = assigned
        removePartitions(Set(owned))
        await emit(.revoked(owned))
    }

    func takeAssignment(_ newGeneration: GroupGeneration, _ bytes: ByteBuffer) async -> Bool {
        let partitions: [TopicPartition]
        do {
            partitions = try ConsumerProtocolCodec.decodeAssignment(bytes)
        } catch {
            fail(error)
            return false
        }
        generation = newGeneration
        let wanted = Set(partitions)
        let owned = Set(assigned)
        let revoked = owned.subtracting(wanted).sorted()
        let added = wanted.subtracting(owned).sorted()
        if !revoked.isEmpty {
            if configuration.enableAutoCommit {
                let offsets = uncommittedPositions().filter { revoked.contains($0.key) }
                try? await commitOffsets(offsets)
            }
            removePartitions(Set(revoked))
            await emit(.revoked(revoked))
        }
        addPartitions(Set(added))
        if !added.isEmpty || owned.isEmpty { await emit(.assigned(added)) }
        return configuration.rebalanceProtocol == .cooperative && !revoked.isEmpty
    }

    func loseAssignment(_ error: KafkaError) async {
        generation = nil
        let owned = assigned
        guard !owned.isEmpty else { return }
        removePartitions(Set(owned))
        await emit(.lost(owned))
    }

    func groupFailed(_ error: KafkaError) async {
        await loseAssignment(error)
        fail(error)
    }
}
