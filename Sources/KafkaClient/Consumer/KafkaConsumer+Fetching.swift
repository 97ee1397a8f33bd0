// The consumer's fetch loop: resolve positions of newly owned partitions (committed offset, else
// auto.offset.reset), then one Fetch per leader broker for every owned, unpaused, positioned
// partition whose buffer has room, all brokers in parallel. Answers are kept only for partitions
// whose epoch and fetch offset are unchanged since the request was built.
//
// Record batches are decoded in the task that awaited the answer, off the consumer's actor, so
// `poll` keeps handing out records while the next answer is decoded; the actor only checks
// epochs and appends. A partition already caught up with the log end is not fetched on its own
// while other partitions wait only for the application to drain their full buffers: the broker
// would long-poll that request for `fetchMaxWaitMilliseconds` and hold the others back.
import KafkaProtocol
import NIOCore

extension KafkaConsumer {
    /// One broker's share of a fetch round.
    struct BrokerFetch: Sendable {
        var brokerId: Int32
        var request: FetchRequest
        /// The fetch offset and epoch each partition had when the request was built.
        var partitions: [TopicPartition: (offset: Int64, epoch: UInt64)]
    }

    /// How long the fetch loop idles when nothing is fetchable (woken early by assignment,
    /// resume and drained buffers).
    static let idleMilliseconds: Int64 = 1_000

    func runFetchLoop() async {
        while !isClosed && !Task.isCancelled {
            if !positionSources.isEmpty {
                await resolvePositions()
                continue
            }
            let fetches: [BrokerFetch]
            do {
                fetches = try await planFetches()
            } catch {
                await backOff(after: error)
                continue
            }
            if fetches.isEmpty {
                await fetcherPause(milliseconds: Self.idleMilliseconds)
                continue
            }
            let client = self.client
            let decompressedBytesMax = configuration.decompressedBytesMax
            let answers = await withTaskGroup(of: (BrokerFetch, Result<DecodedFetch, KafkaError>).self) { group in
                for fetch in fetches {
                    group.addTask {
                        do {
                            let response = try await client.send(fetch.request, toBroker: fetch.brokerId)
                            return (fetch, .success(DecodedFetch(response, of: fetch, decompressedBytesMax: decompressedBytesMax)))
                        } catch {
                            return (fetch, .failure(error as? KafkaError ?? KafkaClient.asKafkaError(error, context: "fetching")))
                        }
                    }
                }
                var answers: [(BrokerFetch, Result<DecodedFetch, KafkaError>)] = []
                for await answer in group { answers.append(answer) }
                return answers
            }
            var shouldBackOff: KafkaError?
            for (fetch, result) in answers {
                switch result {
                case .success(let response):
                    if let error = absorb(response, of: fetch) { shouldBackOff = error }
                case .failure(let error):
                    shouldBackOff = error
                }
            }
            if let shouldBackOff { await backOff(after: shouldBackOff) }
        }
    }

    private func backOff(after error: KafkaError) async {
        if error.isRetriable {
            await client.invalidateMetadata()
        } else if error.kind != .shutDown {
            fail(error)
        }
        await fetcherPause(milliseconds: configuration.retryBackoffMilliseconds)
    }

    /// Records a failure for the next `poll` and wakes it.
    func fail(_ error: KafkaError) {
        pendingFailure = error
        wakeRecordWaiters()
    }

    private func fetchablePartitions() -> [TopicPartition] {
        var fetchable: [TopicPartition] = []
        var isAnyHeldBack = false
        for partition in assigned where !paused.contains(partition) && positionSources[partition] == nil && fetchOffsets[partition] != nil {
            if (buffers[partition]?.count ?? 0) < configuration.bufferedRecordsPerPartitionMax {
                fetchable.append(partition)
            } else {
                isAnyHeldBack = true
            }
        }
        // Caught-up partitions alone would only long-poll while full buffers drain; the drain
        // wakes the fetcher, and they are fetched together with the drained ones.
        if isAnyHeldBack, fetchable.allSatisfy(isCaughtUp) { return [] }
        return fetchable
    }

    /// Whether the partition's next fetch starts at the log end the broker last reported.
    private func isCaughtUp(_ partition: TopicPartition) -> Bool {
        guard let fetchOffset = fetchOffsets[partition], let highWatermark = highWatermarks[partition] else { return false }
        return fetchOffset >= highWatermark
    }

    private func planFetches() async throws(KafkaError) -> [BrokerFetch] {
        let topics = Set(fetchablePartitions().map(\.topic)).sorted()
        guard !topics.isEmpty else { return [] }
        let metadata = try await client.metadata(topics: topics)
        // State may have changed while metadata was fetched: plan from the current state.
        var byBroker: [Int32: [TopicPartition]] = [:]
        for partition in fetchablePartitions() {
            guard let leader = metadata.topics[partition.topic]?.partition(partition.partition)?.leaderId, leader >= 0 else {
                await client.invalidateMetadata()
                continue
            }
            byBroker[leader, default: []].append(partition)
        }
        return byBroker.keys.sorted().map { brokerId in
            let partitions = byBroker[brokerId] ?? []
            var expected: [TopicPartition: (offset: Int64, epoch: UInt64)] = [:]
            for partition in partitions {
                expected[partition] = (fetchOffsets[partition] ?? 0, partitionEpochs[partition] ?? 0)
            }
            let request = FetchRequest(
                replicaId: -1, maxWaitMs: configuration.fetchMaxWaitMilliseconds, minBytes: configuration.fetchMinBytes,
                maxBytes: configuration.fetchMaxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
                topics: KafkaAdmin.partitionsByTopic(partitions).map { topic in
                    FetchRequest.FetchTopic(
                        topic: topic.topic,
                        partitions: topic.partitions.map { index in
                            FetchRequest.FetchPartition(
                                partition: index, fetchOffset: expected[TopicPartition(topic: topic.topic, partition: index)]?.offset ?? 0,
                                partitionMaxBytes: configuration.partitionFetchMaxBytes)
                        })
                })
            return BrokerFetch(brokerId: brokerId, request: request, partitions: expected)
        }
    }

    /// Buffers an answer's records; returns an error when the loop should back off.
    private func absorb(_ answer: DecodedFetch, of fetch: BrokerFetch) -> KafkaError? {
        if let error = KafkaError.broker(answer.errorCode, context: "fetching from broker \(fetch.brokerId)") {
            return error
        }
        var backOffError: KafkaError?
        var delivered = false
        for data in answer.partitions {
            let partition = data.partition
            guard let expected = fetch.partitions[partition], partitionEpochs[partition] == expected.epoch,
                fetchOffsets[partition] == expected.offset
            else { continue }
            let code = data.errorCode
            let context = "fetching \(partition) at offset \(expected.offset)"
            switch code {
            case .none:
                highWatermarks[partition] = data.highWatermark
                switch data.selected {
                case .success(let selected):
                    fetchOffsets[partition] = selected.nextOffset
                    if !selected.records.isEmpty {
                        buffers[partition, default: []].append(contentsOf: selected.records)
                        delivered = true
                    }
                case .failure(let error):
                    // Fetching the same offset again would return the same bytes at once, in a
                    // tight loop: stop the partition, as for other non-retriable errors, until a seek.
                    fetchOffsets[partition] = nil
                    fail(KafkaError(kind: .protocolViolation, context: context, detail: error.detail ?? error.context))
                }
            case .offsetOutOfRange:
                if configuration.autoOffsetReset == .none {
                    fetchOffsets[partition] = nil
                    fail(KafkaError(kind: .broker, code: code, context: context, detail: "auto.offset.reset is none"))
                } else {
                    bumpEpoch(partition)
                    buffers[partition] = []
                    positionSources[partition] = .reset(configuration.autoOffsetReset)
                }
            default:
                let error = KafkaError(kind: .broker, code: code, context: context)
                if code.isRetriable || code == .unknownTopicOrPartition {
                    backOffError = KafkaError(kind: .broker, code: code, context: context, isRetriable: true)
                } else {
                    fetchOffsets[partition] = nil
                    fail(error)
                }
            }
        }
        if delivered { wakeRecordWaiters() }
        return backOffError
    }

    // MARK: Positions

    /// Gives every partition in `positionSources` a position: the group's committed offset when
    /// asked and present, else the reset policy's log offset.
    func resolvePositions() async {
        let wanted = positionSources
        let epochs = partitionEpochs
        var resolved: [TopicPartition: Int64] = [:]
        var resets: [TopicPartition: AutoOffsetReset] = [:]
        do {
            let committedWanted = wanted.filter { $0.value == .committed }.map(\.key)
            if let groupId = configuration.groupId, !committedWanted.isEmpty {
                let committed = try await KafkaAdmin(client: client).committedOffsets(group: groupId, partitions: committedWanted)
                for partition in committedWanted {
                    if let offset = committed[partition] { resolved[partition] = offset } else { resets[partition] = configuration.autoOffsetReset }
                }
            } else {
                for partition in committedWanted { resets[partition] = configuration.autoOffsetReset }
            }
            for (partition, source) in wanted {
                if case .reset(let policy) = source { resets[partition] = policy }
            }
            var failures: [TopicPartition] = []
            for (topic, partitions) in Dictionary(grouping: resets.keys, by: \.topic) {
                for policy in [AutoOffsetReset.earliest, .latest] {
                    let indexes = partitions.filter { resets[$0] == policy }.map(\.partition)
                    guard !indexes.isEmpty else { continue }
                    let listed = try await KafkaAdmin(client: client).listOffsets(
                        topic: topic, partitions: indexes, spec: policy == .earliest ? .earliest : .latest)
                    for entry in listed { resolved[TopicPartition(topic: topic, partition: entry.partition)] = entry.offset }
                }
                failures += partitions.filter { resets[$0] == AutoOffsetReset.none }
            }
            for partition in failures where epochs[partition] == partitionEpochs[partition] {
                positionSources[partition] = nil
                fail(
                    KafkaError(
                        kind: .invalidArgument, context: "finding a position in \(partition)",
                        detail: "the group has no committed offset and auto.offset.reset is none"))
            }
        } catch {
            await backOff(after: error)
            return
        }
        for (partition, offset) in resolved where epochs[partition] == partitionEpochs[partition] && positionSources[partition] == wanted[partition] {
            positionSources[partition] = nil
            positions[partition] = offset
            fetchOffsets[partition] = offset
        }
    }

    // MARK: Interruptible idle

    func fetcherPause(milliseconds: Int64) async {
        guard !isClosed else { return }
        nextFetcherTicket += 1
        let ticket = nextFetcherTicket
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            fetcherSleeper = (ticket, continuation)
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(milliseconds))
                await self?.wakeFetcher(ticket: ticket)
            }
        }
    }

    func wakeFetcher(ticket: Int? = nil) {
        guard let sleeper = fetcherSleeper, ticket == nil || sleeper.ticket == ticket else { return }
        fetcherSleeper = nil
        sleeper.continuation.resume()
    }
}

/// A fetch answer with the records of each requested partition decoded and selected, made in
/// the task that awaited the answer rather than on the consumer's actor.
struct DecodedFetch: Sendable {
    struct Partition: Sendable {
        var partition: TopicPartition
        var errorCode: ErrorCode
        var highWatermark: Int64
        /// The records at or after the fetch offset and the next fetch offset (without an error
        /// code), or why the batches could not be read.
        var selected: Result<FetchedRecords, KafkaError>
    }

    var errorCode: ErrorCode
    var partitions: [Partition]

    init(_ response: FetchResponse, of fetch: KafkaConsumer.BrokerFetch, decompressedBytesMax: Int) {
        errorCode = ErrorCode(rawValue: response.errorCode)
        partitions = []
        for topic in response.responses {
            for data in topic.partitions {
                let partition = TopicPartition(topic: topic.topic, partition: data.partitionIndex)
                // Partitions the request did not ask for are dropped by `absorb` anyway.
                guard let expected = fetch.partitions[partition] else { continue }
                let code = ErrorCode(rawValue: data.errorCode)
                var selected = Result<FetchedRecords, KafkaError>.success(FetchedRecords(records: [], nextOffset: expected.offset))
                if code == .none {
                    do {
                        let batches = try data.records.map { try RecordBatch.decode($0, decompressedBytesMax: decompressedBytesMax) } ?? []
                        selected = .success(
                            FetchedRecords.select(
                                from: batches, topic: partition.topic, partition: partition.partition, nextOffset: expected.offset,
                                stopOffset: nil))
                    } catch {
                        selected = .failure(KafkaError(kind: .protocolViolation, context: "decoding \(partition)", detail: "\(error)"))
                    }
                }
                partitions.append(Partition(partition: partition, errorCode: code, highWatermark: data.highWatermark, selected: selected))
            }
        }
    }
}
