// SchemaRegistryRecord: the key/value JSON Confluent Schema Registry writes to `_schemas`
// (storage/SchemaKey.java, ConfigKey.java, ModeKey.java, NoopKey.java, SchemaValue.java...).
// Keys must be byte-identical to Confluent's — property order keytype, subject, version, magic and
// no spaces — because log compaction keys on bytes: a key spelled differently would never replace
// or tombstone the earlier record. Values are decoded tolerantly: fields we do not model
// (metadata, ruleSet, md5, normalize...) are kept in `extra` and written back unchanged.
import JSONSchema

public enum SchemaRegistryRecordKey: Sendable, Hashable {
    case schema(subject: String, version: Int)
    /// nil subject = the global config.
    case config(subject: String?)
    case mode(subject: String?)
    case deleteSubject(subject: String)
    case clearSubject(subject: String)
    case noop

    public var keyType: String {
        switch self {
        case .schema: return "SCHEMA"
        case .config: return "CONFIG"
        case .mode: return "MODE"
        case .deleteSubject: return "DELETE_SUBJECT"
        case .clearSubject: return "CLEAR_SUBJECT"
        case .noop: return "NOOP"
        }
    }

    /// The exact key text Confluent writes.
    public var text: String {
        func subjectJSON(_ subject: String?) -> String { subject.map { JSONValue.string($0).serialized() } ?? "null" }
        switch self {
        case .schema(let subject, let version):
            return "{\"keytype\":\"SCHEMA\",\"subject\":\(subjectJSON(subject)),\"version\":\(version),\"magic\":1}"
        case .config(let subject), .mode(let subject):
            return "{\"keytype\":\"\(keyType)\",\"subject\":\(subjectJSON(subject)),\"magic\":0}"
        case .deleteSubject(let subject), .clearSubject(let subject):
            return "{\"keytype\":\"\(keyType)\",\"subject\":\(subjectJSON(subject)),\"magic\":0}"
        case .noop:
            return "{\"keytype\":\"NOOP\",\"magic\":0}"
        }
    }

    public var bytes: [UInt8] { Array(text.utf8) }

    /// Decodes any key order and spacing (keys written by other tools), but `text` always
    /// re-encodes in Confluent's form.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<SchemaRegistryRecordKey, SchemaRegistryRecordError> {
        guard case .object(let object)? = try? JSONValue.parse(bytes) else { return .failure(.malformedKey("not a JSON object")) }
        guard let keyType = object["keytype"]?.stringValue else { return .failure(.malformedKey("no keytype")) }
        let subject = object["subject"]?.stringValue
        switch keyType {
        case "SCHEMA":
            guard let subject, case .integer(let version)? = object["version"] else {
                return .failure(.malformedKey("SCHEMA key needs subject and version"))
            }
            return .success(.schema(subject: subject, version: Int(version)))
        case "CONFIG": return .success(.config(subject: subject))
        case "MODE": return .success(.mode(subject: subject))
        case "DELETE_SUBJECT", "CLEAR_SUBJECT":
            guard let subject else { return .failure(.malformedKey("\(keyType) key needs a subject")) }
            return .success(keyType == "DELETE_SUBJECT" ? .deleteSubject(subject: subject) : .clearSubject(subject: subject))
        case "NOOP": return .success(.noop)
        default: return .failure(.unknownKeyType(keyType))
        }
    }
}

public enum SchemaRegistryRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformedKey(String)
    case malformedValue(keyType: String, reason: String)
    /// CONTEXT, ASSOC and future key types: the caller should skip such records, not stop.
    case unknownKeyType(String)

    public var description: String {
        switch self {
        case .malformedKey(let reason): return "malformed _schemas key: \(reason)"
        case .malformedValue(let keyType, let reason): return "malformed \(keyType) value: \(reason)"
        case .unknownKeyType(let keyType): return "unknown _schemas key type \(keyType)"
        }
    }
}

/// A SCHEMA value: one version of a subject.
public struct SchemaValue: Sendable, Equatable {
    public var subject: String
    public var version: Int
    public var id: Int
    public var schema: String
    public var deleted: Bool
    public var schemaType: SchemaType
    public var references: [SchemaReference]
    /// Fields not modelled here (md5, metadata, ruleSet...), in document order.
    public var extra: JSONObject

    public init(
        subject: String, version: Int, id: Int, schema: String, deleted: Bool = false, schemaType: SchemaType = .avro,
        references: [SchemaReference] = [], extra: JSONObject = JSONObject()
    ) {
        self.subject = subject
        self.version = version
        self.id = id
        self.schema = schema
        self.deleted = deleted
        self.schemaType = schemaType
        self.references = references
        self.extra = extra
    }
}

public struct ConfigValue: Sendable, Equatable {
    public var compatibilityLevel: CompatibilityLevel
    public var extra: JSONObject
    public init(compatibilityLevel: CompatibilityLevel, extra: JSONObject = JSONObject()) {
        self.compatibilityLevel = compatibilityLevel
        self.extra = extra
    }
}

public enum SchemaRegistryRecordValue: Sendable, Equatable {
    case schema(SchemaValue)
    case config(ConfigValue)
    case mode(RegistryMode)
    /// Soft-deletes every version ≤ `version` of `subject`.
    case deleteSubject(subject: String, version: Int)
    case clearSubject(subject: String)
    /// A NOOP's value: `{"maxId": n}`, the largest schema id ever allocated. Confluent writes
    /// NOOPs with a null value; Brook writes this instead so that, once compaction has removed
    /// a permanently deleted schema and its tombstone, a replay still knows the id was used and
    /// never hands it out again (compaction keeps the latest NOOP, which carries the mark).
    case noop(idHighWaterMark: Int)
}

public struct SchemaRegistryRecord: Sendable, Equatable {
    public var key: SchemaRegistryRecordKey
    /// nil = tombstone (permanent delete of a version, removal of a config or mode).
    public var value: SchemaRegistryRecordValue?

    public init(key: SchemaRegistryRecordKey, value: SchemaRegistryRecordValue?) {
        self.key = key
        self.value = value
    }

    public static func tombstone(_ key: SchemaRegistryRecordKey) -> SchemaRegistryRecord {
        SchemaRegistryRecord(key: key, value: nil)
    }

    public var keyBytes: [UInt8] { key.bytes }

    /// The value bytes to produce; nil for a tombstone.
    public var valueBytes: [UInt8]? { valueText.map { Array($0.utf8) } }

    public var valueText: String? {
        guard let value else { return nil }
        return JSONValue.object(Self.encode(value)).serialized()
    }

    static func encode(_ value: SchemaRegistryRecordValue) -> JSONObject {
        var object = JSONObject()
        switch value {
        case .schema(let schema):
            object["subject"] = .string(schema.subject)
            object["version"] = .integer(Int64(schema.version))
            object["id"] = .integer(Int64(schema.id))
            object["schema"] = .string(schema.schema)
            object["deleted"] = .bool(schema.deleted)
            if schema.schemaType != .avro { object["schemaType"] = .string(schema.schemaType.rawValue) }
            if !schema.references.isEmpty { object["references"] = .array(schema.references.map(encodeReference)) }
            append(schema.extra, to: &object)
        case .config(let config):
            object["compatibilityLevel"] = .string(config.compatibilityLevel.rawValue)
            append(config.extra, to: &object)
        case .mode(let mode):
            object["mode"] = .string(mode.rawValue)
        case .deleteSubject(let subject, let version):
            object["subject"] = .string(subject)
            object["version"] = .integer(Int64(version))
        case .clearSubject(let subject):
            object["subject"] = .string(subject)
        case .noop(let idHighWaterMark):
            object["maxId"] = .integer(Int64(idHighWaterMark))
        }
        return object
    }

    /// `{"name", "subject", "version"}`: a reference as the `_schemas` records and the REST API write it.
    public static func encodeReference(_ reference: SchemaReference) -> JSONValue {
        .object(JSONObject([
            ("name", .string(reference.name)), ("subject", .string(reference.subject)),
            ("version", .integer(Int64(reference.version))),
        ]))
    }

    private static func append(_ extra: JSONObject, to object: inout JSONObject) {
        for member in extra.members where object[member.key] == nil { object[member.key] = member.value }
    }

    /// Decodes a record as read from the topic. A NOOP's value is kept only when it is Brook's
    /// `{"maxId": n}`; anything else there (Confluent writes null) is ignored.
    public static func decode(key keyBytes: some Collection<UInt8>, value valueBytes: (some Collection<UInt8>)?)
        -> Result<SchemaRegistryRecord, SchemaRegistryRecordError>
    {
        let key: SchemaRegistryRecordKey
        switch SchemaRegistryRecordKey.decode(keyBytes) {
        case .success(let decoded): key = decoded
        case .failure(let error): return .failure(error)
        }
        guard let valueBytes else { return .success(SchemaRegistryRecord(key: key, value: nil)) }
        if key == .noop {
            guard case .object(let object)? = try? JSONValue.parse(valueBytes), case .integer(let mark)? = object["maxId"],
                mark >= 0, mark <= Int64(Int32.max)
            else { return .success(SchemaRegistryRecord(key: key, value: nil)) }
            return .success(SchemaRegistryRecord(key: key, value: .noop(idHighWaterMark: Int(mark))))
        }
        guard case .object(let object)? = try? JSONValue.parse(valueBytes) else {
            return .failure(.malformedValue(keyType: key.keyType, reason: "not a JSON object"))
        }
        return decodeValue(object, key: key).map { SchemaRegistryRecord(key: key, value: $0) }
    }

    static func decodeValue(_ object: JSONObject, key: SchemaRegistryRecordKey)
        -> Result<SchemaRegistryRecordValue, SchemaRegistryRecordError>
    {
        func failure(_ reason: String) -> Result<SchemaRegistryRecordValue, SchemaRegistryRecordError> {
            .failure(.malformedValue(keyType: key.keyType, reason: reason))
        }
        func integer(_ name: String) -> Int? {
            if case .integer(let value)? = object[name] { return Int(value) }
            return nil
        }
        var extra = object
        switch key {
        case .schema(let keySubject, let keyVersion):
            guard let schema = object["schema"]?.stringValue, let id = integer("id") else {
                return failure("SCHEMA value needs schema and id")
            }
            var references: [SchemaReference] = []
            for element in object["references"]?.arrayValue ?? [] {
                guard let name = element["name"]?.stringValue, let subject = element["subject"]?.stringValue,
                    case .integer(let version)? = element["version"]
                else { return failure("reference needs name, subject and version") }
                references.append(SchemaReference(name: name, subject: subject, version: Int(version)))
            }
            for known in ["subject", "version", "id", "schema", "deleted", "schemaType", "references"] { extra[known] = nil }
            return .success(.schema(SchemaValue(
                subject: object["subject"]?.stringValue ?? keySubject, version: integer("version") ?? keyVersion, id: id,
                schema: schema, deleted: object["deleted"]?.boolValue ?? false,
                schemaType: SchemaType(name: object["schemaType"]?.stringValue), references: references, extra: extra)))
        case .config:
            guard let name = object["compatibilityLevel"]?.stringValue ?? object["compatibility"]?.stringValue,
                case .success(let level) = CompatibilityLevel.parse(name)
            else { return failure("CONFIG value needs a valid compatibilityLevel") }
            extra["compatibilityLevel"] = nil
            extra["compatibility"] = nil
            return .success(.config(ConfigValue(compatibilityLevel: level, extra: extra)))
        case .mode:
            guard let name = object["mode"]?.stringValue, case .success(let mode) = RegistryMode.parse(name) else {
                return failure("MODE value needs a valid mode")
            }
            return .success(.mode(mode))
        case .deleteSubject(let keySubject):
            guard let version = integer("version") else { return failure("DELETE_SUBJECT value needs version") }
            return .success(.deleteSubject(subject: object["subject"]?.stringValue ?? keySubject, version: version))
        case .clearSubject(let keySubject):
            return .success(.clearSubject(subject: object["subject"]?.stringValue ?? keySubject))
        case .noop:
            return failure("NOOP has no value")
        }
    }
}
