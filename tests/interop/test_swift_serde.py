"""Brook's typed Avro serdes (generated OrderPlaced types, through the Orders example's
`orders-example` executable) against confluent-kafka-python 2.16.1's AvroSerializer and
AvroDeserializer, on the real `brook serve` binary with its schema registry.

Both directions, with values the Python side makes up (unicode, empty and long item lists,
non-default currency, every channel):
- Swift typed producer -> confluent-kafka AvroDeserializer reads the same values, and the record
  values Swift wrote are byte-identical to what AvroSerializer writes for the same value (same
  schema id: both register the same contract under the same subject).
- confluent-kafka AvroSerializer (v1 and v2 records) -> Swift typed consumer groups read them as
  v2 (v1 records get the default channel) and as v1 (v2 records lose the channel); Swift then
  writes the same values and the raw bytes match Python's.

The example binary sits next to `brook` (BROOK_BIN); BROOK_ORDERS_EXAMPLE_BIN overrides it.
"""

import datetime
import json
import os
import subprocess

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from interop_support import (brook_binary, consume_partitions, create_topic, produce_and_wait, producer,
                             start_broker_with_registry, unique_topic)

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE_TIMEOUT_SECONDS = 120
# Bounds a Swift consumer that finds fewer records than expected: it stops and the test fails.
CONSUMER_IDLE_EXIT_MILLISECONDS = 15000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def read_schema(version):
    with open(os.path.join(PACKAGE_DIR, "schemas", "orders", f"OrderPlaced.{version}.avsc"), encoding="utf-8") as handle:
        return handle.read()


def orders_example_binary():
    path = os.environ.get("BROOK_ORDERS_EXAMPLE_BIN") or os.path.join(os.path.dirname(brook_binary()), "orders-example")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not an executable file: build it with `swift build --product orders-example`")
    return path


@pytest.fixture(scope="module")
def cluster(broker_factory, tmp_path_factory):
    if os.environ.get("BROOK_BOOTSTRAP"):
        pytest.skip("these tests start `brook serve` with its schema registry")
    broker = start_broker_with_registry(tmp_path_factory.mktemp("serde-data"), tmp_path_factory.mktemp("serde-log") / "brook.log", {})
    broker_factory.brokers.append(broker)
    return broker


def run_example(cluster, arguments, input_lines=None):
    """Runs orders-example with --output json; returns its JSON lines. Fails on a non-zero exit."""
    command = [orders_example_binary()] + arguments + [
        "--bootstrap-server", cluster.bootstrap, "--registry-url", cluster.registry_url, "--output", "json"]
    stdin_text = "".join(json.dumps(line) + "\n" for line in input_lines) if input_lines is not None else None
    result = subprocess.run(command, input=stdin_text, capture_output=True, text=True, timeout=EXAMPLE_TIMEOUT_SECONDS)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def make_orders(version, count):
    """Orders as the contract's dicts (placedAt as epoch milliseconds), varied on purpose."""
    channels = ["WEB", "MOBILE_APP", "IN_STORE"]
    orders = []
    for number in range(count):
        items = [{"sku": f"SKU-{number}-{line}", "quantity": line + 1, "unitPriceCents": 199 * (line + 1) + number}
                 for line in range(number % 5)]
        if number == 3:
            items = [{"sku": "Ünïcødé-ß-😀", "quantity": 2_147_483_647, "unitPriceCents": -1}] * 40
        order = {
            "orderId": f"py-{version}-{number}",
            "customerId": "Zoë" if number % 2 else f"customer-{number}",
            "items": items,
            "totalCents": sum(item["quantity"] * item["unitPriceCents"] for item in items),
            "currency": "EUR" if number % 3 else "JPY",
            "placedAt": 1_700_000_000_000 + number * 86_400_123,
        }
        if version == "v2":
            order["channel"] = channels[number % 3]
        orders.append(order)
    return orders


def as_plain(value):
    """A deserialized value with placedAt back in epoch milliseconds (fastavro gives a datetime)."""
    plain = dict(value)
    if isinstance(plain["placedAt"], datetime.datetime):
        plain["placedAt"] = (plain["placedAt"] - EPOCH) // datetime.timedelta(milliseconds=1)
    return plain


def read_all(bootstrap, topic, partitions):
    messages = consume_partitions(bootstrap, topic, {partition: 0 for partition in range(partitions)})
    return [message for batch in messages.values() for message in batch]


def test_swift_typed_producer_to_confluent_avro_deserializer_byte_identical(cluster):
    topic = unique_topic("swift-serde-out")
    create_topic(cluster.bootstrap, topic, partitions=3)
    orders = make_orders("v1", 8)
    sent = run_example(cluster, ["produce", "--contract", "v1", "--topic", topic, "--input", "-"], orders)
    assert [line["value"] for line in sent] == orders
    assert all(line["key"] == line["value"]["orderId"] for line in sent)

    registry = SchemaRegistryClient({"url": cluster.registry_url})
    deserializer = AvroDeserializer(registry, read_schema("v1"))
    serializer = AvroSerializer(registry, read_schema("v1"))
    context = SerializationContext(topic, MessageField.VALUE)
    messages = read_all(cluster.bootstrap, topic, 3)
    assert len(messages) == len(orders)
    by_id = {order["orderId"]: order for order in orders}
    for message in messages:
        value = as_plain(deserializer(message.value(), context))
        assert message.key().decode() == value["orderId"]
        assert value == by_id[value["orderId"]]
        # Same value, same subject and schema: confluent-kafka writes exactly Swift's bytes.
        assert serializer(by_id[value["orderId"]], context) == message.value(), value["orderId"]
    assert registry.get_versions(f"{topic}-value") == [1]


def test_confluent_avro_serializer_to_swift_typed_consumers_and_back(cluster):
    topic = unique_topic("swift-serde-in")
    create_topic(cluster.bootstrap, topic, partitions=2)
    registry = SchemaRegistryClient({"url": cluster.registry_url})
    context = SerializationContext(topic, MessageField.VALUE)
    v1_orders = make_orders("v1", 4)
    v2_orders = make_orders("v2", 6)
    v1_serializer = AvroSerializer(registry, read_schema("v1"))
    v2_serializer = AvroSerializer(registry, read_schema("v2"))
    records = [(topic, order["orderId"].encode(), v1_serializer(order, context), None, None) for order in v1_orders]
    records += [(topic, order["orderId"].encode(), v2_serializer(order, context), None, None) for order in v2_orders]
    python_bytes = {record[1].decode(): record[2] for record in records}
    produce_and_wait(producer(cluster.bootstrap), records)
    assert registry.get_versions(f"{topic}-value") == [1, 2]

    # A v2 group reads both: v1 records with the default channel.
    read_v2 = run_example(cluster, [
        "consume", "--contract", "v2", "--topic", topic, "--group", unique_topic("swift-v2"),
        "--max-records", str(len(records)), "--idle-exit-ms", str(CONSUMER_IDLE_EXIT_MILLISECONDS)])
    expected_v2 = {order["orderId"]: dict(order, channel="WEB") for order in v1_orders}
    expected_v2.update({order["orderId"]: order for order in v2_orders})
    assert {line["key"]: line["value"] for line in read_v2} == expected_v2
    assert all("error" not in line for line in read_v2)

    # A v1 group reads both: v2 records without the channel.
    read_v1 = run_example(cluster, [
        "consume", "--contract", "v1", "--topic", topic, "--group", unique_topic("swift-v1"),
        "--max-records", str(len(records)), "--idle-exit-ms", str(CONSUMER_IDLE_EXIT_MILLISECONDS)])
    expected_v1 = {order["orderId"]: order for order in v1_orders}
    expected_v1.update({order["orderId"]: {k: v for k, v in order.items() if k != "channel"} for order in v2_orders})
    assert {line["key"]: line["value"] for line in read_v1} == expected_v1

    # Swift writes the same values under the same subject: the bytes are Python's.
    swift_topic = unique_topic("swift-serde-back")
    create_topic(cluster.bootstrap, swift_topic, partitions=1)
    # A schema keeps its id under every subject (as in Confluent's registry), so the ids match too.
    run_example(cluster, ["produce", "--contract", "v1", "--topic", swift_topic, "--input", "-"], v1_orders)
    run_example(cluster, ["produce", "--contract", "v2", "--topic", swift_topic, "--input", "-"], v2_orders)
    swift_messages = read_all(cluster.bootstrap, swift_topic, 1)
    assert len(swift_messages) == len(records)
    for message in swift_messages:
        assert message.value() == python_bytes[message.key().decode()], message.key()
