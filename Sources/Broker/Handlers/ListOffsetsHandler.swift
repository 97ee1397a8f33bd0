// ListOffsets (key 2): earliest (-2), latest (-1), or the first offset whose timestamp is at or
// after a given time. When no record is that recent, Kafka answers offset -1/timestamp -1 and
// so do we. Max-timestamp lookups (-3, v7, KIP-734) answer the first record with the log's
// largest timestamp.
import KafkaProtocol
import LogStorage

extension KafkaBroker {
    static let earliestTimestamp: Int64 = -2
    static let latestTimestamp: Int64 = -1
    static let maxTimestamp: Int64 = -3

    func handleListOffsets(_ request: ListOffsetsRequest, context: RequestContext) -> ListOffsetsResponse {
        let topics = request.topics.map { topic in
            ListOffsetsResponse.ListOffsetsTopicResponse(
                name: topic.name,
                partitions: topic.partitions.map { entry in
                    listOffset(topic: topic.name, partitionIndex: entry.partitionIndex, timestamp: entry.timestamp)
                })
        }
        return ListOffsetsResponse(throttleTimeMs: 0, topics: topics)
    }

    private func listOffset(topic: String, partitionIndex: Int32, timestamp: Int64)
        -> ListOffsetsResponse.ListOffsetsPartitionResponse
    {
        var response = ListOffsetsResponse.ListOffsetsPartitionResponse(
            partitionIndex: partitionIndex, errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: 0)
        guard let partition = partition(TopicPartition(topic: topic, partition: partitionIndex)) else {
            response.errorCode = ErrorCode.unknownTopicOrPartition.rawValue
            return response
        }
        switch timestamp {
        case Self.earliestTimestamp:
            response.offset = partition.log.logStartOffset
        case Self.latestTimestamp:
            response.offset = partition.log.highWatermark
        case Self.maxTimestamp:
            do {
                if let found = try partition.log.offsetOfMaxTimestamp() {
                    response.offset = found.offset
                    response.timestamp = found.timestamp
                }
            } catch {
                response.errorCode = ErrorCode.kafkaStorageError.rawValue
            }
        case let time where time >= 0:
            do {
                if let found = try partition.log.offset(forTimestamp: time) {
                    response.offset = found.offset
                    response.timestamp = found.timestamp
                }
            } catch {
                response.errorCode = ErrorCode.kafkaStorageError.rawValue
            }
        default:
            response.errorCode = ErrorCode.invalidRequest.rawValue
        }
        return response
    }
}
