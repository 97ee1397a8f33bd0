#!/usr/bin/env python3
"""Schema-core throughput: Brook's Avro codec and JSON Schema validator beside fastavro,
libavro (avro-c, measured inside `brook bench schemas`) and Python jsonschema.

Every side works on the same files: bench/data/ is written once by
`brook bench schemas --write-data bench/data` (an Avro record of 10 fields with one datum in
Avro's JSON encoding, a 2020-12 JSON Schema for an order event and a valid ~1 KiB event).
"generated" rows use the Swift type `brook codegen` makes from the same schema (typed values,
no generic AvroValue). Each measurement warms up, then runs batches until its time box is used up, and reports
records per second. Figures only: nothing here passes or fails on a number.

The Python libraries live in bench/.venv-bench, created on first run with pinned versions
(pip needs PyPI the first time). Usage:

    swift build -c release --product brook
    bench/schema-bench.py [--brook .build/release/brook] [--seconds 1.5]

The OrderPlaced rows measure the Orders example's generated types (schemas/orders, contract v2)
alone and through the typed layer (AvroSerializer/AvroDeserializer, registry caches warm; the
"v1 -> v2" row reads v1 data into the v2 type by schema resolution) with `orders-example bench`,
beside fastavro on the same datum and schema. They need the example's release build
(`swift build -c release --product orders-example`) and start a `brook serve` on ephemeral
ports for its registry; without the binary those rows are left out.

Exit status: 0 figures printed; 1 the sides disagree on the data (different Avro bytes, an
event one side finds invalid); 2 the brook binary or the Python libraries are missing.
"""
import argparse
import io
import json
import os
import subprocess
import sys
import time
from importlib import metadata

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.dirname(BENCH_DIR)
VENV_DIR = os.path.join(BENCH_DIR, ".venv-bench")
DATA_DIR = os.path.join(BENCH_DIR, "data")
PINNED = ["fastavro==1.13.1", "jsonschema==4.26.0"]
BATCH_ITERATIONS = 200
# Issue targets: Brook's records/s over the peer's.
TARGETS = {"fastavro": 3.0, "jsonschema": 5.0}


def ensure_libraries():
    """Re-runs this script inside bench/.venv-bench, creating it first if needed."""
    try:
        import fastavro  # noqa: F401
        import jsonschema  # noqa: F401
        return
    except ImportError:
        pass
    venv_python = os.path.join(VENV_DIR, "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(venv_python):
        sys.exit("schema-bench: fastavro or jsonschema is missing from %s; delete it and run again" % VENV_DIR)
    if not os.path.exists(venv_python):
        print("schema-bench: creating %s with %s" % (VENV_DIR, " ".join(PINNED)), file=sys.stderr)
        if subprocess.call([sys.executable, "-m", "venv", VENV_DIR]) != 0:
            sys.exit(2)
    if subprocess.call([venv_python, "-c", "import fastavro, jsonschema"], stderr=subprocess.DEVNULL) != 0:
        if subprocess.call([venv_python, "-m", "pip", "install", "--quiet"] + PINNED) != 0:
            print("schema-bench: pip could not install %s" % " ".join(PINNED), file=sys.stderr)
            sys.exit(2)
    os.execv(venv_python, [venv_python] + sys.argv)


def measure(body, seconds, warmup_seconds):
    """Records per second of body(), after a warm-up, in batches until the time box is used."""
    end = time.perf_counter() + warmup_seconds
    while time.perf_counter() < end:
        for _ in range(BATCH_ITERATIONS):
            body()
    iterations = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(BATCH_ITERATIONS):
            body()
        iterations += BATCH_ITERATIONS
        now = time.perf_counter()
        if now >= deadline:
            return iterations / (now - start)


def python_figures(seconds, warmup_seconds):
    import fastavro
    from jsonschema import Draft202012Validator

    def read(name):
        with open(os.path.join(DATA_DIR, name), encoding="utf-8") as handle:
            return handle.read()

    schema = fastavro.parse_schema(json.loads(read("order.avsc")))
    record = next(iter(fastavro.json_reader(io.StringIO(read("order.avro.json")), schema)))
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, record)
    encoded = out.getvalue()

    def encode():
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, schema, record)
        return buffer.getvalue()

    def decode():
        return fastavro.schemaless_reader(io.BytesIO(encoded), schema, None)

    if decode() != record:
        sys.exit("schema-bench: fastavro does not read back the datum it wrote")

    json_schema = json.loads(read("order-event.schema.json"))
    event_text = read("order-event.json").strip()
    event = json.loads(event_text)
    validator = Draft202012Validator(json_schema)
    if not validator.is_valid(event):
        sys.exit("schema-bench: Python jsonschema finds the event invalid: %s" % next(validator.iter_errors(event)).message)

    figures = {
        "avro-encode": measure(encode, seconds, warmup_seconds),
        "avro-decode": measure(decode, seconds, warmup_seconds),
        "jsonschema-validate": measure(lambda: validator.is_valid(event), seconds, warmup_seconds),
        "jsonschema-validate-all-errors": measure(lambda: list(validator.iter_errors(event)), seconds, warmup_seconds),
        "jsonschema-parse-validate": measure(lambda: validator.is_valid(json.loads(event_text)), seconds, warmup_seconds),
    }
    return figures, encoded.hex()


def brook_figures(brook, seconds, warmup_seconds):
    command = [brook, "bench", "schemas", "--data-dir", DATA_DIR, "--output", "json",
               "--seconds", str(seconds), "--warmup-seconds", str(warmup_seconds)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("schema-bench: %s failed (%d): %s" % (" ".join(command), result.returncode, result.stderr.strip()))
    return json.loads(result.stdout)


ORDERS_READY_TIMEOUT_SECONDS = 30.0


def start_registry(brook, directory):
    """`brook serve` on ephemeral ports; returns (process, registry URL) once the registry listens."""
    import re
    import tempfile
    log = tempfile.NamedTemporaryFile(prefix="schema-bench-brook-", suffix=".log", delete=False)
    process = subprocess.Popen([brook, "serve", "--data-dir", directory, "--listen", "127.0.0.1:0",
                                "--registry-listen", "127.0.0.1:0"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + ORDERS_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        with open(log.name, "rb") as reader:
            match = re.search(rb"schema registry listening on (http://[0-9.]+:[0-9]+)", reader.read())
        if match:
            return process, match.group(1).decode()
        time.sleep(0.05)
    process.kill()
    sys.exit("schema-bench: brook serve did not start its registry; see %s" % log.name)


def orders_figures(brook, orders_example, seconds, warmup_seconds):
    """Brook's OrderPlaced rates (from `orders-example bench`) and fastavro's on the same datum."""
    import tempfile
    import fastavro

    with tempfile.TemporaryDirectory(prefix="schema-bench-data-") as directory:
        process, registry_url = start_registry(brook, directory)
        try:
            command = [orders_example, "bench", "--registry-url", registry_url, "--output", "json",
                       "--seconds", str(seconds), "--warmup-seconds", str(warmup_seconds)]
            result = subprocess.run(command, capture_output=True, text=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    if result.returncode != 0:
        sys.exit("schema-bench: %s failed (%d): %s" % (" ".join(command), result.returncode, result.stderr.strip()))
    brook_report = json.loads(result.stdout)

    def schema(version):
        with open(os.path.join(PACKAGE_DIR, "schemas", "orders", "OrderPlaced.%s.avsc" % version), encoding="utf-8") as handle:
            return fastavro.parse_schema(json.load(handle))

    v1, v2 = schema("v1"), schema("v2")
    datum = brook_report["datum"]
    out = io.BytesIO()
    fastavro.schemaless_writer(out, v2, datum)
    encoded = out.getvalue()
    if encoded.hex() != brook_report["encodedHex"]:
        sys.exit("schema-bench: Brook and fastavro encode the OrderPlaced datum differently:\n  brook    %s\n  fastavro %s"
                 % (brook_report["encodedHex"], encoded.hex()))
    encoded_v1 = bytes.fromhex(brook_report["encodedV1Hex"])

    def encode():
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, v2, datum)
        return buffer.getvalue()

    def decode():
        return fastavro.schemaless_reader(io.BytesIO(encoded), v2, None)

    def decode_v1_as_v2():
        return fastavro.schemaless_reader(io.BytesIO(encoded_v1), v1, v2)

    if decode_v1_as_v2()["channel"] != "WEB":
        sys.exit("schema-bench: fastavro does not give v1 data the v2 default channel")
    python = {
        "encode": measure(encode, seconds, warmup_seconds),
        "decode": measure(decode, seconds, warmup_seconds),
        "decode-v1-as-v2": measure(decode_v1_as_v2, seconds, warmup_seconds),
    }
    rates = brook_report["recordsPerSecond"]
    rows = [
        ("OrderPlaced encode, gen.", rates["generated-encode"], python["encode"]),
        ("OrderPlaced decode, gen.", rates["generated-decode"], python["decode"]),
        ("OrderPlaced serialize", rates["typed-serialize"], python["encode"]),
        ("OrderPlaced deserialize", rates["typed-deserialize"], python["decode"]),
        ("OrderPlaced v1 -> v2", rates["typed-deserialize-v1-as-v2"], python["decode-v1-as-v2"]),
    ]
    return rows, len(encoded)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brook", default=os.path.join(PACKAGE_DIR, ".build", "release", "brook"),
                        help="the brook binary (a release build)")
    parser.add_argument("--orders-example", default=os.path.join(PACKAGE_DIR, ".build", "release", "orders-example"),
                        help="the Orders example binary (a release build) for the OrderPlaced rows")
    parser.add_argument("--seconds", type=float, default=1.5, help="time box of each measurement")
    parser.add_argument("--warmup-seconds", type=float, default=0.3)
    arguments = parser.parse_args()
    if not os.access(arguments.brook, os.X_OK):
        print("schema-bench: no brook binary at %s; run `swift build -c release --product brook`" % arguments.brook,
              file=sys.stderr)
        sys.exit(2)
    ensure_libraries()
    if not os.path.exists(os.path.join(DATA_DIR, "order.avsc")):
        subprocess.run([arguments.brook, "bench", "schemas", "--write-data", DATA_DIR], check=True)

    python, fastavro_hex = python_figures(arguments.seconds, arguments.warmup_seconds)
    brook = brook_figures(arguments.brook, arguments.seconds, arguments.warmup_seconds)
    if brook["avroEncodedHex"] != fastavro_hex:
        sys.exit("schema-bench: Brook and fastavro encode the datum differently:\n  brook    %s\n  fastavro %s"
                 % (brook["avroEncodedHex"], fastavro_hex))
    rates = brook["recordsPerSecond"]

    rows = [
        ("Avro encode", "avro-encode-brook", "fastavro", python["avro-encode"]),
        ("Avro encode", "avro-encode-brook", "libavro", rates["avro-encode-libavro"]),
        ("Avro encode, generated", "avro-encode-generated", "fastavro", python["avro-encode"]),
        ("Avro encode, generated", "avro-encode-generated", "libavro", rates["avro-encode-libavro"]),
        ("Avro decode", "avro-decode-brook", "fastavro", python["avro-decode"]),
        ("Avro decode", "avro-decode-brook", "libavro", rates["avro-decode-libavro"]),
        ("Avro decode, generated", "avro-decode-generated", "fastavro", python["avro-decode"]),
        ("Avro decode, generated", "avro-decode-generated", "libavro", rates["avro-decode-libavro"]),
        ("JSON Schema is-valid", "jsonschema-validate-brook", "jsonschema", python["jsonschema-validate"]),
        ("JSON Schema all errors", "jsonschema-validate-all-errors-brook", "jsonschema", python["jsonschema-validate-all-errors"]),
        ("JSON parse + is-valid", "jsonschema-parse-validate-brook", "jsonschema", python["jsonschema-parse-validate"]),
        ("JSON Schema + formats", "jsonschema-validate-formats-brook", None, None),
    ]
    print("Avro datum %d bytes; JSON event %d bytes; %.1f s per measurement (records/s)"
          % (len(fastavro_hex) // 2, brook["eventBytes"], arguments.seconds))
    header = "%-24s %12s %-11s %12s %8s  %s" % ("MEASUREMENT", "BROOK", "PEER", "PEER REC/S", "RATIO", "TARGET")
    print(header)
    for label, brook_key, peer, peer_rate in rows:
        brook_rate = rates[brook_key]
        if peer is None:
            print("%-24s %12.0f %-11s %12s %8s" % (label, brook_rate, "-", "-", "-"))
            continue
        ratio = brook_rate / peer_rate
        target = TARGETS.get(peer)
        verdict = "" if target is None or label.startswith(("JSON Schema all", "JSON parse")) else \
            ("%.0fx %s" % (target, "met" if ratio >= target else "NOT met"))
        print("%-24s %12.0f %-11s %12.0f %7.2fx  %s" % (label, brook_rate, peer, peer_rate, ratio, verdict))
    if os.access(arguments.orders_example, os.X_OK):
        order_rows, order_bytes = orders_figures(arguments.brook, arguments.orders_example, arguments.seconds,
                                                 arguments.warmup_seconds)
        print("OrderPlaced v2 (schemas/orders) datum %d bytes; generated types alone and through the typed serdes"
              % order_bytes)
        target = TARGETS["fastavro"]
        for label, brook_rate, peer_rate in order_rows:
            ratio = brook_rate / peer_rate
            print("%-24s %12.0f %-11s %12.0f %7.2fx  %.0fx %s" % (
                label, brook_rate, "fastavro", peer_rate, ratio, target, "met" if ratio >= target else "NOT met"))
    else:
        print("OrderPlaced rows left out: no %s (swift build -c release --product orders-example)"
              % arguments.orders_example)
    print("Ratios are Brook/peer (above 1: Brook faster). libavro runs inside the brook process; "
          "fastavro %s and jsonschema %s under Python %s." % (
              metadata.version("fastavro"), metadata.version("jsonschema"),
              sys.version.split()[0]))


if __name__ == "__main__":
    main()
