#!/usr/bin/env bash
# --frame's per-frame leaks (analysis/frame_leaks.c): tests/targets/frame_loop.c keeps one
# 512-B block in each of 240 frames of 42 ms (a 10 s trace at the default 1 s interval, too
# few snapshots for the trend test); the leak is found in frames, with 512 bytes per frame.
# The same loop that frees its block has none. A Python loop keeping one object a frame leaks
# that type per frame.
source "$(dirname "$0")/lib.sh"

FRAMES=240 FRAME_MS=42 LEAK_SIZE=512

start_target leaky "$TARGETS/frame_loop" leak $FRAMES $FRAME_MS || { fail "target starts"; finish; }
start_tracer tracer -p "$TARGET_PID" --frame render_frame --json="$WORK/trace.json" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/leaky.out" '^done' 60 || fail "target finished its frames"
sleep 0.3
stop_tracer
check_eq "exit status" "$TRACER_RC" 0

summary=$(json_summary "$WORK/trace.json" "$TARGET_PID")
check_eq "summary frame count" "$(jq .frames.count <<<"$summary")" "$FRAMES"
leak=$(jq -c '[.leaks[] | select(.kind == "native_stack" and .per_frame != null)] | .[0]' <<<"$summary")
check_eq "summary lists a per-frame leak" "$(jq 'type' <<<"$leak")" '"object"'
check_eq "its innermost frame: the leaking function" \
	"$(jq -r '.stack[0] | split("+")[0]' <<<"$leak")" cache_entity
check_eq "its caller" "$(jq -r '.stack[1] | split("+")[0]' <<<"$leak")" update_world
check_eq "bytes per frame = the block kept per frame" "$(jq .per_frame <<<"$leak")" "$LEAK_SIZE"
check_between "frames judged (all but the 2 newest, at the last check)" \
	"$(jq .frames_judged <<<"$leak")" 200 $((FRAMES - 2))
check_eq "every judged frame left its block" "$(jq '.frames_left == .frames_judged' <<<"$leak")" true
# 512 B x ~24 frames/s = 43 MiB/h: medium (10 to 100 MiB/h, docs/analysis.md).
check_eq "severity" "$(jq -r .severity <<<"$leak")" medium
ev=$(jq -c --argjson pid "$TARGET_PID" \
	'select(.type == "leak" and .pid == $pid and .per_frame != null)' "$WORK/trace.json" | head -1)
check_eq "a leak event during the run names the function" \
	"$(jq -r '.stack[0] | split("+")[0]' <<<"$ev")" cache_entity
check_eq "the event's bytes per frame" "$(jq .per_frame <<<"$ev")" "$LEAK_SIZE"
check_between "the event came after 30 to 60 judged frames (the first check past 30)" \
	"$(jq .frames_judged <<<"$ev")" 30 60
check_true "the console summary says it per frame" \
	grep -q "512 B per frame, left behind in" "$WORK/tracer.out"
target_close
wait "$TARGET_PID" 2>/dev/null

# Allocates and frees the same blocks every frame: no leak.
start_target clean "$TARGETS/frame_loop" clean $FRAMES 10 || { fail "clean target starts"; finish; }
start_tracer clean_tracer -p "$TARGET_PID" --frame render_frame --fail-on-leak \
	--json="$WORK/clean.json" || { fail "tracer attaches (clean)"; finish; }
target_send go
wait_for_line "$WORK/clean.out" '^done' 60 || fail "clean target finished"
sleep 0.3
stop_tracer
check_eq "--fail-on-leak on the clean loop" "$TRACER_RC" 0
check_eq "clean loop: frames" "$(json_summary "$WORK/clean.json" "$TARGET_PID" | jq .frames.count)" "$FRAMES"
check_eq "clean loop: no leak" \
	"$(json_summary "$WORK/clean.json" "$TARGET_PID" | jq '.leaks | length')" 0
target_close
wait "$TARGET_PID" 2>/dev/null

# A Python loop keeping one Trail per frame (tests/workloads/game_loop.py), seen by the census
# at each interval: the type leaks per frame, one object a frame.
PY=/usr/bin/python3.11
if [ -x "$PY" ]; then
	PY_FRAMES=300
	start_target trail "$PY" "$WORKLOADS/game_loop.py" $PY_FRAMES trail || { fail "trail workload starts"; finish; }
	start_tracer trail_tracer -p "$TARGET_PID" -i 200ms --frame clock_nanosleep:libc \
		--json="$WORK/trail.json" || { fail "tracer attaches (trail)"; finish; }
	target_send go
	wait_for_line "$WORK/trail.out" '^done' 60 || fail "trail workload finished"
	sleep 0.3
	stop_tracer
	check_eq "trail: exit status" "$TRACER_RC" 0
	summary=$(json_summary "$WORK/trail.json" "$TARGET_PID")
	trail=$(jq -c '[.leaks[] | select(.kind == "python_type" and .name == "Trail")] | .[0]' <<<"$summary")
	check_eq "trail: Trail found leaking in frames" "$(jq '.per_frame != null' <<<"$trail")" true
	check_within "trail: objects per frame" "$(jq .per_frame <<<"$trail")" 1 5
	check_eq "trail: its unit" "$(jq -r .unit <<<"$trail")" objects
	check_eq "trail: Entity (made and freed each frame) is no leak" \
		"$(jq '[.leaks[] | select(.name == "Entity")] | length' <<<"$summary")" 0
	target_close
else
	skip "trail" "$PY not installed"
fi
finish
