#!/usr/bin/env bash
# The session's registry of processes: a launched command's exit status, processes that
# exit mid-trace (summarized once, with their own counts and duration, then released in the
# kernel maps), -f over recycled workers, many PIDs with frames, the state seen running.
source "$(dirname "$0")/lib.sh"

# tracer_map_entries REGEX: entries in the tracer's own BPF maps whose names match (found
# through the maps its fds hold: other tracers on the machine have maps of those names too).
tracer_map_entries() {
	local id total=0 found=0
	for id in $(sed -n 's/^map_id:\t*//p' /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null | sort -u); do
		if [[ "$(bpftool map show id "$id" -j | jq -r .name)" =~ ^($1)$ ]]; then
			total=$((total + $(bpftool map dump id "$id" -j | jq length)))
			found=1
		fi
	done
	[ $found = 1 ] && echo "$total" || echo "no map $1"
}

# --- a launched command's exit status is the tracer's, unless the tracer says more ------
"$MEMTRACE" -- sh -c 'exit 3' >"$WORK/exit3.out" 2>&1
check_eq "-- sh -c 'exit 3': exit status" "$?" 3
"$MEMTRACE" -- sh -c 'kill -SEGV $$' >"$WORK/segv.out" 2>&1
check_eq "-- a command killed by SIGSEGV: exit status 128+11" "$?" 139
"$MEMTRACE" -- true >"$WORK/true.out" 2>&1
check_eq "-- true: exit status" "$?" 0
"$MEMTRACE" -i 100ms --budget 1K --fail-on-budget -- sh -c 'sleep 0.5; exit 3' >"$WORK/budget.out" 2>&1
check_eq "a budget exceeded by a command that exits 3: the tracer's code wins" "$?" 11

# --- the state seen while running, for a process whose exit freed everything ----------
start_target hold "$TARGETS/hold_blocks" || { fail "hold_blocks starts"; finish; }
start_tracer holdtrace --exact -p "$TARGET_PID" -i 1s --json="$WORK/hold.json" || { fail "tracer attaches"; finish; }
target_send "hold 100 65536"
wait_for_line "$WORK/hold.out" '^done' || fail "target held its blocks"
# Right after an interval report saw them live: the release (~5 ms) ends well before the next.
wait_for_line "$WORK/hold.json" '"live_allocs":100,' 5 || fail "an interval report saw the blocks"
target_send exit
wait "$TRACER_PID"
check_eq "tracer exits with its target" "$?" 0
summary=$(json_summary "$WORK/hold.json" "$TARGET_PID")
check_eq "live allocations at exit (all freed)" "$(jq -r .native.live_allocs <<<"$summary")" 0
check_eq "live allocations at the last report while running" \
	"$(jq -r .native_last_running.live_allocs <<<"$summary")" 100
check_eq "live bytes at the last report while running" \
	"$(jq -r .native_last_running.live_bytes <<<"$summary")" $((100 * 65536))
check_eq "peak live allocations" "$(jq -r .native_peak.live_allocs <<<"$summary")" 100
check_eq "peak live bytes" "$(jq -r .native_peak.live_bytes <<<"$summary")" $((100 * 65536))

# --- -f: 100 recycled workers, each summarized once with its own counts ------------------
start_target forks "$TARGETS/fork_children" 100 || { fail "fork_children starts"; finish; }
parent=$TARGET_PID
start_tracer follow --exact -f -p "$parent" -i 200ms --json="$WORK/follow.json" || { fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/forks.out" '^done' 60 || fail "the workers ran"
sleep 0.6   # the last workers' exits are seen at the next interval
check_eq "outstanding entries in the kernel once every worker exited (released)" \
	"$(tracer_map_entries 'outstanding_[0-9]+')" 0
check_eq "per-process counters in the kernel: none (workers released, the parent allocates nothing)" \
	"$(tracer_map_entries native_stats)" 0
check_eq "traced processes in the kernel: the parent alone" \
	"$(tracer_map_entries traced_tgids)" 1
target_close
wait "$TRACER_PID"
check_eq "tracer exit status" "$?" 0
check_eq "workers that ran" "$(grep -c '^child ' "$WORK/forks.out")" 100
check_eq "summaries of workers" "$(jq -c --argjson p "$parent" 'select(.type == "summary" and .pid != $p)' \
	"$WORK/follow.json" | wc -l)" 100
wrong=0 long=0
while read -r _ pid count; do
	s=$(json_summary "$WORK/follow.json" "$pid")
	[ "$(jq -r .native.allocs <<<"$s")" = "$count" ] || wrong=$((wrong + 1))
	[ "$(jq -r .native.bytes_allocated <<<"$s")" = $((count * 512)) ] || wrong=$((wrong + 1))
	awk -v e="$(jq -r ".elapsed_ns / 1e9" <<<"$s")" 'BEGIN { exit !(e < 3) }' || long=$((long + 1))
done < <(grep '^child ' "$WORK/forks.out")
check_eq "workers whose allocs or bytes differ from their own count" "$wrong" 0
check_eq "workers whose traced time is not their own (>= 3 s of a longer trace)" "$long" 0
check_eq "'not following' warnings" "$(grep -c 'not following' "$WORK/follow.err")" 0

# --- -f on a Python pre-fork server: workers get the Python census too ------------------
start_target prefork /usr/bin/python3.11 "$WORKLOADS/prefork.py" || { fail "prefork.py starts"; finish; }
parent=$TARGET_PID
start_tracer prefork_trace --exact -f -p "$parent" -i 200ms --json="$WORK/prefork.json" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/prefork.out" '^done' 30 || fail "the Python workers ran"
target_close
wait "$TRACER_PID"
while read -r _ pid count; do
	seen=$(jq -r --argjson pid "$pid" 'select(.type == "interval" and .pid == $pid) |
		.python.types[]? | select(.name == "Job") | .live' "$WORK/prefork.json" | sort -n | tail -1)
	check_eq "Python worker $pid: Job instances in its census (its own count)" "${seen:-none}" "$count"
done < <(grep '^child ' "$WORK/prefork.out")
check_eq "Python workers that ran" "$(grep -c '^child ' "$WORK/prefork.out")" 3

# --- 40 PIDs with --frame and --stage (a link array was full at 33) ---------------------
mkfifo "$WORK/frames.in"
pids=() args=()
for i in $(seq 40); do
	"$TARGETS/frame_loop" <"$WORK/frames.in" >"$WORK/frame$i.out" 2>&1 &
	pids+=("$!")
	E2E_PIDS+=("$!")
	args+=(-p "$!")
done
exec 8>"$WORK/frames.in"   # they wait for "go" until it closes
sleep 0.3
"$MEMTRACE" --exact "${args[@]}" --frame render_frame --stage update=update_world --stage draw=draw_scene -d 1 \
	--json="$WORK/frames40.json" >"$WORK/frames40.out" 2>&1
check_eq "40 PIDs with --frame and --stage: exit status" "$?" 0
check_eq "40 PIDs with --frame and --stage: summaries" \
	"$(jq -c 'select(.type == "summary")' "$WORK/frames40.json" | wc -l)" 40
exec 8>&-
wait "${pids[@]}" 2>/dev/null
finish
