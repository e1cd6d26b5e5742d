#!/usr/bin/env bash
# The loader's own cost on one Python service of OBJECTS GC-tracked objects (py_service.py:
# they are held while a request-like loop churns), in the default mode at 1 s polling. Prints
# the loader's CPU (utime + stime from /proc/PID/stat over SECONDS after a 10 s warm-up, as %
# of one CPU), its RSS at the end of the window (VmRSS) and its peak (VmHWM: a census copies
# the heap it walks, then gives the copy back), and the objects the census counted.
# Usage: tools/bench/loader_python.sh [OBJECTS]...   (default: 100000 200000)
# Environment: SECONDS_MEASURED (default 30), PY (default /usr/bin/python3.11)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MEMTRACE=${MEMTRACE:-$ROOT/memtrace-bpf}
PY=${PY:-/usr/bin/python3.11}
WINDOW=${SECONDS_MEASURED:-30}
WORK=$(mktemp -d /tmp/memtrace-loader.XXXXXX)
trap 'kill $svc $tracer 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
[ $# -gt 0 ] || set -- 100000 200000
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
printf '%-10s %-14s %-12s %-12s %s\n' objects "loader CPU %" "RSS (MiB)" "peak (MiB)" counted
for objects in "$@"; do
	"$PY" "$HERE/py_service.py" "$objects" >"$WORK/svc.out" 2>&1 &
	svc=$!
	until grep -q '^ready' "$WORK/svc.out"; do sleep 0.1; done
	"$MEMTRACE" -p "$svc" -i 1s -d $((WINDOW + 12)) --json="$WORK/trace.json" >/dev/null 2>&1 &
	tracer=$!
	sleep 10
	before=$(cpu_ticks "$tracer")
	sleep "$WINDOW"
	after=$(cpu_ticks "$tracer")
	rss=$(awk '/VmRSS/ { print $2 }' "/proc/$tracer/status")
	hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$tracer/status")
	wait "$tracer"
	kill "$svc"; wait "$svc" 2>/dev/null
	counted=$(jq -r 'select(.type == "summary") | .python.memory.objects' "$WORK/trace.json")
	awk -v o="$objects" -v t=$((after - before)) -v hz="$ticks" -v w="$WINDOW" -v r="$rss" \
		-v h="$hwm" -v c="$counted" \
		'BEGIN { printf "%-10s %-14.2f %-12.1f %-12.1f %s\n", o, 100 * t / hz / w, r / 1024, h / 1024, c }'
done
