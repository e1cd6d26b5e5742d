#!/usr/bin/env bash
# Every bad input: one line on stderr and its own exit code (README: "Exit codes").
source "$(dirname "$0")/lib.sh"

# A PID that does not exist: the highest possible one, checked free.
missing_pid=4194303
while kill -0 "$missing_pid" 2>/dev/null; do missing_pid=$((missing_pid - 1)); done

expect_error "no such PID" 3 "no such process: $missing_pid" -p "$missing_pid"
expect_error "PID not a number" 2 "invalid PID: abc" -p abc
# A session that fails before any summary removes the empty profile it began, but never a
# device: --pprof /dev/null (a node of the same device here) must stay.
mknod "$WORK/null" c 1 3
expect_error "no such PID, --pprof on a device" 3 "no such process: $missing_pid" -p "$missing_pid" \
	--pprof "$WORK/null"
check_true "--pprof on a device: the device is still there" test -c "$WORK/null"
expect_error "no such PID, --pprof on a file" 3 "no such process: $missing_pid" -p "$missing_pid" \
	--pprof "$WORK/failed.pb.gz"
check_true "--pprof on a file: no empty profile left" test ! -e "$WORK/failed.pb.gz"
expect_error "PID zero" 2 "invalid PID: 0" -p 0
expect_error "negative PID" 2 "invalid PID: -5" -p -5
expect_error "PID out of range" 2 "invalid PID" -p 99999999999
expect_error "interval not a number" 2 "invalid interval" -p 1 -i fast
expect_error "interval zero" 2 "invalid interval" -p 1 -i 0
expect_error "interval too small" 2 "invalid interval" -p 1 -i 1ms
expect_error "duration with a bad unit" 2 "invalid duration" -p 1 -d 5weeks
expect_error "max-entries too small" 2 "invalid --max-entries" -p 1 --max-entries 5
expect_error "empty --json file" 2 "invalid --json" -p 1 --json=
expect_error "nothing to trace" 2 "nothing to trace"
expect_error "stray argument" 2 "unexpected argument" -p 1 extra
expect_error "both -p and a command" 2 "not both" -p 1 -- true
expect_error "no command after --" 2 "no command after" --
expect_error "unknown flag" 2 "^memtrace-bpf: unrecognized option '--bogus'$" -p 1 --bogus
expect_error "flag without its value" 2 "^memtrace-bpf: option requires an argument -- 'p'$" -p
expect_error "command not found" 9 "command not found" -- /nonexistent/program

# A kernel thread has no user memory (kthreadd is PID 2 outside a PID namespace).
if [ -r /proc/2/stat ] && (( $(awk '{print $9}' /proc/2/stat) & 0x200000 )); then
	expect_error "kernel thread" 2 "PID 2 is a kernel thread: nothing to trace" -p 2
else
	skip "kernel thread" "PID 2 is no kernel thread here (a PID namespace)"
fi

# A thread's ID is not its process's: churn runs a stdin watcher thread.
start_target threads "$TARGETS/churn" || fail "churn starts"
tid=$(ls "/proc/$TARGET_PID/task" | grep -vx "$TARGET_PID" | head -n1)
expect_error "thread ID" 2 "PID $tid is a thread of process $TARGET_PID: give -p $TARGET_PID" -p "$tid"
target_close

# Not root: the same binary run as nobody, with no capabilities.
sleep 30 7>&- &
E2E_PIDS+=($!)
MEMTRACE_AS_ROOT=$MEMTRACE
MEMTRACE="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all $MEMTRACE_AS_ROOT"
expect_error "not root" 4 "permission denied" -p $!
MEMTRACE=$MEMTRACE_AS_ROOT
# A kernel without BTF or uprobes, as seen from a mount namespace that hides them.
sleep 30 7>&- &
E2E_PIDS+=($!)
MEMTRACE_AS_ROOT=$MEMTRACE
MEMTRACE="unshare -m $ROOT/tests/e2e/hide-path.sh /sys/kernel/btf $MEMTRACE_AS_ROOT"
expect_error "kernel without BTF" 5 "no BTF" -p $!
MEMTRACE="unshare -m $ROOT/tests/e2e/hide-path.sh /sys/bus/event_source/devices/uprobe $MEMTRACE_AS_ROOT"
expect_error "kernel without uprobes" 5 "no uprobes" -p $!
MEMTRACE=$MEMTRACE_AS_ROOT

# The target's memory map unreadable (as when a security module or a container's policy
# forbids it): a permission error, not an internal one.
sleep 30 7>&- &
E2E_PIDS+=($!)
MEMTRACE="unshare -m $ROOT/tests/e2e/deny-read.sh /proc/$!/maps $MEMTRACE_AS_ROOT"
expect_error "maps unreadable" 4 "cannot read /proc/$!/maps: permission denied" -p $!
MEMTRACE=$MEMTRACE_AS_ROOT

# BPF load failure: maps that do not fit in a 64 MiB memory cgroup (the stack maps are
# preallocated: 2^20 stacks of 272 bytes; the outstanding map no longer is). The first line
# says so, the next ones are libbpf's last words.
if cgroup=$("$ROOT/tests/e2e/memory-cgroup.sh" create 64M); then
	sh -c "echo \$\$ > $cgroup/cgroup.procs && exec $MEMTRACE --exact -p $! --stack-entries 1048576 --python=off" \
		>"$WORK/out" 2>"$WORK/err" 7>&-
	rc=$?
	"$ROOT/tests/e2e/memory-cgroup.sh" remove "$cgroup"
	if [ $rc -eq 7 ] && head -n1 "$WORK/err" | grep -q "loading BPF programs failed" &&
	   grep -q "libbpf:" "$WORK/err"; then
		ok "BPF load failure: exit 7, '$(head -n1 "$WORK/err")'"
	else
		fail "BPF load failure" "exit $rc: $(head -c 300 "$WORK/err")"
	fi
else
	skip "BPF load failure" "no memory cgroup controller to limit the maps with"
fi

# A stripped static binary has no malloc symbol to attach to.
if true; then
	start_target static "$TARGETS/static_hold_stripped" || fail "static target starts"
	expect_error "allocator not found (static, stripped)" 6 "no malloc found" -p "$TARGET_PID"
	target_close
fi

# Go's allocator is not malloc. A Go program is known by its sections: here a C target
# given one (a real Go program too where a Go toolchain is installed).
printf 'go1.22' >"$WORK/go-payload"
objcopy --add-section .go.buildinfo="$WORK/go-payload" "$TARGETS/static_hold_stripped" \
	"$WORK/static-go"
start_target static_go "$WORK/static-go" || fail "static Go-like target starts"
expect_error "Go program (static)" 6 "PID $TARGET_PID runs a Go program: Go's allocator is not traced$" \
	-p "$TARGET_PID"
target_close
# With cgo a Go program maps libc: its C code's malloc is traced, and a warning says so.
objcopy --add-section .note.go.buildid="$WORK/go-payload" "$TARGETS/alloc_exact" "$WORK/cgo-go"
start_target cgo_go "$WORK/cgo-go" || fail "cgo Go-like target starts"
start_tracer cgo_go_tracer --exact -p "$TARGET_PID" --json="$WORK/cgo.json" -i 100ms ||
	fail "tracer attaches to a cgo program"
target_send go
wait_for_line "$WORK/cgo_go.out" '^done'
target_close
wait "$TRACER_PID"
check_eq "Go program (cgo): tracer exit status" "$?" 0
check_eq "Go program (cgo): the warning" "$(grep -c "PID $TARGET_PID runs a Go program: Go's \
allocator is not traced, only malloc from its C code" "$WORK/cgo_go_tracer.err")" 1
check_eq "Go program (cgo): malloc still counted" \
	"$(jq -r 'select(.type == "summary") | .native.frees' "$WORK/cgo.json")" 5050
if command -v go >/dev/null; then
	mkdir -p "$WORK/gohello"
	cat >"$WORK/gohello/main.go" <<'GO'
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}
GO
	(cd "$WORK/gohello" && CGO_ENABLED=0 GO111MODULE=off GOCACHE="$WORK/gocache" go build -o ../gohello-bin main.go) ||
		fail "a Go program builds"
	start_target gohello "$WORK/gohello-bin" || fail "Go program starts"
	expect_error "Go program (real)" 6 "runs a Go program: Go's allocator is not traced" -p "$TARGET_PID"
	target_close
else
	echo "# no Go toolchain installed: the section-based checks above stand in for a Go build"
fi

# Python 2.7 and 3.6 (no _PyRuntime): named as unsupported, not "no CPython interpreter".
for version in 2.7 3.6; do
	py=$(ls -d /root/.pyenv/versions/$version.*/bin/python$version 2>/dev/null | head -n1)
	if [ -z "$py" ]; then
		skip "python $version named" "no pyenv $version here"
		continue
	fi
	start_target "py$version" "$py" -c 'import sys; print("ready"); sys.stdout.flush(); sys.stdin.read()' ||
		fail "python $version starts"
	$MEMTRACE -p "$TARGET_PID" -d 300ms >/dev/null 2>"$WORK/py$version.err"
	check_eq "python $version: tracer exit status" "$?" 0
	check_eq "python $version: named as unsupported" \
		"$(grep -c "python: PID $TARGET_PID: CPython $version\.[0-9]* in .* is not supported (3.8 to 3.13 are); native tracing only" "$WORK/py$version.err")" 1
	target_close
done

# The target exits while traced: a summary, then exit 0.
start_target exiting "$TARGETS/alloc_exact" || fail "target starts"
start_tracer exiting_tracer --exact -p "$TARGET_PID" --json="$WORK/exit.json" -i 100ms || fail "tracer attaches"
target_send go
wait_for_line "$WORK/exiting.out" '^done'
target_close
wait "$TRACER_PID"
rc=$?
check_eq "target exits mid-trace: tracer exit status" "$rc" 0
check_eq "target exits mid-trace: summary says exited" \
	"$(jq -r 'select(.type == "summary") | .exited' "$WORK/exit.json")" true
check_eq "target exits mid-trace: counts kept" \
	"$(jq -r 'select(.type == "summary") | .native.frees' "$WORK/exit.json")" 5050
finish
