// DescribeGroups (key 15): state, protocol and members of each named group. A group the
// coordinator does not know is reported as Dead with no error, as Kafka does up to v5.
// Authorized operations (v3+) are not computed: Kafka's "not requested" value is sent.
import GroupCoordinator
import KafkaProtocol
import NIOCore

extension KafkaBroker {
    func handleDescribeGroups(_ request: DescribeGroupsRequest, context: RequestContext) -> DescribeGroupsResponse {
        let descriptions = groupCoordinator.read { core in request.groups.map { core.describe(groupId: $0) } }
        let groups = zip(request.groups, descriptions).map { groupId, description in
            guard let description else {
                return DescribeGroupsResponse.DescribedGroup(
                    errorCode: 0, groupId: groupId, groupState: GroupState.dead.rawValue, protocolType: "", protocolData: "",
                    members: [])
            }
            return DescribeGroupsResponse.DescribedGroup(
                errorCode: 0, groupId: groupId, groupState: description.state.rawValue,
                protocolType: description.protocolType, protocolData: description.protocolName,
                members: description.members.map {
                    .init(
                        memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                        clientHost: $0.clientHost, memberMetadata: ByteBuffer(groupBytes: $0.metadata),
                        memberAssignment: ByteBuffer(groupBytes: $0.assignment))
                })
        }
        return DescribeGroupsResponse(throttleTimeMs: 0, groups: groups)
    }
}
