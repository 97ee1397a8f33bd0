// SyncGroup (key 14): the leader brings the assignment, every member waits for its own part.
// A follower's request parks until the leader's SyncGroup arrives (or the rebalance fails).
// v5+ carry the protocol type and name both ways.
import GroupCoordinator
import KafkaProtocol
import NIOCore

extension KafkaBroker {
    func handleSyncGroup(_ request: SyncGroupRequest, context: RequestContext) -> HandlerOutcome {
        let version = context.version
        let input = SyncGroupInput(
            groupId: request.groupId, generationId: request.generationId, memberId: request.memberId,
            groupInstanceId: request.groupInstanceId, protocolType: request.protocolType,
            protocolName: request.protocolName,
            assignments: request.assignments.map { MemberAssignment(memberId: $0.memberId, assignment: Array(buffer: $0.assignment)) })
        let fallback = SyncGroupResponse(errorCode: ErrorCode.unknownServerError.rawValue)
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> SyncGroupResponse? in
            guard case .sync(let result) = answer else { return nil }
            return SyncGroupResponse(
                throttleTimeMs: 0, errorCode: result.errorCode.wire,
                protocolType: version >= 5 ? result.protocolType : nil, protocolName: version >= 5 ? result.protocolName : nil,
                assignment: ByteBuffer(groupBytes: result.assignment))
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.sync(input, requestId: requestId, nowMilliseconds: now)
        }
    }
}
