#!/usr/bin/env bash
# Young collections in the default mode: every one counted (against the target's own
# gc.get_stats()), a sample of them listed as gc lines, the rest in young_unlisted, and those
# run while the probes were paused (thousands a second: analysis/gc_probe_gate.h) untimed;
# --exact lists and times every one. Debian's python3.11 (USDT probes) and pyenv's 3.12 (the collector function).
source "$(dirname "$0")/lib.sh"

find_pythons 3.12
for py in "${pythons[@]}"; do
	[ -x "$py" ] || { skip "gc sampling $py" "not installed"; continue; }
	tag="gc sampling $(python_version "$py")"
	for mode in default exact; do
		flags=()
		[ "$mode" = exact ] && flags=(--exact)
		start_target churn "$py" "$WORKLOADS/py_gc_churn.py" 12000 || { fail "$tag $mode: workload starts"; continue; }
		start_tracer tracer "${flags[@]}" -p "$TARGET_PID" -i 200ms --json="$WORK/gc-$mode.json" ||
			{ fail "$tag $mode: tracer attaches"; target_close; continue; }
		target_send go
		wait_for_line "$WORK/churn.out" '^done' 60 || fail "$tag $mode: workload finished"
		sleep 0.5
		stop_tracer
		target_close
		wait "$TARGET_PID" 2>/dev/null
		read -r _ own0 _ < <(grep '^done' "$WORK/churn.out")
		summary=$(json_summary "$WORK/gc-$mode.json" "$TARGET_PID")
		listed0=$(jq -s --argjson pid "$TARGET_PID" \
			'[.[] | select(.type == "gc" and .pid == $pid and .generation == 0)] | length' "$WORK/gc-$mode.json")
		unlisted=$(jq -r .python.gc.young_unlisted <<<"$summary")
		untimed0=$(jq -r '.python.gc.untimed[0]' <<<"$summary")
		check_true "$tag $mode: the workload made over 1,000 young collections (${own0:-none})" \
			test "${own0:-0}" -gt 1000
		check_eq "$tag $mode: young collections in the summary = the workload's own count" \
			"$(jq -r '.python.gc.collections[0]' <<<"$summary")" "$own0"
		check_eq "$tag $mode: gc events dropped" "$(jq -r .python.gc.events_dropped <<<"$summary")" 0
		check_eq "$tag $mode: young gc lines + young_unlisted + untimed = the workload's own count" \
			"$((listed0 + unlisted + untimed0))" "$own0"
		if [ "$mode" = exact ]; then
			check_eq "$tag exact: every young collection listed (young_unlisted)" "$unlisted" 0
			check_eq "$tag exact: every collection timed (untimed)" \
				"$(jq -c .python.gc.untimed <<<"$summary")" "[0,0,0]"
		else
			# One a 10 ms at most, but those that took 1 ms or more: far fewer than all.
			check_true "$tag default: a sample of them listed ($listed0 of $own0)" \
				test "$listed0" -ge 1 -a "$((listed0 * 4))" -lt "$own0"
			check_true "$tag default: probes paused over 500 collections/s, the rest untimed ($untimed0 of $own0)" \
				test "${untimed0:-0}" -gt 0 -a "${untimed0:-0}" -lt "$own0"
			check_true "$tag default: the pause is said" grep -q 'GC probes paused' "$WORK/tracer.err"
		fi
		check_true "$tag $mode: time in collections measured" \
			test "$(jq -r .python.gc.time_ns <<<"$summary")" -gt 0
	done
done
finish
