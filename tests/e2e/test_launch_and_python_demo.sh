#!/usr/bin/env bash
# `memtrace-bpf -- COMMAND`: probes are attached before the command's main(); and the demo's
# Python workload traced by PID yields native counts and a valid summary.
source "$(dirname "$0")/lib.sh"

# Launch mode: alloc_exact reads "go" from the stdin it inherits, allocates, exits on EOF.
printf 'go\n' | "$MEMTRACE" -i 100ms --json="$WORK/launch.json" -- "$TARGETS/alloc_exact" \
	>"$WORK/launch.out" 2>"$WORK/launch.err"
check_eq "launched command traced to its exit: exit status" "$?" 0
summary=$(jq -c 'select(.type == "summary")' "$WORK/launch.json")
check_eq "launched: summary says the command exited" "$(jq -r .exited <<<"$summary")" true
check_eq "launched: comm is the command's" "$(jq -r .comm <<<"$summary")" alloc_exact
leak=$(jq -c '.stacks[] | select(.frames[0] | startswith("leak_blocks+"))' <<<"$summary")
check_eq "launched: leak_blocks made exactly 10000 allocations" "$(jq -r .allocs <<<"$leak")" 10000
check_eq "launched: and holds exactly 5000 x 4096 B" "$(jq -r .live_bytes <<<"$leak")" $((5000 * 4096))
allocs=$(jq -r .native.allocs <<<"$summary")
check_true "launched: start-up allocations counted too ($allocs >= 10275)" test "$allocs" -ge 10275

# The demo workload, by PID, with the interpreter itself (not a pyenv shim).
python=$(python3 -c 'import sys; print(sys.executable)')
"$python" "$WORKLOADS/demo_app.py" 20 >"$WORK/demo.out" 7>&- &
app=$!
E2E_PIDS+=("$app")
wait_for_line "$WORK/demo.out" '^ready' || fail "demo workload starts"
"$MEMTRACE" --exact -p "$app" -d 3 --json="$WORK/demo.json" >"$WORK/demo-console.out" 2>"$WORK/demo.err"
check_eq "demo traced for 3 s: exit status" "$?" 0
valid_json() { jq -e . "$1" >/dev/null; }
check_true "demo: every line is valid JSON" valid_json "$WORK/demo.json"
summary=$(jq -c 'select(.type == "summary")' "$WORK/demo.json")
allocs=$(jq -r .native.allocs <<<"$summary")
bytes=$(jq -r .native.bytes_allocated <<<"$summary")
check_true "demo: native allocations counted ($allocs > 0)" test "$allocs" -gt 0
check_true "demo: native bytes counted ($bytes > 0)" test "$bytes" -gt 0
# Each Session holds a 2 KiB bytearray: malloc'ed, since pymalloc takes only <= 512 B.
big=$(jq '[.native.size_histogram[] | select(.min == 2048) | .count] | add // 0' <<<"$summary")
check_true "demo: the 2 KiB session buffers are seen ($big)" test "$big" -gt 100
check_eq "demo: intervals reported" "$(jq -s '[.[] | select(.type == "interval")] | length' "$WORK/demo.json")" 2
check_true "demo: the console view was written too" grep -q "traced 3.0 s" "$WORK/demo-console.out"
kill "$app"
finish
