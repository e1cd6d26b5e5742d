#!/usr/bin/env bash
# --pprof and --folded (docs/outputs.md): the figures of tests/targets/heap_profile.c, read back
# by Debian's `go tool pprof` (golang-go) and from the collapsed stacks.
source "$(dirname "$0")/lib.sh"

# The target's allocations, from tests/targets/heap_profile.c:
#   main -> outer -> middle -> leak_half: 4000 x malloc(1024), every other one freed
#   main -> leak_twice: 1000 x malloc(512) at each of two call sites
#   main -> churn: 2000 x malloc(256), all freed
half_live=$((2000 * 1024)) twice_live=$((2000 * 512))

if ! command -v go >/dev/null; then
	fail "go tool pprof is installed" "no go: tools/install-deps.sh installs golang-go"
	finish
fi
# pprof keeps its own files under $HOME/pprof: not in the tester's home.
export HOME=$WORK

# pprof_flat FILE SAMPLE_INDEX FUNCTION: the function's own (flat) figure, in bytes or count.
pprof_flat() {
	go tool pprof -top -unit=B -sample_index="$2" "$1" 2>>"$WORK/pprof.err" |
		awk -v f="$3" '$NF == f { sub(/B$/, "", $1); print $1 }'
}
pprof_cum() {
	go tool pprof -top -unit=B -sample_index="$2" "$1" 2>>"$WORK/pprof.err" |
		awk -v f="$3" '$NF == f { sub(/B$/, "", $4); print $4 }'
}

# --- one process: FILE itself ------------------------------------------------------------
start_target one "$TARGETS/heap_profile" || { fail "target starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 200ms --top 1 --json="$WORK/trace.json" \
	--pprof "$WORK/heap.pb.gz" --folded "$WORK/heap.folded" || { fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/one.out" '^done' || fail "target finished its allocations"
sleep 0.3
stop_tracer
check_eq "exit status after Ctrl-C" "$TRACER_RC" 0
check_eq "gzip'd (magic 1f8b)" "$(head -c 2 "$WORK/heap.pb.gz" | od -An -tx1 | tr -d ' ')" 1f8b

profile=$WORK/heap.pb.gz
check_eq "pprof inuse_space of leak_half" "$(pprof_flat "$profile" inuse_space leak_half)" "$half_live"
check_eq "pprof inuse_objects of leak_half" "$(pprof_flat "$profile" inuse_objects leak_half)" 2000
check_eq "pprof alloc_space of leak_half" "$(pprof_flat "$profile" alloc_space leak_half)" $((4000 * 1024))
check_eq "pprof alloc_objects of leak_half" "$(pprof_flat "$profile" alloc_objects leak_half)" 4000
check_eq "pprof inuse_space of leak_twice (two call sites)" \
	"$(pprof_flat "$profile" inuse_space leak_twice)" "$twice_live"
check_eq "pprof alloc_objects of leak_twice" "$(pprof_flat "$profile" alloc_objects leak_twice)" 2000
# A stack whose blocks were all freed is in the profile for its alloc_* figures.
check_eq "pprof alloc_objects of churn (all freed)" "$(pprof_flat "$profile" alloc_objects churn)" 2000
check_eq "pprof alloc_space of churn" "$(pprof_flat "$profile" alloc_space churn)" $((2000 * 256))
check_eq "pprof inuse_space of churn: not listed" "$(pprof_flat "$profile" inuse_space churn)" ""
check_eq "pprof: outer's cumulative inuse_space is its callee's" \
	"$(pprof_cum "$profile" inuse_space outer)" "$half_live"
check_eq "pprof: main's cumulative inuse_space holds both" \
	"$(pprof_cum "$profile" inuse_space main)" $((half_live + twice_live))
check_eq "pprof's default sample type is inuse_space" \
	"$(go tool pprof -top "$profile" 2>/dev/null | sed -n 's/^Type: //p')" inuse_space
check_eq "pprof said nothing on stderr" "$(cat "$WORK/pprof.err")" ""
# Locations carry the module as a Mapping's file and the address.
check_true "pprof: the executable is a mapping" \
	grep -q "/targets/heap_profile  \[FN\]" <(go tool pprof -raw "$profile" 2>/dev/null)
# The other outputs still show --top: one stack.
check_eq "json summary keeps --top 1" \
	"$(json_summary "$WORK/trace.json" "$TARGET_PID" | jq '.stacks | length')" 1

folded=$WORK/heap.folded
folded_count() { awk -v s="$2" 'substr($0, 1, length(s) + 1) == s " " { print $NF }' "$1"; }
leak_half_line=$(grep ';main;outer;middle;leak_half ' "$folded" | sed 's/ [0-9]*$//')
check_eq "folded: leak_half's line carries its live bytes" \
	"$(folded_count "$folded" "$leak_half_line")" "$half_live"
check_eq "folded: root first, the program's name" "${leak_half_line%%;*}" heap_profile
check_eq "folded: leak_twice's two stacks are one line" "$(grep -c ';main;leak_twice ' "$folded")" 1
check_eq "folded: leak_twice's line" "$(grep ';main;leak_twice ' "$folded" | awk '{ print $NF }')" \
	"$twice_live"
check_eq "folded: nothing live under churn" "$(grep -c ';churn' "$folded")" 0
check_eq "folded: every line is 'stack count'" "$(grep -cvE '^heap_profile(;[^;]+)+ [0-9]+$' "$folded")" 0
target_close

# --- two processes: FILE.PID each; the folded lines of one program add up ----------------
start_target first "$TARGETS/heap_profile" || { fail "first target starts"; finish; }
first=$TARGET_PID
exec 8>&7
start_target second "$TARGETS/heap_profile" || { fail "second target starts"; finish; }
second=$TARGET_PID
start_tracer two --exact -p "$first" -p "$second" -i 200ms --pprof "$WORK/two.pb.gz" \
	--folded "$WORK/two.folded" || { fail "tracer attaches (two)"; finish; }
echo go >&8
target_send go
wait_for_line "$WORK/first.out" '^done' && wait_for_line "$WORK/second.out" '^done' ||
	fail "targets finished their allocations"
sleep 0.3
stop_tracer
check_eq "two: exit status" "$TRACER_RC" 0
check_eq "two: no FILE itself" "$(test -e "$WORK/two.pb.gz" && echo present)" ""
check_eq "two: first's profile, leak_half" "$(pprof_flat "$WORK/two.pb.gz.$first" inuse_space leak_half)" \
	"$half_live"
check_eq "two: second's profile, leak_half" \
	"$(pprof_flat "$WORK/two.pb.gz.$second" inuse_space leak_half)" "$half_live"
check_eq "two: folded leak_half of both" \
	"$(grep ';main;outer;middle;leak_half ' "$WORK/two.folded" | awk '{ print $NF }')" $((2 * half_live))
exec 8>&-
target_close

# --- a launched command: FILE; with -f, FILE.PID (its children could come) ---------------
# The target reads "go", allocates, then exits at the end of its stdin.
echo go | "$MEMTRACE" --pprof "$WORK/launched.pb.gz" -- "$TARGETS/heap_profile" \
	>/dev/null 2>"$WORK/launched.err"
check_eq "launched: exit status (the command's)" "$?" 0
check_eq "launched: FILE, leak_half" "$(pprof_flat "$WORK/launched.pb.gz" inuse_space leak_half)" \
	"$half_live"
echo go | "$MEMTRACE" -f --pprof "$WORK/forks.pb.gz" -- "$TARGETS/heap_profile" \
	>/dev/null 2>"$WORK/forks.err"
forks=("$WORK"/forks.pb.gz.*)
check_eq "launched with -f: one FILE.PID" "${#forks[@]} $(basename "${forks[0]}" | sed 's/[0-9]*$/N/')" \
	"1 forks.pb.gz.N"
check_eq "launched with -f: its leak_half" "$(pprof_flat "${forks[0]}" inuse_space leak_half)" \
	"$half_live"

# --- bad values ---------------------------------------------------------------------------
sleep 30 7>&- &
E2E_PIDS+=($!)
sleeper=$!
# expect_usage NAME PATTERN ARGS...: exit 2 (bad value) with one stderr line matching PATTERN.
expect_usage() {
	local name=$1 pattern=$2 rc
	shift 2
	"$MEMTRACE" "$@" >/dev/null 2>"$WORK/err" </dev/null
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q -- "$pattern" "$WORK/err"; then
		ok "$name: exit 2, '$(cat "$WORK/err")'"
	else
		fail "$name" "exit $rc: $(head -c 300 "$WORK/err")"
	fi
}
expect_usage "--pprof into a missing folder" "cannot write /nonexistent/heap.pb.gz: No such file" \
	-p "$sleeper" -d 1 --pprof /nonexistent/heap.pb.gz
expect_usage "--pprof FILE.PID into a missing folder" "cannot write /nonexistent/heap.pb.gz" \
	-f -p "$sleeper" -d 1 --pprof /nonexistent/heap.pb.gz
expect_usage "--folded into a missing folder" "cannot write /nonexistent/x.folded" \
	-p "$sleeper" -d 1 --folded /nonexistent/x.folded
expect_usage "--pprof without stacks" "needs allocation stacks" -p "$sleeper" --no-stacks --pprof x
expect_usage "--folded with --light" "needs allocation stacks" -p "$sleeper" --light --folded x
expect_usage "--pprof with an empty name" "invalid --pprof file: empty name" -p "$sleeper" --pprof=

finish
