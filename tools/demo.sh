#!/usr/bin/env bash
# The README's main job: start a bundled Python workload (tests/workloads/demo_app.py: a
# service loop with a slow leak), attach memtrace-bpf to its PID for a few seconds, print the
# live report and the summary. Nothing in the workload knows it is traced.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${DEMO_SECONDS:-8}
# The interpreter itself, not a pyenv shim, so the PID is Python from the start.
python=${DEMO_PYTHON:-$(python3 -c "import sys; print(sys.executable)")}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (BPF needs it): sudo make demo" >&2
	exit 4
fi
log=$(mktemp)
# The workload may be gone already (the summary can take seconds to symbolize): not an error.
trap 'kill "$app" 2>/dev/null || true; rm -f "$log"' EXIT
"$python" tests/workloads/demo_app.py $((seconds + 4)) >"$log" &
app=$!
until grep -q ready "$log"; do sleep 0.05; done

echo "demo: tracing $python tests/workloads/demo_app.py (PID $app) for $seconds s"
# Half-second samples give the leak detector enough points to call the leak within seconds.
echo "demo: \$ ./memtrace-bpf -p $app -d $seconds -i 500ms --top 3"
./memtrace-bpf -p "$app" -d "$seconds" -i 500ms --top 3 ${DEMO_FLAGS:-}
