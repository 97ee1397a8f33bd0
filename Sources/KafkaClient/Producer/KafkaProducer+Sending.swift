// The producer's sending side: leader connections, the in-flight window, answers, retries,
// sequence numbers and epoch bumps.
//
// Order is kept by three rules. Batches of a partition are written to the leader's connection
// from the actor, one after another, through `KafkaConnection.submit` (which writes before it
// returns), so they reach the broker in sequence order. After any failed attempt the partition
// sends nothing new until every in-flight batch has answered; it then resends from its oldest
// unfinished batch, so a retry never overtakes an earlier batch. And an epoch bump waits until
// no batch of any partition is in flight, then renumbers every unfinished batch from 0.
import KafkaProtocol
import NIOCore

extension KafkaProducer {
    /// Sends what `topicPartition` may send now: batches not yet in flight, oldest first, up to
    /// the in-flight window. Whatever stops it (no producer id yet, no connection, a pending
    /// retry) starts the work that calls `pump` again when done.
    func pump(_ topicPartition: TopicPartition) {
        guard let state = partitions[topicPartition], !state.batches.isEmpty else { return }
        if let fatalError {
            failBatches(topicPartition, with: fatalError)
            return
        }
        if isIdempotent {
            if isEpochBumpPending {
                startEpochBumpIfQuiet()
                return
            }
            guard identity != nil else {
                requestIdentity(bumping: nil)
                return
            }
        }
        if state.isRecovering {
            guard state.inFlightCount == 0 else { return }
            if let notBefore = state.retryNotBefore, notBefore > .now {
                scheduleRetry(topicPartition, at: notBefore)
                return
            }
            partitions[topicPartition]?.isRecovering = false
            partitions[topicPartition]?.retryNotBefore = nil
        }
        expireBatches(topicPartition)
        guard let connection = partitions[topicPartition]?.connection, connection.isActive else {
            resolveLeader(topicPartition)
            return
        }
        let window = configuration.effectiveInFlightBatchesPerPartition
        var inFlight = partitions[topicPartition]?.inFlightCount ?? 0
        var index = 0
        while inFlight < window, let count = partitions[topicPartition]?.batches.count, index < count {
            if partitions[topicPartition]?.batches[index].isInFlight == false {
                write(topicPartition, batchIndex: index, on: connection)
                inFlight += 1
            }
            index += 1
        }
    }

    /// Encodes one batch with its current producer id, epoch and sequence and writes it.
    private func write(_ topicPartition: TopicPartition, batchIndex: Int, on connection: KafkaConnection) {
        guard var batch = partitions[topicPartition]?.batches[batchIndex] else { return }
        batch.attempts += 1
        batch.isInFlight = true
        batch.sentSequence = batch.sequence
        partitions[topicPartition]?.batches[batchIndex] = batch
        let context = "producing to \(topicPartition)"
        let future: EventLoopFuture<(Int64, Int64)>
        do {
            let encoded: ByteBuffer
            do {
                encoded = try RecordBatch.encode(
                    records: batch.records, compression: configuration.compression,
                    producerId: identity?.producerId ?? RecordBatch.noProducerId,
                    producerEpoch: identity?.epoch ?? RecordBatch.noProducerEpoch, baseSequence: batch.sequence)
            } catch {
                throw KafkaError(kind: .invalidArgument, context: context, detail: "\(error)")
            }
            let request = ProduceRequest(
                transactionalId: nil, acks: configuration.acks.rawValue, timeoutMs: configuration.produceTimeoutMilliseconds,
                topicData: [
                    ProduceRequest.TopicProduceData(
                        name: topicPartition.topic,
                        partitionData: [ProduceRequest.PartitionProduceData(index: topicPartition.partition, records: encoded)])
                ])
            // Room for the records plus the request's header and topic name.
            let frameBytes = encoded.readableBytes + 256 + topicPartition.topic.utf8.count
            if configuration.acks == .none {
                future = try connection.submitWithoutResponse(request, frameBytesHint: frameBytes).map { (-1, -1) }
            } else {
                future = try connection.submit(request, frameBytesHint: frameBytes).flatMapThrowing { response throws -> (Int64, Int64) in
                    try Self.outcome(of: response, for: topicPartition, context: context)
                }
            }
        } catch {
            future = eventLoop.makeFailedFuture(error)
        }
        let batchId = batch.id
        future.whenComplete { result in
            let typed = result.mapError { error in
                (error as? KafkaError) ?? KafkaError(kind: .connectionClosed, context: context, detail: "\(error)")
            }
            Task { await self.batchAnswered(topicPartition, batchId: batchId, result: typed) }
        }
    }

    private static func outcome(
        of response: ProduceResponse, for topicPartition: TopicPartition, context: String
    ) throws(KafkaError) -> (Int64, Int64) {
        guard
            let partition = response.responses.first(where: { $0.name == topicPartition.topic })?
                .partitionResponses.first(where: { $0.index == topicPartition.partition })
        else {
            throw KafkaError(kind: .protocolViolation, context: context, detail: "the answer did not mention the partition")
        }
        if let error = KafkaError.broker(ErrorCode(rawValue: partition.errorCode), context: context, detail: partition.errorMessage) {
            throw error
        }
        // Receipts add their index (a batch holds at most Int32.max records) to the base offset;
        // an offset that close to Int64.max is a broken answer, not one to trap on.
        guard partition.baseOffset <= Int64.max - Int64(Int32.max) else {
            throw KafkaError(kind: .protocolViolation, context: context, detail: "base offset \(partition.baseOffset) is out of range")
        }
        return (partition.baseOffset, partition.logAppendTimeMs)
    }

    /// Applies the answer (or failure) of one attempt.
    func batchAnswered(_ topicPartition: TopicPartition, batchId: Int, result: Result<(Int64, Int64), KafkaError>) {
        guard var state = partitions[topicPartition], let index = state.batches.firstIndex(where: { $0.id == batchId }) else {
            return
        }
        state.batches[index].isInFlight = false
        let batch = state.batches[index]
        let disposition: BatchDisposition
        switch result {
        case .success(let (baseOffset, logAppendTime)):
            disposition = .complete(baseOffset: baseOffset, logAppendTime: logAppendTime)
        case .failure(let error):
            disposition = ProducerSequence.disposition(
                of: error, isIdempotent: isIdempotent, sentSequence: batch.sentSequence,
                expectedSequence: state.expectedSequence)
            state.batches[index].lastError = error
            // Look the leader up again before the next attempt: it may have moved or the
            // connection may be gone. NOT_LEADER_OR_FOLLOWER and friends also need fresh metadata.
            state.connection = nil
            if error.kind == .broker || error.kind == .metadataUnavailable { state.needsMetadataRefresh = true }
        }
        let failure: KafkaError? = if case .failure(let error) = result { error } else { nil }
        switch disposition {
        case .complete(let baseOffset, let logAppendTime):
            state.batches.remove(at: index)
            if isIdempotent, batch.sentSequence >= 0 {
                state.lastAcknowledgedSequence = ProducerSequence.adding(batch.sentSequence, batch.recordCount - 1)
            }
            partitions[topicPartition] = state
            complete(batch, topicPartition: topicPartition, with: .success((baseOffset, logAppendTime)))
            batchFinished(bytes: batch.bytes)
        case .retry(let outcomeUnknown):
            state.batches[index].outcomeUnknown = state.batches[index].outcomeUnknown || outcomeUnknown
            state.isRecovering = true
            state.retryNotBefore = .now + .milliseconds(client.configuration.retry.backoffMilliseconds(attempt: batch.attempts))
            partitions[topicPartition] = state
        case .retryAfterEpochBump:
            state.isRecovering = true
            partitions[topicPartition] = state
            isEpochBumpPending = true
        case .failClosingGap:
            state.isRecovering = state.inFlightCount > 0
            partitions[topicPartition] = state
            removeFailedBatch(topicPartition, at: index, error: failure ?? Self.unknownFailure(topicPartition))
        case .failAndBumpEpoch:
            state.isRecovering = true
            partitions[topicPartition] = state
            isEpochBumpPending = true
            removeFailedBatch(topicPartition, at: index, error: failure ?? Self.unknownFailure(topicPartition))
        }
        if isEpochBumpPending { startEpochBumpIfQuiet() }
        pump(topicPartition)
    }

    private static func unknownFailure(_ topicPartition: TopicPartition) -> KafkaError {
        KafkaError(kind: .protocolViolation, context: "producing to \(topicPartition)")
    }

    /// Fails the batch at `index` (not in flight). With idempotence the sequences behind it
    /// move down to close the gap when the broker surely did not store it; when it may have
    /// (its last answer was lost), only a new epoch makes the following sequences safe.
    private func removeFailedBatch(_ topicPartition: TopicPartition, at index: Int, error: KafkaError) {
        guard var state = partitions[topicPartition] else { return }
        let batch = state.batches.remove(at: index)
        if isIdempotent {
            if batch.outcomeUnknown {
                isEpochBumpPending = true
            } else {
                for later in index..<state.batches.count {
                    state.batches[later].sequence = ProducerSequence.subtracting(state.batches[later].sequence, batch.recordCount)
                }
                state.nextSequence = ProducerSequence.subtracting(state.nextSequence, batch.recordCount)
            }
        }
        partitions[topicPartition] = state
        complete(batch, topicPartition: topicPartition, with: .failure(error))
        batchFinished(bytes: batch.bytes)
    }

    /// Fails every batch of the partition that is not in flight, and its queued records
    /// (after a fatal error or a lookup that cannot succeed).
    func failBatches(_ topicPartition: TopicPartition, with error: KafkaError) {
        var index = 0
        while let state = partitions[topicPartition], index < state.batches.count {
            if state.batches[index].isInFlight {
                index += 1
            } else {
                removeFailedBatch(topicPartition, at: index, error: error)
            }
        }
    }

    /// Fails batches (not in flight) that have waited longer than the delivery timeout.
    private func expireBatches(_ topicPartition: TopicPartition) {
        let deadline = ContinuousClock.now - .milliseconds(configuration.deliveryTimeoutMilliseconds)
        var index = 0
        while let state = partitions[topicPartition], index < state.batches.count {
            let batch = state.batches[index]
            guard !batch.isInFlight, batch.createdAt <= deadline else {
                index += 1
                continue
            }
            var detail = "not acknowledged within \(configuration.deliveryTimeoutMilliseconds) ms after \(batch.attempts) attempts"
            if let lastError = batch.lastError { detail += "; last error: \(lastError)" }
            removeFailedBatch(
                topicPartition, at: index,
                error: KafkaError(kind: .timedOut, code: batch.lastError?.code, context: "delivering to \(topicPartition)", detail: detail))
        }
    }

    private func scheduleRetry(_ topicPartition: TopicPartition, at instant: ContinuousClock.Instant) {
        guard partitions[topicPartition]?.retryTask == nil else { return }
        partitions[topicPartition]?.retryTask = Task { [weak self] in
            try? await Task.sleep(until: instant, clock: .continuous)
            await self?.retryDue(topicPartition)
        }
    }

    private func retryDue(_ topicPartition: TopicPartition) {
        partitions[topicPartition]?.retryTask = nil
        pump(topicPartition)
    }

    // MARK: Leaders

    /// Looks up the partition's leader and its connection off the actor, then pumps again.
    private func resolveLeader(_ topicPartition: TopicPartition) {
        guard var state = partitions[topicPartition], !state.isResolvingLeader else { return }
        state.isResolvingLeader = true
        let refresh = state.needsMetadataRefresh
        state.needsMetadataRefresh = false
        partitions[topicPartition] = state
        let client = self.client
        Task {
            let result: Result<KafkaConnection, KafkaError>
            do throws(KafkaError) {
                if refresh { try await client.refreshMetadata(topics: [topicPartition.topic]) }
                let leader = try await client.leader(topic: topicPartition.topic, partition: topicPartition.partition)
                result = .success(try await client.connection(toBroker: leader))
            } catch {
                result = .failure(error)
            }
            self.leaderResolved(topicPartition, result: result)
        }
    }

    private func leaderResolved(_ topicPartition: TopicPartition, result: Result<KafkaConnection, KafkaError>) {
        guard var state = partitions[topicPartition] else { return }
        state.isResolvingLeader = false
        switch result {
        case .success(let connection):
            state.connection = connection
            state.lookupFailures = 0
            partitions[topicPartition] = state
        case .failure(let error) where error.isRetriable:
            state.lookupFailures += 1
            state.needsMetadataRefresh = true
            state.isRecovering = true
            state.retryNotBefore = .now + .milliseconds(client.configuration.retry.backoffMilliseconds(attempt: state.lookupFailures))
            for index in state.batches.indices where !state.batches[index].isInFlight {
                state.batches[index].lastError = error
            }
            partitions[topicPartition] = state
        case .failure(let error):
            partitions[topicPartition] = state
            failBatches(topicPartition, with: error)
        }
        pump(topicPartition)
    }

    // MARK: Producer id and epoch

    /// Starts an InitProducerId exchange unless one is running.
    func requestIdentity(bumping current: ProducerIdentity?) {
        guard !isRequestingIdentity else { return }
        isRequestingIdentity = true
        let client = self.client
        Task {
            let result: Result<ProducerIdentity, KafkaError>
            do throws(KafkaError) {
                result = .success(try await Self.initProducerId(client: client, bumping: current))
            } catch {
                result = .failure(error)
            }
            self.identityObtained(result)
        }
    }

    /// Bumps the epoch once no batch is in flight anywhere: answers to batches sent under the
    /// old epoch must all be in before sequences restart at 0.
    func startEpochBumpIfQuiet() {
        guard isEpochBumpPending, !isRequestingIdentity else { return }
        guard !partitions.values.contains(where: { $0.inFlightCount > 0 }) else { return }
        requestIdentity(bumping: identity)
    }

    private func identityObtained(_ result: Result<ProducerIdentity, KafkaError>) {
        isRequestingIdentity = false
        switch result {
        case .success(let newIdentity):
            identity = newIdentity
            isEpochBumpPending = false
            // A new producer id or epoch starts every partition's sequences at 0.
            for topicPartition in Array(partitions.keys) {
                guard var state = partitions[topicPartition] else { continue }
                var sequence: Int32 = 0
                for index in state.batches.indices {
                    state.batches[index].sequence = sequence
                    state.batches[index].outcomeUnknown = false
                    sequence = ProducerSequence.adding(sequence, state.batches[index].recordCount)
                }
                state.nextSequence = sequence
                state.lastAcknowledgedSequence = nil
                state.isRecovering = false
                state.retryNotBefore = nil
                partitions[topicPartition] = state
            }
        case .failure(let error):
            fatalError = KafkaError(
                kind: error.kind, code: error.code, context: "getting a producer id (InitProducerId)",
                detail: error.detail ?? error.context, isRetriable: false)
        }
        for topicPartition in Array(partitions.keys) { pump(topicPartition) }
    }

    private static func initProducerId(client: KafkaClient, bumping current: ProducerIdentity?) async throws(KafkaError)
        -> ProducerIdentity
    {
        try await client.withRetries { () async throws(KafkaError) in
            let connection = try await client.anyConnection()
            let version = try connection.version(for: InitProducerIdRequest.self)
            // An idempotent producer has no transactional id; Java sends the longest timeout.
            var request = InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: Int32.max)
            // v3+ (KIP-360) bumps the epoch of the id we present; older brokers hand out a new id.
            if let current, version >= 3 {
                request.producerId = current.producerId
                request.producerEpoch = current.epoch
            }
            let response = try await connection.send(request, version: version)
            let context = "getting a producer id (InitProducerId)"
            if let error = KafkaError.broker(ErrorCode(rawValue: response.errorCode), context: context) { throw error }
            guard response.producerId >= 0, response.producerEpoch >= 0 else {
                throw KafkaError(
                    kind: .protocolViolation, context: context,
                    detail: "the broker answered producer id \(response.producerId) epoch \(response.producerEpoch)")
            }
            return ProducerIdentity(producerId: response.producerId, epoch: response.producerEpoch)
        }
    }
}
