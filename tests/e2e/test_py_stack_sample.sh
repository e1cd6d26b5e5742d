#!/usr/bin/env bash
# --py-stack-sample: Python stacks joined to a Poisson sample of the native allocations, by
# bytes. On tests/workloads/leaky (make_leak keeps 4 KiB buffers while other code churns),
# traced with --exact: every allocation still has its native stack; the
# allocations with Python frames are one per BYTES allocated (within 15%: a Poisson count of
# some thousands, and allocations larger than the mean count once); the leak's stack among
# them names make_leak at its line. Bad values exit 2.
source "$(dirname "$0")/lib.sh"

SAMPLE=65536
LEAKY=$WORKLOADS/leaky
leak_line=$(grep -n '# LEAK_LINE' "$LEAKY/leaky_module.py" | cut -d: -f1)
find_pythons 3.12

for py in "${pythons[@]}"; do
	ver=$(python_version "$py")
	tag="python $ver"
	start_leak_service "samp$ver" "$py" || { fail "$tag: leak workload starts"; continue; }
	timeout 60 "$MEMTRACE" -p "$LEAK_PID" --exact -d 8 --py-stack-sample "$SAMPLE" \
		--json-all-stacks --json="$WORK/samp$ver.json" >/dev/null 2>"$WORK/samp$ver.err"
	check_eq "$tag: trace exits 0" "$?" 0
	kill "$LEAK_PID" 2>/dev/null
	wait "$LEAK_PID" 2>/dev/null
	summary=$(json_summary "$WORK/samp$ver.json" "$LEAK_PID")
	check_eq "$tag: the sample's mean in the summary" \
		"$(jq -r .python_stack_sample_bytes <<<"$summary")" "$SAMPLE"
	# The target runs on while the summary reads counters, then stacks: within 1%, not equal.
	check_within "$tag: every allocation under a native stack: stacks' allocations vs native ones" \
		"$(jq -r '([.stacks[].allocs] | add) + .native.stack_dropped' <<<"$summary")" \
		"$(jq -r .native.allocs <<<"$summary")" 1
	sampled=$(jq -r '[.stacks[] | select((.python_stack | length) > 0) | .allocs] | add' <<<"$summary")
	expected=$(jq -r ".native.bytes_allocated / $SAMPLE | floor" <<<"$summary")
	check_within "$tag: allocations with Python frames, one per $SAMPLE bytes" "$sampled" "$expected" 15
	check_eq "$tag: the leak's sampled stack names make_leak" \
		"$(jq -r '[.stacks[] | select((.python_stack | length) > 0)][0].python_stack[0] |
			"\(.file | split("/") | last):\(.line) \(.function)"' <<<"$summary")" \
		"leaky_module.py:$leak_line make_leak"
done

# Without the flag, every allocation walks: the key says so.
start_leak_service sampnone /usr/bin/python3.11 || fail "leak workload starts"
timeout 60 "$MEMTRACE" -p "$LEAK_PID" --exact -d 2 --json="$WORK/none.json" >/dev/null 2>&1
kill "$LEAK_PID" 2>/dev/null
check_eq "no --py-stack-sample: python_stack_sample_bytes" \
	"$(json_summary "$WORK/none.json" "$LEAK_PID" | jq -r .python_stack_sample_bytes)" null

expect_error "--py-stack-sample 0" 2 "invalid --py-stack-sample: 0" -p 1 --py-stack-sample 0
expect_error "--py-stack-sample not a size" 2 "invalid --py-stack-sample: lots" -p 1 --py-stack-sample lots
finish
