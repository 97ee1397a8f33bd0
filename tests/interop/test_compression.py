"""All four record-batch codecs (gzip, snappy, lz4, zstd) written by each client — confluent-kafka,
kafka-python and Debian's kcat (-z) — and read back by every client, with CRC checks on.

The broker stores compressed batches as it received them and serves them to any client, so a
batch one library compressed must decompress in the others; a broker that mangled a compressed
batch (wrong length, CRC or attributes) fails the reader.
"""

import pytest
from kafka import codec as kafka_python_codec

from interop_support import (consume_partitions, create_topic, kafka_python_producer, kafka_python_read,
                             produce_and_wait, producer, unique_topic)

CODECS = ["gzip", "snappy", "lz4", "zstd"]
RECORD_COUNT = 300
PARTITION_COUNT = 2

KAFKA_PYTHON_CODEC_AVAILABLE = {
    "gzip": kafka_python_codec.has_gzip(),
    "snappy": kafka_python_codec.has_snappy(),
    "lz4": kafka_python_codec.has_lz4(),
    "zstd": kafka_python_codec.has_zstd(),
}


def expected_records(codec):
    # Repetitive text compresses well, so the batches really are compressed; the index keeps
    # every record distinct.
    return [(f"key-{index % 17}".encode(), f"{codec} record {index:05d} ".encode() * 8) for index in range(RECORD_COUNT)]


def produce_with_confluent(bootstrap, topic, codec, records):
    client = producer(bootstrap, compression_type=codec, linger_ms=20, partitioner="murmur2_random")
    produce_and_wait(client, [(topic, key, value, None, None) for key, value in records])


def produce_with_kafka_python(bootstrap, topic, codec, records):
    if not KAFKA_PYTHON_CODEC_AVAILABLE[codec]:
        pytest.skip(f"kafka-python has no {codec} library installed (scripts/install-deps.sh pins them)")
    client = kafka_python_producer(bootstrap, compression_type=codec, linger_ms=20)
    try:
        futures = [client.send(topic, key=key, value=value) for key, value in records]
        client.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)
    finally:
        client.close(timeout=10)


def produce_with_kcat(bootstrap, topic, codec, records, kcat):
    lines = b"".join(key + b"\t" + value + b"\n" for key, value in records)
    kcat.run(bootstrap, ["-P", "-t", topic, "-z", codec, "-K", "\t", "-X", "linger.ms=20",
                         "-X", "partitioner=murmur2_random"], input_bytes=lines, timeout=60)


def read_everything_with_each_client(bootstrap, topic, kcat):
    starts = {partition: 0 for partition in range(PARTITION_COUNT)}
    confluent = consume_partitions(bootstrap, topic, starts)
    kafka_python = kafka_python_read(bootstrap, topic, starts)
    completed = kcat.run(bootstrap, ["-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%k\t%s\n"],
                         timeout=60)
    by_kcat = {partition: [] for partition in range(PARTITION_COUNT)}
    for line in completed.stdout.split(b"\n"):
        if line:
            partition, offset, key, value = line.split(b"\t", 3)
            by_kcat[int(partition)].append((int(offset), key, value))
    return (
        {p: [(m.offset(), m.key(), m.value()) for m in batch] for p, batch in confluent.items()},
        {p: [(r.offset, r.key, r.value) for r in batch] for p, batch in kafka_python.items()},
        {p: sorted(batch) for p, batch in by_kcat.items()},
    )


@pytest.mark.parametrize("writer", ["confluent", "kafka-python", "kcat"])
@pytest.mark.parametrize("codec", CODECS)
def test_codec_round_trip(bootstrap, kcat, codec, writer):
    topic = unique_topic(f"codec-{codec}-{writer}")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    records = expected_records(codec)
    if writer == "confluent":
        produce_with_confluent(bootstrap, topic, codec, records)
    elif writer == "kafka-python":
        produce_with_kafka_python(bootstrap, topic, codec, records)
    else:
        produce_with_kcat(bootstrap, topic, codec, records, kcat)

    confluent, kafka_python, by_kcat = read_everything_with_each_client(bootstrap, topic, kcat)
    assert confluent == kafka_python, "confluent-kafka and kafka-python read different records"
    assert confluent == by_kcat, "confluent-kafka and kcat read different records"
    read_pairs = sorted((key, value) for batch in confluent.values() for _, key, value in batch)
    assert read_pairs == sorted(records)
    for partition, batch in confluent.items():
        assert [offset for offset, _, _ in batch] == list(range(len(batch))), f"partition {partition} offsets"
        # A keyed writer keeps its order per partition.
        values = [value for _, _, value in batch]
        present = set(values)
        assert values == [value for _, value in records if value in present]
