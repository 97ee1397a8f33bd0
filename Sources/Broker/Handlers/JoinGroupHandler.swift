// JoinGroup (key 11): hands the request to the group coordinator and answers when the join
// phase completes, which may be much later (the request parks until every expected member has
// joined or the rebalance timeout passes). v0 has no rebalance timeout: the session timeout
// stands in, as in Kafka. v4+ unknown members first get MEMBER_ID_REQUIRED (KIP-394); v9+
// leaders may skip the assignment (KIP-814).
import GroupCoordinator
import KafkaProtocol
import NIOCore

extension KafkaBroker {
    func handleJoinGroup(_ request: JoinGroupRequest, context: RequestContext) -> HandlerOutcome {
        let version = context.version
        let input = JoinGroupInput(
            groupId: request.groupId, memberId: request.memberId, groupInstanceId: request.groupInstanceId,
            clientId: context.header.clientId ?? "", clientHost: context.clientHost,
            sessionTimeoutMilliseconds: request.sessionTimeoutMs,
            rebalanceTimeoutMilliseconds: version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
            protocolType: request.protocolType,
            protocols: request.protocols.map { GroupProtocol(name: $0.name, metadata: Array(buffer: $0.metadata)) },
            requireKnownMemberId: version >= 4, supportsSkippingAssignment: version >= 9, reason: request.reason)
        let fallback = JoinGroupResponse(errorCode: ErrorCode.unknownServerError.rawValue, memberId: request.memberId)
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> JoinGroupResponse? in
            guard case .join(let result) = answer else { return nil }
            // Versions before 7 cannot carry a null protocol name.
            let protocolName = version >= 7 ? result.protocolName : (result.protocolName ?? "")
            return JoinGroupResponse(
                throttleTimeMs: 0, errorCode: result.errorCode.wire, generationId: result.generationId,
                protocolType: result.protocolType, protocolName: protocolName, leader: result.leader,
                skipAssignment: result.skipAssignment, memberId: result.memberId,
                members: result.members.map {
                    .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: ByteBuffer(groupBytes: $0.metadata))
                })
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.join(input, requestId: requestId, nowMilliseconds: now)
        }
    }
}
