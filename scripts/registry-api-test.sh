#!/usr/bin/env bash
# Fuzzes the schema registry's HTTP API with schemathesis against docs/schema-registry.openapi.yaml:
# starts a real `brook serve --registry-listen` on ephemeral ports with a fresh data directory,
# seeds it with a few subjects (so that ids, versions and references exist to be found), runs
# schemathesis, and fails on any 5xx, any answer whose status, content type or body the document
# does not allow, or a brook that does not stop cleanly. `make test` runs it after the interop
# suite. Expects `swift build` to have built the brook product and scripts/install-deps.sh to have
# made .venv.
#
# Environment: BROOK_BIN (default: the debug build), REGISTRY_API_MAX_EXAMPLES (per operation,
# default 40), REGISTRY_API_MAX_SECONDS (the whole schemathesis run, default 240),
# REGISTRY_API_SEED (default fixed, so that CI runs are reproducible; `random` for a new one).
# Extra arguments go to `schemathesis run`, e.g. --include-path-regex '^/config'.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly SPEC=docs/schema-registry.openapi.yaml
readonly READY_TIMEOUT_SECONDS=30
readonly STOP_TIMEOUT_SECONDS=15
readonly REQUEST_TIMEOUT_SECONDS=10
max_examples=${REGISTRY_API_MAX_EXAMPLES:-40}
max_seconds=${REGISTRY_API_MAX_SECONDS:-240}
seed=${REGISTRY_API_SEED:-20260101}

BROOK_BIN="${BROOK_BIN:-$(swift build --show-bin-path)/brook}"
[ -x "$BROOK_BIN" ] || { echo "registry-api-test: $BROOK_BIN does not exist; run 'swift build --product brook' first" >&2; exit 1; }
[ -x .venv/bin/schemathesis ] || { echo "registry-api-test: no .venv/bin/schemathesis; run scripts/install-deps.sh first" >&2; exit 1; }

work=$(mktemp -d)
brook_pid=""
cleanup() {
    if [ -n "$brook_pid" ] && kill -0 "$brook_pid" 2>/dev/null; then
        kill -KILL "$brook_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$BROOK_BIN" serve --data-dir "$work/data" --listen 127.0.0.1:0 --registry-listen 127.0.0.1:0 \
    >"$work/brook.log" 2>&1 </dev/null &
brook_pid=$!

registry_url=""
for _ in $(seq $((READY_TIMEOUT_SECONDS * 10))); do
    registry_url=$(sed -n 's/.*brook: schema registry listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$work/brook.log" | head -n 1)
    [ -n "$registry_url" ] && break
    kill -0 "$brook_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$registry_url" ]; then
    echo "registry-api-test: brook serve printed no registry ready line:" >&2
    tail -n 40 "$work/brook.log" >&2
    exit 1
fi
echo "registry-api-test: registry at $registry_url (brook pid $brook_pid)"

# Seed data: an Avro subject with two versions, a JSON Schema subject, a reference, a subject
# config, a soft-deleted version. Schemathesis then finds real ids 1-4 and versions 1-2.
.venv/bin/python - "$registry_url" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
def call(method, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)
record = lambda name, fields: json.dumps({"type": "record", "name": name, "namespace": "seed", "fields": fields})
call("POST", "/subjects/orders-value/versions", {"schema": record("Order", [{"name": "id", "type": "long"}])})
call("POST", "/subjects/orders-value/versions", {"schema": record("Order", [{"name": "id", "type": "long"},
                                                 {"name": "note", "type": "string", "default": ""}])})
call("POST", "/subjects/events-value/versions", {"schemaType": "JSON", "schema": json.dumps(
    {"type": "object", "properties": {"id": {"type": "integer"}}})})
call("POST", "/subjects/customer-value/versions", {"schema": json.dumps(
    {"type": "record", "name": "Customer", "namespace": "seed", "fields": [{"name": "order", "type": "seed.Order"}]}),
    "references": [{"name": "seed.Order", "subject": "orders-value", "version": 1}]})
call("PUT", "/config/events-value", {"compatibility": "FULL"})
call("POST", "/subjects/retired-value/versions", {"schema": record("Retired", [{"name": "x", "type": "int"}])})
request = urllib.request.Request(url + "/subjects/retired-value/versions/1", method="DELETE")
urllib.request.urlopen(request, timeout=10).read()
print("registry-api-test: seeded 4 subjects")
PY

seed_arguments=(--seed "$seed")
[ "$seed" = random ] && seed_arguments=()
status=0
# Checks: no 5xx; every status, content type and body as documented. negative_data_rejection is
# left out on purpose: Confluent accepts more than the document's types say (level names in any
# case, booleans as True/False), and so does Brook.
timeout --kill-after=10 $((max_seconds + 60)) .venv/bin/schemathesis run "$SPEC" \
    --url "$registry_url" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$max_examples" --max-time "$max_seconds" --workers 1 \
    --request-timeout "$REQUEST_TIMEOUT_SECONDS" --suppress-health-check all \
    --warnings off --no-color --generation-database none "${seed_arguments[@]}" "$@" || status=$?

if ! kill -0 "$brook_pid" 2>/dev/null; then
    echo "registry-api-test: brook died during the run:" >&2
    tail -n 60 "$work/brook.log" >&2
    exit 1
fi
kill -TERM "$brook_pid"
stopped=""
for _ in $(seq $((STOP_TIMEOUT_SECONDS * 10))); do
    kill -0 "$brook_pid" 2>/dev/null || { stopped=yes; break; }
    sleep 0.1
done
if [ -z "$stopped" ]; then
    echo "registry-api-test: brook did not exit within ${STOP_TIMEOUT_SECONDS} s of SIGTERM" >&2
    exit 1
fi
wait "$brook_pid" || { echo "registry-api-test: brook exited with status $? after SIGTERM" >&2; tail -n 40 "$work/brook.log" >&2; exit 1; }
brook_pid=""
if [ "$status" -ne 0 ]; then
    echo "registry-api-test: schemathesis found problems (status $status); brook's log:" >&2
    tail -n 40 "$work/brook.log" >&2
fi
exit "$status"
