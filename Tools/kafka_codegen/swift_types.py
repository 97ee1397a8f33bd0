"""Mapping spec types onto Swift: type names, defaults, and read/write expressions."""

import json

from .constants import GeneratorError, INTEGERS, PRIMITIVES


# ---------------------------------------------------------------------------------------------
# Swift types, defaults and expressions


def swift_type(field):
    base = swift_base_type(field.type)
    return base + "?" if field.is_nullable else base


def swift_base_type(field_type):
    if field_type.is_array:
        return "[%s]" % swift_base_type(field_type.element)
    if field_type.is_struct:
        return field_type.name
    return PRIMITIVES[field_type.name]


def swift_string_literal(value):
    return json.dumps(value)


def parse_integer(text):
    text = str(text).strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if digits.lower().startswith("0x"):
        value = int(digits, 16)
    else:
        value = int(digits, 10)
    return -value if negative else value


def default_expression(field):
    """The Swift default value, following Kafka: custom default, else zero / empty / null."""
    kind = field.type.name
    default = field.default
    if field.type.is_array:
        if default is not None and str(default) != "null":
            raise GeneratorError("%s: unsupported array default %r" % (field.what, default))
        if default == "null":
            if not field.is_nullable:
                raise GeneratorError("%s: null default on a non-nullable array" % field.what)
            return "nil"
        return "[]"
    if field.type.is_struct:
        if default == "null":
            return "nil"
        return "%s()" % field.type.name
    if kind in INTEGERS:
        return str(parse_integer(default)) if default is not None and default != "" else "0"
    if kind == "float64":
        return repr(float(default)) if default is not None else "0"
    if kind == "bool":
        return "true" if str(default).lower() == "true" else "false"
    if kind == "string":
        if default == "null":
            return "nil"
        return swift_string_literal(default if default is not None else "")
    if kind == "bytes":
        return "nil" if default == "null" else "ByteBuffer()"
    if kind == "records":
        return "nil"
    if kind == "uuid":
        return ".zero"
    raise GeneratorError("%s: no default for type %s" % (field.what, kind))


def read_scalar(field_type, buffer, what, nullable):
    """Expression reading one non-array value from `buffer` (an inout ByteBuffer name)."""
    kind = field_type.name
    what_literal = swift_string_literal(what)
    if field_type.is_struct:
        read = "try %s(from: &%s, version: version)" % (kind, buffer)
        if nullable:
            return "try %s.readKafkaStructPresence(what: %s) ? %s : nil" % (buffer, what_literal, read)
        return read
    if kind in INTEGERS:
        return "try %s.readKafkaInteger(as: %s.self, what: %s)" % (buffer, PRIMITIVES[kind], what_literal)
    if kind == "bool":
        return "try %s.readKafkaBool(what: %s)" % (buffer, what_literal)
    if kind == "float64":
        return "try %s.readKafkaFloat64(what: %s)" % (buffer, what_literal)
    if kind == "uuid":
        return "try %s.readKafkaUUID(what: %s)" % (buffer, what_literal)
    if kind == "string":
        method = "readKafkaNullableString" if nullable else "readKafkaString"
        return "try %s.%s(compact: flexible, what: %s)" % (buffer, method, what_literal)
    if kind in ("bytes", "records"):
        method = "readKafkaNullableBytes" if nullable else "readKafkaBytes"
        return "try %s.%s(compact: flexible, what: %s)" % (buffer, method, what_literal)
    raise GeneratorError("cannot read %s" % kind)


def read_expression(field, buffer, nullable):
    if field.type.is_array:
        method = "readKafkaNullableArray" if nullable else "readKafkaArray"
        element = read_scalar(field.type.element, "elementBuffer", field.what, False)
        return "try %s.%s(compact: flexible, what: %s) { elementBuffer in %s }" % (
            buffer, method, swift_string_literal(field.what), element)
    return read_scalar(field.type, buffer, field.what, nullable)


def write_scalar(field_type, value, buffer, nullable):
    """Statement writing one non-array value."""
    kind = field_type.name
    if field_type.is_struct:
        if nullable:
            return ("if let present = %s { %s.writeInteger(1, as: Int8.self); "
                    "present.encode(into: &%s, version: version) } else { %s.writeInteger(-1, as: Int8.self) }"
                    % (value, buffer, buffer, buffer))
        return "%s.encode(into: &%s, version: version)" % (value, buffer)
    if kind in INTEGERS:
        return "%s.writeInteger(%s)" % (buffer, value)
    if kind == "bool":
        return "%s.writeKafkaBool(%s)" % (buffer, value)
    if kind == "float64":
        return "%s.writeKafkaFloat64(%s)" % (buffer, value)
    if kind == "uuid":
        return "%s.writeKafkaUUID(%s)" % (buffer, value)
    if kind == "string":
        method = "writeKafkaNullableString" if nullable else "writeKafkaString"
        return "%s.%s(%s, compact: flexible)" % (buffer, method, value)
    if kind in ("bytes", "records"):
        method = "writeKafkaNullableBytes" if nullable else "writeKafkaBytes"
        return "%s.%s(%s, compact: flexible)" % (buffer, method, value)
    raise GeneratorError("cannot write %s" % kind)


def non_null_fallback(field):
    """Value written when an optional field is nil in a version where it cannot be null."""
    if field.type.is_array:
        return "[]"
    if field.type.is_struct:
        return "%s()" % field.type.name
    return {"string": '""', "bytes": "ByteBuffer()", "records": "ByteBuffer()"}[field.type.name]


def write_statement(field, value, buffer, nullable):
    if field.is_nullable and not nullable:
        value = "(%s ?? %s)" % (value, non_null_fallback(field))
    if field.type.is_array:
        method = "writeKafkaNullableArray" if nullable else "writeKafkaArray"
        element = write_scalar(field.type.element, "element", "elementBuffer", False)
        return "%s.%s(%s, compact: flexible) { element, elementBuffer in %s }" % (
            buffer, method, value, element)
    return write_scalar(field.type, value, buffer, nullable)
