#!/usr/bin/env bash
# Lifetimes and pool hints (--exact): tests/targets/lifetimes.c frees known blocks after known
# times and churns one size class through a pool-shaped loop.
source "$(dirname "$0")/lib.sh"

# From tests/targets/lifetimes.c:
#   short_lived   1000 x malloc(64), each freed at once
#   medium_lived  100 x malloc(128), freed after a 50 ms sleep
#   never_freed   10 x malloc(512), kept
#   pool_batch    4000 batches of 8 x malloc(256), each batch freed before the next; a frame
#                 (end_frame) ends after every second batch: 2000 frames, 16 allocations each
pool_allocs=$((4000 * 8))

expect_error "--temporary-ms not a number" 2 "invalid --temporary-ms: soon" --temporary-ms soon -p 1
expect_error "--temporary-ms zero" 2 "invalid --temporary-ms: 0" --temporary-ms 0 -p 1

# The threshold on a bucket boundary (2^14 us): the temporary count, compared in the kernel, must
# then equal the histogram's frees under it exactly, however loaded the machine. What is
# freed "at once" may still take longer than that on a loaded machine: those counts are
# checked loosely (99%); what sleeps 50 ms cannot be quicker: exactly none temporary.
threshold_ms=16.384 threshold_ns=16384000
start_target life "$TARGETS/lifetimes" || { fail "target starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 200ms --temporary-ms $threshold_ms \
	--json="$WORK/trace.json" || { fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/life.out" '^done' || fail "target finished its allocations"
sleep 0.3
stop_tracer
check_eq "exit status after Ctrl-C" "$TRACER_RC" 0

summary=$(json_summary "$WORK/trace.json" "$TARGET_PID")
stack_of() {  # the lifetimes.stacks entry whose innermost frame is function $1
	jq -c --arg f "$1" '[.lifetimes.stacks[] | select(.frames[0] | startswith($f + "+"))] | .[0]' \
		<<<"$summary"
}
field() { jq -r "$2" <<<"$1"; }
holds() { jq -e "$2" <<<"$1" >/dev/null; }  # holds JSON FILTER: FILTER is true of JSON
# in_buckets JSON MIN_NS MAX_NS: the frees of its histogram in buckets from MIN_NS up to
# MAX_NS (null: no upper bound).
in_buckets() {
	jq -r --argjson lo "$2" --argjson hi "$3" \
		'[.lifetimes.histogram[] | select(.min_ns >= $lo and
		  ($hi == null or (.max_ns != null and .max_ns <= $hi))) | .count] | add // 0' <<<"$1"
}
# temporary_consistent NAME JSON: its temporary count is its histogram's frees under the
# threshold; at_least NAME GOT MIN.
temporary_consistent() {
	check_eq "$1: temporary = the histogram's frees under $threshold_ms ms" \
		"$(field "$2" .lifetimes.temporary)" "$(in_buckets "$2" 0 $threshold_ns)"
}
at_least() { check_true "$1 ($2 >= $3)" test "$2" -ge "$3"; }

check_eq "temporary threshold" "$(field "$summary" .lifetimes.temporary_ms)" $threshold_ms

short=$(stack_of short_lived)
check_eq "short_lived: allocations" "$(field "$short" .allocs)" 1000
check_eq "short_lived: frees measured" "$(field "$short" .lifetimes.freed)" 1000
check_eq "short_lived: survivors" "$(field "$short" .lifetimes.survivors)" 0
temporary_consistent short_lived "$short"
at_least "short_lived: temporary" "$(field "$short" .lifetimes.temporary)" 990
check_eq "short_lived: peak live" "$(field "$short" .peak_live)" 1

medium=$(stack_of medium_lived)
check_eq "medium_lived: frees measured" "$(field "$medium" .lifetimes.freed)" 100
check_eq "medium_lived: none temporary" "$(field "$medium" .lifetimes.temporary)" 0
# Slept 50 ms: the bucket of 32.8 to 65.5 ms or, after a slow wake-up, a later one.
check_eq "medium_lived: lifetimes from 32.8 ms" "$(in_buckets "$medium" 32768000 null)" 100
check_eq "medium_lived: most in the 32.8 to 65.5 ms bucket or the next" \
	"$(in_buckets "$medium" 32768000 131072000 | awk '{ print ($1 >= 90) }')" 1
check_true "medium_lived: mean lifetime 50 ms to 1 s ($(field "$medium" .lifetimes.mean_ns) ns)" \
	holds "$medium" '.lifetimes.mean_ns >= 50e6 and .lifetimes.mean_ns < 1e9'
check_eq "medium_lived: peak live" "$(field "$medium" .peak_live)" 100

kept=$(stack_of never_freed)
check_eq "never_freed: survivors" "$(field "$kept" .lifetimes.survivors)" 10
check_eq "never_freed: survival share" "$(field "$kept" .lifetimes.survival_share)" 1
check_eq "never_freed: frees measured" "$(field "$kept" .lifetimes.freed)" 0
check_eq "never_freed: listed with its lifetimes among the live stacks" \
	"$(jq -r '[.stacks[] | select(.frames[0] | startswith("never_freed+"))][0].lifetimes.survivors' <<<"$summary")" 10

pool_stack=$(stack_of pool_batch)
check_eq "pool_batch: allocations" "$(field "$pool_stack" .allocs)" "$pool_allocs"
check_eq "pool_batch: frees measured" "$(field "$pool_stack" .lifetimes.freed)" "$pool_allocs"
temporary_consistent pool_batch "$pool_stack"
at_least "pool_batch: temporary" "$(field "$pool_stack" .lifetimes.temporary)" $((pool_allocs * 99 / 100))

check_eq "process: frees measured" "$(field "$summary" .lifetimes.freed)" $((1000 + 100 + pool_allocs))
temporary_consistent process "$summary"
at_least "process: temporary" "$(field "$summary" .lifetimes.temporary)" $(((1000 + pool_allocs) * 99 / 100))
check_eq "process: survivors are the live allocations" "$(field "$summary" .lifetimes.survivors)" \
	"$(field "$summary" .native.live_allocs)"

pool=$(jq -c '[.pools[] | select(.frames[0] | startswith("pool_batch+"))] | .[0]' <<<"$summary")
check_eq "pool hint: kind" "$(field "$pool" .kind)" native_stack
check_eq "pool hint: block size" "$(field "$pool" .size)" 256
check_eq "pool hint: peak concurrent live" "$(field "$pool" .peak_live)" 8
check_eq "pool hint: pool bytes" "$(field "$pool" .pool_bytes)" 2048
check_eq "pool hint: allocations" "$(field "$pool" .allocs)" "$pool_allocs"
check_eq "pool hint: per frame without --frame" "$(field "$pool" .allocs_per_frame)" null
check_true "pool hint: calls saved per second" holds "$pool" '.calls_saved_per_s > 100'
check_true "pool hint: bytes churned per second" holds "$pool" '.bytes_churned_per_s > 25600'
check_eq "the pool-shaped stack is the first hint" "$(jq -r '.pools[0].frames[0] | split("+")[0]' <<<"$summary")" pool_batch
check_eq "no pool hint for blocks held long or kept" \
	"$(jq '[.pools[] | select(.frames[0] | test("^(medium_lived|never_freed)\\+"))] | length' <<<"$summary")" 0

# docs/json.md's recipe, taken from the doc.
recipe=$(awk '$0 == "<!-- recipe: temporary-and-pools -->" { want = 1; next }
	want && /^```sh/ { inside = 1; next } inside && /^```/ { exit } inside { print }' "$ROOT/docs/json.md")
cp "$WORK/trace.json" "$WORK/trace.ndjson"
rows=$(cd "$WORK" && bash -c "$recipe" | sed 's/+0x[0-9a-f]* ([a-z_]*)//')
check_eq "recipe temporary-and-pools: temporary rows" \
	"$(awk -F'\t' '$1 == "temporary" { print $2 "/" $4 }' <<<"$rows" | sort | tr '\n' ' ')" \
	"pool_batch/0 short_lived/0 "
check_eq "recipe temporary-and-pools: first pool row" \
	"$(awk -F'\t' '$1 == "pool" { print $2 "," $3 "," $4; exit }' <<<"$rows")" "pool_batch,256,8"
target_close

# --sqlite: docs/sql.md's lifetimes queries, taken from the doc by their "-- query:" name.
query() {
	local sql
	sql=$(awk -v name="$1" '/^```/ { on = 0 } on { print } $0 == "-- query: " name { on = 1 }' \
		"$ROOT/docs/sql.md")
	[ -n "$sql" ] || { echo "no query $1 in docs/sql.md" >&2; return 1; }
	sqlite3 "$2" "$sql"
}
start_target life3 "$TARGETS/lifetimes" || { fail "sqlite target starts"; finish; }
start_tracer sql --exact -p "$TARGET_PID" -i 200ms --temporary-ms $threshold_ms --sqlite="$WORK/run.db" ||
	{ fail "tracer attaches (sqlite)"; finish; }
target_send go
wait_for_line "$WORK/life3.out" '^done'
sleep 0.3
stop_tracer
target_close
check_eq "sqlite: temporary allocators, most first (function, freed, survivors)" \
	"$(query temporary_allocators "$WORK/run.db" | cut -d'|' -f2,4,5 | sed 's/+0x[0-9a-f]*//' | head -2 | tr '\n' ' ')" \
	"pool_batch|$pool_allocs|0 short_lived|1000|0 "
check_eq "sqlite: never_freed has no temporary row" \
	"$(query temporary_allocators "$WORK/run.db" | grep -c never_freed)" 0
check_eq "sqlite: the pool hint" \
	"$(query pool_hints "$WORK/run.db" | head -1 | cut -d'|' -f2,4-6)" \
	"native_stack|256|8|$pool_allocs"
check_eq "sqlite: medium_lived's bucket rows" \
	"$(sqlite3 "$WORK/run.db" "SELECT sum(b.count) FROM lifetime_buckets b JOIN stacks f ON f.pid = b.pid
	   AND f.stack_id = b.stack_id AND f.frame_index = 0 WHERE f.function LIKE 'medium_lived%'
	   AND b.min_ns >= 32768000")" 100

# --frame: the pool's allocations per frame. The frames before pool_pattern's first end at
# its first end_frame call, so 2000 frames end in all.
start_target life4 "$TARGETS/lifetimes" || { fail "frames target starts"; finish; }
start_tracer frames --exact -p "$TARGET_PID" -i 200ms --frame end_frame --json="$WORK/frames.json" ||
	{ fail "tracer attaches (--frame)"; finish; }
target_send go
wait_for_line "$WORK/life4.out" '^done'
sleep 0.3
stop_tracer
target_close
summary=$(json_summary "$WORK/frames.json" "$TARGET_PID")
frames=$(jq -s '[.[] | select(.type == "frame")] | length' "$WORK/frames.json")
check_eq "--frame: frames ended" "$frames" 2000
check_eq "--frame: pool hint's allocations per frame" \
	"$(jq -r '[.pools[] | select(.frames[0] | startswith("pool_batch+"))][0].allocs_per_frame' <<<"$summary")" \
	"$(awk -v f="$frames" -v a="$pool_allocs" 'BEGIN { print a / f }')"

# The console: the default threshold, the stack's lifetimes line and the pool hint.
start_target life2 "$TARGETS/lifetimes" || { fail "second target starts"; finish; }
start_tracer console --exact -p "$TARGET_PID" -i 200ms || { fail "tracer attaches (console)"; finish; }
target_send go
wait_for_line "$WORK/life2.out" '^done'
sleep 0.3
stop_tracer
check_true "console: process lifetimes line" \
	grep -qE "lifetimes: $((1100 + pool_allocs)) frees measured, [0-9]+ temporary \(< 1 ms\)" "$WORK/console.out"
check_true "console: pool hint for pool_batch" \
	grep -qE "pool: pool_batch\+0x[0-9a-f]+ \(lifetimes\): 256-B blocks, peak 8 live" "$WORK/console.out"
check_true "console: never_freed survives" grep -q "0 freed, 100.0% survive" "$WORK/console.out"
target_close

# Python types under --python=events (tests/workloads/py_lifetimes.py): the frees of class
# instances are seen, so are their lifetimes; one interpreter is enough here.
py=$(ls -d /root/.pyenv/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -n1)
[ -n "$py" ] || py=/usr/bin/python3.11
if [ ! -x "$py" ]; then
	skip "python types" "no python 3.12 under pyenv, no /usr/bin/python3.11"
	finish
fi
tag="python $(python_version "$py") events"
start_target pylife "$py" "$WORKLOADS/py_lifetimes.py" || { fail "$tag: workload starts"; finish; }
start_tracer pytracer --exact --python=events -p "$TARGET_PID" -i 200ms --temporary-ms $threshold_ms \
	--json="$WORK/py.json" || { fail "$tag: tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/pylife.out" '^done' || fail "$tag: workload finished"
sleep 0.3
stop_tracer
target_close
summary=$(json_summary "$WORK/py.json" "$TARGET_PID")
type_of() { jq -c --arg t "$1" '[.lifetimes.types[] | select(.name == $t)] | .[0]' <<<"$summary"; }
temp=$(type_of Temp)
check_eq "$tag: Temp freed, survivors" \
	"$(jq -c '[.lifetimes.freed, .lifetimes.survivors]' <<<"$temp")" "[1000,0]"
temporary_consistent "$tag: Temp" "$temp"
at_least "$tag: Temp temporary" "$(field "$temp" .lifetimes.temporary)" 990
held=$(type_of Held)
check_eq "$tag: Held freed, none temporary" \
	"$(jq -c '[.lifetimes.freed, .lifetimes.temporary]' <<<"$held")" "[100,0]"
check_eq "$tag: Held lifetimes from 32.8 ms" "$(in_buckets "$held" 32768000 null)" 100
kept=$(type_of Kept)
check_eq "$tag: Kept survivors and share" \
	"$(jq -c '[.lifetimes.survivors, .lifetimes.survival_share, .lifetimes.freed]' <<<"$kept")" "[10,1,0]"
pool=$(jq -c '[.pools[] | select(.kind == "python_type" and .name == "Particle")] | .[0]' <<<"$summary")
check_eq "$tag: Particle pool hint: peak live" "$(field "$pool" .peak_live)" 8
check_eq "$tag: Particle pool hint: instances" "$(jq -c '[.allocs, .frees]' <<<"$pool")" "[32000,32000]"
# Both plain classes: one instance size, the live bytes per live Kept.
check_eq "$tag: Particle pool hint: size is an instance's" "$(field "$pool" .size)" \
	"$(jq -r '.python.types[] | select(.name == "Kept") | .live_bytes / .live' <<<"$summary")"
check_eq "$tag: no pool hint for Held or Kept" \
	"$(jq '[.pools[] | select(.name == "Held" or .name == "Kept")] | length' <<<"$summary")" 0
finish
