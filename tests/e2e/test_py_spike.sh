#!/usr/bin/env bash
# A spike names its Python line: tests/workloads/py_spike.py runs 60 paced frames (time.sleep)
# and makes a 6.5 MB burst in frame 40 only, in burst(); traced with --frame
# clock_nanosleep:libc, the largest spike is frame 40 and its top_python is burst()'s line.
# Interval reports every 20 ms: some come between the burst and the frame's end, where the
# frame's allocating stack must still be found (it grew before the interval's marks).
source "$(dirname "$0")/lib.sh"

burst_line=$(grep -n '# BURST_LINE' "$WORKLOADS/py_spike.py" | cut -d: -f1)
find_pythons 3.12
for py in "${pythons[@]}"; do
	ver=$(python_version "$py")
	start_target "spike$ver" "$py" "$WORKLOADS/py_spike.py" || { fail "python $ver: workload starts"; continue; }
	start_tracer "tspike$ver" -p "$TARGET_PID" --exact --frame clock_nanosleep:libc -i 20ms \
		--json="$WORK/spike$ver.json" || { fail "python $ver: tracer attaches"; target_close; continue; }
	target_send go
	wait_done "spike$ver" 1
	sleep 0.3
	stop_tracer
	target_close
	# The largest frame spike (a loaded machine may see a small one elsewhere, as the
	# median/MAD rule allows).
	spikes=$(jq -sc '[.[] | select(.type == "spike" and .frame != null)] | max_by(.bytes) |
		[.frame, (.top_python | split("/") | last | split(" ") | .[0])]' "$WORK/spike$ver.json")
	check_eq "python $ver: the frame spike is frame 40, made at burst()'s line" "$spikes" \
		"[40,\"py_spike.py:$burst_line\"]"
	[ "$spikes" = "[40,\"py_spike.py:$burst_line\"]" ] ||
		jq -c 'select(.type == "spike")' "$WORK/spike$ver.json" | sed 's/^/# /'
	check_true "python $ver: the spike's 6.5 MB (400 x 16 KiB) is in the spike's bytes" \
		test "$(jq -s '[.[] | select(.type == "spike" and .frame == 40) | .bytes] | max // 0' "$WORK/spike$ver.json" | cut -d. -f1)" -ge 6553600
	check_true "python $ver: the spike's Python function is burst's (or its list comprehension)" \
		grep -qE 'burst' <<<"$(jq -r 'select(.type == "spike" and .frame == 40) | .top_python' "$WORK/spike$ver.json")"
done
finish
