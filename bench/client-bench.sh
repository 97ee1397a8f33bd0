#!/usr/bin/env bash
# Swift client throughput beside kcat's on the same release Brook broker, in one run: starts
# `brook serve` (release build), then per run produces `BENCH_RECORDS` keyless 100-byte records
# to a fresh 6-partition topic with kcat and reads them back with kcat, then does the same with
# `brook bench client` (KafkaProducer, idempotent; KafkaConsumer assigned every partition, as
# `kcat -C` reads), and prints records/s for each, the Swift client's CPU time per record, and
# the Swift/kcat ratios (median over the runs). Not a test: figures only, and only ratios from
# one run count on this shared machine (bench/README.md).
#
#   bench/client-bench.sh
#
# Environment: BROOK_SHARED (default ../shared), BROOK_BIN (default .build/release/brook),
# BROOK_PORT (49095), BENCH_RECORDS (1000000), BENCH_RECORD_BYTES (100), BENCH_PARTITIONS (6),
# BENCH_RUNS (3), BENCH_CONSUMER (assigned; or group, partition: see `brook bench client --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

shared=${BROOK_SHARED:-$(cd .. && pwd)/shared}
bench=$shared/bench
brook_bin=${BROOK_BIN:-.build/release/brook}
port=${BROOK_PORT:-49095}
records=${BENCH_RECORDS:-1000000}
record_bytes=${BENCH_RECORD_BYTES:-100}
partitions=${BENCH_PARTITIONS:-6}
runs=${BENCH_RUNS:-3}
consumer=${BENCH_CONSUMER:-assigned}
ready_timeout_seconds=30
step_timeout_seconds=$((60 + records / 10000))

[ -x "$brook_bin" ] || { echo "client-bench: no $brook_bin; build it: swift build -c release --product brook" >&2; exit 2; }
case "$brook_bin" in *release*) ;; *) echo "client-bench: warning: $brook_bin does not look like a release build" >&2 ;; esac
eval "$("$bench/ensure-tools" | grep -E '^BROOK_BENCH_[A-Z_]+=')"
kcat=(env LD_LIBRARY_PATH="$BROOK_BENCH_RDKAFKA_LIB" "$BROOK_BENCH_KCAT")

work=$(mktemp -d -t brook-client-bench.XXXXXX)
brook_pid=""
cleanup() {
    if [ -n "$brook_pid" ] && kill -0 "$brook_pid" 2>/dev/null; then
        kill -TERM "$brook_pid"
        for _ in $(seq 1 150); do kill -0 "$brook_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$brook_pid" 2>/dev/null && kill -KILL "$brook_pid"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$brook_bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/brook.log" 2>&1 &
brook_pid=$!
for _ in $(seq 1 $((ready_timeout_seconds * 10))); do
    grep -q "kafka listener ready" "$work/brook.log" && break
    kill -0 "$brook_pid" 2>/dev/null || { cat "$work/brook.log" >&2; echo "client-bench: brook exited" >&2; exit 1; }
    sleep 0.1
done
grep -q "kafka listener ready" "$work/brook.log" || { echo "client-bench: brook not ready in ${ready_timeout_seconds}s" >&2; exit 1; }
bootstrap="127.0.0.1:$port"

# The record file kcat sends: random printable bytes, one record per line.
python3 - "$work/records.txt" "$records" "$record_bytes" <<'PY'
import random, sys
path, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1)
alphabet = bytes(range(33, 127))
pool = [bytes(rng.choice(alphabet) for _ in range(size)) for _ in range(4096)]
with open(path, "wb") as out:
    for index in range(count):
        out.write(pool[index % len(pool)] + b"\n")
PY

now() { date +%s.%N; }
rate() { python3 -c "print(round($1 / ($3 - $2)))"; }

kcat_produce=(); kcat_consume=(); swift_produce=(); swift_consume=()
# The load average is printed with the figures: on this shared machine it says how far to trust them.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
    topic="bench-kcat-r$run-$RANDOM"
    "$brook_bin" topic create "$topic" --partitions "$partitions" --bootstrap-server "$bootstrap" >/dev/null
    start=$(now)
    timeout "$step_timeout_seconds" "${kcat[@]}" -b "$bootstrap" -P -t "$topic" -l -X linger.ms=5 -X batch.size=1000000 \
        -X acks=all -X enable.idempotence=true "$work/records.txt"
    end=$(now); kcat_produce+=("$(rate "$records" "$start" "$end")")
    start=$(now)
    read_count=$(timeout "$step_timeout_seconds" "${kcat[@]}" -b "$bootstrap" -C -t "$topic" -e -o beginning -q \
        -X fetch.wait.max.ms=10 -f '\n' | wc -l)
    end=$(now); kcat_consume+=("$(rate "$records" "$start" "$end")")
    [ "$read_count" -eq "$records" ] || { echo "client-bench: kcat read $read_count of $records" >&2; exit 1; }
    "$brook_bin" topic delete "$topic" --bootstrap-server "$bootstrap" >/dev/null || true
    sleep 1

    json=$(timeout "$((step_timeout_seconds * 2))" "$brook_bin" bench client --bootstrap-server "$bootstrap" \
        --records "$records" --record-bytes "$record_bytes" --partitions "$partitions" --consumer "$consumer" --output json)
    field() { python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])[sys.argv[2]], 2))' "$json" "$1"; }
    swift_produce+=("$(field produce_rps | cut -d. -f1)")
    swift_consume+=("$(field consume_rps | cut -d. -f1)")
    echo "run $run: kcat produce ${kcat_produce[-1]}/s consume ${kcat_consume[-1]}/s;" \
        "swift produce ${swift_produce[-1]}/s ($(field produce_cpu_us_per_record) us CPU/record)" \
        "consume ($consumer) ${swift_consume[-1]}/s ($(field consume_cpu_us_per_record) us CPU/record)"
    sleep 1
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${kcat_produce[*]}" "${kcat_consume[*]}" "${swift_produce[*]}" "${swift_consume[*]}" <<'PY'
import statistics, sys
kp, kc, sp, sc = ([int(x) for x in arg.split()] for arg in sys.argv[1:5])
mp, mc, msp, msc = (statistics.median(x) for x in (kp, kc, sp, sc))
print(f"produce_rps: kcat={mp:.0f} swift={msp:.0f} ratio={msp / mp:.2f}; "
      f"consume_rps: kcat={mc:.0f} swift={msc:.0f} ratio={msc / mc:.2f} (medians; target ratio >= 0.70)")
PY
