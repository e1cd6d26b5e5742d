#!/usr/bin/env bash
# The BPF cost of one Python stack walk, by depth: the allocator return probe's own run time
# (kernel.bpf_stats_enabled) while a Python target mallocs at a known Python depth, with the
# walk (Python found) and without it (--python=off: no walk configuration, the walk returns
# at its first lookup). The difference is the walk. Usage: [N=200000] [PY=python3.11] py_walk.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MEMTRACE=${MEMTRACE:-$ROOT/memtrace-bpf}
PY=${PY:-/usr/bin/python3.11}
N=${N:-200000}
WORK=$(mktemp -d /tmp/memtrace-pywalk.XXXXXX)
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
trap 'sysctl -qw kernel.bpf_stats_enabled=$STATS_WAS; rm -rf "$WORK"' EXIT

# ns per run of the tracer's allocation return program (uretprobe "alloc_exit", where stacks are walked)
malloc_ns() { # TRACER-PID
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(awk '/^prog_id:/ { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		bpftool prog show id "$id" | grep -q "name alloc_exit" || continue
		awk '/^run_cnt:/ { c = $2 } /^run_time_ns:/ { t = $2 } END { if (c) printf "%.0f\n", t / c }' "$f"
		return
	done
}

one() { # DEPTH PYTHON-FLAG
	local wpid tpid ns
	rm -f "$WORK/in"; mkfifo "$WORK/in"
	"$PY" "$HERE/py_walk.py" "$1" "$N" <"$WORK/in" >"$WORK/w.out" 2>&1 &
	wpid=$!
	exec 8>"$WORK/in"
	until grep -q ready "$WORK/w.out"; do sleep 0.05; done
	"$MEMTRACE" -p "$wpid" --exact --py-stack-depth 64 $2 >/dev/null 2>"$WORK/t.err" 8>&- &
	tpid=$!
	until grep -q tracing "$WORK/t.err"; do sleep 0.05; done
	sleep 1.2   # the interpreter is found at the first report
	echo go >&8
	until grep -q done "$WORK/w.out"; do sleep 0.05; done
	ns=$(malloc_ns "$tpid")
	exec 8>&-
	kill -INT "$tpid"; wait "$tpid" "$wpid" 2>/dev/null
	echo "$ns"
}

printf '| Python depth | alloc_exit, no walk (ns) | with the walk (ns) | the walk (ns) |\n|---|---|---|---|\n'
for d in 1 8 32 64; do
	off=$(one "$d" --python=off) on=$(one "$d" "")
	printf '| %d | %s | %s | %s |\n' "$d" "$off" "$on" "$((on - off))"
done
