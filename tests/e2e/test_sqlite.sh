#!/usr/bin/env bash
# --sqlite: docs/sql.md's queries, each taken from the doc by its "-- query:" name, run against
# traced workloads with known allocations; the file after kill -9; a file that cannot be opened.
source "$(dirname "$0")/lib.sh"

# query NAME DB: runs docs/sql.md's query NAME on DB, rows as "a|b|c".
query() {
	local sql
	sql=$(awk -v name="$1" '/^```/ { on = 0 } on { print } $0 == "-- query: " name { on = 1 }' \
		"$ROOT/docs/sql.md")
	[ -n "$sql" ] || { echo "no query $1 in docs/sql.md" >&2; return 1; }
	sqlite3 -batch "$2" "$sql"
}
MiB=1048576

# Native ground truth: tests/targets/alloc_exact.c (as test_native_exact.sh).
allocs=$((10000 + 100 + 100 + 20 + 30 + 10 + 5 + 10))
start_target exact "$TARGETS/alloc_exact" || { fail "alloc_exact starts"; finish; }
start_tracer exact_t --exact -p "$TARGET_PID" -i 200ms --sqlite "$WORK/exact.db" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/exact.out" '^done' || fail "alloc_exact finished its allocations"
sleep 0.5
stop_tracer
check_eq "exit status after Ctrl-C" "$TRACER_RC" 0
db=$WORK/exact.db
check_eq "interval allocs sum to the target's" \
	"$(sqlite3 "$db" "SELECT sum(allocs) FROM intervals WHERE pid = $TARGET_PID")" "$allocs"
check_eq "processes row" "$(sqlite3 "$db" "SELECT pid, exited FROM processes")" "$TARGET_PID|0"
check_eq "leak_candidates: the leaking function first, with its live blocks" \
	"$(query leak_candidates "$db" | head -1 | cut -d'|' -f2- | sed 's/+0x[0-9a-f]*//')" \
	"leak_blocks|5000|$((5000 * 4096))"
check_eq "stacks: frame 1 of that stack is main, a native frame with its module" \
	"$(sqlite3 "$db" "SELECT f.kind, f.function LIKE 'main%', f.module LIKE '%alloc_exact',
		f.address > 0 FROM stack_samples s JOIN stacks f USING (pid, stack_id)
		WHERE f.frame_index = 1 ORDER BY s.live_bytes DESC LIMIT 1")" "native|1|1|1"

# Steps over 50 MB and RSS: tests/targets/hold_blocks.c holds 120 MiB, later 20 MiB more.
start_target hold "$TARGETS/hold_blocks" || { fail "hold_blocks starts"; finish; }
start_tracer hold_t --exact -p "$TARGET_PID" -i 1s --sqlite "$WORK/hold.db" ||
	{ fail "tracer attaches (hold_blocks)"; finish; }
sleep 1.5
target_send "hold 30 $((4 * MiB))"
wait_for_line "$WORK/hold.out" '^done'
sleep 2.5
target_send "hold 5 $((4 * MiB))"
sleep 2.5
stop_tracer
db=$WORK/hold.db
check_eq "live bytes at the last interval: what the target holds" \
	"$(sqlite3 "$db" "SELECT live_bytes FROM intervals ORDER BY seq DESC LIMIT 1")" $((140 * MiB))
big=$(query big_steps "$db")
# 120 MiB in one step (or split by an interval boundary into parts over 50 MB); never the 20.
check_between "big_steps: the 120 MiB step's growth" \
	"$(awk -F'|' '{ s += $4 } END { print s + 0 }' <<<"$big")" $((60 * MiB)) $((120 * MiB))
check_eq "big_steps: no other step" "$(awk -F'|' '$4 > 120 * 1048576' <<<"$big" | wc -l)" 0
check_eq "rss: RSS grew by what the target touched (140 MiB)" \
	"$(query rss "$db" | awk -F'|' 'NR == 1 { lo = $4 } { hi = $4 } END { print (hi - lo >= 139) }')" 1

# Frames: tests/targets/frame_loop.c leaks 512 bytes a frame (test_frames.sh).
start_target frames "$TARGETS/frame_loop" || { fail "frame_loop starts"; finish; }
start_tracer frames_t -p "$TARGET_PID" -i 100ms --frame render_frame --sqlite "$WORK/frames.db" ||
	{ fail "tracer attaches (frames)"; finish; }
target_send go
wait_for_line "$WORK/frames.out" '^done' 30 || fail "frame_loop finished its frames"
sleep 0.3
stop_tracer
db=$WORK/frames.db
check_eq "frames rows" "$(sqlite3 "$db" "SELECT count(*), min(seq), max(seq) FROM frames")" "150|1|150"
# Frame 41 holds the planted spike (16 x 64 KiB, all freed); every other frame after the first
# keeps the 512-byte leak.
check_eq "frame_growth: the leak in every frame but the first and the spike's" \
	"$(query frame_growth "$db" | awk -F'|' '$2 > 1 && $2 != 41 { print $3 }' | sort -u)" 512

# Python: the target's own gc.get_objects() census is the truth for python_types.
py=/usr/bin/python3.11
if [ -x "$py" ]; then
	start_target pyc "$py" "$WORKLOADS/py_census.py" || { fail "py_census starts"; finish; }
	start_tracer pyc_t --exact -p "$TARGET_PID" -i 200ms --sqlite "$WORK/py.db" ||
		{ fail "tracer attaches (python)"; finish; }
	sleep 1
	target_send make
	wait_done pyc 1
	target_send "census $WORK/census.json"
	wait_done pyc 2
	target_send "gc 7"
	wait_done pyc 3
	sleep 1
	stop_tracer
	db=$WORK/py.db
	want=$(jq .Keeper "$WORK/census.json")
	got=$(sqlite3 "$db" "SELECT live FROM python_types WHERE name = 'Keeper' ORDER BY seq DESC LIMIT 1")
	check_within "python_types: Keeper's live count against gc.get_objects()" "$got" "$want" 1
	check_eq "top_growing_types: Keeper grew by its census count" \
		"$(query top_growing_types "$db" | awk -F'|' '$2 == "Keeper" { print $3 }')" "$got"
	check_eq "python_types: a row per type per census" \
		"$(sqlite3 "$db" "SELECT count(*) = count(DISTINCT seq || name) FROM python_types")" 1
	# gc: the 7 full collections of "gc 7", inside the window the workload printed.
	read -r _ gc_from gc_to < <(grep '^gcwindow' "$WORK/pyc.out")
	check_eq "gc: gen-2 rows in the gc.collect(2) window" \
		"$(sqlite3 "$db" "SELECT count(*) FROM gc WHERE generation = 2
			AND start_ns BETWEEN ${gc_from:-0} AND ${gc_to:-0}")" 7
	check_eq "processes: the Python version" \
		"$(sqlite3 "$db" "SELECT python_version LIKE '3.11%' FROM processes")" 1
	target_close
else
	skip "python_types" "no $py"
fi

# kill -9 mid-run: the file opens with every interval but at most the last one.
start_target crash "$TARGETS/hold_blocks" || { fail "hold_blocks starts (crash)"; finish; }
start_tracer crash_t --exact -p "$TARGET_PID" -i 200ms --json="$WORK/crash.json" --sqlite "$WORK/crash.db" ||
	{ fail "tracer attaches (crash)"; finish; }
for i in 1 2 3 4 5; do
	target_send "hold 2 $MiB"
	sleep 0.5
done
kill -9 "$TRACER_PID"
wait "$TRACER_PID" 2>/dev/null
db=$WORK/crash.db
check_eq "after kill -9: integrity_check" "$(sqlite3 "$db" "PRAGMA integrity_check")" ok
json_rows=$(jq -r 'select(.type == "interval") | "\(.native.live_bytes)"' "$WORK/crash.json")
db_rows=$(sqlite3 "$db" "SELECT live_bytes FROM intervals ORDER BY seq")
check_eq "after kill -9: the JSON saw several intervals" "$(($(wc -l <<<"$json_rows") >= 5))" 1
check_eq "after kill -9: all intervals but at most the last" \
	"$(($(wc -l <<<"$db_rows") >= $(wc -l <<<"$json_rows") - 1))" 1
check_eq "after kill -9: the kept intervals' live bytes are the JSON's" \
	"$(tr '\n' ' ' <<<"$db_rows")" "$(head -n "$(wc -l <<<"$db_rows")" <<<"$json_rows" | tr '\n' ' ')"
target_close

# A path that cannot be created: one line, exit 18.
expect_error "--sqlite in a missing directory" 18 "cannot open --sqlite" \
	-p $$ --sqlite /nonexistent/dir/run.db
echo "not a database, but long enough to be read as a header" >"$WORK/text.db"
expect_error "--sqlite on a file that is not a database" 18 "cannot open --sqlite" \
	-p $$ --sqlite "$WORK/text.db"
finish
