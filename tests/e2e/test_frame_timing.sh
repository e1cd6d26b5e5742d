#!/usr/bin/env bash
# Honest frame timing: tests/targets/frame_late.c is a 50 FPS fixed-step loop that counts its
# own dropped frames (over 1.5 budgets present-to-present) and prints which; two frames run
# late (44 ms) and are followed by a catch-up frame that skips its sleep. Our count must be
# the program's: with --frame at its present function, and at the clock_nanosleep it skips
# (the catch-up frame is then part of the late one). With "heavy", two frames make 12000
# malloc/free pairs, under a millisecond bare and tens traced: the probes' time, reported per
# frame and kept out of the drop verdict.
source "$(dirname "$0")/lib.sh"

FRAMES=100 BUDGET_NS=20000000

# done_field NAME FIELD: a field of the target's "done" line.
done_field() { sed -n "s/^done .*\b$2=\([^ ]*\).*/\1/p" "$WORK/$1.out"; }
frames() { jq -c --argjson pid "$TARGET_PID" 'select(.type == "frame" and .pid == $pid)' "$WORK/$1.json"; }
our_dropped() { frames "$1" | jq -s -r '[.[] | select(.dropped) | .seq] | map(tostring) | join(",")'; }

# run_traced NAME MODE ARGS...: the target in MODE, traced with ARGS, to its "done" line.
run_traced() {
	local name=$1 mode=$2
	shift 2
	start_target "$name" "$TARGETS/frame_late" $mode || { fail "$name: target starts"; return 1; }
	start_tracer "${name}_tracer" -p "$TARGET_PID" --target-fps 50 --json="$WORK/$name.json" "$@" ||
		{ fail "$name: tracer attaches"; return 1; }
	target_send go
	wait_for_line "$WORK/$name.out" '^done' 30 || fail "$name: target finished"
	sleep 0.3
	stop_tracer
	check_eq "$name: exit status" "$TRACER_RC" 0
}

# The bare program: the heavy frames are not late, the late ones are.
start_target bare "$TARGETS/frame_late" heavy || { fail "bare target starts"; finish; }
target_send go
wait_for_line "$WORK/bare.out" '^done' 30 || fail "bare target finished"
check_eq "bare: the planted late frames" "$(done_field bare late)" 2
bare_heavy_ms=$(done_field bare heavy_ms)
check_between "bare: a heavy burst under 5 ms" "$bare_heavy_ms" 0 5
target_close
wait "$TARGET_PID" 2>/dev/null

if run_traced present "" --frame present_frame; then
	summary=$(json_summary "$WORK/present.json" "$TARGET_PID")
	check_eq "present: frames" "$(jq .frames.count <<<"$summary")" $((FRAMES + 1))
	check_eq "present: our drops = the program's" "$(jq .frames.dropped <<<"$summary")" \
		"$(done_field present drops)"
	check_eq "present: the same frames" "$(our_dropped present)" "$(done_field present dropped)"
	check_true "present: the late frames among them" \
		grep -q "dropped=\(.*,\)\?32,\(.*,\)\?72\b" "$WORK/present.out"
	check_eq "present: frame 1 (begun at attach) is not dropped" \
		"$(frames present | jq -s '.[0].dropped')" false
	target_close
fi

if run_traced sleep "" --frame clock_nanosleep:libc; then
	summary=$(json_summary "$WORK/sleep.json" "$TARGET_PID")
	# Frame k ends at the k-th call: the frames that skipped their sleep are merged.
	check_eq "sleep: frames = the program's clock_nanosleep calls" \
		"$(jq .frames.count <<<"$summary")" "$(done_field sleep sleeps)"
	check_true "sleep: fewer frames than presents (catch-up frames merged)" \
		test "$(jq .frames.count <<<"$summary")" -lt $((FRAMES + 1))
	check_eq "sleep: our drops = the program's" "$(jq .frames.dropped <<<"$summary")" \
		"$(done_field sleep drops)"
	target_close
fi

if run_traced heavy heavy --frame present_frame; then
	summary=$(json_summary "$WORK/heavy.json" "$TARGET_PID")
	heavy_ms=$(done_field heavy heavy_ms)
	echo "# heavy burst: ${bare_heavy_ms} ms bare, ${heavy_ms} ms traced"
	tracer_ms=$(frames heavy | jq -s '[.[] | select(.seq == 52 or .seq == 92) | .tracer_ns] | add / 2 / 1e6')
	# The estimate (hits x the cost of an empty probe's hit) leaves out what the real programs
	# do on top of the trap: below what the probes added, not far below.
	check_between "heavy: tracer time of a heavy frame / what tracing added to its burst" \
		"$(awk -v t="$tracer_ms" -v a="$heavy_ms" -v b="$bare_heavy_ms" 'BEGIN { printf "%.2f", t / (a - b) }')" \
		0.3 1.3
	check_true "heavy: a normal frame's tracer time is under 1 ms" \
		test "$(frames heavy | jq -s '[.[] | select(.seq == 40) | .tracer_ns] | .[0] < 1000000')" = true
	check_eq "heavy: dropped = (duration - tracer time) over 1.5 budgets, in every frame" \
		"$(frames heavy | jq -s --argjson b $BUDGET_NS 'all(.[1:][]; .dropped == (.duration_ns - .tracer_ns > 1.5 * $b))')" true
	# What the program counted, less the heavy frames it counted because of the probes.
	# The program counted what we count, and the heavy frames if the probes made them late;
	# we leave out those whose time less the probes' fits the budget (the verdict check above).
	ours=$(our_dropped heavy) program=$(done_field heavy dropped)
	echo "# heavy: the program counted ${program:-none}, we ${ours:-none}"
	check_eq "heavy: every frame we drop, the program dropped" \
		"$(comm -23 <(tr ',' '\n' <<<"$ours" | sort) <(tr ',' '\n' <<<"$program" | sort) | paste -sd,)" ""
	check_eq "heavy: every frame the program dropped but a heavy one, we drop" \
		"$(comm -13 <(tr ',' '\n' <<<"$ours" | sort) <(tr ',' '\n' <<<"$program" | sort) | grep -v -x -e 52 -e 92 | paste -sd,)" ""
	check_true "heavy: the summary's mean and max tracer time" \
		test "$(jq '.frames.max_tracer_ns >= 1000000 and .frames.mean_tracer_ns > 0' <<<"$summary")" = true
	check_true "heavy: the console says the probes' share" \
		grep -q "of which the probes' .* not counted in drops" "$WORK/heavy_tracer.out"
	target_close
fi
finish
