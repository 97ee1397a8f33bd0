// LeaveGroup (key 13): members leave at once instead of waiting for their session to expire, so
// the others are rebalanced right away. v0-2 name one member and carry one error code (the
// member's own error when the group-level one is NONE, as in Kafka); v3+ name a batch of
// members (admins remove static members by instance id) and answer per member.
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    func handleLeaveGroup(_ request: LeaveGroupRequest, context: RequestContext) -> HandlerOutcome {
        let version = context.version
        let members = version >= 3
            ? request.members.map { LeavingMember(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, reason: $0.reason) }
            : [LeavingMember(memberId: request.memberId)]
        let input = LeaveGroupInput(groupId: request.groupId, members: members)
        let fallback = LeaveGroupResponse(errorCode: ErrorCode.unknownServerError.rawValue)
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> LeaveGroupResponse? in
            guard case .leave(let result) = answer else { return nil }
            guard version >= 3 else {
                let memberError = result.members.first?.errorCode ?? .none
                return LeaveGroupResponse(errorCode: result.errorCode != .none ? result.errorCode.wire : memberError.wire)
            }
            return LeaveGroupResponse(
                throttleTimeMs: 0, errorCode: result.errorCode.wire,
                members: result.members.map {
                    .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, errorCode: $0.errorCode.wire)
                })
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.leave(input, requestId: requestId, nowMilliseconds: now)
        }
    }
}
