// Running writes, grouped. Every operation waiting when the writer becomes free joins one group:
// the group's operations are planned in arrival order, each against the state as it will be
// after the ones before it, their records go to `_schemas` together (one produce round trip),
// and all of them are answered once the reader has applied the group's last record. A group
// costs one round trip instead of one per operation, and each operation gets the outcome a
// strictly serial writer would have given it, in the same order in the log.
//
// Planning runs against the *planning state*: the applied state plus this writer's records the
// reader has not applied yet (each plan's records are applied to it at once). It is kept
// between groups, because copying the state machine for every group would cost time in
// proportion to the registry's size, and it is dropped — rebuilt from the applied state when
// the next group starts — as soon as the reader applies a record this writer did not predict
// (another instance wrote, a barrier went in between, an append failed half-way). Planning
// happens outside the applied state's lock, so reads never wait for a plan.
import KafkaClient
import NIOCore
import SchemaRegistry

extension KafkaSchemaStore {
    /// Most operations planned and appended as one group.
    static let writeGroupOperationsMax = 64

    struct PendingWrite {
        let operation: SchemaRegistryOperation
        let continuation: CheckedContinuation<Result<SchemaRegistryOutcome, RegistryError>, Never>
    }

    /// Plans `operation`, appends its records and returns its outcome once they are applied.
    public func write(_ operation: SchemaRegistryOperation) async throws(RegistryError) -> SchemaRegistryOutcome {
        guard !isStopped else { throw .storeError("the registry is shutting down") }
        let result = await withCheckedContinuation { continuation in
            pendingWrites.append(PendingWrite(operation: operation, continuation: continuation))
            if !isWriting {
                isWriting = true
                Task { await self.runWriteGroups() }
            }
        }
        return try result.get()
    }

    /// Runs groups until no operation waits.
    private func runWriteGroups() async {
        while !pendingWrites.isEmpty {
            let group = Array(pendingWrites.prefix(Self.writeGroupOperationsMax))
            pendingWrites.removeFirst(group.count)
            let results = await runWriteGroup(group.map(\.operation))
            for (write, result) in zip(group, results) { write.continuation.resume(returning: result) }
        }
        isWriting = false
    }

    private func runWriteGroup(_ operations: [SchemaRegistryOperation]) async -> [Result<SchemaRegistryOutcome, RegistryError>] {
        guard !isStopped else { return operations.map { _ in .failure(.storeError("the registry is shutting down")) } }
        // Taken out of the property so that it is uniquely referenced and mutated in place.
        var state = planningState ?? read { $0 }
        planningState = nil
        var results: [Result<SchemaRegistryOutcome, RegistryError>] = []
        var records: [SchemaRegistryRecord] = []
        for operation in operations {
            switch state.plan(operation) {
            case .failure(let error):
                results.append(.failure(error))
            case .success(let plan):
                for record in plan.records { state.apply(record) }
                records += plan.records
                results.append(.success(plan.outcome))
            }
        }
        planningState = state
        if records.isEmpty { return results }
        predictedRecords += records
        do {
            try await append(records, timeoutMilliseconds: configuration.readBackTimeoutMilliseconds)
        } catch {
            // Whether the records made it into the log is unknown: plan again from what is read.
            forgetPredictions()
            // An outcome planned after a failed one may depend on it (the same schema registered
            // twice in a group), so no success is reported for a group whose append failed.
            return results.map { result in
                if case .success = result { return .failure(error) }
                return result
            }
        }
        return results
    }

    /// Called by the reader for each record it applied: a record the writer predicted keeps the
    /// planning state; anything else makes the next group rebuild it from the applied state.
    func notePredicted(_ record: SchemaRegistryRecord) {
        if let expected = predictedRecords.first, expected == record {
            predictedRecords.removeFirst()
        } else {
            forgetPredictions()
        }
    }

    func forgetPredictions() {
        planningState = nil
        predictedRecords.removeAll()
    }

    /// Fails every operation still waiting (the store is stopping).
    func failPendingWrites() {
        for write in pendingWrites { write.continuation.resume(returning: .failure(.storeError("the registry is shutting down"))) }
        pendingWrites.removeAll()
    }

    /// Appends `records` to `_schemas` in one produce request and waits until the reader applied the last.
    func append(_ records: [SchemaRegistryRecord], timeoutMilliseconds: Int64) async throws(RegistryError) {
        let topic = configuration.topic
        var lastOffset: Int64 = -1
        do {
            let receipts = try await producer.enqueue(records.map { record in
                ProducerRecord(
                    topic: topic, partition: 0, key: ByteBuffer(bytes: record.keyBytes),
                    value: record.valueBytes.map { ByteBuffer(bytes: $0) })
            })
            await producer.flush()
            for receipt in receipts { lastOffset = max(lastOffset, try await receipt.metadata().offset) }
        } catch {
            throw .storeError("writing to \(topic): \(error)")
        }
        guard await waitUntilApplied(through: lastOffset, timeoutMilliseconds: timeoutMilliseconds) else {
            throw isStopped
                ? .storeError("the registry is shutting down")
                : .operationTimedOut("\(topic) offset \(lastOffset) was not read back within \(timeoutMilliseconds) ms")
        }
    }
}
