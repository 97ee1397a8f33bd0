"""Keyed produce and positioned consume with confluent-kafka, kafka-python and Debian's kcat.

Keyed records must land where Kafka's Java client would put them (murmur2, computed here
independently of any client) and be read back from that partition; consumers must be able to
start at the beginning, at a given offset, and at the first record of a timestamp range found
with ListOffsets (offsets_for_times).
"""

import random

import pytest
from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, TopicPartition
from kafka import TopicPartition as KafkaPythonPartition

from interop_support import (consume_partitions, consumer, create_topic, kafka_partition_for_key, kafka_python_consumer,
                             kafka_python_producer, kafka_python_read, produce_and_wait, producer, unique_topic)

PARTITION_COUNT = 6
TIMESTAMP_BASE_MILLISECONDS = 1_700_000_000_000
TIMESTAMP_STEP_MILLISECONDS = 1000
TIMED_RECORD_COUNT = 40


def keys_for_partitioning():
    generator = random.Random(7)
    text_keys = [f"customer-{index}".encode() for index in range(150)]
    binary_keys = [bytes(generator.randrange(256) for _ in range(generator.randrange(1, 40))) for _ in range(50)]
    return text_keys + binary_keys


def check_partitions_hold_keys(records_by_partition, keys, topic):
    expected = {partition: [] for partition in range(PARTITION_COUNT)}
    for index, key in enumerate(keys):
        expected[kafka_partition_for_key(key, PARTITION_COUNT)].append((key, f"value-{index}".encode()))
    for partition in range(PARTITION_COUNT):
        assert records_by_partition[partition] == expected[partition], f"{topic} partition {partition}"


def test_confluent_murmur2_keys_land_on_kafka_partitions(bootstrap):
    topic = unique_topic("keyed-confluent")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    keys = keys_for_partitioning()
    client = producer(bootstrap, partitioner="murmur2_random")
    delivered = produce_and_wait(client, [(topic, key, f"value-{i}".encode(), None, None) for i, key in enumerate(keys)])
    wrong = [(m.key(), m.partition(), kafka_partition_for_key(m.key(), PARTITION_COUNT)) for m in delivered
             if m.partition() != kafka_partition_for_key(m.key(), PARTITION_COUNT)]
    assert not wrong, f"records on the wrong partition (key, got, murmur2): {wrong[:5]}"
    assert len({m.partition() for m in delivered}) == PARTITION_COUNT

    read = consume_partitions(bootstrap, topic, {p: 0 for p in range(PARTITION_COUNT)})
    check_partitions_hold_keys({p: [(m.key(), m.value()) for m in batch] for p, batch in read.items()}, keys, topic)
    for partition, batch in read.items():
        assert [m.offset() for m in batch] == list(range(len(batch))), f"partition {partition} offsets"


def test_kafka_python_default_partitioner_is_murmur2(bootstrap):
    topic = unique_topic("keyed-kpy")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    keys = keys_for_partitioning()
    client = kafka_python_producer(bootstrap)
    try:
        futures = [client.send(topic, key=key, value=f"value-{i}".encode()) for i, key in enumerate(keys)]
        client.flush(timeout=30)
        metadata = [future.get(timeout=30) for future in futures]
    finally:
        client.close(timeout=10)
    for key, record in zip(keys, metadata):
        assert record.partition == kafka_partition_for_key(key, PARTITION_COUNT), key

    read = kafka_python_read(bootstrap, topic, {p: 0 for p in range(PARTITION_COUNT)})
    check_partitions_hold_keys({p: [(r.key, r.value) for r in batch] for p, batch in read.items()}, keys, topic)
    acknowledged = {(r.partition, r.offset) for r in metadata}
    assert acknowledged == {(r.partition, r.offset) for batch in read.values() for r in batch}


@pytest.fixture(scope="module")
def timed_topic(bootstrap):
    """A 2-partition topic whose partition 0 holds TIMED_RECORD_COUNT records with CreateTime
    base + index * step; partition 1 holds a few records so it is not trivially empty."""
    topic = unique_topic("timed")
    create_topic(bootstrap, topic, partitions=2)
    records = [(topic, f"k{i}".encode(), f"v{i}".encode(), 0, TIMESTAMP_BASE_MILLISECONDS + i * TIMESTAMP_STEP_MILLISECONDS)
               for i in range(TIMED_RECORD_COUNT)]
    records += [(topic, b"other", f"o{i}".encode(), 1, TIMESTAMP_BASE_MILLISECONDS) for i in range(3)]
    # One record per request, so that the time index has many batches to choose between.
    produce_and_wait(producer(bootstrap, linger_ms=0), records)
    return topic


def test_confluent_consume_from_beginning(bootstrap, timed_topic):
    batch = consume_partitions(bootstrap, timed_topic, {0: OFFSET_BEGINNING})[0]
    assert [m.offset() for m in batch] == list(range(TIMED_RECORD_COUNT))
    assert [m.value() for m in batch] == [f"v{i}".encode() for i in range(TIMED_RECORD_COUNT)]
    assert [m.timestamp() for m in batch] == [
        (TIMESTAMP_CREATE_TIME, TIMESTAMP_BASE_MILLISECONDS + i * TIMESTAMP_STEP_MILLISECONDS)
        for i in range(TIMED_RECORD_COUNT)]


# Kafka answers ListOffsets by timestamp with the first *record* at or after the time (it scans
# inside the batch), and that record's timestamp; the timed topic holds one 40-record batch, so
# these lookups land inside a batch.


def test_confluent_consume_from_offset(bootstrap, timed_topic):
    batch = consume_partitions(bootstrap, timed_topic, {0: 25})[0]
    assert [(m.offset(), m.key()) for m in batch] == [(i, f"k{i}".encode()) for i in range(25, TIMED_RECORD_COUNT)]
    client = consumer(bootstrap)
    try:
        low, high = client.get_watermark_offsets(TopicPartition(timed_topic, 0), timeout=10)
        assert (low, high) == (0, TIMED_RECORD_COUNT)
    finally:
        client.close()


def confluent_offset_for(bootstrap, topic, timestamp):
    client = consumer(bootstrap)
    try:
        [answer] = client.offsets_for_times([TopicPartition(topic, 0, timestamp)], timeout=10)
    finally:
        client.close()
    assert answer.error is None, answer.error
    return answer.offset


def test_confluent_offsets_for_times_edges(bootstrap, timed_topic):
    assert confluent_offset_for(bootstrap, timed_topic, TIMESTAMP_BASE_MILLISECONDS - 5000) == 0
    # Past the last record Kafka answers offset -1 (librdkafka's OFFSET_END).
    past_end = TIMESTAMP_BASE_MILLISECONDS + TIMED_RECORD_COUNT * TIMESTAMP_STEP_MILLISECONDS
    assert confluent_offset_for(bootstrap, timed_topic, past_end) == -1


def test_confluent_offsets_for_times_and_time_range(bootstrap, timed_topic):
    assert confluent_offset_for(bootstrap, timed_topic, TIMESTAMP_BASE_MILLISECONDS + 20 * TIMESTAMP_STEP_MILLISECONDS) == 20
    assert confluent_offset_for(bootstrap, timed_topic,
                                TIMESTAMP_BASE_MILLISECONDS + 10 * TIMESTAMP_STEP_MILLISECONDS + 500) == 11
    # A time range [start, end]: offsets_for_times gives where to start reading.
    range_start = TIMESTAMP_BASE_MILLISECONDS + 12 * TIMESTAMP_STEP_MILLISECONDS - 1
    range_end = TIMESTAMP_BASE_MILLISECONDS + 30 * TIMESTAMP_STEP_MILLISECONDS
    start_offset = confluent_offset_for(bootstrap, timed_topic, range_start)
    batch = consume_partitions(bootstrap, timed_topic, {0: start_offset})[0]
    in_range = [m for m in batch if m.timestamp()[1] <= range_end]
    assert [m.offset() for m in in_range] == list(range(12, 31))
    assert all(range_start <= m.timestamp()[1] <= range_end for m in in_range)


def test_kafka_python_positioned_reads(bootstrap, timed_topic):
    partition = KafkaPythonPartition(timed_topic, 0)
    reader = kafka_python_consumer(bootstrap)
    try:
        reader.assign([partition])
        assert reader.beginning_offsets([partition]) == {partition: 0}
        assert reader.end_offsets([partition]) == {partition: TIMED_RECORD_COUNT}
        past_end = reader.offsets_for_times({partition: TIMESTAMP_BASE_MILLISECONDS + 10 ** 9})
        assert past_end[partition] is None
    finally:
        reader.close()
    from_beginning = kafka_python_read(bootstrap, timed_topic, {0: 0})[0]
    assert [(r.offset, r.value, r.timestamp) for r in from_beginning] == [
        (i, f"v{i}".encode(), TIMESTAMP_BASE_MILLISECONDS + i * TIMESTAMP_STEP_MILLISECONDS)
        for i in range(TIMED_RECORD_COUNT)]
    from_offset = kafka_python_read(bootstrap, timed_topic, {0: 33})[0]
    assert [r.offset for r in from_offset] == list(range(33, TIMED_RECORD_COUNT))


def test_kafka_python_offsets_for_times(bootstrap, timed_topic):
    partition = KafkaPythonPartition(timed_topic, 0)
    reader = kafka_python_consumer(bootstrap)
    try:
        reader.assign([partition])
        found = reader.offsets_for_times({partition: TIMESTAMP_BASE_MILLISECONDS + 7 * TIMESTAMP_STEP_MILLISECONDS - 1})
    finally:
        reader.close()
    assert found[partition].offset == 7
    assert found[partition].timestamp == TIMESTAMP_BASE_MILLISECONDS + 7 * TIMESTAMP_STEP_MILLISECONDS


def read_with_kcat(bootstrap, kcat, topic, arguments):
    completed = kcat.run(bootstrap, ["-C", "-t", topic, "-p", "0", "-e", "-q", "-f", "%o %k %T\\n"] + arguments,
                         timeout=30)
    return [line.split() for line in completed.stdout.decode().splitlines() if line]


def test_kcat_positioned_reads(bootstrap, kcat, timed_topic):
    everything = read_with_kcat(bootstrap, kcat, timed_topic, ["-o", "beginning"])
    assert [int(fields[0]) for fields in everything] == list(range(TIMED_RECORD_COUNT))
    assert [int(fields[2]) for fields in everything] == [
        TIMESTAMP_BASE_MILLISECONDS + i * TIMESTAMP_STEP_MILLISECONDS for i in range(TIMED_RECORD_COUNT)]
    from_offset = read_with_kcat(bootstrap, kcat, timed_topic, ["-o", "30"])
    assert [int(fields[0]) for fields in from_offset] == list(range(30, TIMED_RECORD_COUNT))


def test_kcat_time_range(bootstrap, kcat, timed_topic):
    # -o s@T starts at the first record at or after T (offsets_for_times); -o e@T stops before T.
    start = TIMESTAMP_BASE_MILLISECONDS + 5 * TIMESTAMP_STEP_MILLISECONDS
    end = TIMESTAMP_BASE_MILLISECONDS + 15 * TIMESTAMP_STEP_MILLISECONDS
    ranged = read_with_kcat(bootstrap, kcat, timed_topic, ["-o", f"s@{start}", "-o", f"e@{end}"])
    assert [int(fields[0]) for fields in ranged] == list(range(5, 15))
