#!/usr/bin/env bash
# GPU memory from outside, against the stand-in CUDA libraries (tests/targets/fake_cuda/: no
# GPU needed): exact per-device counts of the runtime and driver calls (none counted twice
# where the runtime calls the driver), reserved vs allocated through the caching allocator
# (its USDT probes, and its c10 functions where it has none), the allocating functions named
# (native and Python), the Prometheus gauges and the console lines; a process that maps no
# CUDA library gets no "gpu" key. All in the default (windowed) mode: GPU probes are exact.
source "$(dirname "$0")/lib.sh"

FAKE=$OUTPUT/targets/fake_cuda
KiB=1024
MiB=$((1024 * KiB))
for f in gpu_alloc libcudart.so.12 libcuda.so.1 libc10_cuda.so nosdt/libc10_cuda.so; do
	[ -e "$FAKE/$f" ] || { fail "stand-in $f built (make test-bins)"; finish; }
done
command -v curl >/dev/null || { fail "curl installed (tools/install-deps.sh)"; finish; }
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the C target: runtime and driver calls on two devices (tests/targets/fake_cuda/gpu_alloc.c)
start_target c "$FAKE/gpu_alloc" || { fail "gpu_alloc starts"; finish; }
c_pid=$TARGET_PID
port=$(free_port)
start_tracer c_trace -p "$c_pid" -i 200ms --json="$WORK/c.json" --prometheus "127.0.0.1:$port" \
	--budget gpu:1=8M --budget gpu:0=8M --budget gpu=12M ||
	{ fail "tracer attaches to gpu_alloc"; finish; }
target_send go
wait_for_line "$WORK/c.out" '^done' || fail "gpu_alloc made its allocations"
# Until an interval report after the last allocation (device 1's 5th) is served (20 s at most).
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/metrics" -o "$WORK/metrics.txt" || fail "GET /metrics" "curl failed"
	grep -q "^memtrace_gpu_allocations_total{pid=\"$c_pid\".*device=\"1\"} 5$" "$WORK/metrics.txt" && break
	sleep 0.2
done
sleep 0.3   # the console's interval line too
stop_tracer
check_eq "exit status after Ctrl-C" "$TRACER_RC" 0

summary=$(json_summary "$WORK/c.json" "$c_pid")
dev() { jq -r ".gpu.devices[] | select(.device == $1) | .$2" <<<"$summary"; }
check_eq "layers probed (runtime, driver, no caching allocator)" \
	"$(jq -c '[.gpu.runtime, .gpu.driver, .gpu.caching_allocator]' <<<"$summary")" '[true,true,false]'
check_eq "devices seen" "$(jq -c '[.gpu.devices[].device]' <<<"$summary")" '[0,1]'
# Device 0: 3 x cudaMalloc 1 MiB (one freed), cudaMallocAsync 512 KiB (freed), cuMemCreate
# 512 KiB; cuMemAlloc_v2 1 MiB in device 0's primary context, made current after
# cudaSetDevice(1). Counted twice (runtime and the driver call it makes), allocs would be 10.
dev0_live=$((2 * MiB + 512 * KiB + 1 * MiB))
dev1_live=$((8 * MiB + 64 * KiB + 2 * MiB + 256 * KiB))
check_eq "device 0 allocs" "$(dev 0 allocs)" 6
check_eq "device 0 frees (cudaFree(NULL) is none)" "$(dev 0 frees)" 2
check_eq "device 0 driver_allocs (cuMemCreate, cuMemAlloc_v2 in its context)" "$(dev 0 driver_allocs)" 2
if [ "$(dev 0 driver_allocs)" != 2 ]; then   # once in CI: the runtime's probes saw nothing
	echo "# the target's CUDA mappings (inode last) and the files' inodes now:"
	grep cuda "/proc/$c_pid/maps" | awk '{ print "#   " $6, $5 }' | sort -u
	stat -c '#   %n %i' "$FAKE"/libcuda*.so.*
	sed 's/^/#   tracer: /' "$WORK/c_trace.err"
	command -v bpftool >/dev/null && bpftool link show 2>/dev/null | grep -A3 uprobe | sed 's/^/#   /' | head -40
fi
check_eq "device 0 live_bytes" "$(dev 0 live_bytes)" $dev0_live
check_eq "device 0 reserved_bytes (no caching allocator: = live)" "$(dev 0 reserved_bytes)" $dev0_live
check_eq "device 0 peak_live_bytes" "$(dev 0 peak_live_bytes)" $dev0_live
check_eq "device 0 cuMemMap calls" "$(dev 0 maps)" 1
check_eq "device 0 bytes mapped" "$(dev 0 bytes_mapped)" $((512 * KiB))
check_eq "allocated_bytes without a caching allocator" "$(dev 0 allocated_bytes)" null
# Device 1: 2 x cudaMalloc 4 MiB, cudaMallocManaged 64 KiB, cuMemAlloc_v2 2 MiB (the
# application's own), cudaMallocHost 8 KiB (host), a failed 2 GiB cudaMalloc, a 0-byte one
# (no block, no failure); cuMemAlloc_v2 256 KiB in a context cuCtxCreate_v2 made on it.
check_eq "device 1 allocs" "$(dev 1 allocs)" 5
check_eq "device 1 frees" "$(dev 1 frees)" 0
check_eq "device 1 failed_allocs (the 2 GiB one)" "$(dev 1 failed_allocs)" 1
check_eq "device 1 driver_allocs" "$(dev 1 driver_allocs)" 2
check_eq "device 1 live_bytes" "$(dev 1 live_bytes)" $dev1_live
check_eq "device 1 managed_bytes" "$(dev 1 managed_bytes)" $((64 * KiB))
check_eq "device 1 pinned host allocs" "$(dev 1 host_pinned_allocs)" 1
check_eq "device 1 pinned host bytes" "$(dev 1 host_pinned_bytes)" $((8 * KiB))

stack() { jq -r "[.gpu.stacks[] | select(.device == $1 and (.frames[0] | startswith(\"$2+\")))] | .[0].$3" <<<"$summary"; }
check_eq "device 0 stack of load_weights: live bytes" "$(stack 0 load_weights live_bytes)" $((2 * MiB))
check_eq "device 0 stack of load_weights: allocs, frees" \
	"$(stack 0 load_weights allocs),$(stack 0 load_weights frees)" 3,1
check_eq "device 1 stack of alloc_activations (the 4 MiB ones first)" \
	"$(stack 1 alloc_activations live_bytes)" $((8 * MiB))
check_eq "device 1 stack of driver_alloc" "$(stack 1 driver_alloc live_bytes)" $((2 * MiB))
check_eq "device 0 stack of driver_context_alloc (its primary context)" \
	"$(stack 0 driver_context_alloc live_bytes)" $((1 * MiB))
check_eq "device 1 stack of driver_context_alloc (the context it created)" \
	"$(stack 1 driver_context_alloc live_bytes)" $((256 * KiB))
check_eq "its caller" "$(jq -r '[.gpu.stacks[] | select(.frames[0] | startswith("driver_alloc+"))][0].frames[1] | split("+")[0]' <<<"$summary")" main
check_eq "the interval lines have them (the most seen on device 1)" \
	"$(jq -s "[.[] | select(.type == \"interval\" and .pid == $c_pid) | .gpu.devices[] | select(.device == 1) | .live_bytes] | max" "$WORK/c.json")" \
	$dev1_live

# budget NAME: its events, [state, unit] each; budget_value NAME: the first one's value.
budget() { jq -s -c "[.[] | select(.type == \"budget\" and .budget == \"$1\")] | map([.state, .unit])" "$WORK/c.json"; }
budget_value() { jq -s "[.[] | select(.type == \"budget\" and .budget == \"$1\")][0].value" "$WORK/c.json"; }
check_eq "budget gpu:1=8M exceeded once" "$(budget gpu:1)" '[["exceeded","bytes"]]'
# An interval may fall between two of the target's calls: over the limit, at most the total.
check_between "its value: device 1's live bytes" "$(budget_value gpu:1)" $((8 * MiB + 1)) $dev1_live
check_eq "budget gpu:0=8M never crossed" "$(budget gpu:0)" "[]"
check_eq "budget gpu=12M (every device) exceeded once" "$(budget gpu)" '[["exceeded","bytes"]]'
check_between "its value: every device's live bytes" "$(budget_value gpu)" $((12 * MiB + 1)) \
	$((dev0_live + dev1_live))

# gauge NAME DEVICE: the value of NAME{pid=...,device=DEVICE} in the last scrape.
gauge() { awk -v want="$1{pid=\"$c_pid\"" -v dev="device=\"$2\"" 'index($1, want) == 1 && index($0, dev) { print $NF }' "$WORK/metrics.txt"; }
check_eq "memtrace_gpu_live_bytes{device=\"0\"}" "$(gauge memtrace_gpu_live_bytes 0)" $dev0_live
check_eq "memtrace_gpu_live_bytes{device=\"1\"}" "$(gauge memtrace_gpu_live_bytes 1)" $dev1_live
check_eq "memtrace_gpu_reserved_bytes{device=\"1\"}" "$(gauge memtrace_gpu_reserved_bytes 1)" $dev1_live
check_eq "memtrace_gpu_allocations_total{device=\"0\"}" "$(gauge memtrace_gpu_allocations_total 0)" 6
check_eq "no memtrace_gpu_allocated_bytes without a caching allocator" \
	"$(grep -c '^memtrace_gpu_allocated_bytes{' "$WORK/metrics.txt")" 0
check_true "console: a line for device 1 in the intervals" \
	grep -q "gpu 1: 5 allocs, 0 frees, live 10.3 MiB" "$WORK/c_trace.out"
check_true "console: the summary's GPU section" grep -q "GPU memory (runtime driver )" "$WORK/c_trace.out"
target_close

# --- -- COMMAND: the libraries it links are probed before it runs ("go" is waiting for it, so
# it allocates at once, before any poll) ----------------------------------------------------
mkfifo "$WORK/launch.in"
"$MEMTRACE" -i 200ms --json="$WORK/launch.json" -- "$FAKE/gpu_alloc" <"$WORK/launch.in" \
	>"$WORK/launch.out" 2>"$WORK/launch.err" &
launch_tracer=$!
E2E_PIDS+=("$launch_tracer")
exec 8>"$WORK/launch.in"
echo go >&8
wait_for_line "$WORK/launch.out" '^done' || fail "-- COMMAND: gpu_alloc made its allocations"
exec 8>&-
wait "$launch_tracer"
check_eq "-- COMMAND: exit status (the command's)" "$?" 0
summary=$(jq -c 'select(.type == "summary")' "$WORK/launch.json")
check_eq "-- COMMAND: allocs per device" "$(jq -c '[.gpu.devices[] | .allocs]' <<<"$summary")" '[6,5]'
check_eq "-- COMMAND: device 1 live_bytes" "$(dev 1 live_bytes)" $dev1_live

# --- the caching allocator, from Python (tests/targets/fake_cuda/gpu_tensors.py) ---------
python=$(ls -d /root/.pyenv/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -n1)
[ -n "$python" ] || python=/usr/bin/python3.11
# caching NAME LIBDIR PYTHON: the Python target over LIBDIR/libc10_cuda.so, traced; its
# summary in $summary, its own figures in $WORK/NAME.out.
caching() {
	start_target "$1" "$3" "$ROOT/tests/targets/fake_cuda/gpu_tensors.py" "$2/libc10_cuda.so" \
		"$FAKE/libcudart.so.12" || { fail "$1: the Python target starts"; return 1; }
	py_pid=$TARGET_PID
	start_tracer "$1_trace" -p "$py_pid" -i 200ms --json="$WORK/$1.json" ||
		{ fail "$1: tracer attaches"; return 1; }
	target_send go
	wait_for_line "$WORK/$1.out" '^done' || fail "$1: the Python target made its tensors"
	sleep 0.3
	stop_tracer
	target_close
	summary=$(json_summary "$WORK/$1.json" "$py_pid")
}
# truth NAME DEVICE FIELD: what the allocator itself said (2: allocated, 3: reserved).
truth() { awk -v d="$2" -v f="$3" '$1 == "truth" && $2 == d { print $f }' "$WORK/$1.out"; }

# USDT and the c10 symbols under pyenv's Python; USDT under Debian's (LTO, no frame pointers).
for variant in usdt:"$FAKE":"$python" symbols:"$FAKE/nosdt":"$python" \
	debian-usdt:"$FAKE":/usr/bin/python3.11; do
	IFS=: read -r name libdir py <<<"$variant"
	caching "$name" "$libdir" "$py" || continue
	check_eq "$name: caching allocator probed" "$(jq -r .gpu.caching_allocator <<<"$summary")" true
	# Device 0: 20 blocks of 256 KiB in 3 segments of 2 MiB; the first 8 (one segment) dropped
	# and that segment given back.
	check_eq "$name: device 0 tensor allocs, frees" "$(dev 0 tensor_allocs),$(dev 0 tensor_frees)" 20,8
	check_eq "$name: device 0 segments (cudaMalloc), given back" "$(dev 0 allocs),$(dev 0 frees)" 3,1
	check_eq "$name: device 0 allocated_bytes = the allocator's own" "$(dev 0 allocated_bytes)" "$(truth "$name" 0 3)"
	check_eq "$name: device 0 allocated_bytes" "$(dev 0 allocated_bytes)" $((12 * 256 * KiB))
	check_eq "$name: device 0 reserved_bytes = the allocator's own" "$(dev 0 reserved_bytes)" "$(truth "$name" 0 4)"
	check_eq "$name: device 0 reserved_bytes" "$(dev 0 reserved_bytes)" $((4 * MiB))
	check_eq "$name: device 0 fragmentation (reserved - allocated)" "$(dev 0 fragmentation_bytes)" $((MiB))
	check_eq "$name: device 0 live_bytes are the tensors'" "$(dev 0 live_bytes)" $((12 * 256 * KiB))
	check_eq "$name: device 0 peak_live_bytes (all 20)" "$(dev 0 peak_live_bytes)" $((20 * 256 * KiB))
	check_eq "$name: device 0 peak_reserved_bytes" "$(dev 0 peak_reserved_bytes)" $((6 * MiB))
	# Device 1: 3 blocks of 3 MiB, a 4 MiB segment each.
	check_eq "$name: device 1 tensor allocs, segments" "$(dev 1 tensor_allocs),$(dev 1 allocs)" 3,3
	check_eq "$name: device 1 allocated_bytes = the allocator's own" "$(dev 1 allocated_bytes)" "$(truth "$name" 1 3)"
	check_eq "$name: device 1 reserved_bytes = the allocator's own" "$(dev 1 reserved_bytes)" "$(truth "$name" 1 4)"
	check_eq "$name: device 1 reserved_bytes" "$(dev 1 reserved_bytes)" $((12 * MiB))
	tensors=$(jq -c '[.gpu.stacks[] | select(.device == 0 and .layer == "tensors")][0]' <<<"$summary")
	check_eq "$name: device 0 tensor stack's live bytes" "$(jq -r .live_bytes <<<"$tensors")" $((12 * 256 * KiB))
	check_eq "$name: its Python function" "$(jq -r '.python_stack[0].function' <<<"$tensors")" make_tensors
	check_eq "$name: its Python caller's line (main's first make_tensors)" \
		"$(jq -r '.python_stack[1].line' <<<"$tensors")" \
		"$(grep -n 'small = make_tensors' "$ROOT/tests/targets/fake_cuda/gpu_tensors.py" | cut -d: -f1)"
	segments=$(jq -c '[.gpu.stacks[] | select(.device == 1 and .layer == "cuda")][0]' <<<"$summary")
	check_true "$name: device 1 segments come from the allocator's grow()" \
		grep -q 'NativeCachingAllocator4grow' <<<"$(jq -r '.frames[0]' <<<"$segments")"
done

# --- no CUDA library mapped: no gpu key anywhere -------------------------------------------
start_target plain "$TARGETS/alloc_exact" || { fail "alloc_exact starts"; finish; }
plain_pid=$TARGET_PID
start_tracer plain_trace -p "$plain_pid" -i 200ms --json="$WORK/plain.json" ||
	{ fail "tracer attaches to alloc_exact"; finish; }
target_send go
wait_for_line "$WORK/plain.out" '^done' || fail "alloc_exact finished"
sleep 0.3
stop_tracer
check_true "a summary for the process without CUDA" test -n "$(json_summary "$WORK/plain.json" "$plain_pid")"
check_eq "lines with a gpu key for it" "$(jq -s '[.[] | select(has("gpu"))] | length' "$WORK/plain.json")" 0
target_close
finish
