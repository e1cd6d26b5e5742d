#!/usr/bin/env bash
# The outstanding map: 2,000,000 blocks live at once are traced exactly with default settings
# (the map grows in levels), and beyond --max-entries every output says the live figures are
# approximate, with their bound. Target: tests/targets/hold_many.c (N blocks of 16, 24, 32 and
# 40 bytes in turn: 28 * N bytes).
source "$(dirname "$0")/lib.sh"

HINT='memtrace-bpf: warning: more than 1024 allocations outstanding: live figures are approximate from now on; raise --max-entries'

# run NAME N TRACER-ARGS...: allocates N blocks, waits for an interval line that shows them
# all, frees them, ends the trace. Sets SUMMARY, leaves $WORK/NAME.json, .out, .err.
run() {
	local name=$1 n=$2
	shift 2
	start_target "$name-target" "$TARGETS/hold_many" "$n" || { fail "$name: target starts"; return 1; }
	start_tracer "$name" --exact -p "$TARGET_PID" -i 200ms --json="$WORK/$name.json" "$@" ||
		{ fail "$name: tracer attaches"; return 1; }
	target_send go
	wait_for_line "$WORK/$name-target.out" '^done' 120 || fail "$name: target allocates"
	HELD=$(wait_for_line "$WORK/$name.json" "\"live_allocs_max\":$n," 10 &&
	       jq -c 'select(.type == "interval")' "$WORK/$name.json" | tail -n1)
	target_send free
	wait_for_line "$WORK/$name-target.out" '^freed' 120 || fail "$name: target frees"
	sleep 0.3
	stop_tracer
	target_close
	SUMMARY=$(json_summary "$WORK/$name.json" "$TARGET_PID")
}

# --- 2,000,000 live blocks, default settings: exact ---------------------------------------
n=2000000
run full "$n"
check_eq "2M: exit status" "$TRACER_RC" 0
# The summary's counts are cumulative: every block allocated and freed.
native() { jq -r ".native.$1" <<<"$SUMMARY"; }
check_eq "2M: allocs" "$(native allocs)" "$n"
check_eq "2M: frees" "$(native frees)" "$n"
check_eq "2M: bytes_allocated" "$(native bytes_allocated)" $((28 * n))
check_eq "2M: bytes_freed" "$(native bytes_freed)" $((28 * n))
check_eq "2M: dropped" "$(native dropped)" 0
check_eq "2M: frees_untracked" "$(native frees_untracked)" 0
check_eq "2M: live_allocs at the end" "$(native live_allocs)" 0
check_eq "2M: live_bytes at the end" "$(native live_bytes)" 0
check_eq "2M: approximate" "$(native approximate)" false
check_eq "2M: stacks_partial" "$(jq -r .stacks_partial <<<"$SUMMARY")" false
# While all were held: an interval line with every block live.
check_eq "2M: live_allocs while held" "$(jq -r .native.live_allocs <<<"$HELD")" "$n"
check_eq "2M: live_bytes while held" "$(jq -r .native.live_bytes <<<"$HELD")" $((28 * n))
check_eq "2M: no --max-entries hint" "$(grep -c 'max-entries' "$WORK/full.err")" 0

# --- 100,000 blocks in a 1024-entry map: approximate, with the bound ----------------------
n=100000 cap=1024
kept_bytes=$((cap / 4 * (16 + 24 + 32 + 40)))   # the first 1024 blocks are kept
run small "$n" --max-entries "$cap"
check_eq "small map: exit status (approximate figures are no error)" "$TRACER_RC" 0
check_eq "small map: allocs (every one counted)" "$(native allocs)" "$n"
check_eq "small map: bytes_allocated" "$(native bytes_allocated)" $((28 * n))
check_eq "small map: dropped" "$(native dropped)" $((n - cap))
check_eq "small map: bytes_dropped" "$(native bytes_dropped)" $((28 * n - kept_bytes))
check_eq "small map: frees (the kept blocks)" "$(native frees)" "$cap"
check_eq "small map: bytes_freed" "$(native bytes_freed)" "$kept_bytes"
check_eq "small map: frees of dropped blocks are not called pre-attach ones" \
	"$(native frees_untracked)" 0
check_eq "small map: frees_dropped_or_untracked" "$(native frees_dropped_or_untracked)" $((n - cap))
check_eq "small map: approximate" "$(native approximate)" true
check_eq "small map: live_allocs (tracked, a lower bound)" "$(native live_allocs)" 0
check_eq "small map: live_allocs_max (the bound)" "$(native live_allocs_max)" $((n - cap))
check_eq "small map: live_bytes" "$(native live_bytes)" 0
check_eq "small map: live_bytes_max" "$(native live_bytes_max)" $((28 * n - kept_bytes))
check_eq "small map: stacks_partial" "$(jq -r .stacks_partial <<<"$SUMMARY")" true
check_eq "small map: interval while held: approximate" "$(jq -r .native.approximate <<<"$HELD")" true
check_eq "small map: interval while held: live_allocs" "$(jq -r .native.live_allocs <<<"$HELD")" "$cap"
check_eq "small map: interval while held: live_allocs_max" \
	"$(jq -r .native.live_allocs_max <<<"$HELD")" "$n"
# Once approximate, every later interval line says so.
check_eq "small map: intervals stay approximate after the first drop" \
	"$(jq -s '[.[] | select(.type == "interval") | .native.approximate] |
		(index(true)) as $i | $i != null and (.[$i:] | all)' "$WORK/small.json")" true
# The console (stdout beside --json=FILE): intervals mark live figures, the summary says why.
check_true "small map: console intervals mark live figures as lower bounds" \
	grep -qE "^[0-9.]+ +$TARGET_PID .* >=[0-9.]+ [KMG]?i?B +>=$cap " "$WORK/small.out"
check_true "small map: console summary says approximate, with the bound" \
	grep -q "live figures approximate: $((n - cap)) allocations .* live is between 0 allocations (0 B) and $((n - cap)) allocations" "$WORK/small.out"
check_true "small map: console stacks say partial" \
	grep -q "top stacks by outstanding bytes (partial" "$WORK/small.out"
check_eq "small map: the --max-entries hint, once" "$(grep -c 'max-entries' "$WORK/small.err")" 1
check_eq "small map: the hint's text" "$(grep 'max-entries' "$WORK/small.err")" "$HINT"
finish
