#!/usr/bin/env bash
# What `make bench` compares memtrace-bpf with, from Debian: BCC's memleak (bpfcc-tools, and
# kernel headers for it: kheaders.sh), bpftrace, heaptrack (with gdb for `heaptrack -p`) and the
# wrk load generator. Installs only what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
missing=()
for pair in memleak-bpfcc:bpfcc-tools bpftrace:bpftrace heaptrack:heaptrack gdb:gdb wrk:wrk; do
	command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -e "/lib/modules/$(uname -r)/build" ] || "$here/kheaders.sh"
