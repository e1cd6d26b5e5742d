#!/usr/bin/env bash
# The jq recipes of docs/json.md, each taken from the doc and run on a traced run's NDJSON:
# hold_blocks (100 x 4096 bytes held), frame_loop (a 16 x 64 KiB spike in frame 41, a
# 512-byte leak per frame from cache_entity), py_census.py (12000 Keeper, its own census).
source "$(dirname "$0")/lib.sh"

recipe() {   # recipe NAME: the shell block after <!-- recipe: NAME --> in docs/json.md
	awk -v name="$1" '$0 == "<!-- recipe: " name " -->" { want = 1; next }
		want && /^```sh/ { inside = 1; next } inside && /^```/ { exit } inside { print }' \
		"$ROOT/docs/json.md"
}
run_recipe() { (cd "$1" && bash -c "$(recipe "$2")"); }
traced() {   # traced DIR INPUT ARGS...: launched with --json=DIR/trace.ndjson, INPUT on stdin
	local dir=$1 input=$2
	shift 2
	mkdir -p "$dir"
	timeout 60 "$MEMTRACE" -i 200ms --json="$dir/trace.ndjson" "$@" <"$input" >"$dir/out" 2>&1
}

# tracing DIR: until the tracer in DIR has its probes on (loading them takes seconds on a slow
# machine): the targets' input is timed from there, not from the launch.
tracing() { wait_for_line "$1/out" '^memtrace-bpf: tracing' 60; }

for name in live-bytes growing-types leaks frames-over-budget; do
	[ -n "$(recipe "$name")" ] || fail "docs/json.md has recipe $name"
done

mkfifo "$WORK/hold.in" "$WORK/frames.in" "$WORK/py.in"
( tracing "$WORK/hold"; sleep 1; echo "hold 100 4096"; sleep 1 ) >"$WORK/hold.in" &
traced "$WORK/hold" "$WORK/hold.in" -- "$TARGETS/hold_blocks"
check_eq "live-bytes: the last interval line" \
	"$(run_recipe "$WORK/hold" live-bytes | tail -n1 | cut -f3)" $((100 * 4096))

( tracing "$WORK/frames"; sleep 1; echo go; sleep 3 ) >"$WORK/frames.in" &
traced "$WORK/frames" "$WORK/frames.in" -i 100ms --frame render_frame --fail-on-leak \
	-- "$TARGETS/frame_loop"
check_eq "frames-over-budget: the spike frame" \
	"$(run_recipe "$WORK/frames" frames-over-budget | tr '\t' ' ')" "41 $((10 * 1000 + 512 + 2 * 256 + 16 * 65536))"
check_eq "leaks: the leaking stack" \
	"$(run_recipe "$WORK/frames" leaks | awk -F'\t' '$1 == "native_stack" { print $2 }' | sort -u | cut -d+ -f1)" cache_entity

PY=/usr/bin/python3.11
# make comes 3 s in: after the first interval line even on a loaded machine (it is the baseline)
( tracing "$WORK/py"; sleep 3; echo make; sleep 0.5; echo "census $WORK/census.json"; sleep 1.5 ) >"$WORK/py.in" &
traced "$WORK/py" "$WORK/py.in" -- "$PY" "$WORKLOADS/py_census.py"
grown=$(run_recipe "$WORK/py" growing-types)
for type in Keeper Leaf; do   # made after the first line: their growth is all of their census
	check_eq "growing-types: $type's growth, by the target's own census" \
		"$(awk -F'\t' -v t=$type '$1 == t { print $2 }' <<<"$grown")" "$(jq .$type "$WORK/census.json")"
done
finish
