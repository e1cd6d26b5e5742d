#!/usr/bin/env bash
# The loader's own cost with many traced processes: IDLE idle C processes (sleep(1), which
# maps libc) and PYTHON idle CPython processes holding ~20k objects each, all given with -p;
# memtrace-bpf polls every second for SECONDS. Prints one line per count: the loader's CPU
# (utime + stime from /proc/PID/stat over the window after a warm-up, as % of one CPU), its
# peak RSS (VmHWM), the time to attach and the time from Ctrl-C to exit.
# Usage: tools/bench/scale.sh [IDLE PYTHON]...   (default: 60 40  120 80  200 100)
# Environment: SECONDS_MEASURED (default 20), PY (default /usr/bin/python3.11), INTERVAL
# (default 1), SCOPE=cgroup: the processes started in a cgroup made under the cgroup2 mount
# and traced with --cgroup instead of -p (the production-safe collectors only).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MEMTRACE=${MEMTRACE:-$ROOT/memtrace-bpf}
PY=${PY:-/usr/bin/python3.11}
WINDOW=${SECONDS_MEASURED:-20}
INTERVAL=${INTERVAL:-1}
SCOPE=${SCOPE:-pids}
WORK=$(mktemp -d /tmp/memtrace-scale.XXXXXX)
CG=
if [ "$SCOPE" = cgroup ]; then
	CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)/memtrace-scale.$$
	mkdir "$CG" || exit 1
fi
PIDS=()
kill_all() { local p; for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }
trap 'kill_all; [ -n "$CG" ] && { sleep 1; rmdir "$CG"; }; rm -rf "$WORK"' EXIT
# in_scope CMD...: CMD, in the cgroup with SCOPE=cgroup; run in the background, it becomes
# the background job's own process ($! is CMD's PID).
in_scope() {
	if [ -n "$CG" ]; then
		exec sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" "$@"
	else
		exec "$@"
	fi
}
[ $# -gt 0 ] || set -- 60 40 120 80 200 100
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
now() { date +%s.%N; }

printf '%-8s %-8s %-9s %-12s %-11s %-10s %s\n' idle python attach_s cpu_pct_1cpu rss_mib exit_s summaries
while [ $# -ge 2 ]; do
	idle=$1 python=$2
	shift 2
	args=()
	for _ in $(seq "$idle"); do
		in_scope sleep 3600 & PIDS+=("$!"); args+=(-p "$!")
	done
	for _ in $(seq "$python"); do
		in_scope "$PY" -c 'import time
held = [{"k": [i]} for i in range(10000)]
while True: time.sleep(0.5)' & PIDS+=("$!"); args+=(-p "$!")
	done
	sleep 2   # the interpreters are up
	[ -n "$CG" ] && args=(--cgroup "$CG")
	t0=$(now)
	"$MEMTRACE" "${args[@]}" -i "$INTERVAL" --json="$WORK/run.json" >/dev/null 2>"$WORK/err" &
	tracer=$!
	while ! grep -q tracing "$WORK/err" 2>/dev/null; do
		kill -0 "$tracer" 2>/dev/null || { cat "$WORK/err" >&2; exit 1; }
		sleep 0.02
	done
	attach=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	sleep 3
	c0=$(cpu_ticks "$tracer")
	sleep "$WINDOW"
	c1=$(cpu_ticks "$tracer")
	rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$tracer/status")
	t1=$(now)
	kill -INT "$tracer"
	wait "$tracer"
	stop=$(awk -v a="$t1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	cpu=$(awk -v d=$((c1 - c0)) -v t="$ticks" -v w="$WINDOW" 'BEGIN { printf "%.2f", 100 * d / t / w }')
	summaries=$(jq -c 'select(.type == "summary")' "$WORK/run.json" | wc -l)
	printf '%-8s %-8s %-9s %-12s %-11s %-10s %s\n' "$idle" "$python" "$attach" "$cpu" "$rss" "$stop" "$summaries"
	kill_all
done
