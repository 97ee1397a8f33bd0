// The classic group protocol from the member's side, generic over the embedded protocol.
//
// One loop per member: find the coordinator (FindCoordinator) and open a connection of its own
// to it, join (JoinGroup, with KIP-394's MEMBER_ID_REQUIRED round trip), let the leader compute
// assignments through a callback and SyncGroup them, then heartbeat until the coordinator asks
// for a rebalance (REBALANCE_IN_PROGRESS), forgets the member (UNKNOWN_MEMBER_ID,
// ILLEGAL_GENERATION) or moves (NOT_COORDINATOR, a broken connection). `close` sends LeaveGroup
// for dynamic members; static members (group.instance.id) stay so that a restart within the
// session timeout gets the same assignment without a rebalance, as Kafka's clients do.
//
// The coordinator connection is separate from the client's shared ones because JoinGroup is
// parked by the coordinator for up to the rebalance timeout: its request timeout must exceed
// that, and heartbeats must not queue behind long fetches. The embedding protocol (consumers,
// the schema registry's primary election) takes part only through `GroupMembershipHandlers`.
import KafkaProtocol
import NIOCore

public actor GroupMembership {
    /// Extra time a JoinGroup may take beyond the rebalance timeout before the client gives up
    /// (Kafka's clients use the same 5 s margin).
    static let joinTimeoutMarginMilliseconds: Int64 = 5_000
    /// JoinGroup attempts in one join before the loop backs off and starts over.
    static let joinAttemptsMax = 10

    public nonisolated let configuration: Configuration
    public nonisolated let client: KafkaClient
    private let handlers: GroupMembershipHandlers

    private var coordinatorId: Int32?
    private var coordinatorConnection: KafkaConnection?
    /// Empty until the coordinator assigns one; kept across generations.
    private(set) var memberId = ""
    /// The last generation joined and synced; nil while not a member.
    public private(set) var generation: GroupGeneration?
    private var rejoinNeeded = true
    private var rejoinReason = "joining"
    private var lastHeartbeatSuccess: ContinuousClock.Instant = .now
    private var isStopping = false
    private var loopTask: Task<Void, Never>?
    private var sleeper: (ticket: Int, continuation: CheckedContinuation<Void, Never>)?
    private var nextSleepTicket = 0

    public init(client: KafkaClient, configuration: Configuration, handlers: GroupMembershipHandlers) throws(KafkaError) {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
        self.handlers = handlers
    }

    /// The member id the coordinator gave this member ("" before the first join).
    public var currentMemberId: String { memberId }

    /// Starts the membership loop; later calls do nothing.
    public func start() {
        guard loopTask == nil, !isStopping else { return }
        loopTask = Task { await self.runLoop() }
    }

    /// Asks for a rebalance at the next opportunity (subscription changed, cooperative follow-up).
    public func requestRejoin(reason: String) {
        rejoinNeeded = true
        rejoinReason = reason
        wake(ticket: nil)
    }

    /// Stops the loop. A dynamic member (and a static one when `leaveGroup` is true) sends
    /// LeaveGroup so its partitions move at once instead of after the session timeout.
    public func close(leaveGroup: Bool? = nil) async {
        guard !isStopping else { return }
        isStopping = true
        wake(ticket: nil)
        let shouldLeave = leaveGroup ?? (configuration.groupInstanceId == nil)
        if shouldLeave, !memberId.isEmpty, let connection = coordinatorConnection, connection.isActive {
            let request = LeaveGroupRequest(
                groupId: configuration.groupId, memberId: memberId,
                members: [.init(memberId: memberId, groupInstanceId: configuration.groupInstanceId, reason: "the member is closing")])
            _ = try? await connection.send(request)
        }
        generation = nil
        await coordinatorConnection?.close()
        coordinatorConnection = nil
        await loopTask?.value
        loopTask = nil
    }

    // MARK: Coordinator access

    /// Sends a request to the coordinator over the membership's connection. A coordinator error
    /// in the answer is the caller's to read; call `coordinatorFailed()` when it names one.
    public func sendToCoordinator<Request: KafkaRequest>(_ request: Request) async throws(KafkaError) -> Request.Response {
        let connection = try await ensureCoordinator()
        do {
            return try await connection.send(request)
        } catch {
            if !connection.isActive { coordinatorFailed() }
            throw error
        }
    }

    /// Forgets the coordinator after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a broken
    /// connection; the next request looks it up again.
    public func coordinatorFailed() {
        coordinatorId = nil
        let connection = coordinatorConnection
        coordinatorConnection = nil
        if let connection { Task { await connection.close() } }
    }

    private func ensureCoordinator() async throws(KafkaError) -> KafkaConnection {
        if isStopping { throw KafkaError(kind: .shutDown, context: "reaching the coordinator of group \(configuration.groupId)") }
        if let coordinatorConnection, coordinatorConnection.isActive { return coordinatorConnection }
        let brokerId = try await KafkaAdmin(client: client).findCoordinator(group: configuration.groupId)
        let metadata = try await client.metadata(topics: [])
        var address = metadata.brokers[brokerId]
        if address == nil { address = try await client.refreshMetadata(topics: []).brokers[brokerId] }
        guard let address else {
            throw KafkaError(
                kind: .metadataUnavailable, context: "connecting to the coordinator of group \(configuration.groupId)",
                detail: "broker \(brokerId) is not in the metadata")
        }
        var connectionConfiguration = client.configuration.connection
        connectionConfiguration.requestTimeoutMilliseconds = max(
            connectionConfiguration.requestTimeoutMilliseconds,
            Int64(configuration.rebalanceTimeoutMilliseconds) + Self.joinTimeoutMarginMilliseconds)
        let connection = try await KafkaConnection.connect(host: address.host, port: address.port, configuration: connectionConfiguration)
        // Another caller may have connected while this one was waiting.
        if let existing = coordinatorConnection, existing.isActive {
            await connection.close()
            return existing
        }
        if isStopping {
            await connection.close()
            throw KafkaError(kind: .shutDown, context: "reaching the coordinator of group \(configuration.groupId)")
        }
        coordinatorId = brokerId
        coordinatorConnection = connection
        return connection
    }

    // MARK: The loop

    private func runLoop() async {
        while !isStopping {
            do {
                if rejoinNeeded {
                    try await joinAndSync()
                } else {
                    await pause(milliseconds: Int64(configuration.heartbeatIntervalMilliseconds))
                    if isStopping || rejoinNeeded { continue }
                    try await heartbeat()
                }
            } catch {
                if isStopping { break }
                if error.kind == .shutDown { break }
                if !error.isRetriable {
                    await fail(error)
                    break
                }
                coordinatorFailed()
                await pause(milliseconds: configuration.retryBackoffMilliseconds)
            }
        }
    }

    private func fail(_ error: KafkaError) async {
        generation = nil
        isStopping = true
        await handlers.failed(error)
    }

    private func heartbeat() async throws(KafkaError) {
        guard let generation else {
            rejoinNeeded = true
            return
        }
        // Past the session timeout the coordinator has dropped this member already.
        if ContinuousClock.now - lastHeartbeatSuccess > .milliseconds(configuration.sessionTimeoutMilliseconds) {
            await membershipLost(
                KafkaError(kind: .timedOut, context: "heartbeating in group \(configuration.groupId)", detail: "no heartbeat succeeded within the session timeout"),
                resetMemberId: configuration.groupInstanceId == nil)
            return
        }
        let request = HeartbeatRequest(
            groupId: configuration.groupId, generationId: generation.generationId, memberId: generation.memberId,
            groupInstanceId: configuration.groupInstanceId)
        let response = try await sendToCoordinator(request)
        let code = ErrorCode(rawValue: response.errorCode)
        let context = "heartbeating in group \(configuration.groupId)"
        switch code {
        case .none:
            lastHeartbeatSuccess = .now
        case .rebalanceInProgress:
            lastHeartbeatSuccess = .now
            requestRejoin(reason: "the coordinator started a rebalance")
        case .illegalGeneration:
            await membershipLost(KafkaError(kind: .broker, code: code, context: context), resetMemberId: false)
        case .unknownMemberId:
            await membershipLost(KafkaError(kind: .broker, code: code, context: context), resetMemberId: true)
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            coordinatorFailed()
        default:
            throw KafkaError(kind: .broker, code: code, context: context)
        }
    }

    private func membershipLost(_ error: KafkaError, resetMemberId: Bool) async {
        generation = nil
        if resetMemberId { memberId = "" }
        rejoinNeeded = true
        rejoinReason = "the membership was lost"
        await handlers.lost(error)
    }

    private func joinAndSync() async throws(KafkaError) {
        if let generation {
            await handlers.willRejoin(generation)
            if isStopping { return }
        }
        let protocols = await handlers.protocols()
        guard let joined = try await join(protocols: protocols) else { return }
        if isStopping { return }
        let newGeneration = GroupGeneration(
            generationId: joined.generationId, memberId: joined.memberId, leaderId: joined.leader,
            protocolName: joined.protocolName ?? "")
        var assignments: [SyncGroupRequest.SyncGroupRequestAssignment] = []
        if newGeneration.isLeader && !joined.skipAssignment {
            let context = GroupAssignmentContext(
                generationId: joined.generationId, protocolName: newGeneration.protocolName, leaderId: joined.leader,
                members: joined.members.map { GroupMemberMetadata(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata) })
            let byMember = try await handlers.assign(context)
            assignments = joined.members.map { member in
                .init(memberId: member.memberId, assignment: byMember[member.memberId] ?? ByteBuffer())
            }
        }
        let request = SyncGroupRequest(
            groupId: configuration.groupId, generationId: joined.generationId, memberId: joined.memberId,
            groupInstanceId: configuration.groupInstanceId, protocolType: configuration.protocolType,
            protocolName: newGeneration.protocolName, assignments: assignments)
        let response = try await sendToCoordinator(request)
        let code = ErrorCode(rawValue: response.errorCode)
        let context = "syncing group \(configuration.groupId)"
        switch code {
        case .none:
            generation = newGeneration
            rejoinNeeded = false
            lastHeartbeatSuccess = .now
            if isStopping { return }
            if await handlers.joined(newGeneration, response.assignment) {
                requestRejoin(reason: "partitions were revoked and can now be reassigned")
            }
        case .rebalanceInProgress:
            requestRejoin(reason: "a rebalance started during sync")
        case .illegalGeneration:
            await membershipLost(KafkaError(kind: .broker, code: code, context: context), resetMemberId: false)
        case .unknownMemberId:
            await membershipLost(KafkaError(kind: .broker, code: code, context: context), resetMemberId: true)
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            coordinatorFailed()
        default:
            throw KafkaError(kind: .broker, code: code, context: context)
        }
    }

    /// Runs JoinGroup until it yields a generation; nil when the loop should start over
    /// (coordinator moved, stopping).
    private func join(protocols: [GroupProtocol]) async throws(KafkaError) -> JoinGroupResponse? {
        let context = "joining group \(configuration.groupId)"
        for _ in 0..<Self.joinAttemptsMax {
            if isStopping { return nil }
            let request = JoinGroupRequest(
                groupId: configuration.groupId, sessionTimeoutMs: configuration.sessionTimeoutMilliseconds,
                rebalanceTimeoutMs: configuration.rebalanceTimeoutMilliseconds, memberId: memberId,
                groupInstanceId: configuration.groupInstanceId, protocolType: configuration.protocolType,
                protocols: protocols.map { .init(name: $0.name, metadata: $0.metadata) }, reason: rejoinReason)
            let response = try await sendToCoordinator(request)
            let code = ErrorCode(rawValue: response.errorCode)
            switch code {
            case .none:
                memberId = response.memberId
                return response
            case .memberIdRequired:
                // KIP-394: the coordinator hands out the id and expects the join again with it.
                memberId = response.memberId
            case .unknownMemberId:
                memberId = ""
            case .rebalanceInProgress, .coordinatorLoadInProgress:
                await pause(milliseconds: configuration.retryBackoffMilliseconds)
            case .notCoordinator, .coordinatorNotAvailable:
                coordinatorFailed()
                return nil
            default:
                // FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT, ...
                throw KafkaError(kind: .broker, code: code, context: context, isRetriable: false)
            }
        }
        throw KafkaError(kind: .broker, code: .rebalanceInProgress, context: context, detail: "no generation after \(Self.joinAttemptsMax) attempts")
    }

    // MARK: Interruptible sleep

    /// Sleeps up to `milliseconds`; `requestRejoin` and `close` end the sleep early.
    private func pause(milliseconds: Int64) async {
        guard !isStopping else { return }
        nextSleepTicket += 1
        let ticket = nextSleepTicket
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            sleeper = (ticket, continuation)
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(milliseconds))
                await self?.wake(ticket: ticket)
            }
        }
    }

    /// Ends the current sleep (only the one with `ticket` when given).
    private func wake(ticket: Int?) {
        guard let current = sleeper, ticket == nil || current.ticket == ticket else { return }
        sleeper = nil
        current.continuation.resume()
    }
}
