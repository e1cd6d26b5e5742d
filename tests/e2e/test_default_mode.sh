#!/usr/bin/env bash
# The default mode (-p, no flags): malloc/free probed only in exact windows within
# --overhead-budget. Ground truth: tests/targets/leak_after_delay churns (nothing kept), then
# from a known moment keeps a 4 KiB block from leak_block() every 2 ms. The leak must be named
# with leak_block within 60 s of its onset; the churn never; the share of the run with probes
# attached must stay within the budget (plus the two windows the balance may hold).
source "$(dirname "$0")/lib.sh"

BUDGET=5
WINDOW_S=1
start_target leak "$TARGETS/leak_after_delay" 5000 4096 2000 || { fail "target starts"; finish; }
start_tracer default -p "$TARGET_PID" --json="$WORK/default.json" ||
	{ fail "tracer attaches (default mode)"; finish; }
start=$(date +%s.%N)
target_send go
wait_for_line "$WORK/leak.out" '^leaking' 30 || fail "target starts leaking"
onset=$(date +%s.%N)
named=""
for _ in $(seq 1 90); do
	named=$(jq -r 'select(.type == "leak" and .kind == "native_stack") | .name' \
		"$WORK/default.json" 2>/dev/null | head -1)
	[ -n "$named" ] && break
	sleep 1
done
found=$(date +%s.%N)
stop_tracer
target_close
wait "$TARGET_PID" 2>/dev/null
elapsed=$(echo "$found - $start" | bc)
check_eq "default mode: exit status" "$TRACER_RC" 0
check_eq "default mode: the leak event names" "${named%%+*}" leak_block
check_between "default mode: seconds from onset to the leak named" \
	"$(echo "$found - $onset" | bc)" 0 60
check_eq "default mode: the churn is never named a leak" \
	"$(jq -r 'select(.type == "leak") | .name' "$WORK/default.json" | grep -c churn_blocks)" 0
summary=$(json_summary "$WORK/default.json" "$TARGET_PID")
check_eq "default mode: the summary says windowed" "$(jq -r .native_mode <<<"$summary")" windowed
check_between "default mode: exact windows" "$(jq .exact_windows <<<"$summary")" 2 100
share=$(jq .exact_share <<<"$summary")
bound=$(echo "scale=4; $BUDGET / 100 + 2 * $WINDOW_S / $elapsed" | bc)
check_between "default mode: exact share within the budget" "$share" 0.01 "$bound"
check_eq "default mode: every interval says windowed" \
	"$(jq -r 'select(.type == "interval") | .native_mode' "$WORK/default.json" | sort -u)" windowed
check_eq "default mode: the summary lists the leak" \
	"$(jq -r '[.leaks[] | select(.name | startswith("leak_block"))] | length > 0' <<<"$summary")" true
grep -q 'native figures windowed' "$WORK/default.out" && ok "console: windowed said" ||
	fail "console: windowed said"

# --exact: every call from attach, as before.
start_target exact "$TARGETS/leak_after_delay" 0 4096 2000 || { fail "target starts"; finish; }
start_tracer exact -p "$TARGET_PID" --exact -i 200ms --json="$WORK/exact.json" ||
	{ fail "tracer attaches (--exact)"; finish; }
target_send go
sleep 2
stop_tracer
target_close
summary=$(json_summary "$WORK/exact.json" "$TARGET_PID")
check_eq "--exact: the summary says exact, share 1" \
	"$(jq -c '[.native_mode, .exact_share, .exact_windows]' <<<"$summary")" '["exact",1,0]'
expect_error "--exact with --overhead-budget" 2 "not with --overhead-budget" \
	-p 1 --exact --overhead-budget 5
expect_error "--overhead-budget out of range" 2 "invalid --overhead-budget" \
	-p 1 --overhead-budget 101
finish
