#!/usr/bin/env bash
# Fragmentation told apart from a leak, against tests/targets/fragment_heap.c: in "fragment"
# mode its heap grows ~2 MiB a round while its live bytes grow 8 KiB (holes no later block
# fits); in "leak" mode both grow together. The target prints glibc's own view (mallinfo2)
# after each round: the main arena's figures must match it exactly. The same for pymalloc
# with tests/workloads/pymalloc_fragment.py, against sys._debugmallocstats().
source "$(dirname "$0")/lib.sh"

ROUNDS=16
PAIRS=250
PIN=32

# run_target NAME MODE: the target under --exact, one round every 0.3 s, then 0.6 s still.
run_target() {
	start_target "$1" "$TARGETS/fragment_heap" "$2" $ROUNDS 300 || { fail "$1 starts"; return 1; }
	start_tracer "$1_trace" --exact -p "$TARGET_PID" -i 200ms --json="$WORK/$1.json" ||
		{ fail "tracer attaches ($1)"; return 1; }
	target_send go
	wait_for_line "$WORK/$1.out" '^done' 60 || { fail "$1 runs its rounds"; return 1; }
	sleep 0.6
	stop_tracer
	target_close
	wait "$TARGET_PID" 2>/dev/null
}

# jq_true FILTER: the JSON on stdin passes FILTER (for check_true; quiet).
jq_true() { jq -e "$1" >/dev/null; }

# mallinfo FILE FIELD: the target's last figure of FIELD (arena, free, top).
mallinfo() { grep '^round' "$1" | tail -n1 | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }

# --- fragment: the finding, and glibc's own figures ---------------------------------------
if run_target frag fragment; then
	j=$WORK/frag.json
	pid=$TARGET_PID
	ev=$(jq -c 'select(.type == "fragmentation")' "$j")
	check_eq "fragmenting heap: one fragmentation event" "$(grep -c . <<<"$ev")" 1
	check_true "the event's gap grows >= 1 MiB/s while live bytes grow < 5% of that" \
		jq_true '.gap_growth_per_s >= 1048576 and .live_growth_per_s < 0.05 * .gap_growth_per_s' <<<"$ev"
	s=$(json_summary "$j" "$pid")
	f=$(jq -c .fragmentation <<<"$s")
	check_eq "summary: held from the main arena" "$(jq -r .held_from <<<"$f")" main_arena
	check_eq "held bytes = glibc's mallinfo2 arena" "$(jq .held_bytes <<<"$f")" "$(mallinfo "$WORK/frag.out" arena)"
	check_eq "top free bytes = mallinfo2 keepcost" "$(jq .top_free_bytes <<<"$f")" "$(mallinfo "$WORK/frag.out" top)"
	check_eq "free chunks + top = mallinfo2 fordblks" \
		"$(jq '.free_chunk_bytes + .top_free_bytes' <<<"$f")" "$(mallinfo "$WORK/frag.out" free)"
	check_eq "free chunks walked in full" "$(jq .free_chunks_partial <<<"$f")" false
	check_between "free chunks: one hole per block (the last of each round joins the top)" \
		"$(jq .free_chunks <<<"$f")" $((ROUNDS * (PAIRS - 1))) $((ROUNDS * PAIRS))
	check_eq "live bytes = the pins ($ROUNDS x $PAIRS x $PIN B)" "$(jq .live_bytes <<<"$f")" $((ROUNDS * PAIRS * PIN))
	check_eq "gap = held - live" "$(jq '.gap_bytes == .held_bytes - .live_bytes' <<<"$f")" true
	check_true "gap over 30 MiB, RSS holding it (>= 90% of held)" \
		jq_true '.gap_bytes > 31457280 and .rss_bytes >= 0.9 * .held_bytes' <<<"$f"
	check_eq "summary verdict and when it was found" \
		"$(jq -c '[.verdict, .found_at_ns == ($ev | fromjson).elapsed_ns]' --arg ev "$ev" <<<"$f")" \
		'["fragmenting",true]'
	check_eq "interval reports carry the figures" \
		"$(jq -s "[.[] | select(.type == \"interval\" and .pid == $pid) | .fragmentation.held_bytes > 0] | all" "$j")" true
	check_eq "the event names glibc" "$(jq -r .allocator <<<"$ev")" glibc
	check_true "console: the event line" grep -q 'fragmentation (glibc): the allocator holds' "$WORK/frag_trace.out"
	check_true "console summary: the heap line" grep -q '^  heap: live .*, glibc holds .* free chunks), gap .*; RSS' "$WORK/frag_trace.out"
fi

# --- leak: the heap grows with the live bytes: no fragmentation --------------------------
if run_target leak leak; then
	j=$WORK/leak.json
	f=$(json_summary "$j" "$TARGET_PID" | jq -c .fragmentation)
	check_eq "leaking heap: no fragmentation event" "$(jq -c 'select(.type == "fragmentation")' "$j" | grep -c .)" 0
	check_eq "leaking heap: verdict" "$(jq -r .verdict <<<"$f")" not_fragmenting
	# 250 blocks of 8 KiB + 256 B x round, kept
	check_eq "leaking heap: live bytes = every block" "$(jq .live_bytes <<<"$f")" \
		$((PAIRS * (ROUNDS * 8192 + 256 * ROUNDS * (ROUNDS - 1) / 2)))
	check_eq "leaking heap: held = mallinfo2 arena" "$(jq .held_bytes <<<"$f")" "$(mallinfo "$WORK/leak.out" arena)"
	check_true "leaking heap: live growth, not the gap's" \
		jq_true '.live_growth_per_s > 10 * .gap_growth_per_s' <<<"$f"
fi

# --- without exact live bytes (the default mode) there is no verdict -----------------------
start_target windowed "$TARGETS/fragment_heap" fragment 4 100 || { fail "windowed starts"; finish; }
start_tracer windowed_trace -p "$TARGET_PID" -i 200ms --json="$WORK/windowed.json" ||
	{ fail "tracer attaches (windowed)"; finish; }
target_send go
wait_for_line "$WORK/windowed.out" '^done' 60
sleep 0.3
stop_tracer
target_close
f=$(json_summary "$WORK/windowed.json" "$TARGET_PID" | jq -c .fragmentation)
check_eq "windowed: live bytes and verdict unknown, the arena still read, its free lists not walked" \
	"$(jq -c '[.live_bytes, .verdict, .gap_bytes, .held_bytes > 0, .top_free_bytes > 0, .free_chunks]' <<<"$f")" \
	'[null,null,null,true,true,null]'

# --- pymalloc: the default mode (no exact native figures needed), its own pools -----------
# stat FILE NAME: a figure of sys._debugmallocstats() ("# arenas allocated current = 5").
stat() { grep "^# $2 " "$1" | tail -n1 | sed 's/.*= *//; s/,//g'; }
unused_pools() { grep 'unused pools' "$1" | tail -n1 | sed 's/ unused.*//'; }
# py_run NAME PY MODE: the workload traced in the default mode, 16 rounds 0.3 s apart.
py_run() {
	start_target "$1" "$2" "$WORKLOADS/pymalloc_fragment.py" "$3" 16 0.3 ||
		{ fail "$1 starts"; return 1; }
	start_tracer "$1_trace" -p "$TARGET_PID" -i 200ms --json="$WORK/$1.json" ||
		{ fail "tracer attaches ($1)"; return 1; }
	target_send go
	wait_for_line "$WORK/$1.out" '^done' 60 || { fail "$1 runs its rounds"; return 1; }
	sleep 0.6
	stop_tracer
	target_close
	wait "$TARGET_PID" 2>/dev/null
}
pys=(/usr/bin/python3.11 $(ls -d /root/.pyenv/versions/3.12.*/bin/python3 2>/dev/null | tail -n1))
for py in "${pys[@]}"; do
	v=$(python_version "$py")
	py_run "pyfrag" "$py" fragment || continue
	pm=$(json_summary "$WORK/pyfrag.json" "$TARGET_PID" | jq -c .fragmentation.pymalloc)
	ev=$(jq -c 'select(.type == "fragmentation" and .allocator == "pymalloc")' "$WORK/pyfrag.json")
	stats=$WORK/pyfrag.err
	check_eq "python $v fragmenting: one pymalloc fragmentation event" "$(grep -c . <<<"$ev")" 1
	check_eq "python $v: arenas = _debugmallocstats' arenas allocated current" \
		"$(jq .arenas <<<"$pm")" "$(stat "$stats" "arenas allocated current")"
	check_eq "python $v: free pools = its unused pools" "$(jq .pools_free <<<"$pm")" "$(unused_pools "$stats")"
	# the workload's own frames and objects come and go around the stats call: 4 KiB
	blocks=$(stat "$stats" "bytes in allocated blocks")
	check_between "python $v: block bytes = its bytes in allocated blocks ($blocks) +- 4 KiB" \
		"$(jq .block_bytes <<<"$pm")" $((blocks - 4096)) $((blocks + 4096))
	check_eq "python $v: verdict" "$(jq -r .verdict <<<"$pm")" fragmenting
	check_true "python $v: arenas grew >= 1 MiB/s, blocks < 5% of that" \
		jq_true '.gap_growth_per_s >= 1048576 and .live_growth_per_s < 0.05 * .gap_growth_per_s' <<<"$pm"
	check_eq "python $v: no glibc verdict without exact live bytes" \
		"$(json_summary "$WORK/pyfrag.json" "$TARGET_PID" | jq -c '.fragmentation.verdict')" null

	py_run "pyleak" "$py" leak || continue
	pm=$(json_summary "$WORK/pyleak.json" "$TARGET_PID" | jq -c .fragmentation.pymalloc)
	check_eq "python $v leaking: no fragmentation event" \
		"$(jq -c 'select(.type == "fragmentation")' "$WORK/pyleak.json" | grep -c .)" 0
	check_eq "python $v leaking: verdict" "$(jq -r .verdict <<<"$pm")" not_fragmenting
	blocks=$(stat "$WORK/pyleak.err" "bytes in allocated blocks")
	check_between "python $v leaking: block bytes = its bytes in allocated blocks ($blocks) +- 4 KiB" \
		"$(jq .block_bytes <<<"$pm")" $((blocks - 4096)) $((blocks + 4096))
done
finish
