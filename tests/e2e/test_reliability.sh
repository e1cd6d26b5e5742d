#!/usr/bin/env bash
# Reliability: the target is never harmed, a killed tracer leaves nothing behind, full maps
# are counted, odd targets (static, jemalloc, exec, fork) are traced right.
# Ground truth from tests/targets/rel_target.c and static_hold.c.
source "$(dirname "$0")/lib.sh"
REL=$TARGETS/rel_target

summary_of() { json_summary "$1" "$2"; }

# --- The traced target's output is byte-identical to an untraced run --------------------
start_target plain "$REL" churn || fail "untraced target starts"
target_send go
wait_for_line "$WORK/plain.out" '^done' 60 || fail "untraced target finishes"
target_close
start_target traced "$REL" churn || fail "traced target starts"
start_tracer churn_tracer --exact -p "$TARGET_PID" -i 100ms --json="$WORK/churn.json" ||
	fail "tracer attaches (churn)"
target_send go
wait_for_line "$WORK/traced.out" '^done' 60 || fail "traced target finishes"
target_close
wait "$TRACER_PID"
check_eq "tracer exit status when the churn target exits" "$?" 0
if cmp -s <(tail -n +2 "$WORK/plain.out") <(tail -n +2 "$WORK/traced.out"); then
	ok "traced output byte-identical to untraced ($(wc -l <"$WORK/traced.out") lines)"
else
	fail "traced output byte-identical" "$(diff <(tail -n +2 "$WORK/plain.out") <(tail -n +2 "$WORK/traced.out") | head -5)"
fi
check_eq "churn: every block freed (live_allocs)" \
	"$(summary_of "$WORK/churn.json" "$TARGET_PID" | jq -r .native.live_allocs)" 0

# --- SIGKILL: no program, link or uprobe left behind; the target runs on ------------------
# code_breakpoints PID: "FILE+OFFSET" of each byte of PID's executable file mappings that
# differs from the file it maps. A uprobe is an int3 written into the process's own copy of
# the page, so this lists the probes set in PID (perf-event uprobes are not in tracefs).
# Probes that others set on every process mapping a file show up too: compare sets.
code_breakpoints() {
	local pid=$1 range perms offset path start pages
	while read -r range perms offset _ _ path; do
		[[ $perms == *x* && $path == /* && $path != *' (deleted)' ]] || continue
		start=$((16#${range%-*})) pages=$(((16#${range#*-} - 16#${range%-*}) / 4096))
		cmp -l <(dd if="/proc/$pid/mem" bs=4096 skip=$((start / 4096)) count=$pages 2>/dev/null) \
			<(dd if="/proc/$pid/root$path" bs=4096 skip=$((16#$offset / 4096)) count=$pages \
				2>/dev/null) 2>/dev/null |
			awk -v path="$path" -v base=$((16#$offset)) '{ printf "%s+0x%x\n", path, base + $1 - 1 }'
	done <"/proc/$pid/maps" | sort
}
# fdinfo_ids PID KEY: the BPF object ids (prog_id, link_id) that PID's descriptors hold.
fdinfo_ids() { grep -h "^$2:" /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u; }

start_target killed "$REL" flood 100000 || fail "target starts (SIGKILL)"
breakpoints_before=$(code_breakpoints "$TARGET_PID")
start_tracer killed_tracer --exact -p "$TARGET_PID" || fail "tracer attaches (SIGKILL)"
our_progs=$(fdinfo_ids "$TRACER_PID" prog_id)
our_links=$(fdinfo_ids "$TRACER_PID" link_id)
our_breakpoints=$(comm -13 <(echo "$breakpoints_before") <(code_breakpoints "$TARGET_PID"))
check_true "tracer holds BPF programs ($(echo $our_progs | wc -w))" test -n "$our_progs"
check_true "tracer holds BPF links ($(echo $our_links | wc -w))" test -n "$our_links"
check_true "tracer set uprobe breakpoints in the target's code ($(echo $our_breakpoints | wc -w))" \
	test -n "$our_breakpoints"
kill -KILL "$TRACER_PID"
wait "$TRACER_PID" 2>/dev/null
# The kernel frees programs, links and uprobes soon after the last reference goes: wait for
# that, at most 5 s (a process holding them longer is a leak).
deadline=$((SECONDS + 5))
while [ $SECONDS -lt $deadline ]; do
	left_progs=$(comm -12 <(echo "$our_progs") <(bpftool prog show -j | jq -r '.[].id' | sort -u))
	left_links=$(comm -12 <(echo "$our_links") <(bpftool link show -j | jq -r '.[].id' | sort -u))
	left_breakpoints=$(comm -12 <(echo "$our_breakpoints") <(code_breakpoints "$TARGET_PID"))
	[ -z "$left_progs$left_links$left_breakpoints" ] && break
	sleep 0.05
done
check_eq "programs of the killed tracer still loaded" "$(echo $left_progs)" ""
check_eq "links of the killed tracer still present" "$(echo $left_links)" ""
check_eq "breakpoints of the killed tracer left in the target's code" "$(echo $left_breakpoints)" ""
target_send go
check_true "target runs on after the tracer's SIGKILL" wait_for_line "$WORK/killed.out" '^done'
target_send free
check_true "target frees after the tracer's SIGKILL" wait_for_line "$WORK/killed.out" '^freed'
target_close

# --- Outstanding map full: dropped counted, kept counted right ----------------------------
flood=1000000 cap=1024
start_target flood "$REL" flood "$flood" || fail "flood target starts"
start_tracer flood_tracer --exact -p "$TARGET_PID" --no-stacks --max-entries "$cap" -i 500ms \
	--json="$WORK/flood.json" || fail "tracer attaches (flood)"
target_send go
wait_for_line "$WORK/flood.out" '^done' 120 || fail "flood target allocates"
target_send free
wait_for_line "$WORK/flood.out" '^freed' 120 || fail "flood target frees"
stop_tracer
check_eq "flood: tracer exit status" "$TRACER_RC" 0
s=$(summary_of "$WORK/flood.json" "$TARGET_PID")
check_eq "flood: allocs" "$(jq -r .native.allocs <<<"$s")" "$flood"
check_eq "flood: dropped (allocs beyond the map)" "$(jq -r .native.dropped <<<"$s")" $((flood - cap))
check_eq "flood: frees of kept blocks (= kept)" "$(jq -r .native.frees <<<"$s")" "$cap"
check_eq "flood: frees of dropped (or pre-attach) blocks" \
	"$(jq -r .native.frees_dropped_or_untracked <<<"$s")" $((flood - cap))
check_eq "flood: none called frees of pre-attach blocks" "$(jq -r .native.frees_untracked <<<"$s")" 0
check_eq "flood: bytes freed of kept blocks" "$(jq -r .native.bytes_freed <<<"$s")" $((cap * 16))
check_eq "flood: live figures approximate" "$(jq -r .native.approximate <<<"$s")" true
check_true "flood: the console summary reports the drops" \
	grep -q "live figures approximate: $((flood - cap)) allocations" "$WORK/flood_tracer.out"
target_close

# --- A statically linked target with symbols ---------------------------------------------
start_target static "$TARGETS/static_hold" || fail "static target starts"
start_tracer static_tracer --exact -p "$TARGET_PID" -i 100ms --json="$WORK/static.json" ||
	fail "tracer attaches (static)"
target_send go
wait_for_line "$WORK/static.out" '^done' || fail "static target allocates"
stop_tracer
s=$(summary_of "$WORK/static.json" "$TARGET_PID")
check_eq "static: allocs" "$(jq -r .native.allocs <<<"$s")" 1000
check_eq "static: bytes" "$(jq -r .native.bytes_allocated <<<"$s")" 100000
check_eq "static: live allocs" "$(jq -r .native.live_allocs <<<"$s")" 1000
target_close

# --- jemalloc (LD_PRELOAD): malloc found in libjemalloc by name -------------------------
jemalloc=$(ldconfig -p | awk '/libjemalloc.so.2 .*x86-64/ { print $NF; exit }')
if [ -z "$jemalloc" ]; then
	skip "jemalloc target" "libjemalloc2 not installed"
else
	start_target jemalloc env LD_PRELOAD="$jemalloc" "$REL" flood 5000 ||
		fail "jemalloc target starts"
	check_true "jemalloc is mapped into the target" grep -q libjemalloc "/proc/$TARGET_PID/maps"
	start_tracer jemalloc_tracer --exact -p "$TARGET_PID" -i 100ms -v --json="$WORK/jemalloc.json" ||
		fail "tracer attaches (jemalloc)"
	check_true "free probed in libjemalloc" grep -q 'free in .*libjemalloc' "$WORK/jemalloc_tracer.err"
	target_send go
	wait_for_line "$WORK/jemalloc.out" '^done' || fail "jemalloc target allocates"
	target_send free
	wait_for_line "$WORK/jemalloc.out" '^freed' || fail "jemalloc target frees"
	stop_tracer
	s=$(summary_of "$WORK/jemalloc.json" "$TARGET_PID")
	check_eq "jemalloc: allocs" "$(jq -r .native.allocs <<<"$s")" 5000
	check_eq "jemalloc: frees" "$(jq -r .native.frees <<<"$s")" 5000
	check_eq "jemalloc: bytes" "$(jq -r .native.bytes_allocated <<<"$s")" $((5000 * 16))
	target_close
fi

# --- The target forks: the child is not traced without -f --------------------------------
start_target fork "$REL" fork || fail "fork target starts"
start_tracer fork_tracer --exact -p "$TARGET_PID" -i 100ms --json="$WORK/fork.json" ||
	fail "tracer attaches (fork)"
target_send go
wait_for_line "$WORK/fork.out" '^done' || fail "fork target finishes"
stop_tracer
s=$(summary_of "$WORK/fork.json" "$TARGET_PID")
check_eq "fork: parent's allocs only (the child's 500 not counted)" \
	"$(jq -r .native.allocs <<<"$s")" 1000
check_eq "fork: one summary (the child is not followed)" \
	"$(jq -s '[.[] | select(.type == "summary")] | length' "$WORK/fork.json")" 1
target_close

# --- With -f, the child is followed: its own report, its own exact counts ------------------
start_target forkf "$REL" forkwait || fail "forkwait target starts"
start_tracer forkf_tracer --exact -f -p "$TARGET_PID" -i 100ms --json="$WORK/forkf.json" ||
	fail "tracer attaches (-f)"
target_send go
if wait_for_line "$WORK/forkf_tracer.err" 'following PID'; then
	child=$(sed -n 's/.*following PID \([0-9]*\) (forked by PID '"$TARGET_PID"').*/\1/p' \
		"$WORK/forkf_tracer.err" | head -1)
	ok "-f: the tracer follows the child (PID $child)"
	target_send child    # read by the child: it allocates only now
	wait_for_line "$WORK/forkf.out" '^done' || fail "-f: target finishes"
	stop_tracer
	check_eq "-f: tracer exit status" "$TRACER_RC" 0
	check_eq "-f: parent's allocs" \
		"$(summary_of "$WORK/forkf.json" "$TARGET_PID" | jq -r .native.allocs)" 1000
	check_eq "-f: child's allocs" "$(summary_of "$WORK/forkf.json" "$child" | jq -r .native.allocs)" 500
	check_eq "-f: child's summary says exited" \
		"$(summary_of "$WORK/forkf.json" "$child" | jq -r .exited)" true
else
	fail "-f: the tracer follows the child" "no 'following PID' line"
	target_send child
fi
target_close

# --- The target execs: the trace ends with a summary when the new image exits ------------
start_target exec "$REL" exec /bin/true || fail "exec target starts"
start_tracer exec_tracer --exact -p "$TARGET_PID" -i 100ms --json="$WORK/exec.json" ||
	fail "tracer attaches (exec)"
target_send go
wait "$TRACER_PID"
check_eq "exec: tracer exit status" "$?" 0
s=$(summary_of "$WORK/exec.json" "$TARGET_PID")
check_eq "exec: summary says exited" "$(jq -r .exited <<<"$s")" true
allocs=$(jq -r .native.allocs <<<"$s")
if [ -n "$allocs" ] && [ "$allocs" -ge 100 ]; then
	ok "exec: the 100 allocations before the exec counted ($allocs in all)"
else
	fail "exec: allocations before the exec" "got '$allocs'"
fi
target_close
finish
