#!/usr/bin/env bash
# Retainer paths (census mode): tests/workloads/leaky/leak_service.py appends Sessions to
# leaky_module._SESSIONS; the Session leak event's top retained_by path names that global,
# with a count within 5% of the workload's own len(_SESSIONS), asked for (SIGUSR1) as soon
# as the event is out (the list only grows: the count can only trail it). The console says it too.
source "$(dirname "$0")/lib.sh"

RATE=50
find_pythons

# first_session_leak FILE: the first python_type leak event of Session, or nothing.
first_session_leak() {
	jq -c 'select(.type == "leak" and .kind == "python_type" and .name == "Session")' \
		"$1" 2>/dev/null | head -n1
}

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		skip "$py" "not installed"
		continue
	fi
	ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
	tag="python $ver ($py) retainers"
	name=ret$ver
	[ "$py" = /usr/bin/python3.11 ] && name=retdeb$ver
	rm -f "$WORK/$name.count"
	start_target "$name" "$py" "$WORKLOADS/leaky/leak_service.py" "$RATE" 120 "$WORK/$name.count" ||
		{ fail "$tag: workload starts"; target_close; continue; }
	start_tracer "t$name" -p "$TARGET_PID" -i 200ms --json="$WORK/$name.json" ||
		{ fail "$tag: tracer attaches"; target_close; continue; }
	ev=
	deadline=$((SECONDS + 60))
	while [ -z "$ev" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.02
		ev=$(first_session_leak "$WORK/$name.json")
	done
	kill -USR1 "$TARGET_PID"
	wait_for_line "$WORK/$name.count" '^[0-9]' 10
	truth=$(cat "$WORK/$name.count" 2>/dev/null)
	sleep 0.3
	stop_tracer
	target_close
	kill "$TARGET_PID" 2>/dev/null
	wait "$TARGET_PID" 2>/dev/null
	if [ -z "$ev" ]; then
		fail "$tag: a Session leak event within 60 s"
		continue
	fi
	check_eq "$tag: top retainer path" "$(jq -r '.retained_by[0].path' <<<"$ev")" \
		"leaky_module._SESSIONS (list) → Session"
	count=$(jq -r '.retained_by[0].count' <<<"$ev")
	check_within "$tag: instances held by _SESSIONS vs len(_SESSIONS) just after" "$count" "$truth" 5
	check_true "$tag: no more held than len(_SESSIONS) just after ($count <= $truth)" \
		test "$count" -le "$truth"
	check_eq "$tag: lookup complete" "$(jq -r '.retained_partial' <<<"$ev")" false
	check_true "$tag: console line 'retained by leaky_module._SESSIONS (list) → Session ×N'" \
		grep -q "^  retained by leaky_module._SESSIONS (list) → Session ×[0-9]" "$WORK/t$name.out"
done
finish
