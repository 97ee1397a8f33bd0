#!/usr/bin/env bash
# Schema registry benchmark: wrk (Debian's package, installed here when missing) against a
# release `brook serve --registry-listen`. Prints, for the figures of issue 5:
#   1. registrations/s: POST /subjects/{s}/versions, every request a schema never seen before
#      (a new subject each, so each one allocates an id, writes a record to `_schemas` and waits
#      to read it back);
#   2. new versions/s: the same, but 8 subjects that each get new versions (a BACKWARD check
#      against the latest version on every request);
#   3. GET /schemas/ids/{id} requests/s and latency percentiles at concurrency 8, cycling over
#      the ids registered in step 1.
# Every run starts a fresh brook; with BENCH_RUNS > 1 (default 3) the summary gives each figure's
# median over the runs and the load average (`uptime`) before and after.
# Figures only: it never fails on a number. It fails (exit 1) when any answer is not a 2xx, when
# brook dies, or when a step's reading is empty. Targets from issue 5 (this 2-core machine, load
# generator included): GET by id >= 20,000 requests/s with p99 <= 1 ms; >= 500 registrations/s.
#
#   swift build -c release --product brook
#   bench/registry-bench.sh
#
# Environment: BROOK_BIN (default .build/release/brook), BENCH_RUNS (default 3), BENCH_SECONDS (per wrk step, default 10),
# BENCH_CONNECTIONS (default 8), BENCH_THREADS (wrk threads, default 2), BENCH_OUTPUT (a folder for
# wrk's output and brook's log; default a new temporary one, kept).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly READY_TIMEOUT_SECONDS=30
readonly STOP_TIMEOUT_SECONDS=15
# Processes other than brook and wrk using more than this many cores mark a step DISTURBED.
readonly DISTURBANCE_CORES=0.3
seconds=${BENCH_SECONDS:-10}
runs=${BENCH_RUNS:-3}
connections=${BENCH_CONNECTIONS:-8}
threads=${BENCH_THREADS:-2}
brook_bin=${BROOK_BIN:-.build/release/brook}
output=${BENCH_OUTPUT:-$(mktemp -d -t registry-bench.XXXXXX)}
mkdir -p "$output"

if ! command -v wrk >/dev/null 2>&1; then
    echo "registry-bench: installing wrk (Debian package)"
    sudo_command=""
    [ "$(id -u)" = 0 ] || sudo_command="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_command apt-get install -y -qq wrk >/dev/null \
        || { $sudo_command apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_command apt-get install -y -qq wrk >/dev/null; } \
        || { echo "registry-bench: cannot install wrk" >&2; exit 2; }
fi
if [ ! -x "$brook_bin" ]; then
    echo "registry-bench: $brook_bin does not exist; run 'swift build -c release --product brook' (never measure a debug build)" >&2
    exit 2
fi
case "$brook_bin" in
    *debug*) echo "registry-bench: warning: $brook_bin looks like a debug build; figures will be low" >&2 ;;
esac

data_dir=""
brook_pid=""
cleanup() {
    if [ -n "$brook_pid" ] && kill -0 "$brook_pid" 2>/dev/null; then kill -KILL "$brook_pid" 2>/dev/null || true; fi
    [ -z "$data_dir" ] || rm -rf "$data_dir"
}
trap cleanup EXIT

# start_brook: a fresh brook (new data directory) whose log goes to $run_output/brook.log; sets
# brook_pid and registry_url.
start_brook() {
    data_dir=$(mktemp -d -t registry-bench-data.XXXXXX)
    "$brook_bin" serve --data-dir "$data_dir" --listen 127.0.0.1:0 --registry-listen 127.0.0.1:0 \
        >"$run_output/brook.log" 2>&1 </dev/null &
    brook_pid=$!
    registry_url=""
    for _ in $(seq $((READY_TIMEOUT_SECONDS * 10))); do
        registry_url=$(sed -n 's/.*brook: schema registry listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$run_output/brook.log" | head -n 1)
        [ -n "$registry_url" ] && break
        kill -0 "$brook_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$registry_url" ] || { echo "registry-bench: no registry ready line:" >&2; tail -n 30 "$run_output/brook.log" >&2; exit 1; }
    echo "registry-bench: run $run: brook $brook_bin (pid $brook_pid), registry at $registry_url; output in $run_output"
}

stop_brook() {
    kill -TERM "$brook_pid"
    for _ in $(seq $((STOP_TIMEOUT_SECONDS * 10))); do kill -0 "$brook_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$brook_pid" 2>/dev/null; then echo "registry-bench: brook ignored SIGTERM" >&2; failed=yes; fi
    brook_pid=""
    rm -rf "$data_dir"
    data_dir=""
}

# Busy jiffies of the whole machine (user+nice+system+irq+softirq+steal) and of one process.
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
process_busy() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_per_second=$(getconf CLK_TCK)

failed=""
# run_wrk NAME SCRIPT: runs wrk with the Lua SCRIPT, keeps its output in $output/NAME.txt, checks
# that every answer was a 2xx, and prints the reading with the CPU that others used meanwhile.
run_wrk() {
    local name=$1 script=$2 report="$run_output/$1.txt"
    local machine_before brook_before start_nanoseconds machine_after brook_after end_nanoseconds
    machine_before=$(machine_busy); brook_before=$(process_busy "$brook_pid"); start_nanoseconds=$(date +%s%N)
    # wrk's own CPU comes from bash's `times`-style accounting of the child (TIMEFORMAT).
    local wrk_cpu
    wrk_cpu=$( { TIMEFORMAT='%U %S'; time wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
        -s "$script" "$registry_url" >"$report" 2>&1; } 2>&1 | tail -n 1)
    machine_after=$(machine_busy); brook_after=$(process_busy "$brook_pid"); end_nanoseconds=$(date +%s%N)
    if ! kill -0 "$brook_pid" 2>/dev/null; then
        echo "registry-bench: brook died during $name:" >&2; tail -n 30 "$run_output/brook.log" >&2; exit 1
    fi
    python3 - "$name" "$report" "$wrk_cpu" "$((machine_after - machine_before))" "$((brook_after - brook_before))" \
        "$(( (end_nanoseconds - start_nanoseconds) / 1000000 ))" "$ticks_per_second" "$DISTURBANCE_CORES" "$run" <<'PY' \
        || failed=yes
import re, sys
name, report, wrk_cpu, machine_ticks, brook_ticks, elapsed_ms, hz, disturbance, run = sys.argv[1:]
text = open(report).read()
elapsed = int(elapsed_ms) / 1000
hz = int(hz)
wrk_seconds = sum(float(part) for part in wrk_cpu.split()) if wrk_cpu.strip() else 0.0
brook_cores = int(brook_ticks) / hz / elapsed
others = max(0.0, int(machine_ticks) / hz / elapsed - brook_cores - wrk_seconds / elapsed)
rate = re.search(r"Requests/sec:\s+([0-9.]+)", text)
total = re.search(r"([0-9]+) requests in", text)
bad = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", text)
errors = re.search(r"Socket errors:.*", text)
def milliseconds(label):
    found = re.search(rf"^\s+{label}\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
    if not found:
        return None
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
p50, p90, p99 = milliseconds("50%"), milliseconds("90%"), milliseconds("99%")
problems = []
if not rate or not total or int(total.group(1)) == 0:
    problems.append("no requests completed")
if bad:
    problems.append(f"{bad.group(1)} answers were not 2xx (see {report})")
if errors:
    problems.append(errors.group(0).strip())
note = "DISTURBED" if others > float(disturbance) else "quiet"
figures = f"{float(rate.group(1)):,.0f}/s" if rate else "-"
latency = (f"p50 {p50:.3f} ms, p90 {p90:.3f} ms, p99 {p99:.3f} ms" if None not in (p50, p90, p99) else "no latency")
# Brook's CPU time per request moves much less with the machine's load than the rate does.
brook_microseconds = (int(brook_ticks) / hz * 1e6 / int(total.group(1))) if total and int(total.group(1)) else 0.0
print(f"registry-bench: run {run}: {name}: {figures} ({total.group(1) if total else 0} requests), {latency}; "
      f"brook CPU {brook_microseconds:.0f} us/request; "
      f"CPU cores: brook {brook_cores:.2f}, wrk {wrk_seconds / elapsed:.2f}, others {others:.2f} [{note}]")
for problem in problems:
    print(f"registry-bench: {name}: FAILED: {problem}", file=sys.stderr)
with open(report + ".summary", "w") as summary:
    summary.write(f"{name} {rate.group(1) if rate else 0} {p99 if p99 is not None else -1} {note} {brook_microseconds:.1f}\n")
sys.exit(1 if problems else 0)
PY
}

# Every request of every wrk thread carries a distinct schema: thread number and a counter go
# into the record's name (new subjects) or into a field default (new versions of one subject).
cat >"$output/register-subjects.lua" <<'LUA'
local counter = 0
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/vnd.schemaregistry.v1+json"
request = function()
  counter = counter + 1
  local name = string.format("Bench_%d_%d", thread_number, counter)
  local body = string.format(
    '{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"%s\\",\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"long\\"},{\\"name\\":\\"payload\\",\\"type\\":\\"string\\"}]}"}',
    name)
  return wrk.format(nil, string.format("/subjects/bench-%d-%d-value/versions", thread_number, counter), nil, body)
end
LUA
cat >"$output/register-versions.lua" <<'LUA'
local counter = 0
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/vnd.schemaregistry.v1+json"
request = function()
  counter = counter + 1
  local body = string.format(
    '{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"Evolving\\",\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"long\\"},{\\"name\\":\\"note\\",\\"type\\":\\"string\\",\\"default\\":\\"v%d\\"}]}"}',
    counter)
  return wrk.format(nil, string.format("/subjects/evolving-%d-value/versions", thread_number), nil, body)
end
LUA

echo "registry-bench: wrk -t$threads -c$connections -d${seconds}s per step, $runs run(s)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq "$runs"); do
    run_output="$output/run-$run"
    mkdir -p "$run_output"
    start_brook
    run_wrk register-subjects "$output/register-subjects.lua"
    run_wrk register-versions "$output/register-versions.lua"

    # Ids registered above: every one of them is cycled through by GET /schemas/ids/{id}.
    max_id=$(curl -fsS "$registry_url/schemas/ids/1?fetchMaxId=true" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("maxId") or 0)' 2>/dev/null || echo 0)
    if [ "$max_id" -lt 1 ]; then
        # A server without fetchMaxId: count the subjects instead (each has one id).
        max_id=$(curl -fsS "$registry_url/subjects?subjectPrefix=bench-" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    fi
    [ "$max_id" -ge 1 ] || { echo "registry-bench: no schema was registered" >&2; exit 1; }
    read_ids=$(( max_id < 10000 ? max_id : 10000 ))
    printf 'local counter = 0\nlocal ids = %d\nrequest = function()\n  counter = counter + 1\n  return wrk.format("GET", "/schemas/ids/" .. ((counter %% ids) + 1))\nend\n' \
        "$read_ids" >"$run_output/get-by-id.lua"
    echo "registry-bench: run $run: GET /schemas/ids/{id} over ids 1..$read_ids"
    run_wrk get-by-id "$run_output/get-by-id.lua"
    stop_brook
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Medians over the runs (a DISTURBED mark on any run of a step is carried to its median).
python3 - "$output" "$runs" "$load_before" "$load_after" <<'PY'
import statistics, sys
output, runs, load_before, load_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def step(name):
    rates, p99s, notes, cpus = [], [], set(), []
    for run in range(1, runs + 1):
        try:
            _, rate, p99, note, cpu = open(f"{output}/run-{run}/{name}.txt.summary").read().split()
        except (OSError, ValueError):
            continue
        rates.append(float(rate)); p99s.append(float(p99)); notes.add(note); cpus.append(float(cpu))
    if not rates:
        return 0.0, -1.0, "missing", ""
    spread = f"{min(rates):,.0f}-{max(rates):,.0f}/s, brook CPU {statistics.median(cpus):.0f} us/request"
    return statistics.median(rates), statistics.median(p99s), "DISTURBED" if "DISTURBED" in notes else "quiet", spread
get_rate, get_p99, get_note, get_spread = step("get-by-id")
register_rate, _, register_note, register_spread = step("register-subjects")
version_rate, _, version_note, version_spread = step("register-versions")
print(f"registry-bench: summary (median of {runs} run(s); load average before {load_before}, after {load_after}): "
      f"get_by_id_rps={get_rate:.0f} [{get_spread}] (target >= 20000) p99_ms={get_p99:.3f} (target <= 1) [{get_note}]; "
      f"registrations_per_s={register_rate:.0f} [{register_spread}] (target >= 500) [{register_note}]; "
      f"new_versions_per_s={version_rate:.0f} [{version_spread}] [{version_note}]")
PY
echo "registry-bench: the machine is shared: a DISTURBED step had other processes using more than $DISTURBANCE_CORES cores; rerun when it decides a figure"
[ -z "$failed" ] || exit 1
