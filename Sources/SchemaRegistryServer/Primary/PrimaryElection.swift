// PrimaryElection: several registry instances agree on one primary, the only one that writes to
// `_schemas`, through Kafka's classic group protocol (as Confluent and Karapace do). Each
// instance joins the group `groupId` with protocol type "sr"; its member metadata carries its
// URL and whether it may be primary. The group leader (chosen by the broker) picks the primary
// — the current one while it is still a member and eligible, else the eligible member with the
// smallest URL — and hands every member the choice in SyncGroup. Heartbeats keep membership;
// a rebalance (an instance came or went) runs the choice again.
//
// `PrimaryChoice` is the pure part (metadata and assignment encoding, the choice itself); the
// `PrimaryElection` actor does the I/O on its own KafkaClient, because a JoinGroup parks on
// the coordinator until the rebalance completes and would hold up any request behind it.
import Foundation
import JSON
import KafkaClient
import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Who the primary is, as this instance last learnt it.
public struct PrimaryStatus: Sendable, Equatable {
    /// The primary's URL; nil while no eligible instance is known.
    public var primaryURL: String?
    public var isPrimary: Bool
    public var generation: Int32
}

enum PrimaryChoice {
    static let protocolType = "sr"
    static let protocolName = "v0"

    struct Member: Equatable {
        var memberId: String
        var url: String
        var isEligible: Bool
    }

    static func metadata(url: String, isEligible: Bool) -> ByteBuffer {
        ByteBuffer(string: JSONValue.object(JSONObject([
            ("version", .integer(1)), ("url", .string(url)), ("eligible", .bool(isEligible)),
        ])).serialized())
    }

    static func member(_ memberId: String, metadata: ByteBuffer) -> Member? {
        guard case .object(let object)? = try? JSONValue.parse(metadata.readableBytesView),
            let url = object["url"]?.stringValue
        else { return nil }
        return Member(memberId: memberId, url: url, isEligible: object["eligible"]?.boolValue ?? false)
    }

    /// The current primary while it is still an eligible member, else the eligible member
    /// with the smallest URL (member id breaks ties); nil when no member is eligible.
    static func choose(_ members: [Member], currentPrimaryURL: String?) -> Member? {
        let eligible = members.filter(\.isEligible)
        if let currentPrimaryURL, let current = eligible.first(where: { $0.url == currentPrimaryURL }) { return current }
        return eligible.min { ($0.url, $0.memberId) < ($1.url, $1.memberId) }
    }

    static func assignment(primary: Member?, generation: Int32) -> ByteBuffer {
        var object = JSONObject([("version", .integer(1)), ("generation", .integer(Int64(generation)))])
        if let primary {
            object["primaryUrl"] = .string(primary.url)
            object["primaryMemberId"] = .string(primary.memberId)
        }
        return ByteBuffer(string: JSONValue.object(object).serialized())
    }

    /// (primary URL, primary member id) from an assignment; nil URL when none was chosen.
    static func decodeAssignment(_ buffer: ByteBuffer) -> (url: String?, memberId: String?)? {
        guard case .object(let object)? = try? JSONValue.parse(buffer.readableBytesView) else { return nil }
        return (object["primaryUrl"]?.stringValue, object["primaryMemberId"]?.stringValue)
    }
}

public actor PrimaryElection {
    public struct Configuration: Sendable {
        public var groupId: String
        public var url: String
        public var isEligible: Bool
        /// How long the coordinator waits for heartbeats before dropping this member.
        public var sessionTimeoutMilliseconds: Int32
        public var rebalanceTimeoutMilliseconds: Int32
        public var heartbeatIntervalMilliseconds: Int64
        /// Pause before retrying after an error.
        public var retryMilliseconds: Int64

        public init(
            groupId: String, url: String, isEligible: Bool = true, sessionTimeoutMilliseconds: Int32 = 10_000,
            rebalanceTimeoutMilliseconds: Int32 = 10_000, heartbeatIntervalMilliseconds: Int64 = 1_000,
            retryMilliseconds: Int64 = 500
        ) {
            self.groupId = groupId
            self.url = url
            self.isEligible = isEligible
            self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
            self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
            self.heartbeatIntervalMilliseconds = max(1, heartbeatIntervalMilliseconds)
            self.retryMilliseconds = max(1, retryMilliseconds)
        }
    }

    public nonisolated let configuration: Configuration
    private let client: KafkaClient
    /// Another client for LeaveGroup: this election's own connection may be parked in a JoinGroup.
    private let controlClient: KafkaClient
    private nonisolated let current = NIOLockedValueBox(PrimaryStatus(primaryURL: nil, isPrimary: false, generation: -1))
    /// Called (outside the lock) when this instance becomes the primary, before it says so:
    /// the store catches up on records the previous primary wrote.
    private let onPromotion: @Sendable () async -> Void
    private var loop: Task<Void, Never>?
    private var memberId = ""
    private var statusWaiters: [CheckedContinuation<Void, Never>] = []

    public init(
        configuration: Configuration, client: KafkaClient, controlClient: KafkaClient,
        onPromotion: @escaping @Sendable () async -> Void = {}
    ) {
        self.configuration = configuration
        self.client = client
        self.controlClient = controlClient
        self.onPromotion = onPromotion
    }

    /// The latest result of the election (no actor hop: read on every write request).
    public nonisolated var status: PrimaryStatus { current.withLockedValue { $0 } }

    /// Starts taking part; returns once a first result is known or `waitMilliseconds` passed.
    public func start(waitMilliseconds: Int64) async {
        guard loop == nil else { return }
        loop = Task { await self.run() }
        if status.generation >= 0 { return }
        let timeout = Task {
            try? await Task.sleep(for: .milliseconds(waitMilliseconds))
            self.releaseStatusWaiters()
        }
        await withCheckedContinuation { statusWaiters.append($0) }
        timeout.cancel()
    }

    /// Leaves the group (so the others elect again at once), closes this election's client and stops.
    public func stop() async {
        loop?.cancel()
        let leaving = memberId
        if !leaving.isEmpty, let coordinator = try? await KafkaAdmin(client: controlClient).findCoordinator(group: configuration.groupId) {
            let request = LeaveGroupRequest(
                groupId: configuration.groupId, memberId: leaving, members: [.init(memberId: leaving, reason: "shutting down")])
            _ = try? await controlClient.send(request, toBroker: coordinator)
        }
        await client.shutdown()
        _ = await loop?.value
        loop = nil
        memberId = ""
        publish(PrimaryStatus(primaryURL: nil, isPrimary: false, generation: -1))
        releaseStatusWaiters()
    }

    private func releaseStatusWaiters() {
        for waiter in statusWaiters { waiter.resume() }
        statusWaiters.removeAll()
    }

    private func publish(_ status: PrimaryStatus) {
        current.withLockedValue { $0 = status }
    }

    // MARK: Membership loop

    private func run() async {
        while !Task.isCancelled {
            do {
                let coordinator = try await KafkaAdmin(client: client).findCoordinator(group: configuration.groupId)
                let generation = try await join(coordinator: coordinator)
                releaseStatusWaiters()
                try await heartbeat(coordinator: coordinator, generation: generation)
            } catch {
                if error.code == .unknownMemberId || error.code == .illegalGeneration || error.code == .fencedInstanceId {
                    memberId = ""
                }
                if error.code != .rebalanceInProgress {
                    try? await Task.sleep(for: .milliseconds(configuration.retryMilliseconds))
                }
            }
        }
    }

    /// JoinGroup then SyncGroup; publishes the primary and returns the generation joined.
    private func join(coordinator: Int32) async throws(KafkaError) -> Int32 {
        let groupId = configuration.groupId
        var joined: JoinGroupResponse
        while true {
            let request = JoinGroupRequest(
                groupId: groupId, sessionTimeoutMs: configuration.sessionTimeoutMilliseconds,
                rebalanceTimeoutMs: configuration.rebalanceTimeoutMilliseconds, memberId: memberId,
                protocolType: PrimaryChoice.protocolType,
                protocols: [.init(name: PrimaryChoice.protocolName, metadata: PrimaryChoice.metadata(
                    url: configuration.url, isEligible: configuration.isEligible))])
            joined = try await client.send(request, toBroker: coordinator)
            let code = ErrorCode(rawValue: joined.errorCode)
            if code == .memberIdRequired {
                memberId = joined.memberId
                continue
            }
            if let error = KafkaError.broker(code, context: "joining group \(groupId)") { throw error }
            break
        }
        memberId = joined.memberId
        var assignments: [SyncGroupRequest.SyncGroupRequestAssignment] = []
        if joined.leader == joined.memberId {
            let members = joined.members.compactMap { PrimaryChoice.member($0.memberId, metadata: $0.metadata) }
            let primary = PrimaryChoice.choose(members, currentPrimaryURL: status.primaryURL)
            let assignment = PrimaryChoice.assignment(primary: primary, generation: joined.generationId)
            assignments = joined.members.map { .init(memberId: $0.memberId, assignment: assignment) }
        }
        let sync = SyncGroupRequest(
            groupId: groupId, generationId: joined.generationId, memberId: memberId, protocolType: PrimaryChoice.protocolType,
            protocolName: PrimaryChoice.protocolName, assignments: assignments)
        let synced = try await client.send(sync, toBroker: coordinator)
        if let error = KafkaError.broker(ErrorCode(rawValue: synced.errorCode), context: "syncing group \(groupId)") { throw error }
        let decoded = PrimaryChoice.decodeAssignment(synced.assignment)
        let isPrimary = decoded?.memberId == memberId && decoded?.memberId != nil
        if isPrimary && !status.isPrimary { await onPromotion() }
        publish(PrimaryStatus(primaryURL: decoded?.url, isPrimary: isPrimary, generation: joined.generationId))
        return joined.generationId
    }

    /// Heartbeats until the group rebalances or an error says to rejoin (thrown).
    private func heartbeat(coordinator: Int32, generation: Int32) async throws(KafkaError) {
        while true {
            do {
                try await Task.sleep(for: .milliseconds(configuration.heartbeatIntervalMilliseconds))
            } catch {
                throw KafkaError(kind: .shutDown, context: "heartbeating group \(configuration.groupId)")
            }
            let request = HeartbeatRequest(groupId: configuration.groupId, generationId: generation, memberId: memberId)
            let response = try await client.send(request, toBroker: coordinator)
            if let error = KafkaError.broker(ErrorCode(rawValue: response.errorCode), context: "heartbeating group \(configuration.groupId)") {
                throw error
            }
        }
    }
}
