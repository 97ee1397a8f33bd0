"""The Swift client's keyed records land on the same partitions as kafka-python's and
confluent-kafka's (with librdkafka's Java-compatible `murmur2_random` partitioner).

The Swift side is the real `brook produce` command (KafkaProducer, idempotent by default); the
Python clients produce the same keys to their own topics; then each topic is read back and the
key -> partition maps must be identical. No partition is computed here: the three clients' own
partitioners are compared with each other.
"""

import random
import subprocess

from interop_support import (brook_binary, consume_partitions, create_topic, kafka_python_producer, produce_and_wait,
                             producer, unique_topic)

PARTITION_COUNT = 7
BROOK_PRODUCE_TIMEOUT_SECONDS = 60


def partitioning_keys():
    # Printable keys only: `brook produce` reads key<TAB>value lines.
    generator = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/é€"
    keys = [f"order-{index}" for index in range(200)]
    keys += ["".join(generator.choice(alphabet) for _ in range(generator.randrange(1, 30))) for _ in range(100)]
    return list(dict.fromkeys(keys))


def partitions_by_key(bootstrap, topic):
    messages = consume_partitions(bootstrap, topic, {partition: 0 for partition in range(PARTITION_COUNT)})
    placement = {}
    for partition, batch in messages.items():
        for message in batch:
            key = message.key().decode()
            assert placement.setdefault(key, partition) == partition, f"{topic}: key {key!r} on two partitions"
    return placement


def test_swift_python_and_librdkafka_murmur2_agree_on_partitions(bootstrap, tmp_path):
    keys = partitioning_keys()
    swift_topic, kafka_python_topic, confluent_topic = (unique_topic(name) for name in ("swift-keys", "kpy-keys", "ck-keys"))
    for topic in (swift_topic, kafka_python_topic, confluent_topic):
        create_topic(bootstrap, topic, partitions=PARTITION_COUNT)

    lines = tmp_path / "keyed.txt"
    lines.write_text("".join(f"{key}\tvalue-{index}\n" for index, key in enumerate(keys)), encoding="utf-8")
    subprocess.run([brook_binary(), "produce", "--bootstrap-server", bootstrap, swift_topic, "--file", str(lines),
                    "--key-separator", "\t", "--no-progress"],
                   check=True, timeout=BROOK_PRODUCE_TIMEOUT_SECONDS, capture_output=True)

    kafka_python = kafka_python_producer(bootstrap)
    try:
        futures = [kafka_python.send(kafka_python_topic, key=key.encode(), value=b"v") for key in keys]
        kafka_python.flush(timeout=30)
        kafka_python_partitions = {key: future.get(timeout=30).partition for key, future in zip(keys, futures)}
    finally:
        kafka_python.close(timeout=10)

    confluent = producer(bootstrap, partitioner="murmur2_random")
    delivered = produce_and_wait(confluent, [(confluent_topic, key.encode(), b"v", None, None) for key in keys])
    confluent_partitions = {message.key().decode(): message.partition() for message in delivered}

    swift_partitions = partitions_by_key(bootstrap, swift_topic)
    assert set(swift_partitions) == set(keys)
    assert swift_partitions == kafka_python_partitions
    assert swift_partitions == confluent_partitions
    # The keys spread over every partition, so the comparison covers them all.
    assert set(swift_partitions.values()) == set(range(PARTITION_COUNT))
    # Read back from the log too: kafka-python's own topic holds each key where it said.
    assert partitions_by_key(bootstrap, kafka_python_topic) == kafka_python_partitions
