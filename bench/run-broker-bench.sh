#!/usr/bin/env bash
# Benchmarks Brook's broker beside the peer broker (Tansu) with ../shared/bench: starts both,
# runs broker_bench.py for 100-byte and 1 KiB records and a latency run at a rate both brokers
# sustain, prints the summary lines and each broker's idle RSS, and stops both. Not a test: it
# prints figures. See bench/README.md.
#
#   bench/run-broker-bench.sh [extra broker_bench.py options, e.g. --runs 5]
#
# Environment: BROOK_SHARED (default: ../shared beside the package), BROOK_BIN (default
# .build/release/brook), PEER_PORT (49092), BROOK_PORT (49093), BENCH_RECORDS (1000000),
# BENCH_RUNS (3), BENCH_OUTPUT (a new temporary folder for logs and JSON results).
set -euo pipefail
cd "$(dirname "$0")/.."

shared=${BROOK_SHARED:-$(cd .. && pwd)/shared}
bench=$shared/bench
brook_bin=${BROOK_BIN:-.build/release/brook}
peer_port=${PEER_PORT:-49092}
brook_port=${BROOK_PORT:-49093}
records=${BENCH_RECORDS:-1000000}
runs=${BENCH_RUNS:-3}
output=${BENCH_OUTPUT:-$(mktemp -d -t brook-bench.XXXXXX)}
ready_timeout_seconds=30

[ -x "$bench/broker_bench.py" ] || { echo "run-broker-bench: no $bench/broker_bench.py (set BROOK_SHARED)" >&2; exit 2; }
[ -x "$brook_bin" ] || { echo "run-broker-bench: no $brook_bin; build it: swift build -c release --product brook" >&2; exit 2; }
case "$brook_bin" in *release*) ;; *) echo "run-broker-bench: warning: $brook_bin does not look like a release build" >&2 ;; esac

eval "$("$bench/ensure-tools" | grep -E '^BROOK_BENCH_[A-Z_]+=')"
python=${BROOK_BENCH_PYTHON:-python3}
mkdir -p "$output/peer" "$output/brook/data"

peer_pid=""
brook_pid=""
stop_brokers() {
    if [ -n "$brook_pid" ] && kill -0 "$brook_pid" 2>/dev/null; then
        kill -TERM "$brook_pid"
        for _ in $(seq 1 150); do kill -0 "$brook_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$brook_pid" 2>/dev/null && { echo "run-broker-bench: brook ignored SIGTERM; killing" >&2; kill -KILL "$brook_pid"; }
    fi
    [ -n "$peer_pid" ] && "$bench/peer-broker" stop "$output/peer" >/dev/null 2>&1 || true
}
trap stop_brokers EXIT

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

peer_pid=$("$bench/peer-broker" start "$peer_port" "$output/peer")

"$brook_bin" serve --data-dir "$output/brook/data" --listen "127.0.0.1:$brook_port" >"$output/brook/brook.log" 2>&1 &
brook_pid=$!
for _ in $(seq 1 $((ready_timeout_seconds * 10))); do
    grep -q "brook: kafka listener ready on" "$output/brook/brook.log" && break
    kill -0 "$brook_pid" 2>/dev/null || { echo "run-broker-bench: brook exited:" >&2; cat "$output/brook/brook.log" >&2; exit 1; }
    sleep 0.1
done
grep -q "brook: kafka listener ready on" "$output/brook/brook.log" || { echo "run-broker-bench: brook not ready in ${ready_timeout_seconds} s" >&2; exit 1; }

sleep 1
echo "idle RSS: peer=$(rss_kib "$peer_pid") KiB brook=$(rss_kib "$brook_pid") KiB"

status=0
run_bench() {
    local name=$1; shift
    echo "== $name: $*"
    "$python" "$bench/broker_bench.py" \
        --target "peer=127.0.0.1:$peer_port" --target "brook=127.0.0.1:$brook_port" \
        --pid "peer=$peer_pid" --pid "brook=$brook_pid" \
        --json "$output/$name.json" "$@" >"$output/$name.txt" 2>&1 || status=1
    # The per-run progress lines and the closing summary; the tables stay in the report file.
    grep -E "^(\[run |produce_rps:)" "$output/$name.txt" || tail -5 "$output/$name.txt"
}

# Throughput at 100 B and 1 KiB (each run also measures latency at 20 000 msg/s, acks=1), then a
# latency run at 3 000 msg/s, a rate the peer sustains (its latencies at 20 000 measure a queue).
run_bench records-100B --records "$records" --runs "$runs" --record-bytes 100 --acks 1 --latency-rate 20000 "$@"
run_bench records-1KiB --records "$records" --runs "$runs" --record-bytes 1024 --acks 1 --latency-rate 20000 "$@"
run_bench latency-3000 --records 100000 --runs "$runs" --record-bytes 100 --acks 1 --latency-rate 3000 "$@"

echo "idle RSS after the runs: peer=$(rss_kib "$peer_pid") KiB brook=$(rss_kib "$brook_pid") KiB"
echo "full reports and JSON: $output"
exit $status
