#!/usr/bin/env bash
# --fail-on-leak on launched commands, as a CI job runs them: judged at exit also by survival
# (what was made after the 1 s warm-up and still held), and --fail-fast ending a leaky command
# early. Targets: tests/workloads/leaky/ci_script.py (50 Record objects a second kept or
# dropped; it prints how many it kept) and tests/targets/short_leak.c (4 KiB blocks kept or
# freed from leak_block(), 100 a second, for 3 s: too short for the trend test's 12 samples).
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3.11
SCRIPT=$WORKLOADS/leaky/ci_script.py

# run NAME ARGS...: memtrace-bpf ARGS, stdout and stderr in $WORK/NAME.out; status in RC,
# wall seconds in WALL.
run() {
	local name=$1 t0
	shift
	t0=$(date +%s.%N)
	timeout 150 "$MEMTRACE" "$@" >"$WORK/$name.out" 2>&1 </dev/null
	RC=$?
	WALL=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}
# survival_leak FILE KIND NAME: the summary's survival leak of that kind and name.
survival_leak() {
	jq -c --arg k "$2" --arg n "$3" \
		'select(.type == "summary") | .leaks[] | select(.kind == $k and .survival != null and (.name | startswith($n)))' "$1"
}

# --- a 15 s leaky and a clean launched Python script -----------------------------------
run pyleak --fail-on-leak=medium --json="$WORK/pyleak.json" -- "$PY" "$SCRIPT" 15 leak
check_eq "leaky script under --fail-on-leak=medium: exit status" "$RC" 10
kept=$(awk '/^kept/ { print $2 }' "$WORK/pyleak.out")
check_between "leaky script kept 50 Records a second for 15 s" "$kept" 740 760
leak=$(survival_leak "$WORK/pyleak.json" python_type Record)
check_true "Record judged leaking by survival at exit" test -n "$leak"
elapsed=$(jq 'select(.type == "summary") | .elapsed_ns / 1e9' "$WORK/pyleak.json")
warmup=$(jq .survival.warmup_s <<<"$leak")
# What it kept, less the 50 a second made before warm-up and up to a second's after the last
# census (the summary counts an exited interpreter's types at its last report while it ran).
before=$(awk -v k="$kept" -v w="$warmup" 'BEGIN { printf "%d", k - 50 * w }')
check_between "Record survivors: kept since warm-up, to the last census" \
	"$(jq .survival.survived <<<"$leak")" $((before - 55)) $((before + 3))
check_within "Record survival rate: 50 a second" "$(jq .growth_per_s <<<"$leak")" 50 10
check_eq "Record survival severity (180,000/h)" "$(jq -r .severity <<<"$leak")" high
check_between "warm-up figures taken at the first report after 1 s" "$warmup" 1 1.5
check_between "summary at the script's exit" "$elapsed" 14.5 17

run pyclean --fail-on-leak=medium --json="$WORK/pyclean.json" -- "$PY" "$SCRIPT" 15 clean
check_eq "clean script under --fail-on-leak=medium: exit status" "$RC" 0
check_eq "clean script: no leak in the summary" \
	"$(jq -c 'select(.type == "summary") | .leaks | length' "$WORK/pyclean.json")" 0

# A 3 s one, censused every 0.5 s: no trend yet (too few samples), Record rose at every census.
run pyshort --fail-on-leak=medium -i 500ms --json="$WORK/pyshort.json" -- "$PY" "$SCRIPT" 3 leak
check_eq "3 s leaky script: exit status" "$RC" 10
check_eq "3 s leaky script: no trend leak" \
	"$(jq -c 'select(.type == "summary") | [.leaks[] | select(.survival == null)] | length' "$WORK/pyshort.json")" 0
leak=$(survival_leak "$WORK/pyshort.json" python_type Record)
check_within "3 s leaky script: Record survives at 50 a second" "$(jq .growth_per_s <<<"$leak")" 50 10
run pyshortclean --fail-on-leak=medium -i 500ms -- "$PY" "$SCRIPT" 3 clean
check_eq "3 s clean script: exit status" "$RC" 0
# 500 Records made at once after warm-up and kept till exit (a cache loaded once): they all
# survive, but their count rose at one census of the ten.
run pyonce --fail-on-leak=medium -i 500ms --json="$WORK/pyonce.json" -- "$PY" "$SCRIPT" 6 once
check_eq "script that loads a cache once after warm-up: exit status, what it kept" \
	"$RC $(awk '/^kept/ { print $2 }' "$WORK/pyonce.out")" "0 500"

# --- a 3 s C target: no trend yet, failed by survival ----------------------------------
run cleak --fail-on-leak=medium --json="$WORK/cleak.json" -- "$TARGETS/short_leak" 3000 4096 10000 keep
check_eq "3 s leaky C target: exit status" "$RC" 10
check_eq "3 s leaky C target: no trend leak (too few samples)" \
	"$(jq -c 'select(.type == "summary") | [.leaks[] | select(.survival == null)] | length' "$WORK/cleak.json")" 0
leak=$(survival_leak "$WORK/cleak.json" native_stack leak_block)
check_true "leak_block judged leaking by survival" test -n "$leak"
made=$(jq .survival.made <<<"$leak")
check_eq "leak_block: all it made after warm-up survived (bytes = made x 4096)" \
	"$(jq '[.survival.share, .survival.survived]' -c <<<"$leak")" "[1,$((made * 4096))]"
check_between "leak_block: made after warm-up, 100 a second for the 2 s left" "$made" 180 205
check_eq "leak_block severity (400 KiB/s)" "$(jq -r .severity <<<"$leak")" critical
check_eq "churn_block (freed) is no leak" \
	"$(jq -c 'select(.type == "summary") | [.leaks[] | select(.name | startswith("churn_block"))] | length' "$WORK/cleak.json")" 0

run cclean --fail-on-leak=medium --json="$WORK/cclean.json" -- "$TARGETS/short_leak" 3000 4096 10000 free
check_eq "3 s clean C target: exit status" "$RC" 0
check_eq "3 s clean C target: no leak" \
	"$(jq -c 'select(.type == "summary") | .leaks | length' "$WORK/cclean.json")" 0

# --- --fail-fast ends a 120 s leaky command once the trend test is sure -----------------
run fast --fail-on-leak=medium --fail-fast --json="$WORK/fast.json" -- "$PY" "$SCRIPT" 120 leak
check_eq "--fail-fast: exit status" "$RC" 10
check_between "--fail-fast: ended well before the command's 120 s" "$WALL" 5 40
check_true "--fail-fast says it ended the command" grep -q 'fail-fast: a leak of severity medium or worse; ending PID' "$WORK/fast.out"
check_eq "--fail-fast: the command did not finish (no 'kept' line)" "$(grep -c '^kept' "$WORK/fast.out")" 0
check_true "--fail-fast: a leak event before the end" \
	test "$(jq -s '[.[] | select(.type == "leak" and .severity != "low")] | length' "$WORK/fast.json")" -gt 0

# One that ignores SIGTERM is killed 5 s later: exit 10 all the same.
run stubborn --fail-on-leak=medium --fail-fast --json="$WORK/stubborn.json" -- "$PY" "$SCRIPT" 120 leak 50 ignore-term
check_eq "--fail-fast, SIGTERM ignored: exit status" "$RC" 10
first=$(jq -s '[.[] | select(.type == "leak" and .severity != "low")][0].elapsed_ns / 1e9' "$WORK/stubborn.json")
ended=$(jq 'select(.type == "summary") | .elapsed_ns / 1e9' "$WORK/stubborn.json")
check_between "--fail-fast, SIGTERM ignored: killed 5 s after the leak was found" \
	"$(awk -v a="$first" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')" 4.9 7
check_eq "--fail-fast, SIGTERM ignored: the command did not finish" "$(grep -c '^kept' "$WORK/stubborn.out")" 0

run fastclean --fail-on-leak=medium --fail-fast -- "$PY" "$SCRIPT" 4 clean
check_eq "--fail-fast on a clean command: it runs to its end, exit 0" \
	"$RC $(grep -c '^kept 0' "$WORK/fastclean.out")" "0 1"

expect_error "--fail-fast without --fail-on-leak" 2 'fail-fast needs --fail-on-leak' \
	--fail-fast -- /bin/true
expect_error "--fail-fast without a command" 2 'fail-fast ends a launched command' \
	--fail-on-leak --fail-fast -p $$
finish
