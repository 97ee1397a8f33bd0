// Kafka error codes that the group coordinator answers with.
//
// The numbers mirror Kafka's `Errors` enum so the broker can copy them onto the wire unchanged.
// This target depends on nothing but the standard library, so it keeps its own small list
// instead of importing the protocol module. It is an extensible struct (not an enum) so that
// adding a code later breaks no exhaustive `switch` in callers.

/// A Kafka error code as answered by the group coordinator.
public struct GroupErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public static let none = GroupErrorCode(rawValue: 0)
    public static let unknownTopicOrPartition = GroupErrorCode(rawValue: 3)
    public static let offsetMetadataTooLarge = GroupErrorCode(rawValue: 12)
    public static let coordinatorNotAvailable = GroupErrorCode(rawValue: 15)
    public static let illegalGeneration = GroupErrorCode(rawValue: 22)
    public static let inconsistentGroupProtocol = GroupErrorCode(rawValue: 23)
    public static let invalidGroupId = GroupErrorCode(rawValue: 24)
    public static let unknownMemberId = GroupErrorCode(rawValue: 25)
    public static let invalidSessionTimeout = GroupErrorCode(rawValue: 26)
    public static let rebalanceInProgress = GroupErrorCode(rawValue: 27)
    public static let nonEmptyGroup = GroupErrorCode(rawValue: 68)
    public static let groupIdNotFound = GroupErrorCode(rawValue: 69)
    public static let memberIdRequired = GroupErrorCode(rawValue: 79)
    public static let groupMaxSizeReached = GroupErrorCode(rawValue: 81)
    public static let fencedInstanceId = GroupErrorCode(rawValue: 82)
    public static let groupSubscribedToTopic = GroupErrorCode(rawValue: 86)

    /// Kafka's name for the code (`UNKNOWN_MEMBER_ID`), or `ERROR_<n>` for codes not listed here.
    public var description: String {
        switch rawValue {
        case 0: return "NONE"
        case 3: return "UNKNOWN_TOPIC_OR_PARTITION"
        case 12: return "OFFSET_METADATA_TOO_LARGE"
        case 15: return "COORDINATOR_NOT_AVAILABLE"
        case 22: return "ILLEGAL_GENERATION"
        case 23: return "INCONSISTENT_GROUP_PROTOCOL"
        case 24: return "INVALID_GROUP_ID"
        case 25: return "UNKNOWN_MEMBER_ID"
        case 26: return "INVALID_SESSION_TIMEOUT"
        case 27: return "REBALANCE_IN_PROGRESS"
        case 68: return "NON_EMPTY_GROUP"
        case 69: return "GROUP_ID_NOT_FOUND"
        case 79: return "MEMBER_ID_REQUIRED"
        case 81: return "GROUP_MAX_SIZE_REACHED"
        case 82: return "FENCED_INSTANCE_ID"
        case 86: return "GROUP_SUBSCRIBED_TO_TOPIC"
        default: return "ERROR_\(rawValue)"
        }
    }
}
