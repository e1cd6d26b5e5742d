#!/usr/bin/env bash
# PID reuse: the traced process exits and a new process gets its PID before the next poll.
# The tracer must see that its target is gone (start time differs), print the summary and
# exit 0 - not trace on forever, and not count the newcomer.
source "$(dirname "$0")/lib.sh"

start_target first "$TARGETS/alloc_exact" || { fail "target starts"; finish; }
pid=$TARGET_PID
start_tracer tracer --exact -p "$pid" -i 2s --python=off --json="$WORK/reuse.json" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/first.out" '^done'
kill -KILL "$pid"
wait "$pid" 2>/dev/null
target_close

# The next PID the kernel hands out is ns_last_pid + 1: claim the old PID for a newcomer.
reused=0
for attempt in 1 2 3 4 5; do
	echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 30 7>&- &
	newcomer=$!
	E2E_PIDS+=("$newcomer")
	[ "$newcomer" -eq "$pid" ] && { reused=1; break; }
	kill "$newcomer"
done
if [ $reused -eq 0 ]; then
	skip "PID reuse" "could not get PID $pid back (another process took it)"
	stop_tracer
	finish
fi
ok "PID $pid now belongs to a newcomer ($(cat /proc/$pid/comm))"

# The tracer polls every 2 s: it must end by itself within a few polls.
deadline=$((SECONDS + 10))
while kill -0 "$TRACER_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
if kill -0 "$TRACER_PID" 2>/dev/null; then
	fail "tracer ends when its target's PID is reused" "still running after 10 s"
	stop_tracer
	finish
fi
wait "$TRACER_PID"
check_eq "tracer exit status" "$?" 0
summary=$(json_summary "$WORK/reuse.json" "$pid")
check_eq "summary says the target exited" "$(jq -r .exited <<<"$summary")" true
check_eq "the target's own counts are kept" "$(jq -r '[.native.allocs, .native.frees] | @csv' <<<"$summary")" "10275,5050"
finish
