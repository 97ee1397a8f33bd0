"""Seeded random-value builders for the round-trip tests."""

from .constants import BANNER, GeneratorError, INTEGERS, PRIMITIVES
from .spec import condition
from .emit import Writer, emit_guarded, flexible_expression, nullable_condition


# ---------------------------------------------------------------------------------------------
# Seeded random values for the round-trip tests (Tests/KafkaProtocolTests)


def random_scalar(field_type, nullable_expression, generator, owner):
    kind = field_type.name
    if field_type.is_struct:
        # Qualified: an extension of a nested type does not see its siblings unqualified.
        kind = "%s.%s" % (owner, kind)
        build = "%s.random(version: version, using: &%s)" % (kind, generator)
        if nullable_expression != "false":
            return ("RandomValues.optional(nullable: %s, using: &%s) { nested in %s.random(version: version, using: &nested) }"
                    % (nullable_expression, generator, kind))
        return build
    if kind in INTEGERS:
        return "RandomValues.integer(as: %s.self, using: &%s)" % (PRIMITIVES[kind], generator)
    if kind == "bool":
        return "Bool.random(using: &%s)" % generator
    if kind == "float64":
        return "RandomValues.double(using: &%s)" % generator
    if kind == "uuid":
        return "KafkaUUID.random(using: &%s)" % generator
    if kind == "string":
        if nullable_expression != "false":
            return "RandomValues.nullableString(nullable: %s, using: &%s)" % (nullable_expression, generator)
        return "RandomValues.string(using: &%s)" % generator
    if kind in ("bytes", "records"):
        if nullable_expression != "false":
            return "RandomValues.nullableBytes(nullable: %s, using: &%s)" % (nullable_expression, generator)
        return "RandomValues.bytes(using: &%s)" % generator
    raise GeneratorError("cannot randomise %s" % kind)


def random_expression(field, context, owner):
    guard = nullable_condition(field, context)
    nullable_expression = "true" if guard is None else guard
    if field.type.is_array:
        element = random_scalar(field.type.element, "false", "elementGenerator", owner)
        if nullable_expression != "false":
            return ("RandomValues.nullableArray(nullable: %s, using: &generator) { elementGenerator in %s }"
                    % (nullable_expression, element))
        return "RandomValues.array(using: &generator) { elementGenerator in %s }" % element
    return random_scalar(field.type, nullable_expression, "generator", owner)


def emit_random_builder(writer, message, struct, qualified_name, is_root):
    context = message.valid_versions
    writer.open("extension %s%s" % (qualified_name, ": RandomizableMessage" if is_root else ""))
    writer.open("static func random<Generator: RandomNumberGenerator>(version: Int16, using generator: inout Generator) -> Self")
    writer.line("var value = Self()")
    for field in struct.fields:
        guard = condition(field.versions, context)
        if guard == "false":
            continue
        statement = "value.%s = %s" % (field.identifier, random_expression(field, context, message.name))
        emit_guarded(writer, guard, [statement])
    flexible = flexible_expression(message, context)
    if flexible != "false":
        statement = "value.unknownTaggedFields = RandomValues.unknownTaggedFields(using: &generator)"
        emit_guarded(writer, None if flexible == "true" else flexible, [statement])
    writer.line("return value")
    writer.close()
    writer.close()


def generate_random_file(messages):
    writer = Writer()
    for message in messages:
        emit_random_builder(writer, message, message.root, message.name, True)
        writer.line()
        for struct in message.structs.values():
            emit_random_builder(writer, message, struct, "%s.%s" % (message.name, struct.name), False)
            writer.line()
    writer.line("/// Every generated message type, for tests that cover them all.")
    writer.line("let allRandomizableMessageTypes: [any RandomizableMessage.Type] = [")
    for message in messages:
        writer.line("    %s.self," % message.name)
    writer.line("]")
    header = (BANNER + "//\n// Seeded random values of every generated message and struct, valid for a given version,\n"
              "// for the round-trip property tests.\nimport KafkaProtocol\nimport NIOCore\n\n")
    return header + writer.text()
