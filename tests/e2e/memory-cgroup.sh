#!/usr/bin/env bash
# memory-cgroup.sh create LIMIT: makes a memory cgroup (v1, v2, or v2 under
# /sys/fs/cgroup/unified on a hybrid host) limited to LIMIT and prints its directory;
# memory-cgroup.sh remove DIR: removes it.
set -e
case "$1" in
create)
	if [ -d /sys/fs/cgroup/memory ]; then
		dir=/sys/fs/cgroup/memory/memtrace-test-$$
		mkdir "$dir"
		echo "$2" >"$dir/memory.limit_in_bytes"
		# no swap to spill to: the limit is the memory's (where swap is accounted)
		[ ! -e "$dir/memory.memsw.limit_in_bytes" ] || echo "$2" >"$dir/memory.memsw.limit_in_bytes"
	elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		dir=/sys/fs/cgroup/memtrace-test-$$
		mkdir "$dir"
		echo "$2" >"$dir/memory.max"
	elif grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
		# a hybrid host whose v2 tree has the memory controller
		echo +memory >/sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null
		dir=/sys/fs/cgroup/unified/memtrace-test-$$
		mkdir "$dir"
		echo "$2" >"$dir/memory.max" || { rmdir "$dir"; exit 1; }
		[ ! -e "$dir/memory.swap.max" ] || echo 0 >"$dir/memory.swap.max"
	else
		exit 1
	fi
	echo "$dir"
	;;
remove)
	rmdir "$2"
	;;
esac
