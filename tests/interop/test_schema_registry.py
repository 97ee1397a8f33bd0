"""Brook's schema registry driven by confluent-kafka-python 2.16.1's SchemaRegistryClient and its
Avro and JSON Schema serializers, on two storages: Brook's own broker (`brook serve
--registry-listen`) and a peer Kafka broker (Tansu, from ../shared/bench) with `brook registry`.

The tests that take the `registry` fixture run once per storage ("brook", "peer"): serializers
producing and consuming through the broker, every compatibility level (three-version sequences so
that a _TRANSITIVE level decides differently from its plain one), soft and hard deletes with
Confluent's error codes, references and referencedby, READONLY mode. IMPORT mode and a restart
that must keep every subject, version, id, config, mode and soft-delete flag each start a brook
of their own.
"""

import json
import uuid

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from interop_support import (PeerBroker, consume_partitions, create_topic, peer_broker_tools,
                             produce_and_wait, producer, registry_request, registry_snapshot,
                             start_broker_with_registry, start_standalone_registry, subject_path,
                             unique_topic)

# Confluent answered 409 for an incompatible schema until late 2025 and 40901 since; both mean
# the same to its clients, which read the HTTP status.
INCOMPATIBLE_CODES = {409, 40901}
RECORD_COUNT = 25


def avro_record(name, fields, namespace="brook.interop"):
    return json.dumps({"type": "record", "name": name, "namespace": namespace, "fields": fields})


def unique_subject(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def client_for(target):
    return SchemaRegistryClient({"url": target.registry_url})


def register(client, subject, schema_text, schema_type="AVRO", references=None):
    return client.register_schema(subject, Schema(schema_text, schema_type, references or []))


def expect_registry_error(call, http_status, error_codes):
    with pytest.raises(SchemaRegistryError) as raised:
        call()
    error = raised.value
    assert error.http_status_code == http_status, f"{error.http_status_code} {error.error_code} {error.error_message}"
    assert error.error_code in error_codes, f"{error.error_code} {error.error_message}"
    return error


# --- targets -------------------------------------------------------------------------------------

class PeerTarget:
    """Tansu as the Kafka cluster, `brook registry` storing its state there."""

    def __init__(self, peer, registry):
        self.peer = peer
        self.registry = registry
        self.bootstrap = peer.bootstrap
        self.registry_url = registry.registry_url


@pytest.fixture(scope="module", params=["brook", "peer"])
def registry(request, broker_factory, tmp_path_factory):
    if request.param == "brook":
        data_dir = tmp_path_factory.mktemp("registry-brook-data")
        log_dir = tmp_path_factory.mktemp("registry-brook-log")
        broker = start_broker_with_registry(data_dir, log_dir / "brook.log", {})
        broker_factory.brokers.append(broker)
        yield broker
        return
    try:
        environment = peer_broker_tools()
    except RuntimeError as error:
        pytest.skip(f"the peer broker (Tansu) cannot be had here: {error}")
    peer = PeerBroker(environment, tmp_path_factory.mktemp("registry-peer-tansu"))
    try:
        log_dir = tmp_path_factory.mktemp("registry-peer-log")
        service = start_standalone_registry(peer.bootstrap, log_dir / "brook-registry.log")
        broker_factory.brokers.append(service)
        yield PeerTarget(peer, service)
        # The registry goes first: it must stop cleanly while its cluster is still there.
        assert service.stop() == 0, service.log_tail()
    finally:
        peer.stop()


# --- serializers through the broker --------------------------------------------------------------

ORDER_V1 = avro_record("Order", [{"name": "id", "type": "long"}, {"name": "customer", "type": "string"}])
ORDER_V2 = avro_record("Order", [{"name": "id", "type": "long"}, {"name": "customer", "type": "string"},
                                 {"name": "note", "type": "string", "default": "none"}])


def round_trip(target, topic, serializer, deserializer, values):
    context = SerializationContext(topic, MessageField.VALUE)
    payloads = [serializer(value, context) for value in values]
    produce_and_wait(producer(target.bootstrap), [(topic, None, payload, 0, None) for payload in payloads])
    messages = consume_partitions(target.bootstrap, topic, {0: 0})[0]
    assert len(messages) == len(values)
    return [message.value() for message in messages], [deserializer(message.value(), context) for message in messages]


def test_avro_serializer_and_deserializer(registry):
    topic = unique_topic("sr-avro")
    create_topic(registry.bootstrap, topic)
    writer_client = client_for(registry)
    # Defaults: auto.register.schemas on, subject found by the ASSOCIATED strategy, which asks
    # GET /associations/... first and falls back to TopicNameStrategy on its 404.
    serializer = AvroSerializer(writer_client, ORDER_V1)
    values = [{"id": index, "customer": f"customer-{index}"} for index in range(RECORD_COUNT)]
    # A client of its own, so that the deserializer really asks GET /schemas/ids/{id}.
    deserializer = AvroDeserializer(client_for(registry))
    raw, decoded = round_trip(registry, topic, serializer, deserializer, values)
    assert decoded == values

    latest = writer_client.get_latest_version(f"{topic}-value")
    assert latest.version == 1
    for payload in raw:
        assert payload[0] == 0, "Confluent's wire format starts with magic byte 0"
        assert int.from_bytes(payload[1:5], "big") == latest.schema_id

    # The evolved schema (a field with a default) passes BACKWARD, becomes version 2, and a
    # reader on version 2 resolves the version-1 records, filling in the default.
    serializer_v2 = AvroSerializer(client_for(registry), ORDER_V2)
    reader_v2 = AvroDeserializer(client_for(registry), ORDER_V2)
    values_v2 = [{"id": 1000 + index, "customer": "later", "note": f"n{index}"} for index in range(3)]
    context = SerializationContext(topic, MessageField.VALUE)
    produce_and_wait(producer(registry.bootstrap),
                     [(topic, None, serializer_v2(value, context), 0, None) for value in values_v2])
    messages = consume_partitions(registry.bootstrap, topic, {0: 0})[0]
    read = [reader_v2(message.value(), context) for message in messages]
    assert read == [dict(value, note="none") for value in values] + values_v2
    assert writer_client.get_versions(f"{topic}-value") == [1, 2]
    assert client_for(registry).get_latest_version(f"{topic}-value").schema_id != latest.schema_id


ORDER_JSON_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "OrderPlaced",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "items": {"type": "array", "items": {"type": "string"}},
                   "total": {"type": "number"}},
    "required": ["id", "total"],
})


def test_json_serializer_and_deserializer(registry):
    topic = unique_topic("sr-json")
    create_topic(registry.bootstrap, topic)
    client = client_for(registry)
    serializer = JSONSerializer(ORDER_JSON_SCHEMA, client)
    deserializer = JSONDeserializer(None, schema_registry_client=client_for(registry))
    values = [{"id": index, "items": ["a"] * (index % 3), "total": index * 1.5} for index in range(RECORD_COUNT)]
    raw, decoded = round_trip(registry, topic, serializer, deserializer, values)
    assert decoded == values
    latest = client.get_latest_version(f"{topic}-value")
    assert latest.schema.schema_type == "JSON"
    assert {int.from_bytes(payload[1:5], "big") for payload in raw} == {latest.schema_id}
    # The serializer validates before it registers anything: an invalid value never reaches the broker.
    with pytest.raises(Exception):
        serializer({"id": "not a number"}, SerializationContext(topic, MessageField.VALUE))


def test_same_content_gets_same_id_under_every_subject(registry):
    client = client_for(registry)
    schema = avro_record("Shared", [{"name": "value", "type": "int"}])
    first = register(client, unique_subject("shared-a"), schema)
    second = register(client, unique_subject("shared-b"), schema)
    assert first == second
    subject = unique_subject("shared-c")
    assert register(client, subject, schema) == first
    # Registering live content again returns the same id and makes no new version.
    assert register(client, subject, schema) == first
    assert client.get_versions(subject) == [1]
    answer = registry_request(registry.registry_url, "GET", f"/schemas/ids/{first}/versions")
    assert answer.status == 200, answer
    assert len(answer.json) == 3
    # `subject` on GET /schemas/ids/{id} only names the context to look in (Confluent); the
    # Python deserializers always send `{topic}-value`, also for ids registered under other
    # subjects (references, RecordNameStrategy producers), so it must not filter.
    answer = registry_request(registry.registry_url, "GET", f"/schemas/ids/{first}",
                              query={"subject": unique_subject("unrelated")})
    assert answer.status == 200 and json.loads(answer.json["schema"]) == json.loads(schema), answer


# --- compatibility levels ------------------------------------------------------------------------

def field(name, field_type="string", **extra):
    return dict({"name": name, "type": field_type}, **extra)


def level_subject(client, level):
    subject = unique_subject("compat-" + level.lower())
    client.set_compatibility(subject, level)
    return subject


def test_backward_refuses_a_new_field_without_default_and_names_it(registry):
    client = client_for(registry)
    subject = level_subject(client, "BACKWARD")
    register(client, subject, avro_record("Customer", [field("name")]))
    incompatible = avro_record("Customer", [field("name"), field("loyalty_tier")])
    error = expect_registry_error(lambda: register(client, subject, incompatible), 409, INCOMPATIBLE_CODES)
    assert "loyalty_tier" in error.error_message, error.error_message
    # The compatibility endpoint agrees, and verbose=true says why.
    assert client.test_compatibility(subject, Schema(incompatible, "AVRO")) is False
    answer = registry_request(registry.registry_url, "POST",
                              f"/compatibility/subjects/{subject_path(subject)}/versions/latest",
                              body={"schema": incompatible}, query={"verbose": "True"})
    assert answer.status == 200 and answer.json["is_compatible"] is False, answer
    assert any("loyalty_tier" in message for message in answer.json.get("messages", [])), answer
    # With a default the same change is fine.
    register(client, subject, avro_record("Customer", [field("name"), field("loyalty_tier", default="none")]))
    assert client.get_versions(subject) == [1, 2]


def test_none_accepts_anything(registry):
    client = client_for(registry)
    subject = level_subject(client, "none")   # level names are case-insensitive
    assert client.get_compatibility(subject) == "NONE"
    register(client, subject, avro_record("Customer", [field("name")]))
    register(client, subject, avro_record("Customer", [field("name"), field("loyalty_tier")]))
    register(client, subject, avro_record("Customer", [field("age", "int")]))
    register(client, subject, '"string"')
    assert client.get_versions(subject) == [1, 2, 3, 4]


def test_forward_and_full_per_definition(registry):
    client = client_for(registry)
    # FORWARD: data written with the new schema must be readable with the old one.
    subject = level_subject(client, "FORWARD")
    register(client, subject, avro_record("Item", [field("sku"), field("price", "double")]))
    # Adding a field without a default: old readers skip it. Fine for FORWARD.
    register(client, subject, avro_record("Item", [field("sku"), field("price", "double"), field("colour")]))
    # Dropping `price`, which the old reader needs and has no default for: refused, named.
    error = expect_registry_error(
        lambda: register(client, subject, avro_record("Item", [field("sku"), field("colour")])), 409,
        INCOMPATIBLE_CODES)
    assert "price" in error.error_message, error.error_message

    # FULL: both ways. A new field needs a default (BACKWARD) ...
    subject = level_subject(client, "FULL")
    register(client, subject, avro_record("Item", [field("sku")]))
    error = expect_registry_error(
        lambda: register(client, subject, avro_record("Item", [field("sku"), field("colour")])), 409,
        INCOMPATIBLE_CODES)
    assert "colour" in error.error_message, error.error_message
    register(client, subject, avro_record("Item", [field("sku"), field("colour", default="red")]))
    # ... and a field may go only when the latest version has a default for it (FORWARD):
    # `colour` may, `sku` may not.
    register(client, subject, avro_record("Item", [field("sku"), field("size", "int", default=0)]))
    error = expect_registry_error(
        lambda: register(client, subject, avro_record("Item", [field("size", "int", default=0),
                                                               field("colour", default="red")])), 409,
        INCOMPATIBLE_CODES)
    assert "sku" in error.error_message, error.error_message
    assert client.get_versions(subject) == [1, 2, 3]


# Three-version sequences: the third is compatible with the second but not with the first, so
# the plain level accepts it and the _TRANSITIVE level refuses it.
TRANSITIVE_SEQUENCES = {
    # Reader v3 needs `tier` (no default); v2 data has it, v1 data does not.
    "BACKWARD": [[field("name")],
                 [field("name"), field("tier", default="basic")],
                 [field("name"), field("tier")]],
    # Old readers must read v3 data, which lacks `tier`: v2 has a default for it, v1 does not.
    "FORWARD": [[field("name"), field("tier")],
                [field("name"), field("tier", default="basic")],
                [field("name")]],
    # Both ways: v2 <-> v3 through v2's default; v1 cannot read v3 data.
    "FULL": [[field("name"), field("tier")],
             [field("name"), field("tier", default="basic")],
             [field("name")]],
}


@pytest.mark.parametrize("level", sorted(TRANSITIVE_SEQUENCES))
def test_transitive_levels_check_every_version(registry, level):
    client = client_for(registry)
    first, second, third = (avro_record("Member", fields) for fields in TRANSITIVE_SEQUENCES[level])

    plain = level_subject(client, level)
    for schema in (first, second, third):
        register(client, plain, schema)
    assert client.get_versions(plain) == [1, 2, 3]

    transitive = level_subject(client, level + "_TRANSITIVE")
    assert client.get_compatibility(transitive) == level + "_TRANSITIVE"
    register(client, transitive, first)
    register(client, transitive, second)
    assert client.test_compatibility_all_versions(transitive, Schema(third, "AVRO")) is False
    error = expect_registry_error(lambda: register(client, transitive, third), 409, INCOMPATIBLE_CODES)
    assert "tier" in error.error_message, error.error_message
    # Against version 2 alone it is compatible: only the transitive check fails it.
    assert client.test_compatibility(transitive, Schema(third, "AVRO"), version=2) is True
    assert client.get_versions(transitive) == [1, 2]

    # Soft-deleting version 1 takes it out of the transitive check.
    client.delete_version(transitive, 1)
    register(client, transitive, third)
    assert client.get_versions(transitive) == [2, 3]


def test_config_levels_and_defaults(registry):
    client = client_for(registry)
    subject = unique_subject("config")
    expect_registry_error(lambda: client.get_compatibility(subject), 404, {40401, 40408})
    answer = registry_request(registry.registry_url, "GET", "/config/" + subject_path(subject),
                              query={"defaultToGlobal": "True"})
    assert answer.status == 200 and answer.json["compatibilityLevel"] in {"BACKWARD", "FULL", "NONE", "FORWARD",
                                                                         "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE",
                                                                         "FULL_TRANSITIVE"}, answer
    put = registry_request(registry.registry_url, "PUT", "/config/" + subject_path(subject),
                           body={"compatibility": "full_transitive"})
    assert put.status == 200 and put.json == {"compatibility": "FULL_TRANSITIVE"}, put
    assert client.get_compatibility(subject) == "FULL_TRANSITIVE"
    bad = registry_request(registry.registry_url, "PUT", "/config/" + subject_path(subject),
                           body={"compatibility": "SIDEWAYS"})
    assert bad.status == 422 and bad.error_code == 42203, bad
    removed = registry_request(registry.registry_url, "DELETE", "/config/" + subject_path(subject))
    assert removed.status == 200 and removed.json["compatibilityLevel"] == "FULL_TRANSITIVE", removed
    again = registry_request(registry.registry_url, "GET", "/config/" + subject_path(subject))
    assert again.status == 404 and again.error_code in {40401, 40408}, again


# --- deletes -------------------------------------------------------------------------------------

def test_soft_and_hard_delete_codes(registry):
    client = client_for(registry)
    url = registry.registry_url
    subject = unique_subject("delete")
    path = "/subjects/" + subject_path(subject)
    ids = [register(client, subject, avro_record("Event", [field(f"f{index}", default="")])) for index in range(3)]
    assert client.get_versions(subject) == [1, 2, 3]

    # Hard delete before soft delete: 40407 for a version, 40405 for the subject.
    expect_registry_error(lambda: client.delete_version(subject, 2, permanent=True), 404, {40407})
    expect_registry_error(lambda: client.delete_subject(subject, permanent=True), 404, {40405})

    # Soft delete of version 2: gone from reads, visible with deleted=true; again → 40406.
    assert client.delete_version(subject, 2) == 2
    assert client.get_versions(subject) == [1, 3]
    gone = registry_request(url, "GET", f"{path}/versions/2")
    assert gone.status == 404 and gone.error_code == 40402, gone
    kept = registry_request(url, "GET", f"{path}/versions/2", query={"deleted": "True"})
    assert kept.status == 200 and kept.json["id"] == ids[1], kept
    assert registry_request(url, "GET", f"{path}/versions", query={"deleted": "true"}).json == [1, 2, 3]
    expect_registry_error(lambda: client.delete_version(subject, 2), 404, {40406})
    # The id still resolves: records written with it stay readable.
    assert registry_request(url, "GET", f"/schemas/ids/{ids[1]}").status == 200
    # Now it may go for good.
    assert client.delete_version(subject, 2, permanent=True) == 2
    assert registry_request(url, "GET", f"{path}/versions", query={"deleted": "true"}).json == [1, 3]

    # A new version is max(every version ever, soft-deleted included) + 1.
    client.delete_version(subject, 3)
    new_id = register(client, subject, avro_record("Event", [field("f0", default=""), field("g", default="")]))
    assert new_id not in ids
    assert client.get_versions(subject) == [1, 4]

    # Soft-delete the subject: listed only with deleted=true; again → 40404.
    assert sorted(client.delete_subject(subject)) == [1, 4]
    assert subject not in client.get_subjects()
    assert subject in registry_request(url, "GET", "/subjects", query={"deleted": "True"}).json
    expect_registry_error(lambda: client.get_versions(subject), 404, {40401})
    expect_registry_error(lambda: client.delete_subject(subject), 404, {40404})
    # Hard delete after the soft one returns every version it removes, soft-deleted ones included.
    assert sorted(client.delete_subject(subject, permanent=True)) == [1, 3, 4]
    assert subject not in registry_request(url, "GET", "/subjects", query={"deleted": "true"}).json
    expect_registry_error(lambda: client.delete_subject(subject), 404, {40401})
    # Unknown things: 40401 subject, 40402 version, 40403 id.
    expect_registry_error(lambda: client.get_version(unique_subject("missing"), 1), 404, {40401})
    expect_registry_error(lambda: client.get_version(client.get_subjects()[0], 999999), 404, {40402})
    expect_registry_error(lambda: client.get_schema(2_000_000_000), 404, {40403})


# --- references ----------------------------------------------------------------------------------

ADDRESS = avro_record("Address", [field("street"), field("city")], namespace="brook.shop")
CUSTOMER = json.dumps({"type": "record", "name": "Customer", "namespace": "brook.shop",
                       "fields": [field("name"), field("address", "brook.shop.Address")]})


def test_references_and_referencedby(registry):
    client = client_for(registry)
    address_subject = unique_subject("address")
    customer_subject = unique_subject("customer")
    register(client, address_subject, ADDRESS)
    reference = SchemaReference("brook.shop.Address", address_subject, 1)
    customer_id = register(client, customer_subject, CUSTOMER, references=[reference])
    assert client.get_referenced_by(address_subject, 1) == [customer_id]

    registered = client.get_version(customer_subject, 1)
    assert [(r.name, r.subject, r.version) for r in registered.schema.references] == \
        [("brook.shop.Address", address_subject, 1)]

    # A reference to a subject version that does not exist is an invalid schema.
    dangling = SchemaReference("brook.shop.Address", unique_subject("nowhere"), 1)
    expect_registry_error(lambda: register(client, unique_subject("customer"), CUSTOMER, references=[dangling]),
                          422, {42201})
    # A referenced version cannot be deleted while the reference lives.
    expect_registry_error(lambda: client.delete_version(address_subject, 1), 422, {42206})

    # The serializer resolves the reference through the registry when it encodes; the
    # deserializer fetches both schemas by id and reference.
    topic = unique_topic("sr-refs")
    create_topic(registry.bootstrap, topic)
    serializer = AvroSerializer(client_for(registry), None,
                                conf={"auto.register.schemas": False, "use.latest.version": True,
                                      "subject.name.strategy": lambda context, record_name: customer_subject})
    values = [{"name": "Ada", "address": {"street": "1 Analytical Row", "city": "London"}}]
    _, decoded = round_trip(registry, topic, serializer, AvroDeserializer(client_for(registry)), values)
    assert decoded == values


# --- modes ---------------------------------------------------------------------------------------

def test_readonly_subject_refuses_writes(registry):
    client = client_for(registry)
    subject = unique_subject("readonly")
    register(client, subject, avro_record("Frozen", [field("a")]))
    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    expect_registry_error(lambda: register(client, subject, avro_record("Frozen", [field("a"), field("b", default="")])),
                          422, {42205})
    # Reads still work; READWRITE again lets writes through.
    assert client.get_versions(subject) == [1]
    client.update_mode(subject, "READWRITE")
    register(client, subject, avro_record("Frozen", [field("a"), field("b", default="")]))
    bad = registry_request(registry.registry_url, "PUT", "/mode/" + subject_path(subject), body={"mode": "SIDEWAYS"})
    assert bad.status == 422 and bad.error_code == 42204, bad


def test_import_mode_keeps_given_ids(broker_factory, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("registry-import-data")
    log_dir = tmp_path_factory.mktemp("registry-import-log")
    brook = start_broker_with_registry(data_dir, log_dir / "brook.log", {})
    broker_factory.brokers.append(brook)
    client = SchemaRegistryClient({"url": brook.registry_url})
    url = brook.registry_url

    # An empty registry may switch to IMPORT without force.
    assert client.update_global_mode("IMPORT") == "IMPORT"
    imported = registry_request(url, "POST", "/subjects/imported-value/versions",
                                body={"schema": avro_record("Moved", [field("a")]), "id": 4242, "version": 7})
    assert imported.status == 200 and imported.json["id"] == 4242, imported
    # IMPORT skips compatibility: an incompatible version 8 goes in under its given id.
    imported = registry_request(url, "POST", "/subjects/imported-value/versions",
                                body={"schema": avro_record("Moved", [field("b", "int")]), "id": 4243, "version": 8})
    assert imported.status == 200 and imported.json["id"] == 4243, imported
    assert client.get_versions("imported-value") == [7, 8]
    assert client.get_version("imported-value", 7).schema_id == 4242
    assert json.loads(client.get_schema(4243).schema_str)["fields"][0]["name"] == "b"
    # An id already used by other content is refused.
    clash = registry_request(url, "POST", "/subjects/other-value/versions",
                             body={"schema": avro_record("Other", [field("c")]), "id": 4242, "version": 1})
    assert clash.status in {409, 422} and clash.error_code in {409, 40901, 42207}, clash

    assert client.update_global_mode("READWRITE") == "READWRITE"
    # Back in READWRITE, new ids go past every imported one: ids are never reused.
    fresh_id = register(client, "fresh-value", avro_record("Fresh", [field("x")]))
    assert fresh_id > 4243
    # Switching a registry that has subjects to IMPORT needs force=true.
    expect_registry_error(lambda: client.update_global_mode("IMPORT"), 422, {42205})
    assert client.update_global_mode("IMPORT", force=True) == "IMPORT"
    client.update_global_mode("READWRITE")


# --- restart -------------------------------------------------------------------------------------

def build_registry_state(client, url):
    """Subjects with several versions, a soft-deleted version, a soft-deleted subject, JSON and
    Avro schemas, references, per-subject and global config and a subject mode."""
    client.set_compatibility(level="FORWARD")
    orders = "orders-value"
    client.set_compatibility(orders, "FULL")
    register(client, orders, avro_record("Order", [field("id", "long")]))
    register(client, orders, avro_record("Order", [field("id", "long"), field("note", default="")]))
    register(client, orders, avro_record("Order", [field("id", "long"), field("note", default=""),
                                                   field("tag", default="x")]))
    client.delete_version(orders, 2)
    register(client, "events-value", ORDER_JSON_SCHEMA, schema_type="JSON")
    register(client, "retired-value", avro_record("Retired", [field("gone")]))
    client.delete_subject("retired-value")
    register(client, "address-value", ADDRESS)
    register(client, "customer-value", CUSTOMER,
             references=[SchemaReference("brook.shop.Address", "address-value", 1)])
    put = registry_request(url, "PUT", "/config/events-value", body={"compatibility": "backward_transitive"})
    assert put.status == 200, put
    client.update_mode("events-value", "READONLY")


def test_restart_keeps_everything(broker_factory, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("registry-restart-data")
    log_dir = tmp_path_factory.mktemp("registry-restart-log")
    brook = start_broker_with_registry(data_dir, log_dir / "brook.log", {})
    broker_factory.brokers.append(brook)
    build_registry_state(SchemaRegistryClient({"url": brook.registry_url}), brook.registry_url)
    before = registry_snapshot(brook.registry_url)
    assert before["subjects"]["retired-value"]["live"] is False
    assert before["subjects"]["orders-value"]["versions"][2]["deleted"] is True
    assert before["subjects"]["events-value"]["mode"] == "READONLY"

    # A clean stop, then a crash: both must come back with the same state.
    assert brook.stop() == 0, brook.log_tail()
    brook = start_broker_with_registry(data_dir, log_dir / "brook-2.log", {})
    broker_factory.brokers.append(brook)
    assert registry_snapshot(brook.registry_url) == before
    brook.kill()
    brook = start_broker_with_registry(data_dir, log_dir / "brook-3.log", {})
    broker_factory.brokers.append(brook)
    after = registry_snapshot(brook.registry_url)
    assert after == before

    # And it goes on from there: the next id is new, the next version follows the highest.
    client = SchemaRegistryClient({"url": brook.registry_url})
    new_id = register(client, "orders-value", avro_record("Order", [field("id", "long"), field("note", default=""),
                                                                    field("tag", default="x"),
                                                                    field("more", default="y")]))
    assert new_id > max(before["ids"])
    assert client.get_versions("orders-value") == [1, 3, 4]
