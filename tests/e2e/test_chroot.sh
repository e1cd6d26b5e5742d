#!/usr/bin/env bash
# A target in a chroot, traced from outside: /proc/PID/maps shows its files from our root,
# not from its own, and both its probes and its stacks must still find them.
source "$(dirname "$0")/lib.sh"

jail=$WORK/jail
mkdir -p "$jail/bin"
cp "$TARGETS/alloc_exact" "$jail/bin/"
# The target's shared libraries, at the paths its dynamic loader looks in.
for lib in $(ldd "$TARGETS/alloc_exact" | grep -o '/[^ ]*'); do
	mkdir -p "$jail$(dirname "$lib")"
	cp -L "$lib" "$jail$lib"
done

start_target jailed chroot "$jail" /bin/alloc_exact || { fail "chrooted target starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 200ms --python=off --json="$WORK/trace.json" ||
	{ fail "tracer attaches to a chrooted target: $(cat "$WORK/tracer.err")"; finish; }
target_send go
wait_for_line "$WORK/jailed.out" '^done' || fail "target finished its allocations"
stop_tracer
check_eq "chrooted: exit status" "$TRACER_RC" 0
summary=$(json_summary "$WORK/trace.json" "$TARGET_PID")
check_eq "chrooted: allocations counted exactly" "$(jq -r .native.allocs <<<"$summary")" 10275
check_eq "chrooted: frees counted exactly" "$(jq -r .native.frees <<<"$summary")" 5050
check_eq "chrooted: the leaking function is named" \
	"$(jq -r '.stacks[0].frames[0] | split("+")[0]' <<<"$summary")" leak_blocks
target_close
finish
