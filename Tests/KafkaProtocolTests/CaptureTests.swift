// Golden tests over every request frame captured from real clients (kcat/librdkafka 2.0.2 and
// 2.16.0, confluent-kafka 2.16.1, kafka-python 3.0.12): the header parses, the body decodes, and
// re-encoding gives the client's exact bytes. Every proper prefix of a body must fail to decode.
//
// Two librdkafka all-topics Metadata frames carry 3 trailing bytes (librdkafka#5049); for them
// the decoder must stop after the spec's fields and leave those bytes unread.
import KafkaProtocol
import NIOCore
import Testing

@Suite struct CaptureTests {
    @Test func theCorpusIsPresent() {
        // 74 frames per the captures README; a missing ../shared must fail loudly, not skip.
        #expect(SharedData.captures.count == 74)
    }

    @Test(arguments: SharedData.captures)
    func decodesAndReencodesExactly(capture: SharedData.Capture) throws {
        var frame = try capture.frame()
        let size = frame.readInteger(as: Int32.self)
        #expect(size.map(Int.init) == frame.readableBytes)
        let body = frame

        let header = try RequestHeader.decode(from: &frame)
        #expect(header.apiKey == capture.api_key)
        #expect(header.apiVersion == capture.api_version)
        #expect(header.correlationId == capture.correlation_id)
        #expect(header.clientId == capture.client_id)
        #expect(header.headerVersion == capture.request_header_version)
        #expect(ApiKey(rawValue: header.apiKey).name == capture.api_name)

        let decoded = try KafkaRequestBody.decode(apiKey: header.apiKey, version: header.apiVersion, from: &frame)
        #expect(decoded.apiKey.rawValue == capture.api_key)
        #expect(frame.readableBytes == capture.trailingByteCount)

        var encoded = ByteBuffer()
        header.encode(into: &encoded)
        decoded.encode(into: &encoded, version: header.apiVersion)
        if capture.spec_decode.ok {
            #expect(encoded == body, "re-encoding differs from the client's bytes")
        } else {
            // The re-encoded frame is the spec's (shorter) form: the same bytes minus the trailer.
            #expect(encoded == body.getSlice(at: body.readerIndex, length: body.readableBytes - capture.trailingByteCount))
        }
    }

    @Test(arguments: SharedData.captures)
    func everyProperPrefixOfTheBodyFails(capture: SharedData.Capture) throws {
        var frame = try capture.frame()
        _ = frame.readInteger(as: Int32.self)
        let header = try RequestHeader.decode(from: &frame)
        // With trailing bytes, the prefix that ends at the spec's last field is a complete body.
        let completeLength = frame.readableBytes - capture.trailingByteCount
        var decodedPrefixes: [Int] = []
        for length in 0..<completeLength {
            var prefix = try #require(frame.getSlice(at: frame.readerIndex, length: length))
            if (try? KafkaRequestBody.decode(apiKey: header.apiKey, version: header.apiVersion, from: &prefix)) != nil {
                decodedPrefixes.append(length)
            }
        }
        #expect(decodedPrefixes.isEmpty, "prefixes that decoded: \(decodedPrefixes)")
    }

    @Test(arguments: SharedData.captures)
    func everyProperPrefixOfTheHeaderFails(capture: SharedData.Capture) throws {
        var frame = try capture.frame()
        _ = frame.readInteger(as: Int32.self)
        var whole = frame
        _ = try RequestHeader.decode(from: &whole)
        let headerLength = frame.readableBytes - whole.readableBytes
        for length in 0..<headerLength {
            var prefix = try #require(frame.getSlice(at: frame.readerIndex, length: length))
            #expect(throws: KafkaProtocolError.self) { _ = try RequestHeader.decode(from: &prefix) }
        }
    }

    // MARK: Concrete values

    private func decode(_ file: String) throws -> (RequestHeader, KafkaRequestBody) {
        var frame = try SharedData.capture(file).frame()
        _ = frame.readInteger(as: Int32.self)
        let header = try RequestHeader.decode(from: &frame)
        return (header, try KafkaRequestBody.decode(apiKey: header.apiKey, version: header.apiVersion, from: &frame))
    }

    @Test func kcatProduceCarriesItsRecordBatch() throws {
        let (header, body) = try decode("kcat-librdkafka-2.16.0/006_Produce_v10.bin")
        #expect(header.clientId == "kcat-2.16.0-produce-none")
        guard case .produce(let produce) = body else { Issue.record("not a produce request"); return }
        #expect(produce.transactionalId == nil)
        #expect(produce.acks == -1)
        #expect(produce.timeoutMs == 30000)
        #expect(produce.topicData.map(\.name) == ["kcat-codecs"])
        let partition = try #require(produce.topicData.first?.partitionData.first)
        #expect(partition.index == 0)
        let records = try #require(partition.records)
        #expect(records.readableBytes == 756)
        let batch = try RecordBatchHeader.peek(in: records)
        #expect(batch.magic == 2)
        #expect(batch.lastOffsetDelta == 4)
        #expect(batch.producerId == -1)
    }

    @Test func idempotentProducerSetsProducerState() throws {
        let (_, body) = try decode("confluent-kafka-2.16.1/009_Produce_v10.bin")
        guard case .produce(let produce) = body else { Issue.record("not a produce request"); return }
        #expect(produce.acks == -1)
        let records = try #require(produce.topicData.first?.partitionData.first?.records)
        let batch = try RecordBatchHeader.peek(in: records)
        #expect(batch.producerId >= 0)
        #expect(batch.baseSequence >= 0)
    }

    @Test func createTopicsAsksForThreePartitions() throws {
        let (_, librdkafkaBody) = try decode("confluent-kafka-2.16.1/003_CreateTopics_v4.bin")
        guard case .createTopics(let fromLibrdkafka) = librdkafkaBody else { Issue.record("not CreateTopics"); return }
        #expect(fromLibrdkafka.topics.map(\.name) == ["confluent-kafka-2.16.1-topic"])
        #expect(fromLibrdkafka.topics.first?.numPartitions == 3)
        #expect(fromLibrdkafka.topics.first?.replicationFactor == 1)
        #expect(fromLibrdkafka.timeoutMs == 10000)

        let (_, pythonBody) = try decode("kafka-python-3.0.12/003_CreateTopics_v7.bin")
        guard case .createTopics(let fromPython) = pythonBody else { Issue.record("not CreateTopics"); return }
        #expect(fromPython.topics.count == 1)
        #expect(fromPython.topics.first?.numPartitions == 3)
    }

    @Test func apiVersionsNamesTheClientSoftware() throws {
        let (oldHeader, oldBody) = try decode("kcat-librdkafka-2.0.2/001_ApiVersions_v3.bin")
        #expect(oldHeader.headerVersion == 2)
        guard case .apiVersions(let old) = oldBody else { Issue.record("not ApiVersions"); return }
        #expect(old.clientSoftwareName == "librdkafka")
        #expect(old.clientSoftwareVersion == "2.0.2")

        let (_, pythonBody) = try decode("kafka-python-3.0.12/001_ApiVersions_v4.bin")
        guard case .apiVersions(let python) = pythonBody else { Issue.record("not ApiVersions"); return }
        #expect(python.clientSoftwareName == "kafka-python")
        #expect(python.clientSoftwareVersion == "3.0.12")
    }

    @Test func librdkafkaAllTopicsMetadataWithTrailingBytes() throws {
        for file in ["kcat-librdkafka-2.16.0/003_Metadata_v12.bin", "confluent-kafka-2.16.1/006_Metadata_v12.bin"] {
            var frame = try SharedData.capture(file).frame()
            _ = frame.readInteger(as: Int32.self)
            let header = try RequestHeader.decode(from: &frame)
            let metadata = try MetadataRequest(from: &frame, version: header.apiVersion)
            #expect(metadata.topics == nil, "all topics")
            #expect(metadata.allowAutoTopicCreation == false)
            #expect(metadata.includeTopicAuthorizedOperations == false)
            #expect(frame.readableBytesView.elementsEqual([0x01, 0x00, 0x00]))
        }
    }

    @Test func oldHeaderVersionsForNonFlexibleRequests() throws {
        let (header, body) = try decode("kcat-librdkafka-2.16.0/026_LeaveGroup_v1.bin")
        #expect(header.headerVersion == 1)
        guard case .leaveGroup(let leave) = body else { Issue.record("not LeaveGroup"); return }
        #expect(leave.groupId == "kcat-2.16.0-group")
        #expect(!leave.memberId.isEmpty)
    }
}
