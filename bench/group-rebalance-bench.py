#!/usr/bin/env python3
"""Consumer-group rebalance latency of a Brook broker, seen from confluent-kafka (librdkafka).

Not a test: it prints figures. For each run it starts a fresh `brook serve` on an ephemeral port
(or uses --bootstrap), creates a 6-partition topic and measures, in milliseconds:
  one     - one consumer: subscribe() to its first assignment;
  three   - three consumers: first subscribe() until all three own a share (a disjoint split of
            all six partitions);
  3->2    - one of the three closes (LeaveGroup): close() returning until the other two own all
            six between them. The remaining members learn of the rebalance from their next
            heartbeat, so this is bounded below by heartbeat.interval.ms (--heartbeat-ms).
Each figure is printed as median, minimum and maximum over --runs runs.

    bench/group-rebalance-bench.py [--runs 5] [--heartbeat-ms 3000] [--set key=value ...]

Environment: BROOK_BIN (default .build/release/brook, else .build/debug/brook).
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic

PARTITIONS = 6
READY_TIMEOUT_SECONDS = 30.0
STEP_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.005
READY_LINE = re.compile(rb"brook: kafka listener ready on ([0-9.]+):([0-9]+)")


def brook_binary():
    for candidate in (os.environ.get("BROOK_BIN"), ".build/release/brook", ".build/debug/brook"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("group-rebalance-bench: no brook binary; set BROOK_BIN or run swift build --product brook")


def start_broker(settings):
    data_dir = tempfile.mkdtemp(prefix="brook-group-bench-")
    log_path = os.path.join(data_dir, "brook.log")
    command = [brook_binary(), "serve", "--data-dir", os.path.join(data_dir, "data"), "--listen", "127.0.0.1:0"]
    for setting in settings:
        command += ["--set", setting]
    log = open(log_path, "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with open(log_path, "rb") as reader:
            match = READY_LINE.search(reader.read())
        if match:
            return process, f"{match.group(1).decode()}:{match.group(2).decode()}"
        if process.poll() is not None:
            break
        time.sleep(0.02)
    process.kill()
    sys.exit(f"group-rebalance-bench: brook did not start; see {log_path}")


def stop_broker(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def create_topic(bootstrap):
    topic = f"rebalance-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[topic].result(timeout=30)
    return topic


def consumer(bootstrap, group, heartbeat_ms):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                     "session.timeout.ms": 6000, "heartbeat.interval.ms": heartbeat_ms})


def owned(member):
    return {partition.partition for partition in member.assignment()}


def wait_for_split(members):
    """Polls every member until each owns a share and together they own each partition once."""
    deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
    while True:
        shares = [owned(member) for member in members]
        if all(shares) and sum(len(share) for share in shares) == PARTITIONS \
                and set().union(*shares) == set(range(PARTITIONS)):
            return
        if time.monotonic() > deadline:
            sys.exit(f"group-rebalance-bench: no split after {STEP_TIMEOUT_SECONDS} s: {shares}")
        for member in members:
            member.poll(POLL_SECONDS)


def milliseconds_since(start):
    return (time.monotonic() - start) * 1000


def one_run(bootstrap, heartbeat_ms):
    topic = create_topic(bootstrap)
    single = consumer(bootstrap, f"one-{uuid.uuid4().hex[:8]}", heartbeat_ms)
    start = time.monotonic()
    single.subscribe([topic])
    wait_for_split([single])
    one = milliseconds_since(start)
    single.close()

    group = f"three-{uuid.uuid4().hex[:8]}"
    members = [consumer(bootstrap, group, heartbeat_ms) for _ in range(3)]
    start = time.monotonic()
    for member in members:
        member.subscribe([topic])
    wait_for_split(members)
    three = milliseconds_since(start)

    members[2].close()
    start = time.monotonic()
    wait_for_split(members[:2])
    three_to_two = milliseconds_since(start)
    for member in members[:2]:
        member.close()
    return {"one": one, "three": three, "3->2": three_to_two}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--heartbeat-ms", type=int, default=3000,
                        help="consumers' heartbeat.interval.ms (librdkafka's default is 3000)")
    parser.add_argument("--bootstrap", help="use this running broker instead of starting brook")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="broker setting for the brook started here, e.g. group.initial.rebalance.delay.ms=100")
    arguments = parser.parse_args()

    figures = {"one": [], "three": [], "3->2": []}
    for run in range(arguments.runs):
        process, bootstrap = (None, arguments.bootstrap) if arguments.bootstrap else start_broker(arguments.set)
        try:
            result = one_run(bootstrap, arguments.heartbeat_ms)
        finally:
            if process is not None:
                stop_broker(process)
        print(f"run {run + 1}: " + ", ".join(f"{name} {value:.0f} ms" for name, value in result.items()), flush=True)
        for name, value in result.items():
            figures[name].append(value)
    print(f"summary (heartbeat.interval.ms={arguments.heartbeat_ms}, broker settings {arguments.set or 'default'}, "
          f"{arguments.runs} runs): median [min-max]")
    labels = {"one": "1 consumer, subscribe -> assignment", "three": "3 consumers, subscribe -> split",
              "3->2": "3 -> 2 after a clean close"}
    for name, values in figures.items():
        print(f"  {labels[name]:<40} {statistics.median(values):7.0f} ms  [{min(values):.0f}-{max(values):.0f}]")


if __name__ == "__main__":
    main()
