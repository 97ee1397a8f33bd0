#!/usr/bin/env bash
# Runs the interop tests: the real `brook` binary driven by third-party clients
# (kcat, confluent-kafka-python, kafka-python). Expects `swift build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export BROOK_BIN="${BROOK_BIN:-$(swift build --show-bin-path)/brook}"
exec .venv/bin/python -m pytest -q tests/interop "$@"
