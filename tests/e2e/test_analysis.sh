#!/usr/bin/env bash
# Budgets, drift, --on-event and Python type leaks against targets that hold known amounts at
# known moments: tests/targets/hold_blocks.c (native blocks from hold_blocks()) and
# tests/workloads/py_grow.py (Widget, Leaky and Steady instances).
source "$(dirname "$0")/lib.sh"

MiB=1048576
PY=/usr/bin/python3.11

# events FILE TYPE: the event lines of that type.
events() { jq -c --arg t "$2" 'select(.type == $t)' "$1"; }
# budget_event FILE BUDGET LIMIT STATE: that budget's event line.
budget_event() {
	jq -c --arg b "$2" --argjson l "$3" --arg s "$4" \
		'select(.type == "budget" and .budget == $b and .limit == $l and .state == $s)' "$1"
}
stop_target() { target_close; wait "$TARGET_PID" 2>/dev/null; }

# --- budgets on a native target, --fail-on-budget, and --on-event's rate limit ----------
# One 64 MiB block from hold_blocks(): seven stack/lib budgets cross at the same interval
# (a burst), the RSS budget at that one or the next; all recover when it is freed.
mkdir -p "$WORK/on_event"
start_target hold "$TARGETS/hold_blocks" || { fail "hold_blocks starts"; finish; }
start_tracer budget --exact -p "$TARGET_PID" -i 100ms --budget 32M \
	--budget stack:hold_blocks=16M --budget stack:main=16M \
	--budget lib:hold_blocks=16M --budget lib:libc.so=16M --budget stack:hold_blocks=32M \
	--budget stack:main=32M --budget lib:hold_blocks=32M \
	--fail-on-budget --on-event "cat > \$(mktemp -p $WORK/on_event ev.XXXXXX)" \
	--json="$WORK/budget.json" || { fail "tracer attaches (budgets)"; finish; }
target_send "hold 1 $((64 * MiB))"
wait_done hold 1
sleep 0.35
target_send release
wait_done hold 2
sleep 0.35
stop_tracer
stop_target
check_eq "--fail-on-budget exit status over budget" "$TRACER_RC" 11
j=$WORK/budget.json
ev=$(budget_event "$j" stack:hold_blocks $((16 * MiB)) exceeded)
check_eq "stack budget exceeded: value = the block" "$(jq .value <<<"$ev")" $((64 * MiB))
check_eq "stack budget exceeded: excess" "$(jq .excess <<<"$ev")" $((48 * MiB))
ev=$(budget_event "$j" stack:hold_blocks $((16 * MiB)) recovered)
check_eq "stack budget recovered: value 0, peak = the block" "$(jq -c '[.value, .peak]' <<<"$ev")" \
	"[0,$((64 * MiB))]"
check_between "stack budget recovered after it went over: duration_s" "$(jq .duration_s <<<"$ev")" 0.2 2
ev=$(budget_event "$j" process $((32 * MiB)) exceeded)
check_eq "RSS budget exceeded: value over the limit" "$(jq ".value > $((32 * MiB))" <<<"$ev")" true
ev=$(budget_event "$j" process $((32 * MiB)) recovered)
check_between "RSS budget recovered: peak, the block and under 16 MiB more" "$(jq .peak <<<"$ev")" \
	$((64 * MiB)) $((80 * MiB - 1))
# The first reading under the limit: munmap lowers RSS page by page, so it can land mid-way.
check_between "RSS budget recovered: value back under the limit" "$(jq .value <<<"$ev")" 0 $((32 * MiB - 1))
check_eq "budget events: 8 exceeded, 8 recovered" \
	"$(events "$j" budget | jq -s -c '[(map(select(.state == "exceeded")) | length), (map(select(.state == "recovered")) | length)]')" \
	"[8,8]"
summary=$(json_summary "$j" "$TARGET_PID")
check_eq "summary lists the stack budget's two events" \
	"$(jq -c "[.budgets[] | select(.budget == \"stack:hold_blocks\" and .limit == $((16 * MiB))) | .state]" <<<"$summary")" \
	'["exceeded","recovered"]'
# The default rate: bursts of 5, 1 a second. 16 events within ~1 s: 5 commands run.
sleep 0.3
ran=$(ls "$WORK/on_event" | wc -l)
check_eq "--on-event commands run for a burst of 16 events" "$ran" 5
check_eq "commands run + events_suppressed = events" \
	"$((ran + $(jq .events_suppressed <<<"$summary")))" "$(events "$j" budget | wc -l)"
check_eq "each command read one event's JSON on stdin" \
	"$(cat "$WORK"/on_event/ev.* | jq -c . | grep -cxFf <(events "$j" budget))" "$ran"

check_eq "console: the stack budget's events in MiB" \
	"$(grep -o 'budget stack:hold_blocks [a-z]*: .*limit 16.0 MiB.*' "$WORK/budget.out")" \
	"budget stack:hold_blocks exceeded: 64.0 MiB (limit 16.0 MiB, +48.0 MiB)
budget stack:hold_blocks recovered: 0 B (limit 16.0 MiB, -16.0 MiB)"

# --- a target that exits over its budget: its memory is gone, not back under budget ------
# --light: no live bytes to fall back on once the RSS is gone with the process.
start_target exit_over "$TARGETS/hold_blocks" || { fail "hold_blocks starts"; finish; }
start_tracer exit_over_trace -p "$TARGET_PID" -i 100ms --light --budget 32M \
	--json="$WORK/exit_over.json" || { fail "tracer attaches (exit over budget)"; finish; }
target_send "hold 1 $((64 * MiB))"
wait_done exit_over 1
sleep 0.35
stop_target
wait "$TRACER_PID"
check_eq "target exits over its budget: the budget's events" \
	"$(events "$WORK/exit_over.json" budget | jq -s -c 'map(.state)')" '["exceeded"]'
check_eq "target exits over its budget: no recovery on the console" \
	"$(grep -c 'budget process recovered' "$WORK/exit_over_trace.out")" 0

# --- a Python type's budget, and a growing class found leaking --------------------------
if [ -x "$PY" ]; then
	start_target py "$PY" "$WORKLOADS/py_grow.py" || { fail "py_grow starts"; finish; }
	start_tracer pytrace --exact -p "$TARGET_PID" -i 200ms --budget Widget=3000 --fail-on-budget \
		--fail-on-leak --json="$WORK/py.json" || { fail "tracer attaches (python)"; finish; }
	target_send "grow 5000"
	wait_done py 1
	sleep 0.45
	target_send drop
	wait_done py 2
	sleep 0.45
	# 200 Leaky every 100 ms: 2000/s; Steady stays at 200.
	target_send "leak 3.6"
	wait_done py 3
	stop_tracer
	stop_target
	j=$WORK/py.json
	check_eq "--fail-on-leak wins over --fail-on-budget: exit status" "$TRACER_RC" 10
	check_eq "type budget exceeded: value, limit, excess" \
		"$(budget_event "$j" Widget 3000 exceeded | jq -c '[.value, .excess]')" "[5000,2000]"
	check_eq "type budget recovered: value, peak" \
		"$(budget_event "$j" Widget 3000 recovered | jq -c '[.value, .peak]')" "[0,5000]"
	check_eq "python_type leak events: only the growing class" \
		"$(events "$j" leak | jq -s -c '[.[] | select(.kind == "python_type") | .name] | unique')" '["Leaky"]'
	leak=$(events "$j" leak | jq -c 'select(.name == "Leaky")' | head -n1)
	check_within "Leaky growth_per_s" "$(jq .growth_per_s <<<"$leak")" 2000 15
	check_eq "Leaky severity (>= 1,000,000 objects/h)" "$(jq -r .severity <<<"$leak")" critical
	check_eq "Leaky leak unit" "$(jq -r .unit <<<"$leak")" objects
	check_eq "summary lists the Leaky leak" \
		"$(json_summary "$j" "$TARGET_PID" | jq -c '[.leaks[] | select(.kind == "python_type") | .name]')" '["Leaky"]'
else
	skip "python budget and leak" "$PY not installed"
fi

# --- drift ------------------------------------------------------------------------------
# drift_run NAME HOLD_MIB_AT_START HOLD_MIB_LATER ARGS...: a fresh target holds the first
# amount right after attach and the second 0.5 s later (after a 200 ms --warmup).
drift_run() {
	local name=$1 first=$2 later=$3
	shift 3
	start_target "$name" "$TARGETS/hold_blocks" || { fail "$name: target starts"; return 1; }
	start_tracer "${name}_trace" --exact -p "$TARGET_PID" -i 100ms "$@" --json="$WORK/$name.json" ||
		{ fail "$name: tracer attaches"; return 1; }
	target_send "hold $first $MiB"
	wait_done "$name" 1
	sleep 0.5
	[ "$later" -gt 0 ] && target_send "hold $later $MiB" && wait_done "$name" 2
	sleep 0.35
	stop_tracer
	stop_target
}
drift_of() { events "$WORK/$1.json" drift | jq -c --arg m "$2" 'select(.metric == $m) | [.baseline, .current]'; }

# Unchanged after the warm-up, well under its budget: no drift, exit 0. Its NDJSON is the
# baseline file of the runs below (live_bytes 8 MiB).
drift_run steady 8 0 --warmup 200ms --budget 256M --fail-on-budget
check_eq "--fail-on-budget exit status under budget" "$TRACER_RC" 0
check_eq "no drift or budget events on an unchanged target" \
	"$(jq -s '[.[] | select(.type == "drift" or .type == "budget")] | length' "$WORK/steady.json")" 0
check_eq "summary: drift baseline from the warm-up, no drift" \
	"$(json_summary "$WORK/steady.json" "$TARGET_PID" | jq -c '[.drift_baseline, (.drift | length), .native.live_bytes]')" \
	"[\"warmup\",0,$((8 * MiB))]"

# The drift event fires at the first report past the threshold, which may fall while the 16
# blocks are still being allocated: the summary's drift, taken at the end, is exact.
summary_drift_of() {
	json_summary "$WORK/$1.json" "$TARGET_PID" |
		jq -c --arg m "$2" '.drift[] | select(.metric == $m) | [.baseline, .current]'
}
drift_run grows 8 16 --warmup 200ms
check_eq "--warmup: a live_bytes drift event" "$(drift_of grows live_bytes | jq -c '.[0]')" "$((8 * MiB))"
check_eq "--warmup: live_bytes drift [baseline, current]" "$(summary_drift_of grows live_bytes)" \
	"[$((8 * MiB)),$((24 * MiB))]"
check_eq "--warmup: live_allocs drift [baseline, current]" "$(summary_drift_of grows live_allocs)" "[8,24]"

drift_run bigger 24 0 --baseline "$WORK/steady.json"
check_eq "--baseline: live_bytes drift [baseline, current]" "$(summary_drift_of bigger live_bytes)" \
	"[$((8 * MiB)),$((24 * MiB))]"
check_eq "--baseline: summary drift lists live_bytes" \
	"$(json_summary "$WORK/bigger.json" "$TARGET_PID" | jq -c '[.drift_baseline, (.drift[] | select(.metric == "live_bytes") | .change)]')" \
	"[\"file\",$((16 * MiB))]"

drift_run same 8 0 --baseline "$WORK/steady.json"
check_eq "--baseline: no drift events for the same work" \
	"$(jq -s '[.[] | select(.type == "drift")] | length' "$WORK/same.json")" 0
finish
