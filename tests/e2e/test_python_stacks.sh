#!/usr/bin/env bash
# Python stacks read in BPF, on every Python of the machine:
# - the leak of tests/workloads/leaky (make_leak() keeps 4 KiB bytes buffers in a module-level
#   list while other code churns), traced in the default mode (exact windows): its leak event
#   and its top stack name make_leak at the exact line of leaky_module.py; the summary's
#   python.growth names real Python code for the heap's growth;
# - tests/workloads/py_stacks.py with --exact: recursion deeper than --py-stack-depth is cut
#   and marked, 8 threads each see their own function, a generator, a coroutine and json's C
#   encoder calling back into Python sit in the middle of stacks.
source "$(dirname "$0")/lib.sh"

find_pythons
LEAKY=$WORKLOADS/leaky
leak_line=$(grep -n '# LEAK_LINE' "$LEAKY/leaky_module.py" | cut -d: -f1)
main_line=$(grep -n '^main()' "$LEAKY/leak_service.py" | cut -d: -f1)

# frames_of JSON-STACK: "file:line function" per frame, basename of file
frames_jq='[.python_stack[]? | "\(.file | split("/") | last):\(.line) \(.function)"]'

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		skip "$py" "not installed"
		continue
	fi
	ver=$(python_version "$py")
	tag="python $ver ($py)"

	# The leak, in the default mode (a larger budget than the default's 5% so that windows
	# come within seconds; the mechanism is the same).
	start_leak_service "leak$ver" "$py" || { fail "$tag: leak workload starts"; continue; }
	pid=$LEAK_PID
	timeout 90 "$MEMTRACE" -p "$pid" -d 16 --overhead-budget 30 --json="$WORK/leak$ver.json" --sqlite="$WORK/leak$ver.db" >/dev/null \
		2>"$WORK/leak$ver.err"
	check_eq "$tag: default-mode trace exits 0" "$?" 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	summary=$(json_summary "$WORK/leak$ver.json" "$pid")
	check_eq "$tag: native mode" "$(jq -r .native_mode <<<"$summary")" windowed
	leak=$(jq -c "select(.type == \"leak\" and .kind == \"native_stack\") | $frames_jq | .[0]" \
		"$WORK/leak$ver.json" | sort -u | tr '\n' ' ')
	check_true "$tag: a native leak event names leaky_module.py:$leak_line make_leak (got: $leak)" \
		grep -q "\"leaky_module.py:$leak_line make_leak\"" <<<"$leak"
	# A count rewritten while a window's probes still ran went below zero (2^64 - n).
	check_eq "$tag: no stack with more bytes freed than allocated" \
		"$(jq '[.stacks[] | select(.live_bytes > 1e18)] | length' <<<"$summary")" 0
	top=$(jq -r ".stacks[0] | $frames_jq | .[0]" <<<"$summary")
	check_eq "$tag: top stack's innermost Python frame" "$top" "leaky_module.py:$leak_line make_leak"
	[ "$top" = "leaky_module.py:$leak_line make_leak" ] ||   # what the summary had instead
		jq -c '{exact_windows, exact_share, stacks: [.stacks[:4][] |
			{live_bytes, allocs, python: (.python_stack | length), frame: .frames[0]}]}' \
			<<<"$summary" | sed 's/^/# /'
	outer=$(jq -r ".stacks[0] | $frames_jq | .[-1]" <<<"$summary")
	check_eq "$tag: top stack's outermost Python frame" "$outer" "leak_service.py:$main_line <module>"
	check_eq "$tag: sqlite stacks carry the leak's Python frame" \
		"$(sqlite3 "$WORK/leak$ver.db" "SELECT DISTINCT line FROM stacks WHERE kind = 'python' AND function = 'make_leak'")" "$leak_line"
	growth=$(jq -r ".python.growth | length" <<<"$summary")
	check_between "$tag: python.growth entries" "$growth" 1 100
	bad=$(jq -r ".python.growth[] | $frames_jq | .[]" <<<"$summary" |
		grep -vE '^[^ ]+\.py:[0-9]+ [^ ]+$' | head -3)
	check_eq "$tag: python.growth frames are file.py:line function" "$bad" ""
	check_true "$tag: python.growth names code of the workload" \
		grep -qE '"(leaky_module|leak_service)\.py:' <<<"$(jq -c ".python.growth[] | $frames_jq" <<<"$summary")"

	# Stack shapes, exact.
	start_target "s$ver" "$py" "$WORKLOADS/py_stacks.py" || { fail "$tag: py_stacks starts"; continue; }
	start_tracer "ts$ver" -p "$TARGET_PID" --exact --py-stack-depth 32 --top 40 \
		--json="$WORK/s$ver.json" || { fail "$tag: tracer attaches"; target_close; continue; }
	sleep 1.5   # the interpreter is found at the first report
	for step in "deep 100" threads generator coroutine callback; do target_send "$step"; done
	wait_done "s$ver" 5
	stop_tracer
	target_close
	wait "$TARGET_PID" 2>/dev/null
	s=$(json_summary "$WORK/s$ver.json" "$TARGET_PID")
	# A stack is told by the size its buffers have: bytes(N) asks malloc for N + 33.
	by_size() { jq -c --argjson n "$1" "[.stacks[] | select(.live_allocs > 0 and (.live_bytes / .live_allocs) == (\$n + 33))] | .[0] | {truncated: .python_stack_truncated, depth: (.python_stack | length), f: $frames_jq}" <<<"$s"; }
	deep=$(by_size 50000)
	check_eq "$tag: deep recursion cut at --py-stack-depth" "$(jq -r '"\(.depth) \(.truncated)"' <<<"$deep")" "32 true"
	check_eq "$tag: deep stack innermost" "$(jq -r '.f[0] | split(" ")[1]' <<<"$deep")" hold
	check_eq "$tag: deep stack is recursion below" "$(jq -r '[.f[1:][] | split(" ")[1]] | unique | join(",")' <<<"$deep")" recurse
	for k in 0 1 2 3 4 5 6 7; do
		t=$(by_size $((60000 + 1000 * k)))
		check_eq "$tag: thread $k's stack" "$(jq -r '[.f[0:2][] | split(" ")[1]] | join(" < ")' <<<"$t")" "hold < worker_$k"
	done
	g=$(by_size 70000)
	check_eq "$tag: generator frame innermost" "$(jq -r '.f[0] | split(" ")[1]' <<<"$g")" buffers
	check_true "$tag: generator's consumer below it ($(jq -c .f <<<"$g"))" grep -q '"py_stacks.py:[0-9]* main"' <<<"$g"
	c=$(by_size 80000)
	check_eq "$tag: coroutine stack" "$(jq -r '[.f[0:2][] | split(" ")[1]] | join(" < ")' <<<"$c")" "hold < coroutine_holder"
	j=$(by_size 90000)
	check_eq "$tag: json C encoder callback" "$(jq -r '[.f[0:2][] | split(" ")[1]] | join(" < ")' <<<"$j")" "hold < encode_default"
	check_true "$tag: the callback's stack continues through json.dumps ($(jq -c .f <<<"$j"))" \
		grep -q ' dumps"' <<<"$j"
done
finish
