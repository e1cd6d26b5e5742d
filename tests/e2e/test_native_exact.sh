#!/usr/bin/env bash
# Exact native counts: tests/targets/alloc_exact.c makes known allocations after attach.
source "$(dirname "$0")/lib.sh"

# The target's allocations, from tests/targets/alloc_exact.c:
#   10000 x malloc(4096), every other one freed       -> 10000 allocs, 5000 frees
#   100 x calloc(10, 100)                              -> 100 allocs of 1000 B
#   50 x realloc(NULL, 256) then realloc(p, 512)       -> 100 allocs, 50 frees of 256 B
#   20 x posix_memalign(64, 1024), 30 x aligned_alloc(4096, 8192), 10 x memalign(256, 300),
#   5 x valloc(5000), 10 x reallocarray(NULL, 8, 16)
#   one mmap of 8 MiB
allocs=$((10000 + 100 + 100 + 20 + 30 + 10 + 5 + 10))
bytes=$((10000 * 4096 + 100 * 1000 + 50 * 256 + 50 * 512 + 20 * 1024 + 30 * 8192 + 10 * 300 + 5 * 5000 + 10 * 128))
frees=$((5000 + 50))
bytes_freed=$((5000 * 4096 + 50 * 256))

start_target exact "$TARGETS/alloc_exact" || { fail "target starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 200ms --json="$WORK/trace.json" || { fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/exact.out" '^done' || fail "target finished its allocations"
sleep 0.3
stop_tracer
check_eq "exit status after Ctrl-C" "$TRACER_RC" 0

summary=$(json_summary "$WORK/trace.json" "$TARGET_PID")
native() { jq -r ".native.$1" <<<"$summary"; }
check_eq "summary allocs" "$(native allocs)" "$allocs"
check_eq "summary bytes_allocated" "$(native bytes_allocated)" "$bytes"
check_eq "summary frees" "$(native frees)" "$frees"
check_eq "summary bytes_freed" "$(native bytes_freed)" "$bytes_freed"
check_eq "summary live_allocs" "$(native live_allocs)" "$((allocs - frees))"
check_eq "summary live_bytes" "$(native live_bytes)" "$((bytes - bytes_freed))"
check_eq "summary dropped" "$(native dropped)" 0
check_eq "summary failed_allocs" "$(native failed_allocs)" 0
check_eq "4 KiB bucket of the size histogram" \
	"$(jq -r '.native.size_histogram[] | select(.min == 4096) | .count' <<<"$summary")" 10005
check_eq "mmap count" "$(jq -r .mmap.mmaps <<<"$summary")" 1
check_eq "mmap bytes" "$(jq -r .mmap.bytes_mapped <<<"$summary")" $((8 << 20))
check_eq "brk growth (heap pre-grown)" "$(jq -r .mmap.brk_growth <<<"$summary")" 0

top=$(jq -c '.stacks[0]' <<<"$summary")
check_eq "top stack live bytes" "$(jq -r .live_bytes <<<"$top")" $((5000 * 4096))
check_eq "top stack live allocs" "$(jq -r .live_allocs <<<"$top")" 5000
check_eq "top stack's innermost frame is the leaking function" \
	"$(jq -r '.frames[0] | split("+")[0]' <<<"$top")" leak_blocks
check_eq "next frame is its caller" "$(jq -r '.frames[1] | split("+")[0]' <<<"$top")" main

# Interval lines add up to the summary.
check_eq "interval allocs sum to the summary" \
	"$(jq -s '[.[] | select(.type == "interval") | .native.allocs] | add' "$WORK/trace.json")" "$allocs"
check_eq "lines without a type" "$(jq -s '[.[] | select(has("type") | not)] | length' "$WORK/trace.json")" 0
check_eq "lines without a pid" "$(jq -s '[.[] | select(has("pid") | not)] | length' "$WORK/trace.json")" 0

# The console view names the leaking function too.
start_target exact2 "$TARGETS/alloc_exact" || { fail "second target starts"; finish; }
start_tracer console --exact -p "$TARGET_PID" -i 200ms || { fail "tracer attaches (console)"; finish; }
target_send go
wait_for_line "$WORK/exact2.out" '^done'
sleep 0.3
stop_tracer
check_true "console summary lists leak_blocks" grep -q 'leak_blocks+0x' "$WORK/console.out"
check_true "console summary counts allocations" \
	grep -q "allocations $allocs " "$WORK/console.out"
target_close

# --light: no malloc probes at all; the mapping syscalls are still exact.
start_target light "$TARGETS/alloc_exact" || { fail "target starts (--light)"; finish; }
start_tracer light_tracer -p "$TARGET_PID" --light --python=off -i 200ms --json="$WORK/light.json" ||
	{ fail "tracer attaches (--light)"; finish; }
target_send go
wait_for_line "$WORK/light.out" '^done'
stop_tracer
summary=$(json_summary "$WORK/light.json" "$TARGET_PID")
check_eq "--light: exit status" "$TRACER_RC" 0
check_eq "--light: native counts are null, not zero" "$(jq -c .native <<<"$summary")" null
check_eq "--light: the 8 MiB mmap is counted" "$(jq -c '[.mmap.mmaps, .mmap.bytes_mapped]' <<<"$summary")" "[1,8388608]"
target_close

# Attaching while malloc calls are in flight: a call whose entry was seen but not its return
# must not stop the thread from being counted (every later call used to look nested in it).
start_target churn "$TARGETS/churn" || { fail "churn target starts"; finish; }
"$MEMTRACE" --exact -p "$TARGET_PID" -d 1 -i 250ms --no-stacks --python=off --json="$WORK/churn.json" \
	>/dev/null 2>&1 7>&-
summary=$(json_summary "$WORK/churn.json" "$TARGET_PID")
allocs=$(jq -r .native.allocs <<<"$summary")
frees=$(jq -r .native.frees <<<"$summary")
check_true "busy target attached mid-call: allocations counted ($allocs)" test "$allocs" -gt 10000
echo "# $(jq -c ".native | del(.size_histogram)" <<<"$summary")"
check_true "busy target: frees match allocations ($frees of $allocs)" test $((allocs - frees)) -le 1
check_eq "busy target: every interval counted" \
	"$(jq -s '[.[] | select(.type == "interval") | .native.allocs > 0] | all' "$WORK/churn.json")" true
target_close
finish
