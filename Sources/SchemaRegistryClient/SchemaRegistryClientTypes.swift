// The values the registry client sends and receives, in Swift shapes: a schema with its type and
// references, a subject's version of it, compatibility verdicts and configs. Shared vocabulary
// (SchemaType, CompatibilityLevel, RegistryMode, SchemaReference, VersionSelector) comes from the
// SchemaRegistry core so a client and a server in one process speak the same types.
import JSON
import SchemaRegistry

/// A schema as registered: its text, type and references, plus the data-contract fields
/// (`metadata`, `ruleSet`) that this client does not interpret but must carry through unchanged.
public struct RegistrySchema: Sendable, Equatable {
    public var schema: String
    public var schemaType: SchemaType
    public var references: [SchemaReference]
    public var metadata: JSONValue?
    public var ruleSet: JSONValue?

    public init(
        schema: String, schemaType: SchemaType = .avro, references: [SchemaReference] = [],
        metadata: JSONValue? = nil, ruleSet: JSONValue? = nil
    ) {
        self.schema = schema
        self.schemaType = schemaType
        self.references = references
        self.metadata = metadata
        self.ruleSet = ruleSet
    }
}

/// One version of a subject: `GET /subjects/{s}/versions/{v}` and lookup answers.
public struct SubjectSchema: Sendable, Equatable {
    public var subject: String
    public var version: Int
    public var id: Int
    public var schema: RegistrySchema
    /// Set when the registry says (answers read with `deleted=true` may include soft-deleted versions).
    public var isDeleted: Bool?

    public init(subject: String, version: Int, id: Int, schema: RegistrySchema, isDeleted: Bool? = nil) {
        self.subject = subject
        self.version = version
        self.id = id
        self.schema = schema
        self.isDeleted = isDeleted
    }
}

/// A (subject, version) pair, as `GET /schemas/ids/{id}/versions` lists them.
public struct SubjectVersion: Sendable, Hashable {
    public var subject: String
    public var version: Int

    public init(subject: String, version: Int) {
        self.subject = subject
        self.version = version
    }
}

/// What `POST /subjects/{s}/versions` answered: always the id; newer registries add the version.
public struct SchemaRegistration: Sendable, Equatable {
    public var id: Int
    public var version: Int?
}

/// The verdict of `POST /compatibility/...`; `messages` is filled when asked with `verbose`.
public struct CompatibilityCheckResult: Sendable, Equatable {
    public var isCompatible: Bool
    public var messages: [String]

    public init(isCompatible: Bool, messages: [String] = []) {
        self.isCompatible = isCompatible
        self.messages = messages
    }
}

/// A subject's or the global config (`GET /config[/{s}]`).
public struct RegistryConfig: Sendable, Equatable {
    public var compatibilityLevel: CompatibilityLevel
    /// Whether the registry normalizes schemas on registration, when it says.
    public var normalize: Bool?

    public init(compatibilityLevel: CompatibilityLevel, normalize: Bool? = nil) {
        self.compatibilityLevel = compatibilityLevel
        self.normalize = normalize
    }
}

/// Which subjects `subjects(...)` lists.
public enum SubjectListing: Sendable, Hashable {
    /// Subjects with at least one live version (the default).
    case live
    /// Live and soft-deleted subjects (`deleted=true`).
    case includingDeleted
    /// Only soft-deleted ones (`deletedOnly=true`).
    case deletedOnly
}
