"""Debian's kcat (librdkafka 2.0.2, the oldest client we promise) producing and consuming on its
own: a keyed, headered round trip per codec, murmur2 placement read back by confluent-kafka, and
a topic auto-created by a first produce.

The codec matrix with the other clients is in test_compression.py; here kcat is both ends, so a
reply that 2.0.2 cannot parse (e.g. the ApiVersions tagged fields it trips over) fails at once.
"""

import pytest

from interop_support import (consume_partitions, create_topic, kafka_partition_for_key, unique_topic,
                             wait_for_topic)

PARTITION_COUNT = 4
RECORD_COUNT = 200


def kcat_lines(codec):
    return [(f"key-{index % 23}".encode(), f"kcat {codec} {index:04d}".encode()) for index in range(RECORD_COUNT)]


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_kcat_round_trip(bootstrap, kcat, codec):
    topic = unique_topic(f"kcat-{codec}")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    records = kcat_lines(codec)
    kcat.run(bootstrap, ["-P", "-t", topic, "-z", codec, "-K", "\t", "-H", "origin=kcat",
                         "-X", "partitioner=murmur2_random", "-X", "linger.ms=20"],
             input_bytes=b"".join(key + b"\t" + value + b"\n" for key, value in records))

    completed = kcat.run(bootstrap, ["-C", "-t", topic, "-o", "beginning", "-e", "-q",
                                     "-f", "%p\t%o\t%k\t%h\t%s\n"])
    read = [line.split(b"\t") for line in completed.stdout.split(b"\n") if line]
    assert len(read) == RECORD_COUNT, completed.stderr.decode("utf-8", "replace")[-2000:]
    assert sorted((fields[2], fields[4]) for fields in read) == sorted(records)
    assert all(fields[3] == b"origin=kcat" for fields in read)
    for partition_text, _, key, _, _ in read:
        assert int(partition_text) == kafka_partition_for_key(key, PARTITION_COUNT), key
    for partition in range(PARTITION_COUNT):
        offsets = [int(fields[1]) for fields in read if int(fields[0]) == partition]
        assert offsets == list(range(len(offsets))), f"partition {partition} offsets"
        sent_order = [value for key, value in records if kafka_partition_for_key(key, PARTITION_COUNT) == partition]
        assert [fields[4] for fields in read if int(fields[0]) == partition] == sent_order


def test_kcat_records_read_by_confluent(bootstrap, kcat):
    topic = unique_topic("kcat-cross")
    create_topic(bootstrap, topic, partitions=PARTITION_COUNT)
    records = kcat_lines("cross")
    kcat.run(bootstrap, ["-P", "-t", topic, "-K", "\t", "-X", "partitioner=murmur2_random"],
             input_bytes=b"".join(key + b"\t" + value + b"\n" for key, value in records))
    read = consume_partitions(bootstrap, topic, {p: 0 for p in range(PARTITION_COUNT)})
    for partition, batch in read.items():
        expected = [(key, value) for key, value in records if kafka_partition_for_key(key, PARTITION_COUNT) == partition]
        assert [(m.key(), m.value()) for m in batch] == expected, f"partition {partition}"


def test_kcat_produce_auto_creates_topic(bootstrap, kcat):
    # auto.create.topics.enable defaults to true and num.partitions to 1.
    topic = unique_topic("kcat-auto")
    kcat.run(bootstrap, ["-P", "-t", topic], input_bytes=b"first\nsecond\n")
    wait_for_topic(bootstrap, topic, 1)
    completed = kcat.run(bootstrap, ["-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o %s\n"])
    assert completed.stdout == b"0 first\n1 second\n"
