"""Idempotent producers (confluent-kafka with enable.idempotence, kafka-python 3 by default) and the
broker's record-size limit.

Idempotence: every record arrives exactly once, in order, and the batches the broker serves carry
the producer id and contiguous sequence numbers the client assigned (read with a raw Fetch, since
no client shows them). Size: a 2 MiB record is refused by the broker itself with
MESSAGE_TOO_LARGE (clients are told to allow it, so they do not refuse it first), one just under
message.max.bytes is accepted, and the producer goes on working after the refusal.
"""

import os

import pytest
from confluent_kafka import KafkaError
from kafka import errors as kafka_python_errors

from interop_support import (consume_partitions, create_topic, kafka_python_producer, kafka_python_read,
                             produce_and_wait, producer, unique_topic)
from raw_protocol import fetch_batches

PARTITION_COUNT = 3
IDEMPOTENT_RECORD_COUNT = 900
OVERSIZED_RECORD_BYTES = 2 * 1024 * 1024
# Kafka's default message.max.bytes is 1,048,588; a record of 1,000,000 bytes plus the batch and
# record overhead stays below it.
LARGEST_ACCEPTED_VALUE_BYTES = 1_000_000
CLIENT_SIZE_LIMIT_BYTES = 4 * 1024 * 1024


def check_idempotent_batches(bootstrap, topic, counts_by_partition):
    """Each partition's batches carry one producer id and sequences 0, n1, n1+n2, ... (no gaps,
    no repeats): what the broker's duplicate detection relies on, kept as the client wrote it."""
    producer_ids = set()
    for partition, count in counts_by_partition.items():
        error_code, high_watermark, batches = fetch_batches(bootstrap, topic, partition)
        assert error_code == 0
        assert high_watermark == count
        assert batches, f"partition {partition}: no batches served"
        expected_sequence = 0
        expected_offset = 0
        for batch in batches:
            assert batch.magic == 2 and batch.crc_matches, batch
            assert batch.producer_id >= 0 and batch.producer_epoch >= 0, batch
            assert batch.base_sequence == expected_sequence, (partition, batch)
            assert batch.base_offset == expected_offset, (partition, batch)
            assert batch.last_offset_delta == batch.record_count - 1, batch
            expected_sequence += batch.record_count
            expected_offset += batch.record_count
            producer_ids.add(batch.producer_id)
        assert expected_offset == count
    assert len(producer_ids) == 1, f"one producer, yet producer ids {producer_ids}"


def check_exactly_once_in_order(read_by_partition, values_in_send_order):
    read_values = [value for batch in read_by_partition.values() for value in batch]
    assert len(read_values) == len(values_in_send_order), "duplicates or losses"
    assert sorted(read_values) == sorted(values_in_send_order)
    position = {value: index for index, value in enumerate(values_in_send_order)}
    for partition, batch in read_by_partition.items():
        assert [position[value] for value in batch] == sorted(position[value] for value in batch), \
            f"partition {partition} out of send order"


def test_confluent_idempotent_producer(bootstrap):
    topic = unique_topic("idempotent-confluent")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    values = [f"record-{index:05d}".encode() for index in range(IDEMPOTENT_RECORD_COUNT)]
    client = producer(bootstrap, enable_idempotence=True, linger_ms=2, batch_num_messages=50)
    delivered = produce_and_wait(client, [(topic, f"key-{i % 29}".encode(), value, None, None)
                                          for i, value in enumerate(values)])
    positions = [(m.partition(), m.offset()) for m in delivered]
    assert len(set(positions)) == len(positions), "two records acknowledged at one offset"

    read = consume_partitions(bootstrap, topic, {p: 0 for p in range(PARTITION_COUNT)})
    check_exactly_once_in_order({p: [m.value() for m in batch] for p, batch in read.items()}, values)
    check_idempotent_batches(bootstrap, topic, {p: len(batch) for p, batch in read.items()})


def test_kafka_python_idempotent_by_default(bootstrap):
    topic = unique_topic("idempotent-kpy")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    values = [f"record-{index:05d}".encode() for index in range(IDEMPOTENT_RECORD_COUNT)]
    client = kafka_python_producer(bootstrap, batch_size=2000)
    try:
        # kafka-python 3 turns idempotence off by itself when it judges the broker too old; the
        # broker's ApiVersions must make it keep its default.
        assert client.config["enable_idempotence"] is True, "kafka-python disabled idempotence for this broker"
        futures = [client.send(topic, key=f"key-{i % 29}".encode(), value=value) for i, value in enumerate(values)]
        client.flush(timeout=30)
        metadata = [future.get(timeout=30) for future in futures]
    finally:
        client.close(timeout=10)
    positions = [(record.partition, record.offset) for record in metadata]
    assert len(set(positions)) == len(positions)

    read = kafka_python_read(bootstrap, topic, {p: 0 for p in range(PARTITION_COUNT)})
    check_exactly_once_in_order({p: [r.value for r in batch] for p, batch in read.items()}, values)
    check_idempotent_batches(bootstrap, topic, {p: len(batch) for p, batch in read.items()})


def test_confluent_oversized_record_refused_by_broker(bootstrap):
    topic = unique_topic("size-confluent")
    create_topic(bootstrap, topic, partitions=1)
    # The client's own limit is raised so that only the broker can refuse the record.
    client = producer(bootstrap, message_max_bytes=CLIENT_SIZE_LIMIT_BYTES, linger_ms=0,
                      compression_type="none", retries=0)
    outcomes = []
    client.produce(topic, value=os.urandom(OVERSIZED_RECORD_BYTES),
                   on_delivery=lambda error, message: outcomes.append(error))
    assert client.flush(30) == 0
    [error] = outcomes
    assert error is not None, "a 2 MiB record was accepted"
    assert error.code() == KafkaError.MSG_SIZE_TOO_LARGE, error
    assert not error.retriable()

    # The producer and the partition go on: the next records are accepted at offset 0 and 1.
    delivered = produce_and_wait(client, [(topic, b"after", b"small", None, None),
                                          (topic, b"large", os.urandom(LARGEST_ACCEPTED_VALUE_BYTES), None, None)])
    assert [m.offset() for m in delivered] == [0, 1]
    read = consume_partitions(bootstrap, topic, {0: 0}, fetch_max_bytes=CLIENT_SIZE_LIMIT_BYTES,
                              max_partition_fetch_bytes=CLIENT_SIZE_LIMIT_BYTES)
    assert [len(m.value()) for m in read[0]] == [5, LARGEST_ACCEPTED_VALUE_BYTES]


def test_kafka_python_oversized_record_refused_by_broker(bootstrap):
    topic = unique_topic("size-kpy")
    create_topic(bootstrap, topic, partitions=1)
    client = kafka_python_producer(bootstrap, max_request_size=CLIENT_SIZE_LIMIT_BYTES, linger_ms=0)
    try:
        future = client.send(topic, value=os.urandom(OVERSIZED_RECORD_BYTES))
        with pytest.raises(kafka_python_errors.MessageSizeTooLargeError) as raised:
            future.get(timeout=30)
        # Error code 10 is the broker's answer; kafka-python's own size check raises before
        # send() returns a future, so reaching this point means the broker refused it.
        assert raised.value.errno == 10
    finally:
        client.close(timeout=10)
    # kafka-python 3.0.12's idempotent producer (its default) treats any non-retriable batch
    # error as fatal to the producer (TransactionManager.classify_batch_error), so the next
    # record goes through a new producer; what matters here is that the broker takes it.
    client = kafka_python_producer(bootstrap)
    try:
        after = client.send(topic, value=b"after").get(timeout=30)
        assert after.offset == 0
    finally:
        client.close(timeout=10)
