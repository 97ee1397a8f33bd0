// DeleteGroups (key 42): removes empty groups and their committed offsets (tombstones in
// `__consumer_offsets`, so the deletion survives a restart). A group with members gets
// NON_EMPTY_GROUP; an unknown one GROUP_ID_NOT_FOUND.
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    func handleDeleteGroups(_ request: DeleteGroupsRequest, context: RequestContext) -> HandlerOutcome {
        let groupIds = request.groupsNames
        let fallback = DeleteGroupsResponse(
            throttleTimeMs: 0, results: groupIds.map { .init(groupId: $0, errorCode: ErrorCode.unknownServerError.rawValue) })
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> DeleteGroupsResponse? in
            guard case .deleteGroups(let results) = answer else { return nil }
            return DeleteGroupsResponse(
                throttleTimeMs: 0, results: results.map { .init(groupId: $0.groupId, errorCode: $0.errorCode.wire) })
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.deleteGroups(groupIds, requestId: requestId, nowMilliseconds: now)
        }
    }
}
