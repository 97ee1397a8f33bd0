// Routes a decoded request header to its API handler and frames the response.
//
// The advertised version windows follow ../shared/reference/kafka-protocol-and-semantics.md §2:
// low minimums so that Debian's librdkafka 2.0.2 enables its consumer, compression and
// idempotence features, and maxima below the topic-id-only versions (Fetch 13+) until clients
// need them. A version outside the window (other than ApiVersions, which answers
// UNSUPPORTED_VERSION with the table, as KIP-511 asks) closes the connection, as Kafka does for
// requests it cannot parse.
import KafkaProtocol
import NIOCore

struct UnsupportedRequestError: Error, CustomStringConvertible {
    let apiKey: Int16
    let version: Int16
    var description: String {
        let name = ApiKey(rawValue: apiKey).name
        return "\(name) v\(version) is not supported by this broker"
    }
}

extension KafkaBroker {
    /// The versions this broker serves, per API.
    static let supportedVersions: [(ApiKey, ClosedRange<Int16>)] = [
        (.produce, 0...11),  // v0-2 carry magic 0/1 batches, which are refused per partition
        (.fetch, 4...12),
        (.listOffsets, 1...7),
        (.metadata, 0...12),
        (.apiVersions, 0...4),
        (.createTopics, 2...7),
        (.deleteTopics, 1...6),
        (.initProducerId, 0...4),
        (.describeConfigs, 1...4),
        (.createPartitions, 0...3),
        (.incrementalAlterConfigs, 0...1),
        // Consumer groups. librdkafka 2.0.2 enables its group consumer only when FindCoordinator
        // v0, JoinGroup v0, SyncGroup v0, Heartbeat v0, LeaveGroup v0, OffsetCommit v1-2 and
        // OffsetFetch v1 all fall inside these windows.
        (.offsetCommit, 0...9),
        (.offsetFetch, 1...9),
        (.findCoordinator, 0...4),
        (.joinGroup, 0...9),
        (.heartbeat, 0...4),
        (.leaveGroup, 0...5),
        (.syncGroup, 0...5),
        (.describeGroups, 0...5),
        (.listGroups, 0...5),
        (.deleteGroups, 0...2),
        (.offsetDelete, 0...0),
    ]

    static let supportedVersionTable: [Int16: ClosedRange<Int16>] = Dictionary(
        uniqueKeysWithValues: supportedVersions.map { ($0.0.rawValue, $0.1) })

    func dispatch(body: inout ByteBuffer, context: RequestContext) throws -> HandlerOutcome {
        let header = context.header
        if header.apiKey == ApiKey.apiVersions.rawValue {
            return handleApiVersions(body: &body, context: context)
        }
        guard let window = Self.supportedVersionTable[header.apiKey], window.contains(header.apiVersion) else {
            throw UnsupportedRequestError(apiKey: header.apiKey, version: header.apiVersion)
        }
        let request = try KafkaRequestBody.decode(apiKey: header.apiKey, version: header.apiVersion, from: &body)
        switch request {
        case let .produce(request): return handleProduce(request, context: context)
        case let .fetch(request): return handleFetch(request, context: context)
        case let .listOffsets(request): return respond(handleListOffsets(request, context: context), context)
        case let .metadata(request): return respond(handleMetadata(request, context: context), context)
        case let .createTopics(request): return respond(handleCreateTopics(request, context: context), context)
        case let .deleteTopics(request): return respond(handleDeleteTopics(request, context: context), context)
        case let .initProducerId(request): return respond(handleInitProducerId(request, context: context), context)
        case let .describeConfigs(request): return respond(handleDescribeConfigs(request, context: context), context)
        case let .createPartitions(request): return respond(handleCreatePartitions(request, context: context), context)
        case let .incrementalAlterConfigs(request):
            return respond(handleIncrementalAlterConfigs(request, context: context), context)
        case let .findCoordinator(request): return respond(handleFindCoordinator(request, context: context), context)
        case let .joinGroup(request): return handleJoinGroup(request, context: context)
        case let .syncGroup(request): return handleSyncGroup(request, context: context)
        case let .heartbeat(request): return handleHeartbeat(request, context: context)
        case let .leaveGroup(request): return handleLeaveGroup(request, context: context)
        case let .offsetCommit(request): return handleOffsetCommit(request, context: context)
        case let .offsetFetch(request): return respond(handleOffsetFetch(request, context: context), context)
        case let .listGroups(request): return respond(handleListGroups(request, context: context), context)
        case let .describeGroups(request): return respond(handleDescribeGroups(request, context: context), context)
        case let .deleteGroups(request): return handleDeleteGroups(request, context: context)
        case let .offsetDelete(request): return handleOffsetDelete(request, context: context)
        default:
            throw UnsupportedRequestError(apiKey: header.apiKey, version: header.apiVersion)
        }
    }

    func respond<Response: KafkaResponse>(
        _ response: Response, _ context: RequestContext, capacity: Int = 256
    ) -> HandlerOutcome {
        .respond(Self.frame(response, header: context.header, allocator: context.allocator, capacity: capacity))
    }

    /// Encodes size prefix + response header + body.
    /// `capacity` sizes the buffer up front: a Fetch response carries megabytes of records, and
    /// growing a buffer by doubling would copy them about a dozen times.
    static func frame<Response: KafkaResponse>(
        _ response: Response, header: RequestHeader, allocator: ByteBufferAllocator, version: Int16? = nil,
        capacity: Int = 256
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: capacity)
        buffer.writeInteger(Int32(0))
        let version = version ?? header.apiVersion
        ResponseHeader.encode(
            correlationId: header.correlationId, apiKey: header.apiKey, apiVersion: version, into: &buffer)
        response.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }
}
