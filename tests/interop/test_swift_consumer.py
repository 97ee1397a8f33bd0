"""Brook's Swift group consumer and a librdkafka (confluent-kafka) consumer in one group.

The Swift member runs as `brook consume TOPIC --group G` (KafkaConsumer behind it); both members
offer the same assignor, range or roundrobin. Each case runs twice: once with the Swift member
joining first (it leads and computes the assignment, librdkafka decodes it) and once with the
confluent member first (librdkafka leads, Swift decodes). The test checks that the two
assignments are disjoint and cover every partition, that records produced afterwards are read
exactly once across the two members, each from its own partitions, and that the Swift member
leaves cleanly on SIGTERM so the confluent member takes over every partition.

Every wait has a deadline.
"""

import json
import signal
import subprocess
import threading
import time

import pytest
from confluent_kafka import Consumer, TopicPartition

from interop_support import LIBRDKAFKA_LOGGER, brook_binary, create_topic, produce_and_wait, producer, unique_topic

PARTITIONS = 6
RECORDS = 120
SESSION_TIMEOUT_MS = 6000
HEARTBEAT_INTERVAL_MS = 500
ASSIGNMENT_TIMEOUT_SECONDS = 30.0
CONSUME_TIMEOUT_SECONDS = 30.0
EXIT_TIMEOUT_SECONDS = 15.0
POLL_SECONDS = 0.05


class SwiftMember:
    """`brook consume --group`: records (JSON lines) from stdout, rebalance events from stderr."""

    def __init__(self, bootstrap, topic, group, assignor):
        command = [brook_binary(), "consume", topic, "--bootstrap-server", bootstrap, "--group", group,
                   "--assignor", assignor, "--from-beginning", "--output", "json",
                   "--session-timeout-ms", str(SESSION_TIMEOUT_MS),
                   "--heartbeat-interval-ms", str(HEARTBEAT_INTERVAL_MS)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lock = threading.Lock()
        self.records = []
        self.events = []
        self.readers = [threading.Thread(target=self._read_records, daemon=True),
                        threading.Thread(target=self._read_events, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read_records(self):
        for line in self.process.stdout:
            record = json.loads(line)
            with self.lock:
                self.records.append((record["partition"], record["offset"], record["value"]))

    def _read_events(self):
        for line in self.process.stderr:
            with self.lock:
                self.events.append(line.decode("utf-8", "replace").strip())

    def assignment(self):
        """The partitions of the latest `assigned` event (eager assignors announce the whole set)."""
        with self.lock:
            announced = [event for event in self.events if event.startswith("brook: assigned [")]
        if not announced:
            return set()
        inside = announced[-1][len("brook: assigned ["):-1]
        return {int(name.rsplit("-", 1)[1]) for name in inside.split(",") if name}

    def read(self):
        with self.lock:
            return list(self.records)

    def stop(self):
        """SIGTERM (clean close: commit, LeaveGroup) and the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=EXIT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=EXIT_TIMEOUT_SECONDS)
            return "did not exit after SIGTERM (killed)"

    def describe(self):
        with self.lock:
            return f"events={self.events[-10:]} records={len(self.records)}"


def wait_for(condition, explain, timeout=ASSIGNMENT_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, explain()
        time.sleep(POLL_SECONDS)


@pytest.mark.parametrize("leader", ["swift", "confluent"])
@pytest.mark.parametrize("assignor", ["range", "roundrobin"])
def test_swift_and_confluent_consumers_share_a_group(bootstrap, assignor, leader):
    topic = unique_topic(f"swift-group-{assignor}")
    group = unique_topic("swift-group")
    create_topic(bootstrap, topic, partitions=PARTITIONS)
    everything = set(range(PARTITIONS))

    # The first member to join leads the group and computes every assignment after.
    swift = None
    if leader == "swift":
        swift = SwiftMember(bootstrap, topic, group, assignor)
        wait_for(lambda: swift.assignment() == everything, lambda: f"the Swift member alone: {swift.describe()}")
    confluent = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                          "partition.assignment.strategy": assignor, "session.timeout.ms": SESSION_TIMEOUT_MS,
                          "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS, "fetch.wait.max.ms": 100,
                          "logger": LIBRDKAFKA_LOGGER})
    confluent_read = []

    def poll_confluent():
        message = confluent.poll(POLL_SECONDS)
        if message is not None and message.error() is None:
            confluent_read.append((message.partition(), message.offset(), message.value().decode()))

    try:
        confluent.subscribe([topic])
        if swift is None:
            wait_for(lambda: poll_confluent() or {partition.partition for partition in confluent.assignment()} == everything,
                     lambda: "the confluent member alone never owned every partition")
            swift = SwiftMember(bootstrap, topic, group, assignor)

        deadline = time.monotonic() + ASSIGNMENT_TIMEOUT_SECONDS
        while True:
            poll_confluent()
            mine = {partition.partition for partition in confluent.assignment()}
            theirs = swift.assignment()
            if mine and theirs and not mine & theirs and mine | theirs == everything:
                break
            assert time.monotonic() < deadline, (
                f"no disjoint, complete assignment: confluent={sorted(mine)} swift={sorted(theirs)}; {swift.describe()}")
            assert swift.process.poll() is None, f"the Swift member exited: {swift.describe()}"
        confluent_partitions, swift_partitions = mine, theirs

        values = [f"record-{index}" for index in range(RECORDS)]
        produce_and_wait(producer(bootstrap), [(topic, None, value, index % PARTITIONS, None) for index, value in enumerate(values)])

        deadline = time.monotonic() + CONSUME_TIMEOUT_SECONDS
        while len(confluent_read) + len(swift.read()) < RECORDS:
            poll_confluent()
            assert time.monotonic() < deadline, (
                f"read {len(confluent_read)} (confluent) + {len(swift.read())} (Swift) of {RECORDS}; {swift.describe()}")
        swift_read = swift.read()
        assert {partition for partition, _, _ in swift_read} <= swift_partitions
        assert {partition for partition, _, _ in confluent_read} <= confluent_partitions
        everything_read = [value for _, _, value in confluent_read + swift_read]
        assert sorted(everything_read) == sorted(values), "each record exactly once across the two members"

        # A clean close hands the Swift member's partitions to the confluent member.
        assert swift.stop() == 0, swift.describe()
        deadline = time.monotonic() + ASSIGNMENT_TIMEOUT_SECONDS
        while {partition.partition for partition in confluent.assignment()} != everything:
            poll_confluent()
            assert time.monotonic() < deadline, "the confluent member did not take over the Swift member's partitions"
        # The Swift member committed what it read on close, so the new owner resumes after it.
        committed = confluent.committed([TopicPartition(topic, partition) for partition in sorted(swift_partitions)],
                                        timeout=ASSIGNMENT_TIMEOUT_SECONDS)
        assert {entry.partition: entry.offset for entry in committed} == {
            partition: RECORDS // PARTITIONS for partition in swift_partitions}
    finally:
        if swift is not None:
            swift.stop()
        confluent.close()
