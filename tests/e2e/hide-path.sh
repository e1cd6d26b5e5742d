#!/usr/bin/env bash
# hide-path.sh DIR CMD...: run CMD with an empty tmpfs over DIR. Meant to run under
# `unshare -m`, so the rest of the system still sees DIR.
set -e
mount --make-rprivate /
mount -t tmpfs none "$1"
shift
exec "$@"
