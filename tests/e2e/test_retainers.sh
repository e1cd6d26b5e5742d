#!/usr/bin/env bash
# Retainer paths (census mode): tests/workloads/leaky/leak_service.py appends Sessions to
# leaky_module._SESSIONS; the Session leak event's top retained_by path names that global,
# with a count within 5% of the workload's own len(_SESSIONS), asked for (SIGUSR1) as soon
# as the event is out (the list only grows: the count can only trail it). The console says it too.
source "$(dirname "$0")/lib.sh"

RATE=50
find_pythons

# first_leak FILE TYPE: the first python_type leak event of TYPE, or nothing.
first_leak() {
	jq -c --arg t "$2" 'select(.type == "leak" and .kind == "python_type" and .name == $t)' \
		"$1" 2>/dev/null | head -n1
}

# trace_until_leak NAME TYPE: traces $TARGET_PID until TYPE's leak event (60 s at most), into
# ev; then SIGUSR1 to the workload and its counts into truth; ends both.
trace_until_leak() {
	local deadline=$((SECONDS + 60))
	ev= truth=
	start_tracer "t$1" -p "$TARGET_PID" -i 200ms --json="$WORK/$1.json" ||
		{ target_close; return 1; }
	while [ -z "$ev" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.02
		ev=$(first_leak "$WORK/$1.json" "$2")
	done
	kill -USR1 "$TARGET_PID"
	wait_for_line "$WORK/$1.count" '[0-9]' 10
	truth=$(cat "$WORK/$1.count" 2>/dev/null)
	sleep 0.3
	stop_tracer
	check_eq "$1: tracer exit status (no error, no sanitizer report)" "$TRACER_RC" 0
	target_close
	kill "$TARGET_PID" 2>/dev/null
	wait "$TARGET_PID" 2>/dev/null
	[ -n "$ev" ]
}

# path_count EVENT PATH: the count retained_by gives PATH, or 0.
path_count() {
	jq -r --arg p "$2" '[.retained_by[] | select(.path == $p) | .count] | add // 0' <<<"$1"
}

# check_held TAG: the Order event of held_leak.py against the workload's counts ($truth).
check_held() {
	local tag=$1 arrow=" → "
	check_eq "$tag: the top path goes through an instance's attribute" \
		"$(jq -r '.retained_by[0].path' <<<"$ev")" "__main__.REGISTRY (Registry)${arrow}dict${arrow}list${arrow}Order"
	check_within "$tag: Orders held by REGISTRY.open vs the workload's count just after" \
		"$(path_count "$ev" "__main__.REGISTRY (Registry)${arrow}dict${arrow}list${arrow}Order")" \
		"$(jq .registry <<<"$truth")" 5
	check_within "$tag: Orders held by BY_ID's tuples vs the workload's count just after" \
		"$(path_count "$ev" "__main__.BY_ID (dict)${arrow}tuple${arrow}Order")" "$(jq .by_id <<<"$truth")" 10
	# LAST is rebound at every leak: the lookup can read it after it moved to an Order
	# newer than its walk of the GC lists (that one then counts under no module global).
	check_between "$tag: Orders held by LAST" "$(path_count "$ev" "__main__.LAST${arrow}Order")" 0 1
	check_within "$tag: Orders held by a frame's local only: no module global" \
		"$(path_count "$ev" "(no module global found)")" "$(jq .local <<<"$truth")" 10
}

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		skip "$py" "not installed"
		continue
	fi
	ver=$(python_version "$py")
	tag="python $ver ($py) retainers"
	name=ret$ver
	[ "$py" = /usr/bin/python3.11 ] && name=retdeb$ver
	start_target "$name" "$py" "$WORKLOADS/leaky/leak_service.py" "$RATE" 120 "$WORK/$name.count" ||
		{ fail "$tag: workload starts"; target_close; continue; }
	if ! trace_until_leak "$name" Session; then
		fail "$tag: traced, a Session leak event within 60 s"
		continue
	fi
	check_eq "$tag: top retainer path" "$(jq -r '.retained_by[0].path' <<<"$ev")" \
		"leaky_module._SESSIONS (list) → Session"
	count=$(jq -r '.retained_by[0].count' <<<"$ev")
	check_within "$tag: instances held by _SESSIONS vs len(_SESSIONS) just after" "$count" "$truth" 5
	check_true "$tag: no more held than len(_SESSIONS) just after ($count <= $truth)" \
		test "$count" -le "$truth"
	check_eq "$tag: retained_partial (a bound hit, a list changed)" "$(jq -r '.retained_partial' <<<"$ev")" false
	check_true "$tag: console line 'retained by leaky_module._SESSIONS (list) → Session ×N'" \
		grep -q "^  retained by leaky_module._SESSIONS (list) → Session ×[0-9]" "$WORK/t$name.out"

	start_target "h$name" "$py" "$WORKLOADS/leaky/held_leak.py" "$RATE" 120 "$WORK/h$name.count" ||
		{ fail "$tag: held_leak.py starts"; target_close; continue; }
	if trace_until_leak "h$name" Order; then
		check_held "$tag"
	else
		fail "$tag: traced, an Order leak event within 60 s"
	fi
done
finish
