"""Reading Kafka's message specs: JSON with comments, version ranges, and the message model."""

import json
import os
import re

from .constants import GeneratorError, INTEGERS, PRIMITIVES, RESERVED_TYPE_NAMES, SWIFT_KEYWORDS


# ---------------------------------------------------------------------------------------------
# Spec reading


def strip_json_comments(text):
    """Removes // comments outside string literals (the specs are JSON with comments)."""
    output = []
    index = 0
    in_string = False
    while index < len(text):
        character = text[index]
        if in_string:
            output.append(character)
            if character == "\\":
                output.append(text[index + 1])
                index += 2
                continue
            if character == '"':
                in_string = False
            index += 1
            continue
        if character == '"':
            in_string = True
            output.append(character)
            index += 1
            continue
        if text.startswith("//", index):
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        output.append(character)
        index += 1
    return "".join(output)


def load_spec(directory, name):
    path = os.path.join(directory, name + ".json")
    with open(path, encoding="utf-8") as handle:
        return json.loads(strip_json_comments(handle.read()))


class Versions:
    """A version range: lowest..highest, highest None when open-ended; empty when `none`."""

    def __init__(self, text):
        text = str(text).strip()
        self.empty = text == "none"
        if self.empty:
            self.lowest, self.highest = None, None
        elif text.endswith("+"):
            self.lowest, self.highest = int(text[:-1]), None
        elif "-" in text:
            low, high = text.split("-")
            self.lowest, self.highest = int(low), int(high)
        else:
            self.lowest = self.highest = int(text)

    def __eq__(self, other):
        return (self.empty, self.lowest, self.highest) == (other.empty, other.lowest, other.highest)

    def intersect(self, other):
        if self.empty or other.empty:
            return Versions("none")
        lowest = max(self.lowest, other.lowest)
        highs = [h for h in (self.highest, other.highest) if h is not None]
        highest = min(highs) if highs else None
        if highest is not None and highest < lowest:
            return Versions("none")
        result = Versions("none")
        result.empty, result.lowest, result.highest = False, lowest, highest
        return result

    def covers(self, other):
        """Whether every version in `other` is in self."""
        if other.empty:
            return True
        if self.empty:
            return False
        if other.lowest < self.lowest:
            return False
        if self.highest is None:
            return True
        return other.highest is not None and other.highest <= self.highest


def condition(present, context):
    """Swift condition for `version in present`, knowing version is within `context`.

    Returns None when always true and "false" when never. The top of a message's range is left
    open: data messages parse newer versions with the newest format, as Kafka does.
    """
    overlap = present.intersect(context)
    if overlap.empty:
        return "false"
    parts = []
    if overlap.lowest > context.lowest:
        parts.append("version >= %d" % overlap.lowest)
    if overlap.highest is not None and (context.highest is None or overlap.highest < context.highest):
        parts.append("version <= %d" % overlap.highest)
    return " && ".join(parts) if parts else None


# ---------------------------------------------------------------------------------------------
# Model


def lower_camel(name):
    """`TransactionalId` -> `transactionalId`; a leading acronym is lowered whole (`ACLs` -> `acls`)."""
    match = re.match(r"^([A-Z]+)(.*)$", name)
    if not match:
        return name
    capitals, rest = match.groups()
    if len(capitals) > 1 and rest and rest[0].islower():
        # "ACLBinding": keep the last capital for the next word.
        return capitals[:-1].lower() + capitals[-1] + rest
    return capitals.lower() + rest


def swift_identifier(name):
    return "`%s`" % name if name in SWIFT_KEYWORDS else name


class FieldType:
    def __init__(self, text):
        self.text = text
        self.is_array = text.startswith("[]")
        base = text[2:] if self.is_array else text
        self.element = FieldType(base) if self.is_array else None
        self.is_struct = not self.is_array and base not in PRIMITIVES
        self.name = base


class Field:
    def __init__(self, spec, message, struct_name):
        self.spec = spec
        self.json_name = spec["name"]
        self.name = lower_camel(spec["name"])
        self.identifier = swift_identifier(self.name)
        self.type = FieldType(spec["type"])
        self.versions = Versions(spec["versions"])
        self.nullable_versions = Versions(spec.get("nullableVersions", "none")).intersect(self.versions)
        self.tag = spec.get("tag")
        self.tagged_versions = Versions(spec.get("taggedVersions", "none"))
        self.default = spec.get("default")
        self.about = spec.get("about", "")
        self.what = "%s.%s" % (struct_name, self.name)
        if "flexibleVersions" in spec:
            raise GeneratorError("%s: field-level flexibleVersions is not supported" % self.what)
        if self.tag is not None and not (self.tagged_versions == self.versions):
            raise GeneratorError("%s: tagged versions differ from versions" % self.what)
        if not self.nullable_versions.empty and not self.type.is_array and self.type.name in {"bool", "float64"} | INTEGERS:
            raise GeneratorError("%s: nullable number" % self.what)

    @property
    def is_nullable(self):
        return not self.nullable_versions.empty or self.type.text == "records"


class Struct:
    def __init__(self, name, fields_spec, message, path):
        self.name = name
        self.path = path
        self.fields = [Field(spec, message, path) for spec in fields_spec]


class Message:
    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        self.kind = spec["type"]
        self.api_key = spec.get("apiKey")
        self.valid_versions = Versions(spec["validVersions"])
        self.flexible_versions = Versions(spec.get("flexibleVersions", "none"))
        self.structs = {}  # name -> Struct, in definition order (dicts keep insertion order)
        common = {c["name"]: c for c in spec.get("commonStructs", [])}
        self.common_specs = common
        self.root = Struct(self.name, spec["fields"], self, self.name)
        self._collect(spec["fields"])
        for name in common:
            if name not in self.structs:
                self._add_struct(name, common[name]["fields"])

    def _add_struct(self, name, fields_spec):
        if name in RESERVED_TYPE_NAMES:
            raise GeneratorError("%s: struct name %s shadows a type the codec uses" % (self.name, name))
        if name in self.structs:
            raise GeneratorError("%s: struct %s defined twice" % (self.name, name))
        self.structs[name] = Struct(name, fields_spec, self, "%s.%s" % (self.name, name))
        self._collect(fields_spec)

    def _collect(self, fields_spec):
        for spec in fields_spec:
            field_type = FieldType(spec["type"])
            struct_type = field_type.element if field_type.is_array else field_type
            if not struct_type.is_struct:
                continue
            if "fields" in spec:
                self._add_struct(struct_type.name, spec["fields"])
            elif struct_type.name in self.common_specs:
                if struct_type.name not in self.structs:
                    self._add_struct(struct_type.name, self.common_specs[struct_type.name]["fields"])
            else:
                raise GeneratorError("%s: struct type %s has no definition" % (self.name, struct_type.name))
