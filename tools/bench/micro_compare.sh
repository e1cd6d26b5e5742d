#!/usr/bin/env bash
# Per-hit micro-benchmark only, two memtrace-bpf builds side by side (e.g. before/after a BPF
# change), interleaved REPS times: (a) no probe, (b) empty BPF programs (bpftrace) on the same
# three sites, then OLD and NEW memtrace-bpf (--exact) with --no-stacks and with stacks.
# Usage: OLD=/path/to/old/memtrace-bpf [NEW=./memtrace-bpf] [REPS=7] [ITERS=2000000] micro_compare.sh
# Prints medians (ns per iteration and per hit) and the raw runs. STATS=1: also turns on
# kernel.bpf_stats_enabled and prints the tracers' own BPF run time per program run (bpftool),
# which the trap's noise does not blur (it adds ~2 clock reads per run to every traced mode).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MICRO=${MICRO:-$ROOT/.output/bench/micro_noop}
NEW=${NEW:-$ROOT/memtrace-bpf}
OLD=${OLD:?OLD=path of the memtrace-bpf build to compare against}
REPS=${REPS:-7}
ITERS=${ITERS:-2000000}
BPFTRACE=$(command -v bpftrace || true)
WORK=$(mktemp -d /tmp/memtrace-micro.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.tsv

source "$HERE/lib.sh"

one() { # LABEL TRACER-CMD... (none: bare)
	local label=$1 wpid tpid=""
	shift
	rm -f "$WORK/in" "$WORK/w.out" "$WORK/t.out"
	mkfifo "$WORK/in"
	"$MICRO" "$ITERS" <"$WORK/in" >"$WORK/w.out" 2>&1 &
	wpid=$!
	exec 8>"$WORK/in"
	wait_for "$WORK/w.out" '^ready' 10 || { echo "micro did not start" >&2; exit 1; }
	if [ $# -gt 0 ]; then
		"${@//@PID@/$wpid}" >"$WORK/t.out" 2>&1 8>&- &
		tpid=$!
		wait_for "$WORK/t.out" '^\(memtrace-bpf: \)\?tracing' 60 || { echo "$label: tracer did not start" >&2; cat "$WORK/t.out" >&2; exit 1; }
		sleep 0.2
	fi
	echo go >&8
	wait_for "$WORK/w.out" '^ns_per_iter' 600
	if [ -n "$tpid" ] && ! kill -0 "$tpid" 2>/dev/null; then
		echo "$label: the tracer was gone by the end; run discarded:" >&2
		tail -5 "$WORK/t.out" >&2
		exec 8>&-; wait "$wpid" "$tpid" 2>/dev/null
		return
	fi
	printf '%s\t%s\n' "$label" "$(awk '/^ns_per_iter/ { print $2 }' "$WORK/w.out")" | tee -a "$RESULTS" >&2
	[ "${STATS:-0}" = 1 ] && [ -n "$tpid" ] && prog_stats "$label" "$tpid"
	exec 8>&-
	wait "$wpid" 2>/dev/null
	if [ -n "$tpid" ]; then
		kill -TERM "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	fi
}

# Each BPF program PID holds: average run time (ns) per run, from its fds' fdinfo (bpf_stats).
prog_stats() { # LABEL PID
	local f id cnt ns name
	for f in /proc/"$2"/fdinfo/*; do
		id=$(awk '/^prog_id:/ { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		cnt=$(awk '/^run_cnt:/ { print $2 }' "$f") ns=$(awk '/^run_time_ns:/ { print $2 }' "$f")
		[ "${cnt:-0}" -gt 0 ] || continue
		name=$(bpftool prog show id "$id" | awk 'NR == 1 { for (i = 1; i < NF; i++) if ($i == "name") print $(i + 1) }')
		awk -v l="$1" -v n="$name" -v c="$cnt" -v t="$ns" 'BEGIN { printf "%s\tprog:%s\t%.1f\t%d\n", l, n, t / c, c }'
	done | sort -u >>"$WORK/progs.tsv"
}
if [ "${STATS:-0}" = 1 ]; then
	STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	trap 'sysctl -qw kernel.bpf_stats_enabled=$STATS_WAS; rm -rf "$WORK"' EXIT
fi

EMPTY_PROG="uprobe:$MICRO:malloc { } uretprobe:$MICRO:malloc { } uprobe:$MICRO:free { } BEGIN { printf(\"tracing\\n\"); }"
for rep in $(seq 1 "$REPS"); do
	echo "rep $rep/$REPS" >&2
	one bare
	[ -n "$BPFTRACE" ] && one empty-bpf "$BPFTRACE" -p @PID@ -e "$EMPTY_PROG"
	one old-native "$OLD" --exact -p @PID@ --no-stacks --python=off
	one new-native "$NEW" --exact -p @PID@ --no-stacks --python=off
	one old-stacks "$OLD" --exact -p @PID@ --python=off
	one new-stacks "$NEW" --exact -p @PID@ --python=off
done

# Nothing for no runs (no bpftrace: no (b) row), not 0.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v l="$1" '$1 == l { print $2 }' "$RESULTS" | median; }
a=$(col bare) b=$(col empty-bpf)
echo "$REPS interleaved runs of $ITERS iterations (3 probe hits each); medians."
echo
echo "| | ns per iteration | ns per hit over (a) | BPF work per hit over (b) |"
echo "|---|---:|---:|---:|"
printf '| (a) no probe | %.1f | - | - |\n' "$a"
[ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "| (b) empty BPF programs | %.1f | %.0f | - |\n", b, (b - a) / 3 }'
for l in old-native new-native old-stacks new-stacks; do
	awk -v l="$l" -v a="$a" -v b="${b:-}" -v c="$(col "$l")" 'BEGIN {
		w = (b == "") ? "-" : sprintf("%.0f ns (%+.0f%%)", (c - b) / 3, 100 * (c - b) / (b - a))
		printf "| %s | %.1f | %.0f | %s |\n", l, c, (c - a) / 3, w }'
done
if [ -s "$WORK/progs.tsv" ]; then
	echo
	echo "BPF run time per program run (bpf_stats), median over runs, ns:"
	echo
	echo "| build | program | ns per run |"
	echo "|---|---|---:|"
	cut -f1,2 "$WORK/progs.tsv" | sort -u | while IFS=$'\t' read -r l p; do
		printf '| %s | %s | %s |\n' "$l" "${p#prog:}" \
			"$(awk -F'\t' -v l="$l" -v p="$p" '$1 == l && $2 == p { print $3 }' "$WORK/progs.tsv" | median)"
	done
fi
echo
echo "Raw runs:"
echo '```'
cat "$RESULTS"
echo '```'
