#!/usr/bin/env bash
# deny-read.sh FILE CMD...: run CMD with FILE unreadable to it: an empty mode-000 file is
# mounted over FILE, and CMD runs without the capabilities that read past file modes. Meant
# to run under `unshare -m`, so the rest of the system still sees FILE.
set -e
mount --make-rprivate /
blocker=$(mktemp)
chmod 000 "$blocker"
mount --bind "$blocker" "$1"
rm -f "$blocker"
shift
exec setpriv --bounding-set=-dac_override,-dac_read_search "$@"
