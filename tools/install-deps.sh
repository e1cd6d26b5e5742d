#!/usr/bin/env bash
# Install, only where missing, the Debian packages that building and testing memtrace-bpf need.
# Idempotent: a machine that already has everything makes no apt call at all.
set -euo pipefail

packages=(
	clang llvm make gcc pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev libcapstone-dev
	libiberty-dev libjson-c-dev   # C++ demangling for --frame; --baseline files
	libmicrohttpd-dev   # the --prometheus endpoint's HTTP server
	libsqlite3-dev sqlite3   # --sqlite; the sqlite3 shell runs docs/sql.md's queries in e2e tests
	libcmocka-dev jq    # unit tests; jq reads the JSON in end-to-end tests
	prometheus curl     # test_prometheus.sh: a real Prometheus scrapes the endpoint; promtool
	bsdutils         # script(1): test_live.sh runs --live under a pseudo-terminal
	golang-go        # `go tool pprof` reads the --pprof profiles back in end-to-end tests
	chromium         # test_html.sh renders the --html report headless (console errors, screenshot)
	python3-dbg      # build-id debug file for Debian's python3.11 (symbols for the Python collector)
	libjemalloc2     # the reliability test traces a target with jemalloc LD_PRELOADed
	libc6-dbg        # glibc's full symbol table: e2e tests name libc-internal frames (__libc_start_call_main)
	libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes: make fuzz, make sanitize
)

missing=()
for pkg in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root or install them yourself" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
