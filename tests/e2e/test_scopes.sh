#!/bin/bash
# Scopes: --cgroup traces exactly the processes of a cgroup and its descendants (those started
# after attach too), with their cgroup and container labels, and releases those that exit;
# --all --comm picks exactly the processes of that name; bad --cgroup values exit 15-17.
# Ground truth: hold_blocks makes N mmapped blocks on command (each malloc of 256 KiB is one
# mmap: --light counts mappings exactly).
source "$(dirname "$0")/lib.sh"

MOUNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$MOUNT" ]; then
	fail "cgroup2 mount" "no cgroup2 hierarchy mounted"
	finish
fi
ID=$(printf 'e2e%.0s' 1 | sha256sum | cut -c1-64)
A=$MOUNT/memtrace-e2e-a.$$
B=$MOUNT/memtrace-e2e-b.$$
CONTAINER=$A/docker-$ID.scope
mkdir -p "$CONTAINER" "$B"
remove_cgroups() {
	e2e_cleanup
	rmdir "$CONTAINER" "$A" "$B" 2>/dev/null
}
trap remove_cgroups EXIT

declare -A FD
# start_in NAME CGROUP|- [EXE]: hold_blocks (or EXE) in CGROUP (- : where we are), stdin on
# a fifo held at FD[NAME]; sets PID_<NAME>.
start_in() {
	local name=$1 cg=$2 exe=${3:-$TARGETS/hold_blocks} fd
	mkfifo "$WORK/$name.in"
	if [ "$cg" = - ]; then
		"$exe" <"$WORK/$name.in" >"$WORK/$name.out" 2>&1 &
	else
		sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2"' sh "$cg" "$exe" \
			<"$WORK/$name.in" >"$WORK/$name.out" 2>&1 &
	fi
	printf -v "PID_$name" %s $!
	E2E_PIDS+=($!)
	exec {fd}>"$WORK/$name.in"
	FD[$name]=$fd
	wait_for_line "$WORK/$name.out" '^ready'
}
send() { echo "$2" >&"${FD[$1]}"; }
close_target() { exec {FD[$1]}>&-; }

# wait_interval FILE PID: until PID has an interval line in FILE (30 s at most).
wait_interval() {
	local deadline=$((SECONDS + 30))
	while [ $SECONDS -lt $deadline ]; do
		# -s and any(): jq -e exits 0 on an empty file
		jq -se --argjson pid "$2" 'any(.[]; .type == "interval" and .pid == $pid)' "$1" \
			>/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# --- --cgroup A: two before the tracer (one in a container's cgroup below A), one after -----
start_in a1 "$A"
start_in a2 "$CONTAINER"
start_in b1 "$B"
start_in out -
start_tracer cg --cgroup "$A" --json -i 200ms
start_in a3 "$CONTAINER"     # started after attach: found through the exec tracepoint
for t in a1 a2 a3; do
	pid_var=PID_$t
	if wait_interval "$WORK/cg.out" "${!pid_var}"; then ok "$t traced"; else fail "$t traced" "no interval line for PID ${!pid_var}"; fi
done
for t in a1 a2 a3 b1 out; do send $t "hold 3 262144"; done
for t in a1 a2 a3 b1 out; do wait_done $t 1; done
sleep 1                      # an interval or more after the blocks were made
send a3 exit
deadline=$((SECONDS + 30))
until jq -se --argjson pid "$PID_a3" 'any(.[]; .type == "summary" and .pid == $pid and .exited)' \
	"$WORK/cg.out" >/dev/null 2>&1 || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
a3_summary=$(json_summary "$WORK/cg.out" "$PID_a3")
check_eq "a3 summarized when it exited" "$(jq -r .exited <<<"$a3_summary")" true
sleep 0.6                    # two more intervals: a released process has no line after its summary
check_eq "no line for a3 after its summary" \
	"$(jq -s --argjson pid "$PID_a3" '[.[] | select(.pid == $pid)] | (map(.type) | index("summary")) == length - 1' "$WORK/cg.out")" true
stop_tracer
check_eq "tracer exit status" "$TRACER_RC" 0
check_eq "PIDs traced: exactly A's" \
	"$(jq -r 'select(.pid) | .pid' "$WORK/cg.out" | sort -u | tr '\n' ' ')" \
	"$(printf '%s\n' "$PID_a1" "$PID_a2" "$PID_a3" | sort -u | tr '\n' ' ')"
rel_a=${A#"$MOUNT"}
for t in a1 a2 a3; do
	pid_var=PID_$t
	s=$(json_summary "$WORK/cg.out" "${!pid_var}")
	check_eq "$t mmaps since attach (hold 3 262144)" "$(jq -r .mmap.mmaps <<<"$s")" 3
	check_eq "$t native counts absent (production-safe collectors)" "$(jq -r .native <<<"$s")" null
	if [ $t = a1 ]; then
		check_eq "$t cgroup" "$(jq -r .cgroup <<<"$s")" "$rel_a"
		check_eq "$t container" "$(jq -r .container <<<"$s")" null
	else
		check_eq "$t cgroup" "$(jq -r .cgroup <<<"$s")" "$rel_a/docker-$ID.scope"
		check_eq "$t container" "$(jq -r .container <<<"$s")" "$ID"
	fi
done
# Per-container totals: after each poll's process lines, a line per container (else cgroup).
last_pair=$(jq -rs --arg id "$ID" --argjson p2 "$PID_a2" --argjson p3 "$PID_a3" '
	. as $all | [range(length) | select($all[.].type == "container" and $all[.].container == $id
		and $all[.].processes == 2)] | last as $i | $all[$i] as $c |
	[$all[:$i][] | select(.type == "interval" and (.pid == $p2 or .pid == $p3))] | .[-2:] as $ivs |
	"\($c.mmaps) \($c.rss_bytes == ($ivs | map(.rss_bytes) | add)) \($ivs | map(.pid) | sort | join(","))"' \
	"$WORK/cg.out")
check_eq "container $ID: mmaps, RSS the sum of its processes' in that poll, its processes" \
	"$last_pair" "6 true $(printf '%s\n' "$PID_a2" "$PID_a3" | sort -n | paste -sd,)"
check_eq "cgroup A's own process: a group of one, no container" \
	"$(jq -rs --arg cg "$rel_a" '[.[] | select(.type == "container" and .cgroup == $cg)] | last |
		"\(.processes) \(.container) \(.mmaps)"' "$WORK/cg.out")" "1 null 3"

# --- --cgroup ID: a container id's prefix resolves to its cgroup ------------------------------
"$MEMTRACE" --cgroup "${ID:0:12}" --json -d 3 -i 200ms >"$WORK/id.out" 2>"$WORK/id.err"
check_eq "--cgroup ${ID:0:12}: PIDs" "$(jq -r 'select(.pid) | .pid' "$WORK/id.out" | sort -u | tr '\n' ' ')" "$PID_a2 "

# --- --cgroup A --exact: every malloc of A's processes, counted exactly ----------------------
start_tracer cgx --cgroup "$A" --exact --json -i 200ms
for t in a1 a2; do
	pid_var=PID_$t
	wait_interval "$WORK/cgx.out" "${!pid_var}" || fail "$t traced with --exact"
done
for t in a1 a2 b1; do send $t "hold 5 4096"; done
for t in a1 a2 b1; do wait_done $t 2; done
sleep 0.6
stop_tracer
for t in a1 a2; do
	pid_var=PID_$t
	s=$(json_summary "$WORK/cgx.out" "${!pid_var}")
	check_eq "$t --exact: allocations and live bytes (hold 5 4096)" \
		"$(jq -r '"\(.native.allocs) \(.native.live_bytes)"' <<<"$s")" "5 20480"
done
check_eq "--exact: still exactly A's live processes" \
	"$(jq -r 'select(.pid) | .pid' "$WORK/cgx.out" | sort -u | tr '\n' ' ')" \
	"$(printf '%s\n' "$PID_a1" "$PID_a2" | sort -u | tr '\n' ' ')"
for t in a1 a2 b1 out; do close_target $t; done

# --- --all --comm: exactly the processes of that name -----------------------------------------
NAME=mtscope$$
cp "$TARGETS/hold_blocks" "$WORK/$NAME"
start_in n1 - "$WORK/$NAME"
start_in n2 "$B" "$WORK/$NAME"
start_in other -
"$MEMTRACE" --all --comm "${NAME:0:15}" --json -d 3 -i 200ms >"$WORK/all.out" 2>"$WORK/all.err"
check_eq "--all --comm $NAME: PIDs" "$(jq -r 'select(.pid) | .pid' "$WORK/all.out" | sort -u | tr '\n' ' ')" \
	"$(printf '%s\n' "$PID_n1" "$PID_n2" | sort -u | tr '\n' ' ')"
"$MEMTRACE" --all --exe "$WORK/$NAME" --json -d 3 -i 200ms >"$WORK/exe.out" 2>"$WORK/exe.err"
check_eq "--all --exe $WORK/$NAME: PIDs" "$(jq -r 'select(.pid) | .pid' "$WORK/exe.out" | sort -u | tr '\n' ' ')" \
	"$(printf '%s\n' "$PID_n1" "$PID_n2" | sort -u | tr '\n' ' ')"
for t in n1 n2 other; do close_target $t; done

# --- bad inputs ---------------------------------------------------------------------------------
expect_error "--cgroup that does not exist" 15 "no such cgroup" --cgroup /no/such/memtrace-cgroup
expect_error "--cgroup not cgroup v2" 16 "not a cgroup v2 directory" --cgroup /tmp
expect_error "--cgroup unknown container id" 17 "no container or pod with that id" --cgroup 0123456789abcdef
expect_error "--comm without a scope" 2 "filter a scope" --comm x -p 1
expect_error "--cgroup with -p" 2 "not several" --cgroup "$A" -p 1
finish
