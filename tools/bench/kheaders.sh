#!/usr/bin/env bash
# Kernel headers for BCC's memleak-bpfcc on a kernel without /lib/modules/*/build or IKHEADERS:
# Debian's linux-headers-<ver>-amd64 laid over its -common tree, in /opt/kheaders/tree.
# Then: BCC_KERNEL_SOURCE=/opt/kheaders/tree memleak-bpfcc -p PID (bench.sh finds it itself).
set -euo pipefail
dest=${1:-/opt/kheaders}
[ -d "$dest/tree/include" ] && exit 0
ver=$(apt-cache search --names-only '^linux-headers-6\.1\.0-[0-9]+-amd64$' | awk '{ print $1 }' |
	sort -V | tail -1 | sed 's/^linux-headers-//; s/-amd64$//')
mkdir -p "$dest" && cd "$dest"
apt-get download "linux-headers-$ver-amd64" "linux-headers-$ver-common"
for deb in ./*.deb; do dpkg -x "$deb" root; done
cp -a "root/usr/src/linux-headers-$ver-common" tree
cp -a "root/usr/src/linux-headers-$ver-amd64/." tree/
