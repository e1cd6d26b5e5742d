#!/usr/bin/env bash
# Runs the unit tests (CMocka binaries) and the end-to-end tests (tests/e2e/test_*.sh, which
# print "ok - NAME" / "not ok - NAME" / "skip - NAME: why" lines). Ends with one line
# "N passed, N failed, N skipped"; exits non-zero if anything failed. Not running the
# end-to-end tests (not root), a test script that passes no check (all skipped), or a run
# with no test at all counts as a failure: only `make unit` (unit) leaves them out.
# Usage: tests/run-tests.sh OUTPUT_DIR [unit|e2e] [NAME-FILTER]
set -u
output=${1:?output dir}
which=${2:-all}
filter=${3:-${TESTS:-}}
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0
failures=()

count_unit() {
	local bin=$1 log rc n
	log=$(mktemp)
	"$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	passed=$((passed + ${n:-0}))
	n=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	if [ -n "$n" ] || [ $rc -ne 0 ]; then
		failed=$((failed + ${n:-1}))
		failures+=("$(basename "$bin")")
	fi
	n=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	skipped=$((skipped + ${n:-0}))
	rm -f "$log"
}

count_e2e() {
	local script=$1 log rc p f s
	log=$(mktemp)
	echo "== $(basename "$script")"
	OUTPUT="$output" bash "$script" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	s=$(grep -c '^skip - ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$script") exited $rc"
		f=1
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$script") passed no check ($s skipped)"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failures+=("$(basename "$script")")
	rm -f "$log"
}

if [ "$which" = all ] || [ "$which" = unit ]; then
	for bin in "$output"/tests/test_*; do
		[ -x "$bin" ] || continue
		case "$bin" in *.so) continue ;; esac
		[ -n "$filter" ] && [[ $(basename "$bin") != *$filter* ]] && continue
		count_unit "$bin"
	done
fi
if [ "$which" = all ] || [ "$which" = e2e ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "not ok - end-to-end tests not run: they load BPF programs and need root" \
			"(make unit runs the unit tests alone)"
		failed=$((failed + 1))
		failures+=("e2e (not root)")
	else
		for script in "$here"/e2e/test_*.sh; do
			[ -n "$filter" ] && [[ $(basename "$script") != *$filter* ]] && continue
			count_e2e "$script"
		done
	fi
fi

if [ $((passed + failed)) -eq 0 ]; then
	echo "not ok - no test ran${filter:+ (none matches '$filter')}"
	failed=1
	failures+=("(none)")
fi
echo
[ ${#failures[@]} -gt 0 ] && echo "failed in: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
