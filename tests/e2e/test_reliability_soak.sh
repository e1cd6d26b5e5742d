#!/usr/bin/env bash
# Bounded soak: the loader's RSS does not grow while it polls fast, and at 1 s polling with
# 100k outstanding allocations it uses at most 2% of one CPU. SOAK_SECONDS (default 30).
source "$(dirname "$0")/lib.sh"
SOAK=${SOAK_SECONDS:-30}
HZ=$(getconf CLK_TCK)
rss_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status"; }  # heap + stacks: file pages paged in are not growth
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start_target soak "$TARGETS/rel_target" flood 100000 || { fail "target starts"; finish; }
start_tracer soak_tracer --exact -p "$TARGET_PID" -i 100ms --json="$WORK/soak.json" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/soak.out" '^done' 60 || fail "target makes 100k allocations"
# Warm-up: the first reports allocate what the loader keeps (symbols, buffers).
wait_for_line "$WORK/soak.json" '"type":"interval"' 10
sleep 2
rss=()
end=$((SECONDS + SOAK))
while [ $SECONDS -lt $end ]; do
	r=$(rss_kb "$TRACER_PID") || break
	rss+=("$r")
	sleep 1
done
stop_tracer
intervals=$(grep -c '"type":"interval"' "$WORK/soak.json")
check_true "soak: tracer kept reporting at 100 ms ($intervals intervals in ${SOAK}s+)" \
	test "$intervals" -ge $((SOAK * 8))
check_eq "soak: tracer exit status" "$TRACER_RC" 0
# A leak raises the level, a report that is slow (a busy machine) only makes a brief peak:
# compare the medians of the first and the last 5 samples.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rss0=$(median "${rss[@]:0:5}") rss1=$(median "${rss[@]: -5}")
growth=$((rss1 - rss0))
echo "# loader RssAnon (KiB), one sample a second: ${rss[*]}"
# Allocator noise is a few pages; a leak per 100 ms report over ${SOAK} s would be far more.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	# make sanitize: ASan's quarantine holds freed memory back, so RSS grows by design.
	skip "soak: loader RSS growth" "ASan build (its quarantine keeps freed memory): $rss0 -> $rss1 KiB"
elif [ "${#rss[@]}" -ge 10 ] && [ "$growth" -le 256 ]; then
	ok "soak: loader anonymous RSS median $rss0 KiB (first 5 s) -> $rss1 KiB (last 5 s) over ${SOAK}s: growth $growth KiB <= 256"
else
	fail "soak: loader RSS grows" "median $rss0 KiB -> $rss1 KiB (+$growth KiB) over ${SOAK}s, ${#rss[@]} samples"
fi
check_eq "soak: 100k allocations live in the summary" \
	"$(json_summary "$WORK/soak.json" "$TARGET_PID" | jq -r .native.live_allocs)" 100000

# Loader CPU at the default 1 s polling, 100k outstanding allocations, 10 s.
start_tracer cpu_tracer --exact -p "$TARGET_PID" -i 1 ||  fail "tracer attaches (cpu)"
sleep 1
c0=$(cpu_ticks "$TRACER_PID") t0=$(date +%s.%N)
sleep 10
c1=$(cpu_ticks "$TRACER_PID") t1=$(date +%s.%N)
stop_tracer
pct=$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", 100 * c / hz / (b - a) }')
if awk -v p="$pct" 'BEGIN { exit !(p <= 2) }'; then
	ok "loader CPU at 1 s polling with 100k outstanding allocations: $pct% <= 2%"
else
	fail "loader CPU at 1 s polling" "$pct% > 2%"
fi
target_close
finish
