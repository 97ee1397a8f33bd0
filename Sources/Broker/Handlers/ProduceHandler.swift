// Produce (key 0): validate each partition's batches, append them, answer with base offsets.
//
// Validation is per batch and never decompresses (the hot path runs at memory speed): magic 2
// only, lengths and CRC-32C, size ≤ the topic's max.message.bytes. Idempotent batches are
// checked against the producer state kept by the log (last five batches per producer), so a
// retried batch is acknowledged with its original offset instead of being written twice.
// acks=0 gets no response at all, as Kafka clients expect.
import KafkaProtocol
import LogStorage
import NIOCore

extension KafkaBroker {
    func handleProduce(_ request: ProduceRequest, context: RequestContext) -> HandlerOutcome {
        let now = Self.nowMilliseconds()
        var responses: [ProduceResponse.TopicProduceResponse] = []
        responses.reserveCapacity(request.topicData.count)
        for topicData in request.topicData {
            var partitionResponses: [ProduceResponse.PartitionProduceResponse] = []
            partitionResponses.reserveCapacity(topicData.partitionData.count)
            for partitionData in topicData.partitionData {
                partitionResponses.append(
                    produce(
                        topic: topicData.name, partitionIndex: partitionData.index, records: partitionData.records,
                        now: now))
            }
            responses.append(.init(name: topicData.name, partitionResponses: partitionResponses))
        }
        if request.acks == 0 { return .noResponse }
        return respond(ProduceResponse(responses: responses, throttleTimeMs: 0), context)
    }

    private func produce(topic: String, partitionIndex: Int32, records: ByteBuffer?, now: Int64)
        -> ProduceResponse.PartitionProduceResponse
    {
        func failure(_ code: ErrorCode, _ message: String? = nil) -> ProduceResponse.PartitionProduceResponse {
            .init(index: partitionIndex, errorCode: code.rawValue, baseOffset: -1, errorMessage: message)
        }
        guard let partition = partition(TopicPartition(topic: topic, partition: partitionIndex)) else {
            return failure(.unknownTopicOrPartition)
        }
        guard let records, records.readableBytes > 0 else {
            return failure(.corruptMessage, "the request carries no record batch")
        }
        let settings = partition.settings
        do {
            // LogAppendTime topics: the log stamps the broker's clock into each batch.
            let headers = try RecordBatch.validate(records, maxBatchBytes: settings.maxMessageBytes)
            // Kafka's rules for Produce v3+: exactly one batch per partition, and control
            // batches (transaction markers) come only from the broker itself.
            if headers.count != 1 {
                return failure(.invalidRecord, "a partition's records must be exactly one batch, got \(headers.count)")
            }
            if headers[0].isControl {
                return failure(.invalidRecord, "clients cannot produce control batches")
            }
            if settings.requiresKeys {
                // Only compacted topics pay for decoding (and decompressing) on produce.
                let batch = try RecordBatch.decodeBatch(records, verifyCRC: false)
                if batch.records.contains(where: { $0.key == nil }) {
                    return failure(.invalidRecord, "compacted topic '\(topic)' cannot accept records without a key")
                }
            }
        } catch {
            return failure(Self.errorCode(for: error), "\(error)")
        }
        do {
            let result = try partition.append(records, leaderEpoch: 0, now: now)
            return .init(
                index: partitionIndex, errorCode: 0, baseOffset: result.baseOffset,
                logAppendTimeMs: result.logAppendTime, logStartOffset: partition.log.logStartOffset)
        } catch let error as LogStorageError {
            return failure(Self.errorCode(for: error), "\(error)")
        } catch {
            BrokerLog.error("append to \(partition.id) failed: \(error)")
            return failure(.kafkaStorageError, "\(error)")
        }
    }

    static func errorCode(for error: RecordBatchError) -> ErrorCode {
        switch error {
        case .unsupportedMagic: .unsupportedForMessageFormat
        case .batchTooLarge: .messageTooLarge
        default: .corruptMessage
        }
    }

    static func errorCode(for error: LogStorageError) -> ErrorCode {
        switch error {
        case .outOfOrderSequence: .outOfOrderSequenceNumber
        case .duplicateSequence: .duplicateSequenceNumber
        case .invalidProducerEpoch: .invalidProducerEpoch
        case .unknownProducerId: .unknownProducerId
        case .offsetOutOfRange: .offsetOutOfRange
        case .messageTooLarge: .messageTooLarge
        case .invalidBatch, .corrupt: .corruptMessage
        case .io, .closed: .kafkaStorageError
        }
    }
}
