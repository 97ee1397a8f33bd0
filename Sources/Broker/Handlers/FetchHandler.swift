// Fetch (key 1): stored batches are returned exactly as written (no re-encoding), up to the
// partition and response byte limits, never past the high watermark. The first batch of the
// response is always included even when it is larger than the limits (KIP-74), so a consumer
// can always make progress.
//
// Long poll: when less than min.bytes is available and max.wait.ms > 0, the fetch parks a
// waiter on each partition it reads; the first append to any of them, or the timeout, re-runs
// the read and answers. Fetch sessions (KIP-227) are not kept: session id 0 tells clients to
// send full requests, which every client supports.
import KafkaProtocol
import LogStorage
import NIOConcurrencyHelpers
import NIOCore

extension KafkaBroker {
    func handleFetch(_ request: FetchRequest, context: RequestContext) -> HandlerOutcome {
        let (response, bytes, hasError) = readFetch(request, context: context)
        let maxWait = min(request.maxWaitMs, config.fetchMaxWaitMillisecondsMax)
        if bytes >= Int(request.minBytes) || maxWait <= 0 || hasError {
            return respond(response, context, capacity: Self.responseCapacity(recordBytes: bytes, request: request))
        }
        let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
        let partitions = request.topics.flatMap { topic in
            topic.partitions.compactMap { partition($0, in: topic) }
        }
        let broker = self
        let timeout = NIOLockedValueBox<Scheduled<Void>?>(nil)
        // The waiter removes itself from every partition once it fires (wake or timeout), so
        // idle partitions do not collect dead waiters.
        let registered = NIOLockedValueBox<FetchWaiter?>(nil)
        let waiter = FetchWaiter(eventLoop: context.eventLoop) {
            timeout.withLockedValue { $0?.cancel() }
            if let waiter = registered.withLockedValue({ $0 }) {
                for partition in partitions { partition.removeWaiter(waiter) }
            }
            let (response, bytes, _) = broker.readFetch(request, context: context)
            promise.succeed(
                Self.frame(
                    response, header: context.header, allocator: context.allocator,
                    capacity: Self.responseCapacity(recordBytes: bytes, request: request)))
        }
        registered.withLockedValue { $0 = waiter }
        for partition in partitions { partition.addWaiter(waiter) }
        timeout.withLockedValue {
            $0 = context.eventLoop.scheduleTask(in: .milliseconds(Int64(maxWait))) { waiter.fire() }
        }
        // An append between the read above and the registration woke nobody; look once more.
        let arrived = request.topics.contains { topic in
            topic.partitions.contains { entry in
                (partition(entry, in: topic)?.log.highWatermark ?? 0) > entry.fetchOffset
            }
        }
        if arrived { waiter.fire() }
        return .later(promise.futureResult)
    }

    private func partition(_ entry: FetchRequest.FetchPartition, in topic: FetchRequest.FetchTopic) -> Partition? {
        partition(TopicPartition(topic: topic.topic, partition: entry.partition))
    }

    /// Records plus a generous allowance for the per-partition fields around them.
    static func responseCapacity(recordBytes: Int, request: FetchRequest) -> Int {
        let partitions = request.topics.reduce(0) { $0 + $1.partitions.count }
        return recordBytes + 128 + partitions * 64 + request.topics.reduce(0) { $0 + $1.topic.utf8.count + 16 }
    }

    /// Reads what the request asks for now. Returns the response, the record bytes in it, and
    /// whether any partition had an error (which answers at once, without waiting).
    func readFetch(_ request: FetchRequest, context: RequestContext) -> (FetchResponse, Int, Bool) {
        var remainingBytes = request.maxBytes > 0 ? Int(request.maxBytes) : Int(Int32.max)
        var totalBytes = 0
        var hasError = false
        var topics: [FetchResponse.FetchableTopicResponse] = []
        topics.reserveCapacity(request.topics.count)
        for topic in request.topics {
            var partitions: [FetchResponse.PartitionData] = []
            partitions.reserveCapacity(topic.partitions.count)
            for entry in topic.partitions {
                var data = FetchResponse.PartitionData(
                    partitionIndex: entry.partition, errorCode: 0, highWatermark: -1, lastStableOffset: -1,
                    logStartOffset: -1, abortedTransactions: [], preferredReadReplica: -1, records: nil)
                guard let partition = partition(entry, in: topic) else {
                    data.errorCode = ErrorCode.unknownTopicOrPartition.rawValue
                    hasError = true
                    partitions.append(data)
                    continue
                }
                // The first batch may exceed the limits (KIP-74); after that, stop at the limit.
                let limit = totalBytes == 0 ? max(Int(entry.partitionMaxBytes), 1) : min(Int(entry.partitionMaxBytes), remainingBytes)
                do {
                    if limit <= 0 {
                        data.highWatermark = partition.log.highWatermark
                        data.logStartOffset = partition.log.logStartOffset
                    } else {
                        let read = try partition.log.read(from: entry.fetchOffset, maxBytes: limit)
                        data.highWatermark = read.highWatermark
                        data.logStartOffset = read.logStartOffset
                        data.records = read.records
                        totalBytes += read.records.readableBytes
                        remainingBytes -= read.records.readableBytes
                    }
                    data.lastStableOffset = data.highWatermark
                } catch let error as LogStorageError {
                    data.errorCode = Self.errorCode(for: error).rawValue
                    data.highWatermark = partition.log.highWatermark
                    data.logStartOffset = partition.log.logStartOffset
                    hasError = true
                } catch {
                    BrokerLog.error("read of \(partition.id) failed: \(error)")
                    data.errorCode = ErrorCode.kafkaStorageError.rawValue
                    hasError = true
                }
                partitions.append(data)
            }
            topics.append(.init(topic: topic.topic, partitions: partitions))
        }
        let response = FetchResponse(throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: topics)
        return (response, totalBytes, hasError)
    }
}
