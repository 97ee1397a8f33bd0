// InitProducerId (key 22): hands idempotent producers a fresh producer id (epoch 0), or bumps
// the epoch of the id a producer presents (KIP-360, v3+). Ids are reserved in blocks from the
// metadata store, so they are never reused across restarts. Transactions are not supported
// yet: a transactional id is refused with a clear error instead of a half-working coordinator.
import KafkaProtocol

extension KafkaBroker {
    func handleInitProducerId(_ request: InitProducerIdRequest, context: RequestContext) -> InitProducerIdResponse {
        if let transactionalId = request.transactionalId {
            BrokerLog.warning("refusing InitProducerId for transactional id '\(transactionalId)': transactions are not supported yet")
            return InitProducerIdResponse(throttleTimeMs: 0, errorCode: ErrorCode.transactionalIdAuthorizationFailed.rawValue)
        }
        if request.producerId >= 0, request.producerEpoch >= 0, request.producerEpoch < Int16.max - 1 {
            return InitProducerIdResponse(
                throttleTimeMs: 0, errorCode: 0, producerId: request.producerId, producerEpoch: request.producerEpoch + 1)
        }
        do {
            return InitProducerIdResponse(throttleTimeMs: 0, errorCode: 0, producerId: try allocateProducerId(), producerEpoch: 0)
        } catch {
            BrokerLog.error("cannot allocate a producer id: \(error)")
            return InitProducerIdResponse(throttleTimeMs: 0, errorCode: ErrorCode.kafkaStorageError.rawValue)
        }
    }
}
