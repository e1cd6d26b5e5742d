#!/usr/bin/env bash
# --prometheus: a real Prometheus server scrapes the endpoint and reads back the exact live
# allocations of tests/targets/hold_blocks.c; promtool accepts the text; scrapes (200 in
# tight loops, and a client that reads slowly) do not hold up the interval reports; a process
# that exits is served once more, then dropped; the container label from a cgroup path;
# --light leaves native figures out; a Python target's top types and GC; bad addresses and ports: their own exit codes.
source "$(dirname "$0")/lib.sh"

for tool in prometheus promtool curl python3; do
	command -v "$tool" >/dev/null || { fail "$tool installed (tools/install-deps.sh)"; finish; }
done

# free_port: a TCP port nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# metrics: one scrape of the endpoint, in $WORK/metrics.txt.
metrics() { curl -sf "http://127.0.0.1:$port/metrics" -o "$WORK/metrics.txt"; }

# sample NAME LABELS: the value of the one sample NAME{pid="$TARGET_PID",...LABELS} in the last
# scrape ("" if absent).
sample() {
	awk -v want="$1{" -v labels="${2:-}" -v pid="pid=\"$TARGET_PID\"" \
		'index($1, want) == 1 && index($0, pid) && (labels == "" || index($0, labels)) { print $NF }' \
		"$WORK/metrics.txt"
}

# promql QUERY: the value of the query's one series, through Prometheus's HTTP API.
promql() {
	curl -sG "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
		jq -r 'if (.data.result | length) == 1 then .data.result[0].value[1] else "\(.data.result | length) series" end'
}

# await_promql QUERY EXPECTED: waits (30 s at most) for Prometheus to answer EXPECTED.
await_promql() {
	local deadline=$((SECONDS + 30)) got
	while [ $SECONDS -lt $deadline ]; do
		got=$(promql "$1")
		[ "$got" = "$2" ] && break
		sleep 0.5
	done
	check_eq "Prometheus: $1" "$got" "$2"
}

# max_interval_gap_ms FROM_NS: the longest time between consecutive interval reports of
# $TARGET_PID after FROM_NS (elapsed since attach), in milliseconds.
max_interval_gap_ms() {
	jq -s --argjson pid "$TARGET_PID" --argjson from "$1" '
		[.[] | select(.type == "interval" and .pid == $pid and .elapsed_ns >= $from) | .elapsed_ns]
		| [range(1; length) as $i | .[$i] - .[$i - 1]] | (max // 0) / 1e6 | floor' "$WORK/trace.json"
}

last_elapsed_ns() {
	jq -s --argjson pid "$TARGET_PID" \
		'[.[] | select(.type == "interval" and .pid == $pid) | .elapsed_ns] | last // 0' "$WORK/trace.json"
}

# --- the target in a cgroup whose path names a container ------------------------------------
container_id=$(printf 'c0ffee%058x' $$)
cgroup_dir=""
for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [ "$(stat -f -c %T "$root" 2>/dev/null)" = cgroup2fs ]; then
		cgroup_dir=$root/memtrace-prom-$$/docker-$container_id.scope
		break
	fi
done
start_target hold "$TARGETS/hold_blocks" || { fail "hold_blocks starts"; finish; }
hold_pid=$TARGET_PID
if [ -n "$cgroup_dir" ] && mkdir -p "$cgroup_dir" && echo "$TARGET_PID" >"$cgroup_dir/cgroup.procs"; then
	cgroup_path=/memtrace-prom-$$/docker-$container_id.scope
else
	fail "the target moved into a cgroup v2 named docker-ID.scope" "no cgroup2 hierarchy writable"
	cgroup_path=""
fi
sleep 1000 &
sleeper=$!
E2E_PIDS+=("$sleeper")

port=$(free_port)
interval_ms=200
start_tracer trace --exact -p "$TARGET_PID" -p "$sleeper" -i ${interval_ms}ms --json="$WORK/trace.json" \
	--prometheus "127.0.0.1:$port" || { fail "tracer starts with --prometheus"; finish; }
target_send "hold 250 1024"
wait_for_line "$WORK/hold.out" '^done' || fail "target held its blocks"
sleep 0.5   # an interval report sees them

metrics || fail "GET /metrics" "curl failed"
check_eq "endpoint: live allocations of hold_blocks (250 held)" \
	"$(sample memtrace_native_live_allocations)" 250
check_eq "endpoint: live bytes (250 x 1024)" "$(sample memtrace_native_live_bytes)" 256000
check_eq "endpoint: comm label" \
	"$(grep -c "^memtrace_native_live_allocations{pid=\"$TARGET_PID\",comm=\"hold_blocks\"" "$WORK/metrics.txt")" 1
if [ -n "$cgroup_path" ]; then
	check_eq "endpoint: cgroup and container labels" \
		"$(grep -c "^memtrace_native_live_allocations{pid=\"$TARGET_PID\",comm=\"hold_blocks\",cgroup=\"$cgroup_path\",container=\"$container_id\"} 250$" "$WORK/metrics.txt")" 1
fi
# The cgroup's memory figures where the kernel has them, else absent (not 0): the v2 cgroup's
# memory.current, or on a hybrid host the v1 memory cgroup's usage (its memory.usage_in_bytes).
v1_memory=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$TARGET_PID/cgroup")
if { [ -n "$cgroup_path" ] && [ -r "$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)$cgroup_path/memory.current" ]; } ||
	{ [ -n "$v1_memory" ] && [ -r "/sys/fs/cgroup/memory$v1_memory/memory.usage_in_bytes" ]; }; then
	check_true "endpoint: cgroup memory bytes" test -n "$(sample memtrace_cgroup_memory_bytes)"
else
	check_eq "endpoint: no cgroup memory series where no memory controller counts it" \
		"$(sample memtrace_cgroup_memory_bytes)" ""
fi
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$TARGET_PID/status")
check_within "endpoint: RSS of hold_blocks (/proc VmRSS)" "$(sample memtrace_process_rss_bytes)" \
	$((rss_kb * 1024)) 10
check_eq "endpoint: no Python series for a C target" "$(grep -c '^memtrace_python_objects{' "$WORK/metrics.txt")" 0
check_eq "endpoint: no frame series without --frame" "$(grep -c '^memtrace_frames_total{' "$WORK/metrics.txt")" 0
check_eq "endpoint: Content-Type" \
	"$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8"
check_eq "endpoint: another path is 404" \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" 404
check_eq "endpoint: POST is 405" \
	"$(curl -s -o /dev/null -w '%{http_code}' -d x "http://127.0.0.1:$port/metrics")" 405
if promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1; then
	ok "promtool check metrics: no problem in $(grep -c '^memtrace_' "$WORK/metrics.txt") samples"
else
	fail "promtool check metrics" "$(head -c 400 "$WORK/promtool.out")"
fi
families=$(grep -c '^# TYPE ' "$WORK/metrics.txt")
check_eq "every family has HELP and TYPE ($families families)" "$(grep -c '^# HELP ' "$WORK/metrics.txt")" "$families"

# --- a real Prometheus scrapes it every second ---------------------------------------------
prom_port=$(free_port)
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: memtrace
    static_configs:
      - targets: ['127.0.0.1:$port']
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" >"$WORK/prometheus.log" 2>&1 &
prom_pid=$!
E2E_PIDS+=("$prom_pid")
deadline=$((SECONDS + 30))
until curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null; do
	[ $SECONDS -lt $deadline ] || { fail "prometheus ready" "$(tail -n 5 "$WORK/prometheus.log")"; finish; }
	sleep 0.2
done
await_promql "memtrace_native_live_allocations{pid=\"$TARGET_PID\"}" 250
await_promql "up{job=\"memtrace\"}" 1
check_eq "Prometheus: the scrape had no error" \
	"$(curl -s "http://127.0.0.1:$prom_port/api/v1/targets" | jq -r '.data.activeTargets[0].lastError')" ""
target_send "hold 50 1024"
wait_for_line "$WORK/hold.out" '^done$' || true
await_promql "memtrace_native_live_allocations{pid=\"$TARGET_PID\"}" 300
await_promql "memtrace_native_allocations_total{pid=\"$TARGET_PID\"}" 300
target_send release
await_promql "memtrace_native_live_allocations{pid=\"$TARGET_PID\"}" 0
await_promql "memtrace_native_frees_total{pid=\"$TARGET_PID\"}" 300
kill "$prom_pid"
wait "$prom_pid" 2>/dev/null

# --- scrapes never hold up collection; memory stays bounded --------------------------------
tracer_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$TRACER_PID/status"; }
rss_before=$(tracer_rss_kb)
# A client that reads its response slowly holds its connection, not the collector.
curl -s --limit-rate 200 "http://127.0.0.1:$port/metrics" -o /dev/null &
slow=$!
E2E_PIDS+=("$slow")
from=$(last_elapsed_ns)
scrape_loop() {
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/metrics"
	done
}
scrape_start=$(date +%s%N)
loops=()
for l in 1 2 3 4; do
	scrape_loop >"$WORK/scrapes.$l" &
	loops+=($!)
done
wait "${loops[@]}"
scrape_ms=$((($(date +%s%N) - scrape_start) / 1000000))
sleep $((interval_ms * 2))e-3
check_eq "400 scrapes in 4 tight loops answered 200" "$(cat "$WORK"/scrapes.* | grep -c "^200$")" 400
gap=$(max_interval_gap_ms "$from")
if [ "$gap" -gt 0 ] && [ "$gap" -lt $((interval_ms * 2)) ]; then
	ok "interval reports on time during ${scrape_ms} ms of scrapes: longest gap ${gap} ms (-i ${interval_ms}ms)"
else
	fail "interval reports on time during the scrapes" "longest gap ${gap} ms at -i ${interval_ms}ms"
fi
rss_after=$(tracer_rss_kb)
if [ -n "${ASAN_OPTIONS:-}" ]; then
	# make sanitize: ASan's quarantine holds freed memory back, so RSS grows by design.
	skip "tracer RSS bounded over 400 scrapes" "under ASan (${rss_before} -> ${rss_after} KiB)"
elif [ $((rss_after - rss_before)) -lt 2048 ]; then
	ok "tracer RSS after 400 scrapes: ${rss_before} -> ${rss_after} KiB"
else
	fail "tracer RSS bounded over 400 scrapes" "${rss_before} -> ${rss_after} KiB"
fi
kill "$slow" 2>/dev/null

# --- a process that exits: served once more after its summary, then dropped ---------------
target_send exit
wait_for_line "$WORK/trace.json" "\"type\":\"summary\",\"pid\":$TARGET_PID" || fail "summary of the exited target"
metrics
check_eq "exited process: the scrape after its summary still has it (all freed)" \
	"$(sample memtrace_native_live_allocations)" 0
check_eq "exited process: no RSS once gone" "$(sample memtrace_process_rss_bytes)" ""
metrics
check_eq "exited process: the next scrape has none of its series" \
	"$(grep -c "pid=\"$TARGET_PID\"" "$WORK/metrics.txt")" 0
check_true "the other process is still served" grep -q "^memtrace_native_live_allocations{pid=\"$sleeper\"" "$WORK/metrics.txt"

expect_error "--prometheus on a port in use" 14 \
	"^memtrace-bpf: cannot listen on 127.0.0.1:$port for --prometheus: Address already in use$" \
	-p "$sleeper" -d 1 --prometheus "$port"
expect_error "--prometheus address not an IP address" 12 "^memtrace-bpf: invalid --prometheus address: localhost:9100" \
	-p "$sleeper" --prometheus localhost:9100
expect_error "--prometheus address with three parts" 12 "invalid --prometheus address: 1.2.3:9100" \
	-p "$sleeper" --prometheus 1.2.3:9100
expect_error "--prometheus IPv6 without brackets" 12 "invalid --prometheus address" \
	-p "$sleeper" --prometheus ::1:9100
expect_error "--prometheus port 70000" 13 "^memtrace-bpf: invalid --prometheus port: 70000 (1 to 65535)$" \
	-p "$sleeper" --prometheus 70000
expect_error "--prometheus port 0" 13 "invalid --prometheus port: 127.0.0.1:0" \
	-p "$sleeper" --prometheus 127.0.0.1:0
expect_error "--prometheus port not a number" 13 "invalid --prometheus port: http" \
	-p "$sleeper" --prometheus http
expect_error "--prometheus-top 0" 2 "invalid --prometheus-top: 0" -p "$sleeper" --prometheus-top 0
stop_tracer
check_eq "tracer exit status" "$TRACER_RC" 0

# --- --light: native figures absent, never 0 --------------------------------------------------
port=$(free_port)
start_tracer light --light -p "$sleeper" -i 100ms --prometheus "[::1]:$port" ||
	{ fail "tracer starts with --light --prometheus [::1]:PORT"; finish; }
sleep 0.4
TARGET_PID=$sleeper
curl -sf "http://[::1]:$port/metrics" -o "$WORK/metrics.txt" || fail "GET /metrics over IPv6"
check_eq "--light: no native live allocations series" "$(sample memtrace_native_live_allocations)" ""
check_eq "--light: no native allocation counter" "$(sample memtrace_native_allocations_total)" ""
check_true "--light: RSS is there" test -n "$(sample memtrace_process_rss_bytes)"
stop_tracer

# --- a Python target: its census's top types (--prometheus-top 3) and GC --------------------
target_close
start_target py /usr/bin/python3.11 "$WORKLOADS/py_census.py" || { fail "python workload starts"; finish; }
port=$(free_port)
start_tracer py_trace --exact -p "$TARGET_PID" -i 200ms --prometheus "$port" --prometheus-top 3 ||
	{ fail "tracer attaches to python"; finish; }
target_send make
target_send "gc 7"
deadline=$((SECONDS + 30))
until [ "$(grep -c '^done' "$WORK/py.out")" -ge 2 ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
sleep 0.5
metrics || fail "GET /metrics (python)"
check_eq "python: live Keeper objects (the workload keeps 12000)" \
	"$(sample memtrace_python_objects 'type="Keeper"')" 12000
check_eq "python: --prometheus-top 3: three types served" \
	"$(grep -c "^memtrace_python_objects{pid=\"$TARGET_PID\"" "$WORK/metrics.txt")" 3
check_true "python: Keeper bytes known" test -n "$(sample memtrace_python_object_bytes 'type="Keeper"')"
gen2=$(sample memtrace_python_gc_collections_total 'generation="2"')
check_true "python: generation-2 collections ($gen2) include the workload's 7" test "${gen2:-0}" -ge 7
check_true "python: GC seconds > 0 ($(sample memtrace_python_gc_seconds_total))" \
	awk -v s="$(sample memtrace_python_gc_seconds_total)" 'BEGIN { exit !(s > 0) }'
if promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1; then
	ok "promtool check metrics with Python series"
else
	fail "promtool check metrics with Python series" "$(head -c 400 "$WORK/promtool.out")"
fi
stop_tracer

if [ -n "$cgroup_path" ]; then
	kill "$sleeper" 2>/dev/null
	wait "$hold_pid" 2>/dev/null
	rmdir "$cgroup_dir" "$(dirname "$cgroup_dir")" 2>/dev/null ||
		echo "# could not remove $cgroup_dir" >&2
fi
finish
