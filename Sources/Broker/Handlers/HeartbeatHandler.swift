// Heartbeat (key 12): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    func handleHeartbeat(_ request: HeartbeatRequest, context: RequestContext) -> HandlerOutcome {
        let input = HeartbeatInput(
            groupId: request.groupId, generationId: request.generationId, memberId: request.memberId,
            groupInstanceId: request.groupInstanceId)
        let fallback = HeartbeatResponse(errorCode: ErrorCode.unknownServerError.rawValue)
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> HeartbeatResponse? in
            guard case .heartbeat(let errorCode) = answer else { return nil }
            return HeartbeatResponse(throttleTimeMs: 0, errorCode: errorCode.wire)
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.heartbeat(input, requestId: requestId, nowMilliseconds: now)
        }
    }
}
