#!/usr/bin/env bash
# --frame clock_nanosleep (resolved in libc) on a Python loop paced by time.sleep
# (tests/workloads/game_loop.py): one frame line per loop iteration.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3.11
[ -x "$PY" ] || { skip "python frames" "$PY not installed"; finish; }
ITERATIONS=40

start_target game "$PY" "$WORKLOADS/game_loop.py" "$ITERATIONS" || { fail "workload starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 200ms --frame clock_nanosleep:libc --target-fps 100 \
	--json="$WORK/trace.json" || { fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/game.out" '^done' 30 || fail "workload finished its loop"
sleep 0.3
stop_tracer
check_eq "exit status" "$TRACER_RC" 0

frames() { jq -c --argjson pid "$TARGET_PID" 'select(.type == "frame" and .pid == $pid)' "$WORK/trace.json"; }
check_eq "frame lines = loop iterations" "$(frames | wc -l)" "$ITERATIONS"
check_eq "frame seqs are 1..N" "$(frames | jq -s "[.[].seq] == [range(1; $ITERATIONS + 1)]")" true
check_eq "frame keys missing from some frame" \
	"$(frames | jq -s -c '[.[] | ["start_ns", "duration_ns", "allocs", "frees", "bytes_allocated", "bytes_freed", "net_bytes", "live_bytes", "stages"] - keys] | add // [] | unique')" "[]"
# Each GC event of the trace lies in exactly one frame (the first starts at attach).
last_end=$(frames | jq -s '.[-1].start_ns + .[-1].duration_ns')
check_eq "every frame has gc_runs" "$(frames | jq -s 'all(.[]; .gc_runs | type == "number")')" true
check_eq "gc_runs over the frames = GC events before the last frame's end" \
	"$(frames | jq -s '[.[].gc_runs] | add')" \
	"$(jq -s --argjson stop "$last_end" --argjson pid "$TARGET_PID" \
		'[.[] | select(.type == "gc" and .pid == $pid and .start_ns < $stop)] | length' "$WORK/trace.json")"
check_eq "some frames ran a collection" "$(frames | jq -s '[.[].gc_runs] | add > 0')" true
check_eq "summary GC runs in dropped + normal frames = the frames' gc_runs" \
	"$(json_summary "$WORK/trace.json" "$TARGET_PID" | jq '.frames.dropped_frames.gc_runs + .frames.normal_frames.gc_runs')" \
	"$(frames | jq -s '[.[].gc_runs] | add')"
summary=$(json_summary "$WORK/trace.json" "$TARGET_PID")
check_eq "summary frame count" "$(jq .frames.count <<<"$summary")" "$ITERATIONS"
check_within "frames per second (10 ms ticks)" "$(jq .frames.fps <<<"$summary")" 100 20
check_eq "dropped + normal frames = all frames" \
	"$(jq '.frames.dropped_frames.frames + .frames.normal_frames.frames' <<<"$summary")" "$ITERATIONS"
# The loop counts its own drops between its sleep calls, by the same 1.5-tick rule.
check_eq "dropped frames = the loop's own count" "$(jq .frames.dropped <<<"$summary")" \
	"$(sed -n 's/^done drops=\([0-9]*\).*/\1/p' "$WORK/game.out")"
check_eq "census mode: objects_created per frame unknown (null)" \
	"$(frames | jq -s -c '[.[].objects_created] | unique')" "[null]"
check_eq "census mode: objects_freed per frame unknown (null)" \
	"$(frames | jq -s -c '[.[].objects_freed] | unique')" "[null]"
target_close
wait "$TARGET_PID" 2>/dev/null

# --python=events: the probes' object counts per frame. Each iteration makes 200 Entity
# instances (PyType_GenericAlloc); the world's cycle is freed by the collections.
start_target game_ev "$PY" "$WORKLOADS/game_loop.py" "$ITERATIONS" || { fail "workload starts (events)"; finish; }
start_tracer tracer_ev --exact -p "$TARGET_PID" -i 200ms --frame clock_nanosleep:libc --python=events \
	--json="$WORK/events.json" || { fail "tracer attaches (events)"; finish; }
target_send go
wait_for_line "$WORK/game_ev.out" '^done' 30 || fail "workload finished its loop (events)"
sleep 0.3
stop_tracer
check_eq "exit status (events)" "$TRACER_RC" 0
ev_frames() { jq -c --argjson pid "$TARGET_PID" 'select(.type == "frame" and .pid == $pid)' "$WORK/events.json"; }
check_eq "events mode: frame lines" "$(ev_frames | wc -l)" "$ITERATIONS"
check_eq "events mode: objects_created in every frame = 200 Entity" \
	"$(ev_frames | jq -s -c '[.[].objects_created] | unique')" "[200]"
check_eq "events mode: objects freed in the frames with a collection" \
	"$(ev_frames | jq -s '[.[] | select(.gc_runs > 0) | .objects_freed] | add >= 200')" true
target_close
finish
