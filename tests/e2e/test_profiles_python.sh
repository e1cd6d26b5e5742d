#!/usr/bin/env bash
# --pprof with Python frames (docs/outputs.md): tests/workloads/leaky's make_leak() keeps 4 KiB
# bytes buffers; traced with --exact, the profile read back by Debian's `go tool pprof` names
# make_leak at leaky_module.py's LEAK_LINE above the interpreter's native frames, with the
# bytes the JSON summary of the same run gives its stacks.
source "$(dirname "$0")/lib.sh"

if ! command -v go >/dev/null; then
	fail "go tool pprof is installed" "no go: tools/install-deps.sh installs golang-go"
	finish
fi
export HOME=$WORK   # pprof keeps its own files under $HOME/pprof
LEAKY=$WORKLOADS/leaky
leak_line=$(grep -n '# LEAK_LINE' "$LEAKY/leaky_module.py" | cut -d: -f1)
pythons=(/usr/bin/python3.11 "$(ls -d /root/.pyenv/versions/3.12.*/bin/python3 2>/dev/null |
	sort -V | tail -n1)")

for py in "${pythons[@]}"; do
	if [ ! -x "$py" ]; then
		fail "python '$py' is installed" "the test's Pythons are Debian's 3.11 and pyenv's 3.12"
		continue
	fi
	ver=$(python_version "$py")
	tag="python $ver"
	start_leak_service "leak$ver" "$py" || { fail "$tag: leak workload starts"; continue; }
	pid=$LEAK_PID
	timeout 60 "$MEMTRACE" -p "$pid" --exact -d 5 --top 1000 --json="$WORK/leak$ver.json" \
		--pprof "$WORK/leak$ver.pb.gz" >/dev/null 2>"$WORK/leak$ver.err"
	check_eq "$tag: trace exits 0" "$?" 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	profile=$WORK/leak$ver.pb.gz

	# Ground truth: the live bytes of the JSON stacks whose Python frames hold make_leak.
	summary=$(json_summary "$WORK/leak$ver.json" "$pid")
	truth=$(jq '[.stacks[] | select(any(.python_stack[]?; .function == "make_leak")) |
		.live_bytes] | add // 0' <<<"$summary")
	total=$(jq '[.stacks[].live_bytes] | add // 0' <<<"$summary")
	check_between "$tag: the JSON stacks hold make_leak's buffers (ground truth)" "$truth" \
		$((100 * 4096)) "$total"

	# pprof -lines: one row per (function, file:line); make_leak's is a caller of the
	# interpreter's frames, so its cumulative figure is the one to read.
	go tool pprof -top -inuse_space -unit=B -lines "$profile" >"$WORK/top$ver" \
		2>"$WORK/pprof$ver.err"
	check_eq "$tag: pprof said nothing on stderr" "$(cat "$WORK/pprof$ver.err")" ""
	row=$(awk '$6 == "make_leak" && $7 ~ /leaky_module\.py:[0-9]+$/' "$WORK/top$ver")
	check_eq "$tag: make_leak's rows are at LEAK_LINE only" \
		"$(sed 's/.*leaky_module\.py:\([0-9]*\)$/\1/' <<<"$row" | sort -u)" "$leak_line"
	cum=$(awk '{ sub(/B$/, "", $4); s += $4 } END { print s + 0 }' <<<"$row")
	check_between "$tag: pprof make_leak (leaky_module.py:$leak_line) holds >= 90% of the truth" \
		"$cum" $((truth * 9 / 10)) "$total"
	check_true "$tag: make_leak's file is a Function's filename" \
		grep -q "make_leak .*/leaky_module.py:$leak_line" "$WORK/top$ver"

	# -traces: a leak's sample goes native frames (the leaf first, at least one), then
	# make_leak, then its Python callers down to <module> (a name pprof must not take for
	# C++ and strip).
	go tool pprof -traces -inuse_space "$profile" 2>/dev/null >"$WORK/traces$ver"
	order=$(awk '/^-+\+-+$/ { if (t ~ / make_leak /) { print t; exit } t = ""; next }
		{ t = t " " $NF }' "$WORK/traces$ver")
	check_true "$tag: a trace goes native frames, make_leak, main, <module> (got:$order)" \
		grep -qE '^ [^ ]+( [^ ]+)* make_leak main <module>$' <<<"$order"
done
finish
