#!/usr/bin/env bash
# Frame-pointer walks through code that keeps garbage in rbp (tests/targets/garbage_frames.c):
# a frame pointer outside the thread's stack, or a return address that is not executable or
# follows no call, ends the stack; so one call site is one stack, with every allocation of it.
source "$(dirname "$0")/lib.sh"

allocs=500 size=256

start_target garbage "$TARGETS/garbage_frames" || { fail "target starts"; finish; }
start_tracer garbage-tracer --exact -p "$TARGET_PID" -i 200ms --top 100 --json="$WORK/garbage.json" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/garbage.out" '^done' || fail "target finished its allocations"
sleep 0.3
stop_tracer
summary=$(json_summary "$WORK/garbage.json" "$TARGET_PID")

site='[.stacks[] | select(.frames[0] | startswith("garbage_fp_malloc+"))]'
check_eq "the call site is one stack" "$(jq "$site | length" <<<"$summary")" 1
check_eq "its allocations" "$(jq "$site | map(.live_allocs) | add" <<<"$summary")" "$allocs"
check_eq "its bytes" "$(jq "$site | map(.live_bytes) | add" <<<"$summary")" $((allocs * size))
# garbage_fp_malloc keeps no frame pointer: nothing past its own frame can be trusted.
check_eq "its frames: the call site alone" \
	"$(jq -c "$site | map([.frames[] | split(\"+\")[0]])" <<<"$summary")" '[["garbage_fp_malloc"]]'
finish
