#!/usr/bin/env bash
# Runs the interop tests: the real `brook` binary driven by third-party clients (Debian's kcat,
# confluent-kafka-python, kafka-python); see tests/interop/conftest.py. Expects `swift build` to
# have built the brook product (make test does). Extra arguments go to pytest, e.g.
#   scripts/interop-test.sh -k kcat -x
# BROOK_BOOTSTRAP=host:port runs the suite against an already running broker instead (tests that
# kill or restart the broker are skipped then).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each wait inside the suite is bounded; this bounds the whole run too, so that a hang in a
# client library cannot eat CI's time. The suite itself takes a few minutes.
suite_timeout_seconds=${BROOK_INTEROP_TIMEOUT_SECONDS:-900}

if [ -z "${BROOK_BOOTSTRAP:-}" ]; then
    export BROOK_BIN="${BROOK_BIN:-$(swift build --show-bin-path)/brook}"
    if [ ! -x "$BROOK_BIN" ]; then
        echo "interop-test: $BROOK_BIN does not exist; run 'swift build --product brook' first" >&2
        exit 1
    fi
fi
if [ ! -x .venv/bin/python ]; then
    echo "interop-test: no .venv; run scripts/install-deps.sh first" >&2
    exit 1
fi
exec timeout --kill-after=10 "$suite_timeout_seconds" .venv/bin/python -m pytest -q tests/interop "$@"
