# Shared helpers for end-to-end tests: sourced by tests/e2e/test_*.sh.
# Each check prints "ok - NAME", "not ok - NAME: why" or "skip - NAME: why"; the script's
# exit status is non-zero if any check failed.
set -u
if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - $(basename "$0"): end-to-end tests load BPF programs and need root"
	exit 1
fi
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
OUTPUT=${OUTPUT:-$ROOT/.output}
MEMTRACE=${MEMTRACE:-$ROOT/memtrace-bpf}
TARGETS=$OUTPUT/targets
WORKLOADS=$ROOT/tests/workloads
WORK=$(mktemp -d /tmp/memtrace-e2e.XXXXXX)
E2E_FAILED=0
E2E_PIDS=()

e2e_cleanup() {
	local pid
	for pid in "${E2E_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap e2e_cleanup EXIT

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; E2E_FAILED=1; }
skip() { echo "skip - $1: $2"; }
finish() { exit "$E2E_FAILED"; }

# check NAME ACTUAL EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1" "got '$2', expected '$3'"; fi
}

# check_within NAME ACTUAL EXPECTED PERCENT
check_within() {
	if awk -v a="$2" -v e="$3" -v p="$4" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(e != "" && a != "" && d <= e * p / 100) }'; then
		ok "$1 = $2 (expected $3 ±$4%)"
	else
		fail "$1" "got '$2', expected $3 ±$4%"
	fi
}

# check_between NAME ACTUAL LOW HIGH: a number from LOW to HIGH (inclusive)
check_between() {
	if awk -v a="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(a != "" && a == a + 0 && a >= lo && a <= hi) }'; then
		ok "$1 = $2 (expected $3 to $4)"
	else
		fail "$1" "got '$2', expected $3 to $4"
	fi
}

# check_true NAME COMMAND...: passes if the command succeeds
check_true() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "'$*' failed"; fi
}

# wait_for_line FILE PATTERN [SECONDS]: waits until a line of FILE matches PATTERN.
wait_for_line() {
	local file=$1 pattern=$2 deadline=$((SECONDS + ${3:-20}))
	while [ $SECONDS -lt $deadline ]; do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# timed out waiting for '$pattern' in $file:" >&2
	sed 's/^/#   /' "$file" >&2 2>/dev/null
	return 1
}

# wait_done NAME N: until target NAME has answered N commands with "done" (60 s at most);
# a check that fails, naming it, when it has not.
wait_done() {
	local deadline=$((SECONDS + 60))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(grep -c '^done' "$WORK/$1.out" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.02
	done
	fail "$1 answered $2 commands" "$(grep -c '^done' "$WORK/$1.out" 2>/dev/null) answered"
	return 1
}

# find_pythons [VERSION...]: the Pythons to test, into the array pythons: Debian's python3.11
# and pyenv's newest of each VERSION (default 3.8 to 3.13; one not installed is a skip that
# says so).
find_pythons() {
	local v found
	pythons=(/usr/bin/python3.11)
	[ $# -gt 0 ] || set -- 3.8 3.9 3.10 3.11 3.12 3.13
	for v in "$@"; do
		found=$(ls -d /root/.pyenv/versions/$v.*/bin/python3 2>/dev/null | sort -V | tail -n1)
		if [ -n "$found" ]; then pythons+=("$found"); else skip "python $v" "not installed under /root/.pyenv/versions"; fi
	done
}

# python_version PY: its version, "3.11.2".
python_version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'; }

# start_leak_service NAME PY: tests/workloads/leaky/leak_service.py (200 leaks a second) in the
# background, output in $WORK/NAME.out, until it is ready; its PID in LEAK_PID.
start_leak_service() {
	"$2" "$WORKLOADS/leaky/leak_service.py" 200 120 >"$WORK/$1.out" 2>&1 &
	LEAK_PID=$!
	E2E_PIDS+=("$LEAK_PID")
	wait_for_line "$WORK/$1.out" '^ready'
}

# expect_error NAME CODE PATTERN ARGS...: memtrace-bpf ARGS ($MEMTRACE may carry a wrapper
# command) exits CODE with exactly one line on stderr, matching PATTERN.
expect_error() {
	local name=$1 code=$2 pattern=$3 rc lines
	shift 3
	timeout 20 $MEMTRACE "$@" >"$WORK/err.out" 2>"$WORK/err" </dev/null
	rc=$?
	lines=$(wc -l <"$WORK/err")
	if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$WORK/err"; then
		ok "$name: exit $code, '$(cat "$WORK/err")'"
	else
		fail "$name" "exit $rc ($lines stderr lines: $(head -c 300 "$WORK/err"))"
	fi
}

# start_target NAME CMD...: starts CMD with stdin on a fifo we hold open (fd 7) and
# stdout in $WORK/NAME.out; waits for its "ready" line. Sets TARGET_PID.
# Writing a line to fd 7 (target_send) releases it; closing fd 7 (target_close) ends it.
start_target() {
	local name=$1
	shift
	rm -f "$WORK/$name.in"
	mkfifo "$WORK/$name.in"
	"$@" <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	TARGET_PID=$!
	E2E_PIDS+=("$TARGET_PID")
	exec 7>"$WORK/$name.in"
	wait_for_line "$WORK/$name.out" '^ready'
}
target_send() { echo "${1:-go}" >&7; }
target_close() { exec 7>&-; }

# start_tracer NAME ARGS...: runs memtrace-bpf ARGS in the background, stdout to
# $WORK/NAME.out, stderr to $WORK/NAME.err; waits until it says it is tracing.
start_tracer() {
	local name=$1
	shift
	"$MEMTRACE" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" 7>&- &
	TRACER_PID=$!
	E2E_PIDS+=("$TRACER_PID")
	wait_for_line "$WORK/$name.err" 'tracing'
}

# stop_tracer: Ctrl-C, then its exit status in TRACER_RC.
stop_tracer() {
	kill -INT "$TRACER_PID" 2>/dev/null
	wait "$TRACER_PID"
	TRACER_RC=$?
}

# json_summary FILE PID: the summary line for PID from an NDJSON file.
json_summary() {
	jq -c --argjson pid "$2" 'select(.type == "summary" and .pid == $pid)' "$1"
}
