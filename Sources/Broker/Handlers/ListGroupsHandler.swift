// ListGroups (key 16): every group this coordinator knows. v4+ filter by state (names compared
// without regard to case, as Kafka does); v5+ filter by type, where every group here is
// "classic" (KIP-848 consumer groups are not served).
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    static let classicGroupType = "classic"

    func handleListGroups(_ request: ListGroupsRequest, context: RequestContext) -> ListGroupsResponse {
        let version = context.version
        if version >= 5, !request.typesFilter.isEmpty,
            !request.typesFilter.contains(where: { $0.lowercased() == Self.classicGroupType })
        {
            return ListGroupsResponse(throttleTimeMs: 0, errorCode: 0, groups: [])
        }
        var states: Set<GroupState>?
        if version >= 4, !request.statesFilter.isEmpty {
            let wanted = Set(request.statesFilter.map { $0.lowercased() })
            states = Set(GroupState.allCases.filter { wanted.contains($0.rawValue.lowercased()) })
        }
        let listings = groupCoordinator.read { $0.listGroups(states: states) }
        return ListGroupsResponse(
            throttleTimeMs: 0, errorCode: 0,
            groups: listings.map {
                .init(groupId: $0.groupId, protocolType: $0.protocolType, groupState: $0.state.rawValue, groupType: Self.classicGroupType)
            })
    }
}
