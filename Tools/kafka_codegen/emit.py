"""Emitting Swift: the indenting writer, struct bodies, message files and the ApiKey tables."""

from .constants import BANNER
from .spec import condition, lower_camel, swift_identifier
from .swift_types import default_expression, read_expression, swift_string_literal, swift_type, write_statement


# ---------------------------------------------------------------------------------------------
# Swift emission


class Writer:
    def __init__(self):
        self.lines = []
        self.depth = 0

    def line(self, text=""):
        self.lines.append(("    " * self.depth + text) if text else "")

    def open(self, text):
        self.line(text + " {")
        self.depth += 1

    def close_and_open(self, text):
        """`} else {` on one line."""
        self.depth -= 1
        self.line("} " + text + " {")
        self.depth += 1

    def close(self, suffix=""):
        self.depth -= 1
        self.line("}" + suffix)

    def text(self):
        return "\n".join(self.lines) + "\n"


def doc_comment(writer, text):
    text = " ".join(str(text).split())
    if not text:
        return
    words = text.split(" ")
    current = ""
    for word in words:
        if current and len(current) + len(word) + 1 > 96:
            writer.line("/// " + current)
            current = word
        else:
            current = (current + " " + word) if current else word
    if current:
        writer.line("/// " + current)


def nullable_condition(field, context):
    """Condition for the nullable encoding of `field` within `context` versions."""
    if field.type.text == "records" and field.nullable_versions.empty:
        return "false"
    if field.nullable_versions.empty:
        return "false"
    present = field.versions.intersect(context)
    if field.nullable_versions.covers(present):
        return None
    return condition(field.nullable_versions, context)


def emit_guarded(writer, guard, statements):
    if guard == "false":
        return
    if guard is None:
        for statement in statements:
            writer.line(statement)
        return
    writer.open("if %s" % guard)
    for statement in statements:
        writer.line(statement)
    writer.close()


def emit_read_field(writer, field, context, buffer, target):
    null_guard = nullable_condition(field, context)
    if null_guard is None:
        writer.line("%s = %s" % (target, read_expression(field, buffer, True)))
    elif null_guard == "false":
        writer.line("%s = %s" % (target, read_expression(field, buffer, False)))
    else:
        writer.open("if %s" % null_guard)
        writer.line("%s = %s" % (target, read_expression(field, buffer, True)))
        writer.close_and_open("else")
        writer.line("%s = %s" % (target, read_expression(field, buffer, False)))
        writer.close()


def emit_write_field(writer, field, context, buffer, value):
    null_guard = nullable_condition(field, context)
    if null_guard is None:
        writer.line(write_statement(field, value, buffer, True))
    elif null_guard == "false":
        writer.line(write_statement(field, value, buffer, False))
    else:
        writer.open("if %s" % null_guard)
        writer.line(write_statement(field, value, buffer, True))
        writer.close_and_open("else")
        writer.line(write_statement(field, value, buffer, False))
        writer.close()


def flexible_expression(message, context):
    if message.flexible_versions.empty:
        return "false"
    guard = condition(message.flexible_versions, context)
    if guard == "false":
        return "false"
    return "true" if guard is None else guard


def emit_struct_body(writer, message, struct, is_root):
    context = message.valid_versions
    fields = struct.fields
    regular = [f for f in fields if f.tag is None]
    tagged = sorted([f for f in fields if f.tag is not None], key=lambda f: f.tag)

    for field in fields:
        doc_comment(writer, field.about)
        writer.line("public var %s: %s" % (field.identifier, swift_type(field)))
    writer.line("/// Tagged fields this codec does not know, kept so re-encoding preserves them.")
    writer.line("public var unknownTaggedFields: [TaggedField] = []")
    writer.line()

    # Memberwise initializer: every parameter defaults like Kafka's generated classes.
    parameters = ["%s: %s = %s" % (f.identifier, swift_type(f), default_expression(f)) for f in fields]
    parameters.append("unknownTaggedFields: [TaggedField] = []")
    if len(parameters) == 1:
        writer.open("public init(%s)" % parameters[0])
    else:
        writer.line("public init(")
        for index, parameter in enumerate(parameters):
            writer.line("    " + parameter + ("," if index < len(parameters) - 1 else ""))
        writer.open(")")
    for field in fields:
        writer.line("self.%s = %s" % (field.identifier, field.identifier))
    writer.line("self.unknownTaggedFields = unknownTaggedFields")
    writer.close()
    writer.line()

    flexible = flexible_expression(message, context)

    # Decoder.
    body = Writer()
    body.depth = writer.depth + 1
    if is_root and message.kind in ("request", "response"):
        body.open("guard Self.validVersions.contains(version) else")
        body.line("throw KafkaProtocolError.unsupportedVersion(apiKey: Self.apiKey.rawValue, version: version)")
        body.close()
    body.line("self.init()")
    for field in regular:
        target = "self.%s" % field.identifier
        guard = condition(field.versions, context)
        if guard == "false":
            continue
        if guard is None:
            emit_read_field(body, field, context, "buffer", target)
        else:
            body.open("if %s" % guard)
            emit_read_field(body, field, context, "buffer", target)
            body.close()
    if flexible != "false":
        tag_what = swift_string_literal(struct.path + ".taggedFields")
        live_tags = [f for f in tagged if condition(f.versions, context) != "false"]
        body.open("if flexible" if flexible != "true" else "do")
        if not live_tags:
            body.line("self.unknownTaggedFields = try buffer.readKafkaUnknownTaggedFields(what: %s)" % tag_what)
        else:
            body.line("let taggedFieldCount = try buffer.readKafkaTaggedFieldCount(what: %s)" % tag_what)
            body.open("for _ in 0..<taggedFieldCount")
            body.line("let field = try buffer.readKafkaTaggedField(what: %s)" % tag_what)
            body.line("switch field.tag {")
            for field in live_tags:
                guard = condition(field.versions, context)
                body.line("case %d%s:" % (field.tag, "" if guard is None else " where " + guard))
                body.depth += 1
                body.line("var data = field.data")
                emit_read_field(body, field, context, "data", "self.%s" % field.identifier)
                body.depth -= 1
            body.line("default:")
            body.line("    self.unknownTaggedFields.append(field)")
            body.line("}")
            body.close()
        body.close()
    decode_lines = body.lines
    writer.open("public init(from buffer: inout ByteBuffer, version: Int16) throws")
    if any("flexible" in line for line in decode_lines):
        writer.line("let flexible = %s" % flexible)
    writer.lines.extend(decode_lines)
    writer.close()
    writer.line()

    # Encoder.
    body = Writer()
    body.depth = writer.depth + 1
    for field in regular:
        guard = condition(field.versions, context)
        if guard == "false":
            continue
        value = "self.%s" % field.identifier
        if guard is None:
            emit_write_field(body, field, context, "buffer", value)
        else:
            body.open("if %s" % guard)
            emit_write_field(body, field, context, "buffer", value)
            body.close()
    if flexible != "false":
        live_tags = [f for f in tagged if condition(f.versions, context) != "false"]
        body.open("if flexible" if flexible != "true" else "do")
        if not live_tags:
            body.line("buffer.writeUnsignedVarint(UInt32(truncatingIfNeeded: self.unknownTaggedFields.count))")
        else:
            body.line("var taggedFieldCount = self.unknownTaggedFields.count")
            for field in live_tags:
                guard = condition(field.versions, context)
                differs = "self.%s != %s" % (field.identifier, default_expression(field))
                # Default-valued tags are never written (Debian's librdkafka 2.0.2 chokes on them).
                body.line("let writes%s = %s%s" % (
                    field.name[0].upper() + field.name[1:], "" if guard is None else guard + " && ", differs))
                body.line("if writes%s { taggedFieldCount += 1 }" % (field.name[0].upper() + field.name[1:]))
            body.line("buffer.writeUnsignedVarint(UInt32(truncatingIfNeeded: taggedFieldCount))")
            for field in live_tags:
                body.open("if writes%s" % (field.name[0].upper() + field.name[1:]))
                body.open("buffer.writeKafkaTaggedField(tag: %d) { taggedBuffer in" % field.tag)
                # writeKafkaTaggedField's closure is not a statement block; emit its body inline.
                body.lines[-1] = body.lines[-1][:-2]
                emit_write_field(body, field, context, "taggedBuffer", "self.%s" % field.identifier)
                body.close()
                body.close()
        body.line("buffer.writeKafkaTaggedFields(self.unknownTaggedFields)")
        body.close()
    encode_lines = body.lines
    writer.open("public func encode(into buffer: inout ByteBuffer, version: Int16)")
    if any("flexible" in line for line in encode_lines):
        writer.line("let flexible = %s" % flexible)
    writer.lines.extend(encode_lines)
    writer.close()


def versions_literal(versions):
    return "%d...%d" % (versions.lowest, versions.highest)


def flexible_literal(message):
    if message.flexible_versions.empty:
        return "nil"
    return "%d..." % message.flexible_versions.lowest


def emit_message(writer, message, pair_name=None):
    about = {
        "request": "The %s request (API key %s)." % (pair_name, message.api_key),
        "response": "The %s response (API key %s)." % (pair_name, message.api_key),
        "data": "The %s data structure (versioned, no header)." % message.name,
    }[message.kind]
    doc_comment(writer, about)
    protocol = {"request": "KafkaRequest", "response": "KafkaResponse", "data": "KafkaMessage"}[message.kind]
    writer.open("public struct %s: %s, Equatable" % (message.name, protocol))
    if message.kind == "request":
        writer.line("public typealias Response = %sResponse" % pair_name)
    if message.kind in ("request", "response"):
        writer.line("public static let apiKey = ApiKey.%s" % lower_camel(pair_name))
    writer.line("public static let validVersions: ClosedRange<Int16> = %s" % versions_literal(message.valid_versions))
    writer.line("public static let flexibleVersions: PartialRangeFrom<Int16>? = %s" % flexible_literal(message))
    writer.line()
    emit_struct_body(writer, message, message.root, True)
    for struct in message.structs.values():
        writer.line()
        writer.open("public struct %s: Sendable, Equatable" % struct.name)
        emit_struct_body(writer, message, struct, False)
        writer.close()
    if message.kind == "data":
        writer.line()
        emit_data_prefix_helpers(writer, message)
    writer.close()


def emit_data_prefix_helpers(writer, message):
    writer.line("/// Reads the int16 version prefix and then the body. A version newer than this codec knows")
    writer.line("/// is read with the newest known layout, as Kafka does (fields are only ever appended).")
    writer.open("public static func decodeWithVersionPrefix(from buffer: inout ByteBuffer) throws -> (version: Int16, value: Self)")
    writer.line("let version = try buffer.readKafkaInteger(as: Int16.self, what: %s)" % swift_string_literal(message.name + ".version"))
    writer.open("guard version >= validVersions.lowerBound else")
    writer.line("throw KafkaProtocolError.unsupportedVersion(apiKey: -1, version: version)")
    writer.close()
    writer.line("let value = try Self(from: &buffer, version: min(version, validVersions.upperBound))")
    writer.line("return (version, value)")
    writer.close()
    writer.line()
    writer.line("/// Writes the int16 version prefix and then the body.")
    writer.open("public func encodeWithVersionPrefix(into buffer: inout ByteBuffer, version: Int16)")
    writer.line("buffer.writeInteger(version)")
    writer.line("encode(into: &buffer, version: version)")
    writer.close()


def file_header(description):
    return BANNER + "//\n// " + description + "\nimport NIOCore\n\n"


def generate_api_file(request, response, api):
    writer = Writer()
    emit_message(writer, request, api)
    writer.line()
    emit_message(writer, response, api)
    header = file_header("%s (API key %d): request and response bodies for every version." % (api, request.api_key))
    return header + writer.text()


def generate_data_file(message):
    writer = Writer()
    emit_message(writer, message)
    return file_header("%s: versioned data carried inside group membership messages." % message.name) + writer.text()


def generate_tables(pairs, all_requests):
    writer = Writer()
    doc_comment(writer, "A Kafka API key. Static members exist for the APIs this codec implements; any other value "
                        "is still representable so unknown requests can be answered with an error.")
    writer.open("public struct ApiKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible, CaseIterable")
    writer.line("public var rawValue: Int16")
    writer.line()
    writer.open("public init(rawValue: Int16)")
    writer.line("self.rawValue = rawValue")
    writer.close()
    writer.line()
    for api, request, _ in pairs:
        writer.line("public static let %s = ApiKey(rawValue: %d)" % (swift_identifier(lower_camel(api)), request.api_key))
    writer.line()
    writer.line("/// The APIs this codec implements, in api-key order.")
    ordered = sorted(pairs, key=lambda pair: pair[1].api_key)
    writer.line("public static let allCases: [ApiKey] = [")
    for api, _, _ in ordered:
        writer.line("    .%s," % lower_camel(api))
    writer.line("]")
    writer.line()
    writer.line("/// Kafka's name for the API (e.g. \"Produce\"); every API in the spec set is named, implemented or not.")
    writer.open("public var name: String")
    writer.open("switch rawValue")
    for key, name, _ in all_requests:
        writer.line("case %d: return %s" % (key, swift_string_literal(name)))
    writer.line("default: return \"Unknown\"")
    writer.close()
    writer.close()
    writer.line()
    writer.line("/// Versions this codec implements, or nil for an API it does not implement.")
    writer.open("public var validVersions: ClosedRange<Int16>?")
    writer.open("switch rawValue")
    for api, request, _ in ordered:
        writer.line("case %d: return %s.validVersions" % (request.api_key, request.name))
    writer.line("default: return nil")
    writer.close()
    writer.close()
    writer.line()
    writer.line("/// First flexible request/response version, or nil if the API has none or is not implemented.")
    writer.open("public var firstFlexibleVersion: Int16?")
    writer.open("switch rawValue")
    for api, request, _ in ordered:
        writer.line("case %d: return %s.flexibleVersions?.lowerBound" % (request.api_key, request.name))
    writer.line("default: return nil")
    writer.close()
    writer.close()
    writer.line()
    writer.line("/// First flexible version of the request, for every API in Kafka's spec set (implemented or not),")
    writer.line("/// so the request header of any API can be parsed; nil when unknown or never flexible.")
    writer.open("var firstFlexibleRequestVersion: Int16?")
    writer.open("switch rawValue")
    for key, _, flexible in all_requests:
        if flexible is not None:
            writer.line("case %d: return %d" % (key, flexible))
    writer.line("default: return nil")
    writer.close()
    writer.close()
    writer.line()
    writer.open("public var description: String")
    writer.line("name == \"Unknown\" ? \"ApiKey(\\(rawValue))\" : name")
    writer.close()
    writer.close()
    writer.line()

    doc_comment(writer, "A decoded request body of any implemented API, for dispatch with a switch.")
    writer.open("public enum KafkaRequestBody: Sendable, Equatable")
    for api, request, _ in pairs:
        writer.line("case %s(%s)" % (swift_identifier(lower_camel(api)), request.name))
    writer.line()
    writer.line("/// Decodes the body of a request whose header said `apiKey` and `version`.")
    writer.line("/// Throws `.unknownApiKey` for an API this codec does not implement and")
    writer.line("/// `.unsupportedVersion` for a version outside the API's valid versions.")
    writer.open("public static func decode(apiKey: Int16, version: Int16, from buffer: inout ByteBuffer) throws -> KafkaRequestBody")
    writer.open("switch apiKey")
    for api, request, _ in ordered:
        writer.line("case %d: return .%s(try %s(from: &buffer, version: version))" % (
            request.api_key, lower_camel(api), request.name))
    writer.line("default: throw KafkaProtocolError.unknownApiKey(apiKey)")
    writer.close()
    writer.close()
    writer.line()
    writer.open("public var apiKey: ApiKey")
    writer.open("switch self")
    for api, request, _ in pairs:
        writer.line("case .%s: return .%s" % (lower_camel(api), lower_camel(api)))
    writer.close()
    writer.close()
    writer.line()
    writer.open("public func encode(into buffer: inout ByteBuffer, version: Int16)")
    writer.open("switch self")
    for api, request, _ in pairs:
        writer.line("case .%s(let body): body.encode(into: &buffer, version: version)" % lower_camel(api))
    writer.close()
    writer.close()
    writer.close()
    return file_header("The ApiKey table and the request dispatch enum for every implemented API.") + writer.text()
