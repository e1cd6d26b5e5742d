#!/usr/bin/env bash
# --frame on a native loop with known per-frame allocations (tests/targets/frame_loop.c):
# exact per-frame and per-stage counts, the planted spike's frame, the leak's stack and rate,
# and --fail-on-leak on a leaky and on a clean target.
source "$(dirname "$0")/lib.sh"

FRAMES=150 TEMP_BLOCKS=10 TEMP_SIZE=1000 LEAK_SIZE=512 DRAW_BLOCKS=2 DRAW_SIZE=256
SPIKE_FRAME=40 SPIKE_BLOCKS=16 SPIKE_SIZE=65536
# Frame k (1-based) ends at the k-th render_frame call, so it holds loop iteration k-1.
update_allocs=$((TEMP_BLOCKS + 1)) draw_allocs=$DRAW_BLOCKS
frame_allocs=$((update_allocs + draw_allocs))
frame_bytes=$((TEMP_BLOCKS * TEMP_SIZE + LEAK_SIZE + DRAW_BLOCKS * DRAW_SIZE))
spike_seq=$((SPIKE_FRAME + 1))

start_target frames "$TARGETS/frame_loop" || { fail "target starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 100ms --frame render_frame \
	--stage update=update_world --stage draw=draw_scene --leak-age 300ms \
	--fail-on-leak --json="$WORK/trace.json" || { fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/frames.out" '^done' 30 || fail "target finished its frames"
sleep 0.3
stop_tracer
check_eq "--fail-on-leak exit status on the leaky target" "$TRACER_RC" 10

frames() { jq -c --argjson pid "$TARGET_PID" 'select(.type == "frame" and .pid == $pid)' "$WORK/trace.json"; }
check_eq "frame lines" "$(frames | wc -l)" "$FRAMES"
check_eq "frame seqs are 1..N" "$(frames | jq -s '[.[].seq] == [range(1; '$FRAMES' + 1)]')" true
normal=$(frames | jq -s "[.[] | select(.seq != $spike_seq and .seq > 1)]")
check_eq "allocs in every normal frame" \
	"$(jq -c '[.[].allocs] | unique' <<<"$normal")" "[$frame_allocs]"
check_eq "frees in every normal frame" \
	"$(jq -c '[.[].frees] | unique' <<<"$normal")" "[$((frame_allocs - 1))]"
check_eq "bytes_allocated in every normal frame" \
	"$(jq -c '[.[].bytes_allocated] | unique' <<<"$normal")" "[$frame_bytes]"
check_eq "net_bytes in every normal frame (the leak)" \
	"$(jq -c '[.[].net_bytes] | unique' <<<"$normal")" "[$LEAK_SIZE]"
check_eq "stage update allocs and bytes" \
	"$(jq -c '[.[].stages.update | [.allocs, .bytes_allocated]] | unique' <<<"$normal")" \
	"[[$update_allocs,$((TEMP_BLOCKS * TEMP_SIZE + LEAK_SIZE))]]"
check_eq "stage draw allocs and bytes" \
	"$(jq -c '[.[].stages.draw | [.allocs, .bytes_allocated, .frees]] | unique' <<<"$normal")" \
	"[[$draw_allocs,$((DRAW_BLOCKS * DRAW_SIZE)),$draw_allocs]]"
spike=$(frames | jq -c "select(.seq == $spike_seq)")
check_eq "the spike frame's allocs" "$(jq .allocs <<<"$spike")" $((frame_allocs + SPIKE_BLOCKS))
check_eq "the spike frame's bytes" "$(jq .bytes_allocated <<<"$spike")" \
	$((frame_bytes + SPIKE_BLOCKS * SPIKE_SIZE))
check_eq "live bytes grow by the leak per frame" \
	"$(frames | jq -s '(.[-1].live_bytes - .[1].live_bytes) / (length - 2)')" "$LEAK_SIZE"

events() { jq -c --arg t "$1" 'select(.type == $t)' "$WORK/trace.json"; }
check_eq "spike events name the planted frame" "$(events spike | jq -s -c '[.[].frame]')" "[$spike_seq]"
# What dominated it: the spike's own malloc call site (one stack, new in that interval).
check_eq "spike's top: the stack that allocated the spike" \
	"$(events spike | jq -r '.top | split("+")[0]')" update_world
check_eq "spike's top_bytes: the planted blocks" "$(events spike | jq .top_bytes)" \
	$((SPIKE_BLOCKS * SPIKE_SIZE))
leak=$(events leak | jq -s -c 'map(select(.kind == "native_stack")) | sort_by(-.growth_per_s) | .[0]')
check_eq "leak event's innermost frame" "$(jq -r '.stack[0] | split("+")[0]' <<<"$leak")" cache_entity
check_eq "leak event's caller" "$(jq -r '.stack[1] | split("+")[0]' <<<"$leak")" update_world
summary=$(json_summary "$WORK/trace.json" "$TARGET_PID")
fps=$(jq .frames.fps <<<"$summary")
check_within "frames per second (10 ms frames)" "$fps" 100 15
check_within "leak rate = leak size x FPS" "$(jq .growth_per_s <<<"$leak")" \
	"$(awk -v f="$fps" -v s=$LEAK_SIZE 'BEGIN { print f * s }')" 15
check_eq "summary lists the spike" "$(jq -c '[.spikes[].frame]' <<<"$summary")" "[$spike_seq]"
check_eq "summary lists the leak's stack" \
	"$(jq '[.leaks[] | select(.kind == "native_stack") | .stack[0] | split("+")[0]] | index("cache_entity") != null' <<<"$summary")" true
check_eq "summary frame count" "$(jq .frames.count <<<"$summary")" "$FRAMES"
aged=$(jq -c '.outstanding.stacks[0]' <<<"$summary")
check_eq "outstanding > --leak-age: the leak's stack" \
	"$(jq -r '.frames[0] | split("+")[0]' <<<"$aged")" cache_entity
check_between "outstanding > --leak-age: most of the leaked blocks" "$(jq .count <<<"$aged")" 100 "$FRAMES"
check_eq "outstanding > --leak-age: bytes = count x $LEAK_SIZE" "$(jq .bytes <<<"$aged")" \
	"$(jq ".count * $LEAK_SIZE" <<<"$aged")"
check_eq "summary has the analysis lists" \
	"$(jq -c '[has("spikes"), has("leaks"), has("drift"), has("budgets"), has("system")]' <<<"$summary")" \
	"[true,true,true,true,true]"
target_close

# The same loop without the leak passes the gate.
start_target clean "$TARGETS/frame_loop" clean || { fail "clean target starts"; finish; }
start_tracer clean_tracer --exact -p "$TARGET_PID" -i 100ms --frame render_frame --fail-on-leak \
	--json="$WORK/clean.json" || { fail "tracer attaches (clean)"; finish; }
target_send go
wait_for_line "$WORK/clean.out" '^done' 30 || fail "clean target finished"
sleep 0.3
stop_tracer
check_eq "--fail-on-leak exit status on the clean target" "$TRACER_RC" 0
check_eq "no leak events on the clean target" "$(jq -s '[.[] | select(.type == "leak")] | length' "$WORK/clean.json")" 0
target_close

# --light probes no allocator: the frames' allocation figures are unknown, never 0.
start_target light "$TARGETS/frame_loop" || { fail "light target starts"; finish; }
start_tracer light_tracer -p "$TARGET_PID" -i 100ms --light --frame render_frame \
	--stage update=update_world --target-fps 100 --json="$WORK/light.json" ||
	{ fail "tracer attaches (--light)"; finish; }
target_send go
wait_for_line "$WORK/light.out" '^done' 30 || fail "light target finished"
sleep 0.3
stop_tracer
check_eq "--light: exit status" "$TRACER_RC" 0
light_frames=$(jq -c --argjson pid "$TARGET_PID" 'select(.type == "frame" and .pid == $pid)' "$WORK/light.json")
check_eq "--light: frame lines" "$(wc -l <<<"$light_frames")" "$FRAMES"
check_eq "--light: every frame's allocator figures are null" \
	"$(jq -s -c '[.[] | [.allocs, .frees, .bytes_allocated, .bytes_freed, .net_bytes,
		.live_bytes, .live_allocs] | unique] | unique' <<<"$light_frames")" "[[null]]"
check_eq "--light: stage allocator figures null, hits known" \
	"$(jq -s -c '[.[1:][] | .stages.update | [.allocs, .bytes_allocated, .net_bytes, .hits]] | unique' \
		<<<"$light_frames")" "[[null,null,null,1]]"
summary=$(json_summary "$WORK/light.json" "$TARGET_PID")
check_eq "--light: summary frame count" "$(jq .frames.count <<<"$summary")" "$FRAMES"
check_eq "--light: summary per-class memory null" \
	"$(jq -c '[.frames.normal_frames, .frames.dropped_frames | .allocs, .bytes_allocated,
		.bytes_allocated_per_frame] | unique' <<<"$summary")" "[null]"
check_eq "--light: no spike found in unknown figures" "$(jq .spikes_total <<<"$summary")" 0
check_eq "--light: the warning, once" "$(grep -c 'frames' "$WORK/light_tracer.err")" 1
check_eq "--light: the warning's text" "$(grep 'frames' "$WORK/light_tracer.err")" \
	"memtrace-bpf: warning: --light does not probe malloc: the frames' allocation figures are unknown (null in JSON)"
check_true "--light: the console summary says unknown, not 0" \
	grep -q "allocations per frame unknown (--light)" "$WORK/light_tracer.out"
target_close
finish
