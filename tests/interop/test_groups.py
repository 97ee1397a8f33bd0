"""Consumer groups against the real binary, driven by confluent-kafka (librdkafka) and kafka-python.

What the issue asks of the broker's group coordinator, as a client sees it:
- three consumers of one group on a 6-partition topic get disjoint, non-empty partition sets that
  cover all six, and together read every record exactly once;
- a consumer that closes hands its partitions to the others;
- a consumer process that is SIGKILLed hands its partitions over once its session times out;
- a consumer that stops polling for longer than max.poll.interval.ms loses its partitions;
- offsets committed synchronously survive a broker restart, for librdkafka and kafka-python;
- two groups each read the whole topic.

Every wait has a deadline. Consumers heartbeat every 500 ms so that rebalances are noticed quickly;
session.timeout.ms is the broker's minimum (6000 ms), and max.poll.interval.ms may not be below it
(librdkafka refuses such a configuration).
"""

import json
import os
import signal
import subprocess
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition

from interop_support import LIBRDKAFKA_LOGGER, create_topic, produce_and_wait, producer, unique_topic

PARTITIONS = 6
RECORDS_PER_PARTITION = 50
SESSION_TIMEOUT_MS = 6000
HEARTBEAT_INTERVAL_MS = 500
ASSIGNMENT_TIMEOUT_SECONDS = 30.0
CONSUME_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.05


def group_consumer(bootstrap, group, **settings):
    config = {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "session.timeout.ms": SESSION_TIMEOUT_MS,
              "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS, "fetch.wait.max.ms": 100,
              "logger": LIBRDKAFKA_LOGGER}
    config.update({key.replace("_", "."): value for key, value in settings.items()})
    return Consumer(config)


def assigned_partitions(consumer):
    return {partition.partition for partition in consumer.assignment()}


class Readers:
    """Consumers polled round-robin from this thread, keeping what each one read."""

    def __init__(self, consumers):
        self.consumers = list(consumers)
        self.read = {id(consumer): [] for consumer in self.consumers}

    def poll_once(self):
        for consumer in self.consumers:
            message = consumer.poll(POLL_SECONDS)
            if message is None:
                continue
            error = message.error()
            if error is not None:
                assert error.code() == KafkaError._PARTITION_EOF, f"consumer error: {error}"
                continue
            self.read[id(consumer)].append((message.partition(), message.offset(), message.value()))

    def poll_until(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                assignments = [sorted(assigned_partitions(consumer)) for consumer in self.consumers]
                raise AssertionError(f"{what} not reached within {timeout} s; assignments {assignments}")
            self.poll_once()

    def assignment_is_split(self, partition_count):
        """True when every consumer owns at least one partition and together they own each once."""
        sets = [assigned_partitions(consumer) for consumer in self.consumers]
        if any(not owned for owned in sets):
            return False
        union = set().union(*sets)
        return union == set(range(partition_count)) and sum(len(owned) for owned in sets) == partition_count

    def records_read(self):
        return sum(len(records) for records in self.read.values())

    def remove(self, consumer):
        self.consumers.remove(consumer)


def produce_to_every_partition(bootstrap, topic, tag, partitions=PARTITIONS, per_partition=RECORDS_PER_PARTITION):
    records = [(topic, None, f"{tag}-{partition}-{index}".encode(), partition, None)
               for partition in range(partitions) for index in range(per_partition)]
    produce_and_wait(producer(bootstrap), records)
    return {record[2] for record in records}


def check_exactly_once(readers, expected_values):
    """Every expected value read exactly once, each by the consumer that owns its partition."""
    seen = []
    for consumer in readers.consumers:
        owned = assigned_partitions(consumer)
        for partition, _offset, value in readers.read[id(consumer)]:
            if value in expected_values:
                assert partition in owned, f"record of partition {partition} read by a consumer owning {owned}"
                seen.append(value)
    assert len(seen) == len(set(seen)), f"{len(seen) - len(set(seen))} records were read twice"
    assert set(seen) == expected_values


def commit_positions(consumer):
    """Commits the consumer's current positions synchronously."""
    positions = [position for position in consumer.position(consumer.assignment()) if position.offset >= 0]
    if positions:
        consumer.commit(offsets=positions, asynchronous=False)


def test_three_consumers_split_six_partitions_then_two_take_over_after_a_close(bootstrap):
    topic = unique_topic("groups-split")
    group = unique_topic("split")
    create_topic(bootstrap, topic, partitions=PARTITIONS)
    consumers = [group_consumer(bootstrap, group, client_id=f"split-{index}") for index in range(3)]
    readers = Readers(consumers)
    try:
        for consumer in consumers:
            consumer.subscribe([topic])
        readers.poll_until(lambda: readers.assignment_is_split(PARTITIONS), ASSIGNMENT_TIMEOUT_SECONDS,
                           "a split of 6 partitions over 3 consumers")
        first_values = produce_to_every_partition(bootstrap, topic, "first")
        readers.poll_until(lambda: readers.records_read() >= len(first_values), CONSUME_TIMEOUT_SECONDS,
                           f"{len(first_values)} records read")
        check_exactly_once(readers, first_values)
        for consumer in consumers:
            commit_positions(consumer)

        # A clean close sends LeaveGroup: the other two rebalance at once and share all six.
        leaving = consumers[2]
        leaving.close()
        readers.remove(leaving)
        readers.read = {id(consumer): [] for consumer in readers.consumers}
        readers.poll_until(lambda: readers.assignment_is_split(PARTITIONS), ASSIGNMENT_TIMEOUT_SECONDS,
                           "6 partitions over the 2 remaining consumers")
        second_values = produce_to_every_partition(bootstrap, topic, "second")
        # The remaining consumers resume from the committed positions: only new records arrive.
        readers.poll_until(lambda: readers.records_read() >= len(second_values), CONSUME_TIMEOUT_SECONDS,
                           f"{len(second_values)} records read after the close")
        check_exactly_once(readers, second_values)
        assert readers.records_read() == len(second_values), "records of the first round were read again"
    finally:
        for consumer in readers.consumers:
            consumer.close()


# A consumer in its own process, so that the test can SIGKILL it. It prints its assignment as a
# JSON line whenever it changes.
SUBPROCESS_CONSUMER = r"""
import json, sys
from confluent_kafka import Consumer
bootstrap, group, topic, session = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                     "enable.auto.commit": False, "session.timeout.ms": session,
                     "heartbeat.interval.ms": 500, "client.id": "doomed"})
consumer.subscribe([topic])
last = None
while True:
    consumer.poll(0.05)
    owned = sorted(partition.partition for partition in consumer.assignment())
    if owned != last:
        print(json.dumps(owned), flush=True)
        last = owned
"""


def test_a_sigkilled_consumer_hands_its_partitions_over_after_its_session_timeout(bootstrap):
    topic = unique_topic("groups-kill")
    group = unique_topic("kill")
    create_topic(bootstrap, topic, partitions=PARTITIONS)
    survivor = group_consumer(bootstrap, group, client_id="survivor")
    readers = Readers([survivor])
    doomed = subprocess.Popen([sys.executable, "-c", SUBPROCESS_CONSUMER, bootstrap, group, topic,
                               str(SESSION_TIMEOUT_MS)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    os.set_blocking(doomed.stdout.fileno(), False)
    doomed_owned = []
    pending = bytearray()
    try:
        survivor.subscribe([topic])

        def both_own_partitions():
            try:
                pending.extend(os.read(doomed.stdout.fileno(), 65536))
            except BlockingIOError:
                pass
            while b"\n" in pending:
                line, _, rest = bytes(pending).partition(b"\n")
                pending[:] = rest
                doomed_owned[:] = json.loads(line)
            owned = assigned_partitions(survivor)
            return bool(doomed_owned) and bool(owned) and owned.isdisjoint(doomed_owned) \
                and len(owned) + len(doomed_owned) == PARTITIONS

        readers.poll_until(both_own_partitions, ASSIGNMENT_TIMEOUT_SECONDS, "a split between the two consumers")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        killed_at = time.monotonic()
        readers.poll_until(lambda: assigned_partitions(survivor) == set(range(PARTITIONS)),
                           SESSION_TIMEOUT_MS / 1000 + ASSIGNMENT_TIMEOUT_SECONDS, "the survivor owning all 6")
        handed_over_after = time.monotonic() - killed_at
        # The coordinator learns of the death only from the missing heartbeats: the session
        # (6 s, less at most one heartbeat interval) must have run out first.
        assert handed_over_after >= (SESSION_TIMEOUT_MS - 2 * HEARTBEAT_INTERVAL_MS) / 1000, handed_over_after
        values = produce_to_every_partition(bootstrap, topic, "after-kill", per_partition=5)
        readers.poll_until(lambda: {value for _, _, value in readers.read[id(survivor)]} >= values,
                           CONSUME_TIMEOUT_SECONDS, "the survivor reading every partition")
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.wait(timeout=10)
        survivor.close()


def test_a_consumer_that_stops_polling_loses_its_partitions(bootstrap):
    topic = unique_topic("groups-stall")
    group = unique_topic("stall")
    create_topic(bootstrap, topic, partitions=PARTITIONS)
    # librdkafka refuses max.poll.interval.ms below session.timeout.ms: both are 6 s.
    settings = {"max.poll.interval.ms": SESSION_TIMEOUT_MS}
    stalled = group_consumer(bootstrap, group, client_id="stalled", **settings)
    active = group_consumer(bootstrap, group, client_id="active", **settings)
    readers = Readers([stalled, active])
    try:
        stalled.subscribe([topic])
        active.subscribe([topic])
        readers.poll_until(lambda: readers.assignment_is_split(PARTITIONS), ASSIGNMENT_TIMEOUT_SECONDS,
                           "a split between the two consumers")
        stalled_at = time.monotonic()
        only_active = Readers([active])
        only_active.poll_until(lambda: assigned_partitions(active) == set(range(PARTITIONS)),
                               SESSION_TIMEOUT_MS / 1000 + ASSIGNMENT_TIMEOUT_SECONDS,
                               "the polling consumer owning all 6")
        assert time.monotonic() - stalled_at >= (SESSION_TIMEOUT_MS - 2 * HEARTBEAT_INTERVAL_MS) / 1000
    finally:
        stalled.close()
        active.close()


def test_two_groups_each_read_the_whole_topic(bootstrap):
    topic = unique_topic("groups-two")
    create_topic(bootstrap, topic, partitions=3)
    values = produce_to_every_partition(bootstrap, topic, "both", partitions=3, per_partition=20)
    first = group_consumer(bootstrap, unique_topic("group-a"))
    second = group_consumer(bootstrap, unique_topic("group-b"))
    readers = Readers([first, second])
    try:
        first.subscribe([topic])
        second.subscribe([topic])
        readers.poll_until(lambda: all({value for _, _, value in readers.read[id(consumer)]} >= values
                                       for consumer in (first, second)),
                           CONSUME_TIMEOUT_SECONDS, "both groups reading every record")
        for consumer in (first, second):
            read_values = [value for _, _, value in readers.read[id(consumer)]]
            assert len(read_values) == len(values)
            assert assigned_partitions(consumer) == {0, 1, 2}
    finally:
        first.close()
        second.close()


def read_from_group(bootstrap, group, topic, count):
    """A confluent-kafka group consumer reads `count` records, commits synchronously right after
    them and closes. Returns the offsets read (partition 0)."""
    consumer = group_consumer(bootstrap, group)
    readers = Readers([consumer])
    try:
        consumer.subscribe([topic])
        readers.poll_until(lambda: len(readers.read[id(consumer)]) >= count, CONSUME_TIMEOUT_SECONDS,
                           f"{count} records read by group {group}")
        offsets = [offset for _, offset, _ in readers.read[id(consumer)]][:count]
        consumer.commit(offsets=[TopicPartition(topic, 0, offsets[-1] + 1)], asynchronous=False)
        return offsets
    finally:
        consumer.close()


def read_from_group_with_kafka_python(bootstrap, group, topic, count):
    from kafka import KafkaConsumer, TopicPartition as KafkaPythonPartition
    from kafka.structs import OffsetAndMetadata
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=SESSION_TIMEOUT_MS,
                             heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS, request_timeout_ms=15000,
                             fetch_max_wait_ms=100)
    try:
        offsets = []
        deadline = time.monotonic() + CONSUME_TIMEOUT_SECONDS
        while len(offsets) < count:
            assert time.monotonic() < deadline, f"kafka-python read {len(offsets)} of {count} records"
            for batch in consumer.poll(timeout_ms=200, max_records=count - len(offsets)).values():
                offsets.extend(record.offset for record in batch)
        offsets = offsets[:count]
        consumer.commit({KafkaPythonPartition(topic, 0): OffsetAndMetadata(offsets[-1] + 1, "", -1)})
        return offsets
    finally:
        consumer.close()


def test_committed_offsets_survive_a_restart_for_both_clients(broker_factory):
    broker = broker_factory.start()
    topic = unique_topic("groups-restart")
    group = unique_topic("restart")
    create_topic(broker.bootstrap, topic, partitions=1)
    produce_and_wait(producer(broker.bootstrap), [(topic, None, f"r{index}".encode(), 0, None) for index in range(100)])

    assert read_from_group(broker.bootstrap, group, topic, 30) == list(range(0, 30))
    assert broker.stop() == 0
    broker = broker_factory.start(data_dir=broker.data_dir)
    # A new member of the group resumes at the committed offset, then kafka-python at the next one.
    assert read_from_group(broker.bootstrap, group, topic, 30) == list(range(30, 60))
    assert read_from_group_with_kafka_python(broker.bootstrap, group, topic, 20) == list(range(60, 80))
    assert broker.stop() == 0
    broker = broker_factory.start(data_dir=broker.data_dir)
    assert read_from_group_with_kafka_python(broker.bootstrap, group, topic, 10) == list(range(80, 90))
    assert read_from_group(broker.bootstrap, group, topic, 10) == list(range(90, 100))


def test_kcat_balanced_consumer_reads_once_and_resumes_at_its_commit(bootstrap, kcat):
    # Debian's kcat is built on librdkafka 2.0.2, which enables its group consumer only when the
    # broker's version windows overlap its fixed ones (FindCoordinator v0, OffsetCommit v1-2, ...).
    topic = unique_topic("groups-kcat")
    group = unique_topic("kcat")
    create_topic(bootstrap, topic, partitions=3)
    first = produce_to_every_partition(bootstrap, topic, "kcat-first", partitions=3, per_partition=10)

    def read_group():
        completed = kcat.run(bootstrap, ["-G", group, "-X", "auto.offset.reset=earliest", "-e", "-q",
                                         "-f", "%s\\n", topic])
        return completed.stdout.decode().split()

    values = read_group()
    assert sorted(values) == sorted(value.decode() for value in first)
    # kcat commits what it read when it closes: a second run in the group finds nothing new.
    assert read_group() == []
    second = produce_to_every_partition(bootstrap, topic, "kcat-second", partitions=3, per_partition=2)
    assert sorted(read_group()) == sorted(value.decode() for value in second)
