#!/usr/bin/env bash
# --python=events against a workload whose classes die and whose type addresses are reused,
# with objects whose frees no probe sees (select.epoll) and one real leak (Leaky): the leak
# event names exactly Leaky; each class's created/live match the workload's own counts; the
# GC counts move; every console line is well formed.
# Workload: tests/workloads/py_classes.py.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/python_console.sh"

EPHEMERAL=20
PER_CLASS=100
LEAKY_LINE=$(grep -n 'leaked.extend(Leaky' "$WORKLOADS/py_classes.py" | cut -d: -f1)
find_pythons


# class_mismatches TRUTH SUMMARY: classes of the workload whose created/live the tracer
# got wrong (epoll aside: event mode cannot count it).
class_mismatches() {
	jq -r --slurpfile truth "$1" '
		(.python.types | map({(.name): .}) | add) as $got
		| $truth[0].classes | to_entries[] | select(.key != "epoll")
		| select(($got[.key].created != .value.created) or ($got[.key].live != .value.live))
		| "\(.key): tracer \($got[.key].created // "-")/\($got[.key].live // "-"), own \(.value.created)/\(.value.live)"' <<<"$2"
}

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		skip "$py" "not installed"
		continue
	fi
	ver=$(python_version "$py")
	tag="python $ver ($py) events"
	name=ev$ver
	[ "$py" = /usr/bin/python3.11 ] && name=evdeb$ver
	start_target "$name" "$py" "$WORKLOADS/py_classes.py" || { fail "$tag: workload starts"; continue; }
	start_tracer "t$name" --exact -p "$TARGET_PID" -i 200ms --python=events --json="$WORK/$name.json" ||
		{ fail "$tag: tracer attaches"; target_close; continue; }
	target_send "ephemeral $EPHEMERAL $PER_CLASS"
	target_send "run 3"
	target_send "truth $WORK/$name.truth"
	wait_done "$name" 3
	sleep 0.3
	stop_tracer
	target_close
	wait "$TARGET_PID" 2>/dev/null
	j=$WORK/$name.json
	summary=$(json_summary "$j" "$TARGET_PID")
	check_eq "$tag: python_type leak events name only the leaking class" \
		"$(jq -s -c '[.[] | select(.type == "leak" and .kind == "python_type") | .name] | unique' "$j")" \
		'["Leaky"]'
	bad=$(class_mismatches "$WORK/$name.truth" "$summary")
	compared=$(jq '[.classes | keys[] | select(. != "epoll")] | length' "$WORK/$name.truth")
	if [ -z "$bad" ] && [ "$compared" -eq $((EPHEMERAL + 2)) ]; then
		ok "$tag: created and live of all $compared classes = the workload's own counts"
	else
		fail "$tag: class counts" "$(echo "$bad" | head -5 | tr '\n' ';') ($compared classes)"
	fi
	check_eq "$tag: Leaky live = the workload's gc census" \
		"$(jq -r '.python.types[] | select(.name == "Leaky") | .live' <<<"$summary")" \
		"$(jq -r '.gc.Leaky' "$WORK/$name.truth")"
	# A heap type from 3.9 (a static one, not seen, before): never counted either way.
	check_eq "$tag: epoll (freed by PyObject_Free, unseen) not counted" \
		"$(jq -c '[.python.types[] | select(.name == "epoll") | .live, .created | select(. != null)]' <<<"$summary")" '[]'
	check_true "$tag: gen-2 collections counted (>= $((EPHEMERAL + 2)) gc.collect())" \
		test "$(jq -r '.python.gc.collections[2]' <<<"$summary")" -ge $((EPHEMERAL + 2))
	# Sites: every Leaky was made by the generator expression of run(), and is still live;
	# the Flash instances (made in run(), dropped) are all gone.
	site=$(jq -c '[.python.sites[] | select(.type == "Leaky")] |
		map({created, live, at: (.python_stack[0] | "\(.line) \(.function | split(".") | last)"),
		     caller: .python_stack[1].function})' <<<"$summary")
	check_eq "$tag: Leaky's one site: made and live = the workload's own, at its line in run()" \
		"$site" "[{\"created\":$(jq .classes.Leaky.created "$WORK/$name.truth"),\"live\":$(jq .classes.Leaky.live "$WORK/$name.truth"),\"at\":\"$LEAKY_LINE <genexpr>\",\"caller\":\"run\"}]"
	check_eq "$tag: Flash's sites: made in run(), none live" \
		"$(jq -c '[.python.sites[] | select(.type == "Flash")] | [(map(.created) | add), (map(.live) | add),
			all(.[]; any(.python_stack[]; .function == "run"))]' <<<"$summary")" \
		"[$(jq .classes.Flash.created "$WORK/$name.truth"),0,true]"
	check_eq "$tag: no site dropped" "$(jq .python.sites_dropped <<<"$summary")" 0
	check_python_console "$tag" "$WORK/t$name.out"
done
finish
