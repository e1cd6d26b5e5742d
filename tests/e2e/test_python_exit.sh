#!/usr/bin/env bash
# A traced Python that exits: its summary shows the last state seen while its interpreter ran
# (the interpreter's shutdown frees the objects before the process is gone), with no garbled
# line; and an exited process's probes and map entries are released while the trace goes on.
# Workload: tests/workloads/py_exit.py (holds N Hoard instances; its shutdown is slow).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/python_console.sh"

N=12345
find_pythons

# await_tracer_exit: the tracer ends by itself once its targets are gone; TRACER_RC.
await_tracer_exit() {
	local deadline=$((SECONDS + 20))
	while kill -0 "$TRACER_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	kill -INT "$TRACER_PID" 2>/dev/null && fail "tracer ended by itself when its target exited"
	wait "$TRACER_PID"
	TRACER_RC=$?
}

# run_exit MODE PY TAG: holds N, exits, checks the summary of the exited target.
run_exit() {
	local mode=$1 py=$2 tag=$3 name ver held census summary out
	name="$mode$(basename "$(dirname "$(dirname "$py")")")"
	ver=$(python_version "$py")
	start_target "$name" "$py" "$WORKLOADS/py_exit.py" || { fail "$tag: workload starts"; return; }
	start_tracer "t$name" --exact -p "$TARGET_PID" -i 200ms --python="$mode" --json="$WORK/$name.json" ||
		{ fail "$tag: tracer attaches"; target_close; return; }
	target_send "hold $N"
	wait_for_line "$WORK/$name.out" '^done' || fail "$tag: workload answered"
	read -r _ held census < <(grep '^holding' "$WORK/$name.out")
	check_eq "$tag: the workload's own count of Hoard (len, gc census)" "$held $census" "$N $N"
	sleep 0.6                    # three reports while it runs
	target_send exit
	await_tracer_exit
	target_close
	wait "$TARGET_PID" 2>/dev/null
	check_eq "$tag: exit status" "$TRACER_RC" 0
	summary=$(json_summary "$WORK/$name.json" "$TARGET_PID")
	check_eq "$tag: summary of an exited target: last seen while running" \
		"$(jq -r '[.exited, .python.last_seen] | @tsv' <<<"$summary")" "true	true"
	check_eq "$tag: summary Hoard live, peak_live" \
		"$(jq -r '.python.types[] | select(.name == "Hoard") | [.live, .peak_live] | @tsv' <<<"$summary")" \
		"$N	$N"
	if [ "$mode" = census ]; then
		# The shutdown was seen (and must not be what the summary shows).
		check_true "$tag: an interval during the shutdown saw fewer Hoard" \
			test "$(jq -s '[.[] | select(.type == "interval" and .python.memory.objects != null)
				| ([.python.types[] | select(.name == "Hoard") | .live] | add // 0)] | min' \
				"$WORK/$name.json")" -lt "$N"
		check_true "$tag: summary objects and objects_peak >= N" \
			jq -e ".python.memory.objects >= $N and .python.memory.objects_peak >= .python.memory.objects" <<<"$summary" >/dev/null
	else
		check_eq "$tag: summary Hoard created, destroyed (before the shutdown)" \
			"$(jq -r '.python.types[] | select(.name == "Hoard") | [.created, .destroyed] | @tsv' <<<"$summary")" \
			"$N	0"
		check_eq "$tag: summary objects null in event mode" \
			"$(jq -c '[.python.memory.objects, .python.memory.objects_peak]' <<<"$summary")" "[null,null]"
	fi

	# The console: the exact format of each Python line, whatever is known.
	out=$WORK/t$name.out
	check_eq "$tag: console summary of the exited process" \
		"$(grep -c "^PID $TARGET_PID (.*process exited" "$out")" 1
	check_eq "$tag: console section head" \
		"$(grep -cxE "  python ${ver//./\\.} \($mode mode; its interpreter ended: as last seen while it ran\):" "$out")" 1
	check_python_console "$tag" "$out"
	check_eq "$tag: console type table header" "$(grep -cE "$PY_HEADER_RE" "$out")" 1
	if [ "$mode" = census ]; then
		check_eq "$tag: console Hoard row" "$(grep -cE "^    Hoard +$N +$N +$PY_NUM +- +-$" "$out")" 1
	else
		check_eq "$tag: console Hoard row" "$(grep -cE "^    Hoard +$N +$N +$PY_NUM +$N +0$" "$out")" 1
	fi
}

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		skip "$py" "not installed"
		continue
	fi
	tag="python $("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])') ($py)"
	run_exit census "$py" "$tag census"
	case "$py" in
	/usr/bin/python3.11 | */3.11.*) run_exit events "$py" "$tag events" ;;
	esac
done

# --- python_tracer releases a process that exited: no probe map keeps its entries ---------
# tracer_map_keys NAME: the tgids of the entries of the tracer's map NAME (its fds' maps).
tracer_map_keys() {
	local id
	for id in $(grep -h '^map_id' /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null | awk '{print $2}'); do
		[ "$(bpftool map show id "$id" -j | jq -r .name)" = "$1" ] || continue
		bpftool map dump id "$id" -j | jq -r '.[].formatted.key | if type == "object" then .tgid else . end'
	done
}

py=$(ls -d /root/.pyenv/versions/3.11.*/bin/python3 2>/dev/null | sort -V | tail -n1)
if [ -n "$py" ] && command -v bpftool >/dev/null; then
	start_target gone "$py" "$WORKLOADS/py_exit.py" || fail "release: first workload starts"
	gone=$TARGET_PID
	exec 8>&7
	start_target stays "$py" "$WORKLOADS/py_exit.py" || fail "release: second workload starts"
	stays=$TARGET_PID
	start_tracer release --exact -p "$gone" -p "$stays" -i 200ms --python=events --json="$WORK/release.json" ||
		fail "release: tracer attaches"
	echo "hold 3000" >&8
	target_send "hold 2000"
	wait_for_line "$WORK/gone.out" '^done' && wait_for_line "$WORK/stays.out" '^done' ||
		fail "release: workloads answered"
	sleep 0.5
	# Killed: nothing of it is freed, so its objects' entries stay unless released.
	kill -KILL "$gone"
	wait "$gone" 2>/dev/null
	# Released at the next report (uprobes take ~100 ms each to go): wait for it a while.
	deadline=$((SECONDS + 10))
	while [ $SECONDS -lt $deadline ] && tracer_map_keys py_objects | grep -qx "$gone"; do sleep 0.2; done
	for map in py_objects py_types py_config py_counters gc_processes; do
		keys=$(tracer_map_keys "$map")
		check_eq "release: $map entries of the exited process" "$(grep -cx "$gone" <<<"$keys")" 0
		check_true "release: $map entries of the running one remain" grep -qx "$stays" <<<"$keys"
	done
	check_true "release: the running process's 2000 Hoard still in py_objects" \
		test "$(tracer_map_keys py_objects | grep -cx "$stays")" -ge 2000
	stop_tracer
	exec 8>&-
	target_close
	wait "$stays" 2>/dev/null
	check_eq "release: summary of the killed process: its Hoard last seen" \
		"$(json_summary "$WORK/release.json" "$gone" | jq -r '[.python.last_seen, (.python.types[] | select(.name == "Hoard") | .live)] | @tsv')" \
		"true	3000"
else
	skip "release" "no pyenv python 3.11 or no bpftool"
fi

# --- nine Pythons in one trace: 18 GC probes (gc_collect_main and its return each), more
# than the 16 links the GC tracer once had room for ---------------------------------------
if [ -n "$py" ]; then
	many=() fds=()
	for i in $(seq 9); do
		mkfifo "$WORK/many$i.in"
		"$py" "$WORKLOADS/py_exit.py" <"$WORK/many$i.in" >"$WORK/many$i.out" 2>&1 &
		many+=($!)
		E2E_PIDS+=($!)
		exec {fd}>"$WORK/many$i.in"
		fds+=("$fd")
		wait_for_line "$WORK/many$i.out" '^ready' || fail "many: workload $i starts"
	done
	start_tracer many --exact $(printf -- '-p %s ' "${many[@]}") -i 200ms --json="$WORK/many.json" ||
		fail "many: tracer attaches"
	for i in $(seq 9); do echo "hold $((100 * i))" >&"${fds[i - 1]}"; done
	for i in $(seq 9); do wait_for_line "$WORK/many$i.out" '^done' || fail "many: workload $i answered"; done
	sleep 0.5
	stop_tracer
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	wait "${many[@]}" 2>/dev/null
	check_eq "many: no 'GC events off' line" "$(grep -c 'GC events off' "$WORK/many.err")" 0
	timed=0
	for i in $(seq 9); do
		json_summary "$WORK/many.json" "${many[i - 1]}" |
			jq -e ".python.gc.time_ns > 0 and ([.python.types[] | select(.name == \"Hoard\") | .live] == [$((100 * i))])" \
			>/dev/null && timed=$((timed + 1))
	done
	check_eq "many: processes with their collections timed and their Hoard counted" "$timed" 9
fi
finish
