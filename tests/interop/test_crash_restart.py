"""Durability of the real binary: SIGKILL in the middle of an acks=all stream, and clean restarts.

Crash: a confluent-kafka producer (acks=all) streams records and notes every acknowledged
(partition, offset); the broker is SIGKILLed while records are in flight, restarted on the same
data directory, and every acknowledged record must be read back at its acknowledged offset, in
order, intact (consumer CRC checks on, and each value carries its own digest). Restart: topics,
partition counts, topic configs (set at creation and altered later), deletions and records survive
SIGTERM + start, which must itself exit 0.

These tests start their own brokers, so they are skipped under BROOK_BOOTSTRAP.
"""

import hashlib
import time

from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic, ResourceType
from kafka.admin import KafkaAdminClient

from interop_support import (ADMIN_TIMEOUT_SECONDS, METADATA_TIMEOUT_SECONDS, admin_client, consume_partitions,
                             create_topic, produce_and_wait, producer, unique_topic, wait_for_topic)

CRASH_PARTITION_COUNT = 3
ACKNOWLEDGED_BEFORE_KILL_MINIMUM = 3000
STREAM_SECONDS_BEFORE_KILL_MAXIMUM = 8.0
STREAM_SECONDS_AFTER_KILL = 0.3


def crash_value(sequence):
    digest = hashlib.sha256(str(sequence).encode()).hexdigest()
    return f"{sequence:08d}:{digest}".encode() + b"." * 100


def check_crash_value(value):
    sequence_text, _, rest = value.partition(b":")
    sequence = int(sequence_text)
    assert value == crash_value(sequence), f"corrupted record {value[:40]!r}"
    return sequence


def test_sigkill_mid_stream_loses_no_acknowledged_record(broker_factory):
    broker = broker_factory.start()
    topic = unique_topic("crash")
    create_topic(broker.bootstrap, topic, partitions=CRASH_PARTITION_COUNT)

    acknowledged = {}
    failures = []

    def on_delivery(error, message):
        if error is None:
            acknowledged[(message.partition(), message.offset())] = message.value()
        else:
            failures.append(error)

    client = producer(broker.bootstrap, acks="all", linger_ms=1, message_timeout_ms=3000,
                      partitioner="murmur2_random", reconnect_backoff_max_ms=200)
    sequence = 0
    killed_at = None
    started = time.monotonic()
    while True:
        now = time.monotonic()
        if killed_at is None and (len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL_MINIMUM
                                  or now - started > STREAM_SECONDS_BEFORE_KILL_MAXIMUM):
            broker.kill()
            killed_at = now
        if killed_at is not None and now - killed_at > STREAM_SECONDS_AFTER_KILL:
            break
        try:
            client.produce(topic, key=f"k{sequence % 101}".encode(), value=crash_value(sequence),
                           on_delivery=on_delivery)
            sequence += 1
        except BufferError:
            pass
        client.poll(0)
    acknowledged_at_kill = len(acknowledged)
    # The kill must fall mid-stream: records were produced that had no answer yet.
    assert sequence > acknowledged_at_kill, "nothing was in flight when the broker was killed"
    # Reports of responses sent before the kill may still arrive; the rest time out as failures.
    assert client.flush(15) == 0, "records in flight at the kill were neither acknowledged nor failed"
    assert len(acknowledged) + len(failures) == sequence
    assert acknowledged_at_kill >= 100, f"only {acknowledged_at_kill} acks before the kill: broker too slow?"

    print(f"crash: {sequence} produced, {acknowledged_at_kill} acknowledged at the kill, "
          f"{len(acknowledged)} in all, {len(failures)} failed")
    restarted = broker_factory.start(data_dir=broker.data_dir)
    wait_for_topic(restarted.bootstrap, topic, CRASH_PARTITION_COUNT)
    read = consume_partitions(restarted.bootstrap, topic, {p: 0 for p in range(CRASH_PARTITION_COUNT)}, timeout=60)
    for partition, batch in read.items():
        assert [m.offset() for m in batch] == list(range(len(batch))), f"partition {partition}: offset gap"
        sequences = [check_crash_value(m.value()) for m in batch]
        assert sequences == sorted(sequences), f"partition {partition}: records out of order"
    by_position = {(p, m.offset()): m.value() for p, batch in read.items() for m in batch}
    missing = [position for position in acknowledged if position not in by_position]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged records lost, e.g. {sorted(missing)[:5]}"
    changed = [position for position, value in acknowledged.items() if by_position[position] != value]
    assert not changed, f"{len(changed)} acknowledged records hold other values, e.g. {changed[:5]}"

    # The recovered log takes appends after its recovered end.
    ends = {p: len(batch) for p, batch in read.items()}
    delivered = produce_and_wait(producer(restarted.bootstrap, acks="all"),
                                 [(topic, None, b"after-restart", p, None) for p in range(CRASH_PARTITION_COUNT)])
    assert {m.partition(): m.offset() for m in delivered} == ends


def describe_topic_configs(bootstrap, topic, names):
    admin = admin_client(bootstrap)
    resource = ConfigResource(ResourceType.TOPIC, topic)
    entries = admin.describe_configs([resource], request_timeout=ADMIN_TIMEOUT_SECONDS)[resource].result(
        timeout=ADMIN_TIMEOUT_SECONDS)
    return {name: entries[name].value for name in names if name in entries}


def test_topics_configs_and_records_survive_clean_restart(broker_factory):
    broker = broker_factory.start(settings={"num.partitions": 3})
    configured = unique_topic("restart-configured")
    by_kafka_python = unique_topic("restart-kpy")
    auto_created = unique_topic("restart-auto")
    deleted = unique_topic("restart-deleted")

    create_topic(broker.bootstrap, configured, partitions=4,
                 config={"retention.ms": "3600000", "cleanup.policy": "delete"})
    kafka_python_admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=10000,
                                          bootstrap_timeout_ms=10000)
    try:
        kafka_python_admin.create_topics({by_kafka_python: {"num_partitions": 2, "replication_factor": 1,
                                                            "configs": {"max.message.bytes": "2000000"}}})
    finally:
        kafka_python_admin.close()
    create_topic(broker.bootstrap, deleted, partitions=1)

    admin = admin_client(broker.bootstrap)
    resource = ConfigResource(ResourceType.TOPIC, configured, incremental_configs=[
        ConfigEntry("retention.ms", "7200000", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("segment.bytes", "1048576", incremental_operation=AlterConfigOpType.SET)])
    admin.incremental_alter_configs([resource], request_timeout=ADMIN_TIMEOUT_SECONDS)[resource].result(
        timeout=ADMIN_TIMEOUT_SECONDS)
    admin.delete_topics([deleted], operation_timeout=ADMIN_TIMEOUT_SECONDS)[deleted].result(
        timeout=ADMIN_TIMEOUT_SECONDS)

    records = [(configured, f"k{i}".encode(), f"configured-{i}".encode(), i % 4, None) for i in range(40)]
    records += [(by_kafka_python, None, f"kpy-{i}".encode(), i % 2, None) for i in range(10)]
    records += [(auto_created, None, f"auto-{i}".encode(), None, None) for i in range(5)]
    produce_and_wait(producer(broker.bootstrap, acks="all"), records)
    assert len(wait_for_topic(broker.bootstrap, auto_created, 3).partitions) == 3, "num.partitions ignored"

    expected_configs = {configured: {"retention.ms": "7200000", "segment.bytes": "1048576", "cleanup.policy": "delete"},
                        by_kafka_python: {"max.message.bytes": "2000000"}}
    for topic, expected in expected_configs.items():
        assert describe_topic_configs(broker.bootstrap, topic, expected) == expected, f"{topic} before restart"

    assert broker.stop() == 0, "SIGTERM must shut brook down with exit status 0"
    restarted = broker_factory.start(settings={"num.partitions": 3}, data_dir=broker.data_dir)

    listed = admin_client(restarted.bootstrap).list_topics(timeout=METADATA_TIMEOUT_SECONDS).topics
    assert deleted not in listed, "a deleted topic came back after restart"
    for topic, partitions in [(configured, 4), (by_kafka_python, 2), (auto_created, 3)]:
        assert topic in listed, f"{topic} lost in restart"
        assert len(listed[topic].partitions) == partitions, topic
    for topic, expected in expected_configs.items():
        assert describe_topic_configs(restarted.bootstrap, topic, expected) == expected, f"{topic} after restart"

    read = consume_partitions(restarted.bootstrap, configured, {p: 0 for p in range(4)})
    assert sorted(m.value() for batch in read.values() for m in batch) == sorted(r[2] for r in records[:40])
    read = consume_partitions(restarted.bootstrap, auto_created, {p: 0 for p in range(3)})
    assert sorted(m.value() for batch in read.values() for m in batch) == [f"auto-{i}".encode() for i in range(5)]

    # A topic that was deleted can be created again, empty.
    create_topic(restarted.bootstrap, deleted, partitions=2)
    assert consume_partitions(restarted.bootstrap, deleted, {0: 0, 1: 0}) == {0: [], 1: []}
