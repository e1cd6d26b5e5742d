#!/usr/bin/env bash
# The CPython collector on every Python of the machine: census counts against the target's
# own gc.get_objects() census, event-mode counts of its classes, and GC events.
# Workload: tests/workloads/py_census.py (commands on stdin, "done" after each).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/python_console.sh"

find_pythons


# Types of the target's census whose count the tracer missed by more than 1% (2 objects
# for types with fewer than 200 instances: the census itself makes and drops a few).
census_mismatches() {
	jq -r --slurpfile want "$1" '
		(.python.types | map({(.name): .live}) | add) as $got
		| $want[0] | to_entries[]
		| (($got[.key] // 0) - .value) as $d
		| select(($d | fabs) > ([.value * 0.01, 2] | max))
		| "\(.key): tracer \($got[.key] // 0), gc.get_objects() \(.value)"' <<<"$2"
}

stop_target() {
	target_close
	wait "$TARGET_PID" 2>/dev/null
}

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		skip "$py" "not installed"
		continue
	fi
	ver=$(python_version "$py")
	tag="python $ver ($py)"

	# Census mode (the default).
	start_target "c$ver" "$py" "$WORKLOADS/py_census.py" || { fail "$tag: workload starts"; continue; }
	start_tracer "tc$ver" --exact -p "$TARGET_PID" -i 200ms --json="$WORK/c$ver.json" ||
		{ fail "$tag: tracer attaches"; stop_target; continue; }
	target_send make
	target_send churn
	target_send "census $WORK/want$ver.json"
	target_send "gc 7"
	wait_done "c$ver" 4
	sleep 0.5
	stop_tracer
	summary=$(json_summary "$WORK/c$ver.json" "$TARGET_PID")
	check_eq "$tag: census mode" "$(jq -r .python.mode <<<"$summary")" census
	check_eq "$tag: version" "$(jq -r .python.version <<<"$summary")" "$ver"
	bad=$(census_mismatches "$WORK/want$ver.json" "$summary")
	ntypes=$(jq -r 'length' "$WORK/want$ver.json")
	if [ -z "$bad" ] && [ "$ntypes" -gt 10 ]; then
		ok "$tag: census within 1% of gc.get_objects() for all $ntypes types"
	else
		fail "$tag: census" "$(echo "$bad" | head -5 | tr '\n' ';')"
	fi
	check_eq "$tag: census Keeper" "$(jq -r '.python.types[] | select(.name=="Keeper") | .live' <<<"$summary")" 12000
	check_eq "$tag: churned class leaves nothing live" \
		"$(jq -r '[.python.types[] | select(.name=="Churn") | .live] | add // 0' <<<"$summary")" 0
	check_eq "$tag: census mode has no created counts" \
		"$(jq -r '.python.types[0].created' <<<"$summary")" null
	check_python_console "$tag census" "$WORK/tc$ver.out"

	# GC events: the 7 full collections of "gc 7", inside the window the workload printed.
	read -r _ gc_from gc_to < <(grep '^gcwindow' "$WORK/c$ver.out")
	check_eq "$tag: gen-2 gc event lines in the gc.collect(2) window" \
		"$(jq -s --argjson a "${gc_from:-0}" --argjson b "${gc_to:-0}" \
			'[.[] | select(.type=="gc" and .generation==2 and .start_ns >= $a and .start_ns <= $b)] | length' \
			"$WORK/c$ver.json")" 7
	gc_line=$(grep -nE '^ +gc\.collect\(2\)$' "$WORKLOADS/py_census.py" | cut -d: -f1)
	check_eq "$tag: the Python code that triggered each gc.collect(2) (gc events' python_stack)" \
		"$(jq -rs --argjson a "${gc_from:-0}" --argjson b "${gc_to:-0}" \
			'[.[] | select(.type=="gc" and .generation==2 and .start_ns >= $a and .start_ns <= $b)
			  | .python_stack[0] | "\(.file | split("/") | last):\(.line) \(.function)"] | unique | join(",")' \
			"$WORK/c$ver.json")" "py_census.py:$gc_line main"
	check_true "$tag: gen-2 collections in the summary (>= 7)" \
		test "$(jq -r '.python.gc.collections[2]' <<<"$summary")" -ge 7
	gc_ns=$(jq -r .python.gc.time_ns <<<"$summary")
	check_true "$tag: gc time measured ($gc_ns ns)" test "$gc_ns" -gt 0
	check_eq "$tag: gc events dropped" "$(jq -r .python.gc.events_dropped <<<"$summary")" 0
	stop_target

	# Event mode: a fresh target, traced before it makes anything.
	start_target "e$ver" "$py" "$WORKLOADS/py_census.py" || { fail "$tag: workload starts"; continue; }
	start_tracer "te$ver" --exact -p "$TARGET_PID" -i 200ms --python=events --json="$WORK/e$ver.json" ||
		{ fail "$tag: tracer attaches (events)"; stop_target; continue; }
	target_send make
	target_send churn
	target_send "census $WORK/wante$ver.json"
	wait_done "e$ver" 3
	sleep 0.3
	stop_tracer
	summary=$(json_summary "$WORK/e$ver.json" "$TARGET_PID")
	check_eq "$tag: event mode" "$(jq -r .python.mode <<<"$summary")" events
	for cls in Keeper Leaf; do
		want=$(jq -r ".$cls" "$WORK/wante$ver.json")
		check_within "$tag: events $cls live" \
			"$(jq -r ".python.types[] | select(.name==\"$cls\") | .live" <<<"$summary")" "$want" 1
	done
	check_eq "$tag: events Churn created" \
		"$(jq -r '.python.types[] | select(.name=="Churn") | .created' <<<"$summary")" 50000
	check_eq "$tag: events Churn live" \
		"$(jq -r '.python.types[] | select(.name=="Churn") | .live' <<<"$summary")" 0
	check_eq "$tag: builtins are null in event mode" \
		"$(jq -r '.python.types[] | select(.name=="dict") | .live' <<<"$summary")" null
	check_python_console "$tag events" "$WORK/te$ver.out"
	stop_target
done

# Not Python: the Python part says so in one line, native tracing goes on.
start_target notpy "$TARGETS/alloc_exact" || fail "native target starts"
start_tracer notpy --exact -p "$TARGET_PID" -i 200ms --json="$WORK/notpy.json" || fail "tracer attaches to native target"
target_send go
wait_for_line "$WORK/notpy.out" '^done' || true
stop_tracer
check_eq "not Python: exit status" "$TRACER_RC" 0
check_eq "not Python: one line on stderr" "$(grep -c 'python: PID .*no CPython interpreter' "$WORK/notpy.err")" 1
check_eq "not Python: native still counted" "$(json_summary "$WORK/notpy.json" "$TARGET_PID" | jq -r '.native.allocs > 0')" true
check_eq "not Python: no python object" "$(json_summary "$WORK/notpy.json" "$TARGET_PID" | jq -r '.python')" null
stop_target

# A bad --python value: one line, exit 2.
"$MEMTRACE" --python=bogus -p $$ >/dev/null 2>"$WORK/bad.err"
check_eq "--python=bogus exit status" "$?" 2
check_eq "--python=bogus one line" "$(wc -l <"$WORK/bad.err")" 1
finish
