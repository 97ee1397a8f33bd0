// Seeded random workloads (tigerbeetle style): clients join, sync, heartbeat, commit, leave and
// go silent in random order; the clock jumps around. Whatever happens, every request must get
// exactly one response once time has run long enough, and replaying the persisted records must
// rebuild the same groups and offsets. A failure names its seed.

import GroupCoordinator
import Testing

/// SplitMix64: small, fast and reproducible from one seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

struct SimulatedClient {
    var groupId: String
    var clientId: String
    var instanceId: String?
    var memberId = ""
    var generationId: Int32 = -1
}

@Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
func everyRequestIsAnsweredExactlyOnce(seed: UInt64) throws {
    var random = SeededGenerator(state: seed)
    var core = GroupCoordinatorCore(memberIdSalt: "s")
    var now: Int64 = 0
    var nextRequest: UInt64 = 1
    var outstanding: Set<RequestId> = []
    var records: [CoordinatorRecord] = []
    var completedGenerations = 0
    var clients = (0..<6).map { index in
        SimulatedClient(groupId: "g\(index % 2)", clientId: "c\(index)", instanceId: index % 3 == 0 ? "i\(index)" : nil)
    }

    func absorb(_ output: GroupCoordinatorOutput, into clients: inout [SimulatedClient]) {
        records += output.records
        for addressed in output.responses {
            #expect(outstanding.remove(addressed.requestId) != nil, "seed \(seed): unexpected or repeated response")
            if case .sync(let result) = addressed.response, result.errorCode == .none { completedGenerations += 1 }
            if case .join(let result) = addressed.response, let index = clients.firstIndex(where: { $0.memberId == result.memberId || result.memberId.hasPrefix(($0.instanceId ?? $0.clientId) + "-") }) {
                if result.errorCode == .none || result.errorCode == .memberIdRequired {
                    clients[index].memberId = result.memberId
                    clients[index].generationId = result.generationId
                }
            }
        }
    }

    for _ in 0..<400 {
        let index = Int.random(in: 0..<clients.count, using: &random)
        let client = clients[index]
        let requestId = RequestId(nextRequest)
        nextRequest += 1
        outstanding.insert(requestId)
        let output: GroupCoordinatorOutput
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1, 2:
            output = core.join(
                JoinGroupInput(
                    groupId: client.groupId, memberId: client.memberId, groupInstanceId: client.instanceId,
                    clientId: client.clientId, clientHost: "h", sessionTimeoutMilliseconds: 6_000,
                    rebalanceTimeoutMilliseconds: Int32.random(in: 1_000...20_000, using: &random), protocolType: "consumer",
                    protocols: [GroupProtocol(name: Bool.random(using: &random) ? "range" : "sticky", metadata: [1])]),
                requestId: requestId, nowMilliseconds: now)
        case 3, 4:
            output = core.sync(
                SyncGroupInput(
                    groupId: client.groupId, generationId: client.generationId, memberId: client.memberId,
                    groupInstanceId: client.instanceId,
                    assignments: clients.map { MemberAssignment(memberId: $0.memberId, assignment: [UInt8(index)]) }),
                requestId: requestId, nowMilliseconds: now)
        case 5, 6:
            output = core.heartbeat(
                HeartbeatInput(groupId: client.groupId, generationId: client.generationId, memberId: client.memberId, groupInstanceId: client.instanceId),
                requestId: requestId, nowMilliseconds: now)
        case 7:
            output = core.commitOffsets(
                OffsetCommitInput(
                    groupId: client.groupId, generationId: client.generationId, memberId: client.memberId,
                    groupInstanceId: client.instanceId,
                    offsets: [OffsetCommitEntry(topicPartition: TopicPartition(topic: "t", partition: Int32(index)), offset: now)]),
                requestId: requestId, nowMilliseconds: now)
        case 8:
            output = core.leave(
                LeaveGroupInput(groupId: client.groupId, members: [LeavingMember(memberId: client.memberId, groupInstanceId: client.instanceId)]),
                requestId: requestId, nowMilliseconds: now)
            clients[index].memberId = ""
        default:
            outstanding.remove(requestId)
            now += Int64.random(in: 0...4_000, using: &random)
            output = core.tick(nowMilliseconds: now)
        }
        absorb(output, into: &clients)
        if let deadline = output.nextDeadlineMilliseconds { #expect(deadline > now, "seed \(seed): a due timer was left armed") }
    }

    // Everyone goes silent: within a few rebalance and session timeouts all parked requests end.
    for _ in 0..<20 {
        now += 60_000
        absorb(core.tick(nowMilliseconds: now), into: &clients)
    }
    // The workload must actually reach assignments, or the checks above prove little.
    #expect(completedGenerations > 0, "seed \(seed): no SyncGroup ever succeeded")
    #expect(outstanding.isEmpty, "seed \(seed): \(outstanding.count) requests never answered")
    #expect(core.listGroups().allSatisfy { $0.state == .empty }, "seed \(seed): members outlived their sessions")

    var restored = GroupCoordinatorCore(memberIdSalt: "r")
    for record in records {
        restored.replay(try CoordinatorRecord.decode(key: record.encodeKey(), value: record.encodeValue()), nowMilliseconds: now)
    }
    #expect(restored.offsets == core.offsets, "seed \(seed)")
    for listing in core.listGroups() {
        #expect(restored.describe(groupId: listing.groupId) == core.describe(groupId: listing.groupId), "seed \(seed)")
    }
}
