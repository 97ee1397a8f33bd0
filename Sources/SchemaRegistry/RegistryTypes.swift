// Small value types shared by the record codec and the state machine: schema types,
// compatibility levels, modes, references and version selectors. Level and mode names are
// parsed case-insensitively, as Confluent's CompatibilityLevel.forName and Mode do.

/// AVRO, JSON or PROTOBUF; an extensible struct so an unknown type read from the log survives.
public struct SchemaType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let avro = SchemaType(rawValue: "AVRO")
    public static let json = SchemaType(rawValue: "JSON")
    public static let protobuf = SchemaType(rawValue: "PROTOBUF")
    /// Types this registry can parse and check (what GET /schemas/types answers).
    public static let supported: [SchemaType] = [.json, .avro]

    /// Upper-cases the name; absent means AVRO (RegisterSchemaRequest's default).
    public init(name: String?) { self.init(rawValue: (name ?? "AVRO").uppercased()) }
}

public enum CompatibilityLevel: String, Sendable, Hashable, CaseIterable {
    case none = "NONE"
    case backward = "BACKWARD"
    case backwardTransitive = "BACKWARD_TRANSITIVE"
    case forward = "FORWARD"
    case forwardTransitive = "FORWARD_TRANSITIVE"
    case full = "FULL"
    case fullTransitive = "FULL_TRANSITIVE"

    /// Confluent's COMPATIBILITY_DEFAULT.
    public static let defaultLevel = CompatibilityLevel.backward

    public static func parse(_ name: String) -> Result<CompatibilityLevel, RegistryError> {
        guard let level = CompatibilityLevel(rawValue: name.uppercased()) else {
            return .failure(.invalidCompatibilityLevel(name))
        }
        return .success(level)
    }

    public var isTransitive: Bool { self == .backwardTransitive || self == .forwardTransitive || self == .fullTransitive }
}

public enum RegistryMode: String, Sendable, Hashable, CaseIterable {
    case readWrite = "READWRITE"
    case readOnly = "READONLY"
    case readOnlyOverride = "READONLY_OVERRIDE"
    case importing = "IMPORT"

    public static let defaultMode = RegistryMode.readWrite

    public static func parse(_ name: String) -> Result<RegistryMode, RegistryError> {
        guard let mode = RegistryMode(rawValue: name.uppercased()) else { return .failure(.invalidMode(name)) }
        return .success(mode)
    }

    var refusesWrites: Bool { self == .readOnly || self == .readOnlyOverride }
}

/// `{"name": "...", "subject": "...", "version": n}`: a named dependency on another subject's version.
public struct SchemaReference: Sendable, Hashable {
    public var name: String
    public var subject: String
    public var version: Int

    public init(name: String, subject: String, version: Int) {
        self.name = name
        self.subject = subject
        self.version = version
    }
}

/// A version path segment: a number in 1...2^31-1, or "latest" (also spelled -1).
public enum VersionSelector: Sendable, Hashable {
    case latest
    case number(Int)

    public static let versionMax = Int(Int32.max)

    public static func parse(_ text: String) -> Result<VersionSelector, RegistryError> {
        if text.lowercased() == "latest" || text == "-1" { return .success(.latest) }
        guard let number = Int(text), number >= 1, number <= versionMax else { return .failure(.invalidVersion(text)) }
        return .success(.number(number))
    }
}
