// Small conversions shared by the group API handlers: coordinator error codes onto Kafka error
// codes, opaque byte arrays onto ByteBuffers, and the closure that frames a coordinator answer
// for the request that is waiting for it.
import GroupCoordinator
import KafkaProtocol
import NIOCore

extension GroupErrorCode {
    /// The coordinator keeps Kafka's numbers, so the wire code is the same value.
    var wire: Int16 { rawValue }
}

extension ByteBuffer {
    init(groupBytes bytes: [UInt8]) {
        self = ByteBufferAllocator().buffer(capacity: bytes.count)
        writeBytes(bytes)
    }
}

extension KafkaBroker {
    /// A framer for a parked request: `convert` turns the coordinator's answer into the wire
    /// response, or nil when the answer is of another kind (a coordinator bug), in which case
    /// `fallback` (an UNKNOWN_SERVER_ERROR response) is sent so the client is not left hanging.
    static func groupResponseFramer<Response: KafkaResponse>(
        _ context: RequestContext, fallback: Response, _ convert: @escaping @Sendable (GroupResponse) -> Response?
    ) -> @Sendable (GroupResponse) -> ByteBuffer where Response: Sendable {
        let header = context.header
        let allocator = context.allocator
        return { answer in
            let response = convert(answer) ?? {
                BrokerLog.error("group coordinator answered \(ApiKey(rawValue: header.apiKey).name) with \(answer)")
                return fallback
            }()
            return KafkaBroker.frame(response, header: header, allocator: allocator)
        }
    }

    /// True when this broker hosts the partition (offset commits for others are refused).
    func hostsPartition(topic: String, partition index: Int32) -> Bool {
        partition(TopicPartition(topic: topic, partition: index)) != nil
    }
}
