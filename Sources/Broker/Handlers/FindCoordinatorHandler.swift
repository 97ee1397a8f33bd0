// FindCoordinator (key 10): this single broker coordinates every consumer group. Transaction
// coordinators (key type 1) do not exist yet, so they get COORDINATOR_NOT_AVAILABLE, which
// clients treat as retriable; an unknown key type is INVALID_REQUEST, as in Kafka.
// v0-3 ask for one key; v4+ ask for a batch (`coordinatorKeys`) and get one entry per key.
import KafkaProtocol

extension KafkaBroker {
    static let groupKeyType: Int8 = 0
    static let transactionKeyType: Int8 = 1

    func handleFindCoordinator(_ request: FindCoordinatorRequest, context: RequestContext) -> FindCoordinatorResponse {
        let address = advertisedAddress
        let nodeId = config.nodeId
        func lookup(_ key: String) -> FindCoordinatorResponse.Coordinator {
            var coordinator = FindCoordinatorResponse.Coordinator(
                key: key, nodeId: -1, host: "", port: -1, errorCode: 0, errorMessage: nil)
            switch request.keyType {
            case Self.groupKeyType:
                coordinator.nodeId = nodeId
                coordinator.host = address.host
                coordinator.port = Int32(address.port)
            case Self.transactionKeyType:
                coordinator.errorCode = ErrorCode.coordinatorNotAvailable.rawValue
                coordinator.errorMessage = "transactions are not supported by this broker"
            default:
                coordinator.errorCode = ErrorCode.invalidRequest.rawValue
                coordinator.errorMessage = "unknown coordinator key type \(request.keyType)"
            }
            return coordinator
        }
        if context.version >= 4 {
            return FindCoordinatorResponse(throttleTimeMs: 0, coordinators: request.coordinatorKeys.map(lookup))
        }
        let single = lookup(request.key)
        return FindCoordinatorResponse(
            throttleTimeMs: 0, errorCode: single.errorCode, errorMessage: single.errorMessage,
            nodeId: single.nodeId, host: single.host, port: single.port)
    }
}
