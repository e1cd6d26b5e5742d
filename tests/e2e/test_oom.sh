#!/usr/bin/env bash
# The OOM moment: a target grows in a 64 MiB memory cgroup (no swap) until the kernel's OOM
# killer ends it; the oom event names the growing function as its top stack, counts what the
# target said it held, and is in every output before the summary. Targets:
# tests/targets/oom_grow.c (1 MiB malloc'ed blocks) and tests/workloads/oom_grow.py (1 MiB
# bytearrays), each saying "held N" after each block.
source "$(dirname "$0")/lib.sh"

MiB=1048576
PY=/usr/bin/python3.11

CGROUP=
remove_cgroup() {
	[ -n "$CGROUP" ] || return 0
	# whatever is left in it (a target that was not killed) goes first
	for pid in $(cat "$CGROUP/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	for _ in $(seq 50); do [ -s "$CGROUP/cgroup.procs" ] || break; sleep 0.1; done
	"$ROOT/tests/e2e/memory-cgroup.sh" remove "$CGROUP"
	CGROUP=
}
trap 'remove_cgroup; e2e_cleanup' EXIT

# running PID: alive, not a zombie waiting for us to reap it
running() { [ -e "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# run_until_killed NAME FLAGS CMD...: CMD in a fresh 64 MiB cgroup, traced (--exact, JSON,
# SQLite, console, and the words of FLAGS) from "ready" until the OOM killer ends it; its
# wait status in TARGET_RC.
run_until_killed() {
	local name=$1 flags=$2 deadline
	shift 2
	CGROUP=$("$ROOT/tests/e2e/memory-cgroup.sh" create 64M) || return 1
	start_target "$name" sh -c "echo \$\$ > $CGROUP/cgroup.procs && exec \"\$@\"" sh "$@" ||
		return 1
	# shellcheck disable=SC2086
	start_tracer "$name.tracer" --exact -p "$TARGET_PID" -i 200ms --json="$WORK/$name.json" \
		--sqlite="$WORK/$name.db" $flags || return 1
	target_send go
	# 64 blocks take a second; a limit not enforced leaves it waiting after 1 GiB
	deadline=$((SECONDS + 60))
	while running "$TARGET_PID" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
	if running "$TARGET_PID"; then
		kill -KILL "$TARGET_PID"
		wait "$TARGET_PID"
		TARGET_RC="not killed within 60 s"
	else
		wait "$TARGET_PID"
		TARGET_RC=$?
	fi
	# the tracer ends by itself once its only process is gone
	deadline=$((SECONDS + 30))
	while kill -0 "$TRACER_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
	stop_tracer
	target_close
	remove_cgroup
}

# check_oom NAME TOP_FRAME_JQ: the oom event of $WORK/NAME.json against the target's own
# count; TOP_FRAME_JQ picks the growing function's name from the top stack.
check_oom() {
	local name=$1 j=$WORK/$1.json ev held live_allocs oom_line summary_line
	check_eq "$name: killed by SIGKILL (the OOM killer)" "$TARGET_RC" 137
	check_eq "$name: one oom event" "$(jq -c 'select(.type == "oom")' "$j" | wc -l)" 1
	ev=$(jq -c --argjson pid "$TARGET_PID" 'select(.type == "oom" and .pid == $pid)' "$j")
	check_eq "$name: oom event names the growing function" "$(jq -r "$2" <<<"$ev")" \
		grow_until_killed
	held=$(grep -c '^held' "$WORK/$name.out")
	live_allocs=$(jq '.stacks[0].live_allocs' <<<"$ev")
	# the block being taken when the killer came may not have been said yet
	check_between "$name: top stack's live blocks = the target's count ($held) or one more" \
		"$live_allocs" "$held" $((held + 1))
	check_between "$name: top stack's live bytes = its blocks x 1 MiB" \
		"$(jq ".stacks[0].live_bytes / $MiB" <<<"$ev")" "$live_allocs" "$((live_allocs + 1))"
	check_between "$name: the kernel's anonymous RSS of its victim (MiB)" \
		"$(jq '.victim.anon_rss_bytes / 1048576' <<<"$ev")" $((live_allocs - 2)) 64
	check_eq "$name: heap growth sites listed" "$(jq '.heap_growth | length > 0' <<<"$ev")" true
	oom_line=$(jq -r '.type' "$j" | grep -n '^oom$' | cut -d: -f1)
	summary_line=$(jq -r '.type' "$j" | grep -n '^summary$' | cut -d: -f1)
	check_true "$name: oom event (line $oom_line) before the summary (line $summary_line)" \
		test "${oom_line:-0}" -gt 0 -a "${oom_line:-0}" -lt "${summary_line:-0}"
	check_eq "$name: summary says oom_killed" \
		"$(json_summary "$j" "$TARGET_PID" | jq .oom_killed)" true
	oom_line=$(grep -n "oom: .* killed by the kernel's OOM killer" "$WORK/$name.tracer.out" | cut -d: -f1)
	summary_line=$(grep -n "^PID $TARGET_PID .*process exited" "$WORK/$name.tracer.out" | cut -d: -f1)
	check_true "$name: console oom line (line $oom_line) before the summary (line $summary_line)" \
		test "${oom_line:-0}" -gt 0 -a "${oom_line:-0}" -lt "${summary_line:-0}"
	check_eq "$name: sqlite oom row: state, live bytes of the snapshot" \
		"$(sqlite3 "$WORK/$name.db" "select state, live = $(jq .native.live_bytes <<<"$ev") from events where type = 'oom' and pid = $TARGET_PID")" \
		"killed|1"
}

if run_until_killed native "" "$TARGETS/oom_grow"; then
	check_oom native '.top | sub("\\+.*"; "")'
else
	remove_cgroup
	skip "oom (native)" "no memory cgroup controller, or the target did not start"
fi

# Under -f the loop sleeps on the fork buffer, and looks at OOM kills every 50 ms.
if run_until_killed python -f "$PY" "$WORKLOADS/oom_grow.py"; then
	# the native top stack ran Python code: its innermost Python function
	check_oom python '.stacks[0].python_stack[0].function'
	check_eq "python: oom event lists the census's types" \
		"$(jq -c 'select(.type == "oom") | [.python.mode, (.python.types | length > 0)]' "$WORK/python.json")" \
		'["census",true]'
else
	remove_cgroup
	skip "oom (python)" "no memory cgroup controller, or the target did not start"
fi
# A launched command (-- CMD) that execs into the target inside the cgroup: the tracer exits
# with its status (128 + SIGKILL), and the event names the target's function, mapped after
# the launch (read at an interval, or at the kill when the victim can still be read).
if CGROUP=$("$ROOT/tests/e2e/memory-cgroup.sh" create 64M); then
	echo go | timeout 60 "$MEMTRACE" -i 100ms --json="$WORK/launched.json" -- \
		sh -c "echo \$\$ > $CGROUP/cgroup.procs && exec $TARGETS/oom_grow" \
		>"$WORK/launched.out" 2>"$WORK/launched.err"
	check_eq "launched: the tracer exits with the command's status (SIGKILL)" $? 137
	remove_cgroup
	check_eq "launched: oom event names the growing function" \
		"$(jq -r 'select(.type == "oom") | .top | sub("\\+.*"; "")' "$WORK/launched.json")" \
		grow_until_killed
	check_eq "launched: its comm, after the exec" \
		"$(jq -r 'select(.type == "oom") | .comm' "$WORK/launched.json")" oom_grow
else
	skip "oom (launched)" "no memory cgroup controller"
fi
finish
