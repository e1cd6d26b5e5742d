#!/usr/bin/env bash
# The forecast against tests/targets/grow_steady.c, which grows 16 MiB/s by the clock inside a
# memory cgroup limited to 160 MiB (v1 or v2, tests/e2e/memory-cgroup.sh) until the kernel
# kills it there: the forecast event comes before the limit, and the time it tells is right
# within its band, for the cgroup's limit and for an RSS --budget.
source "$(dirname "$0")/lib.sh"

MiB=1048576
RATE=16
# What the memory grows by a second: 16 MiB of 256 KiB blocks, each in a mapping one page
# longer (glibc's chunk header): 256 KiB + 4 KiB.
GROWTH=$((RATE * MiB * 260 / 256))
LIMIT=$((160 * MiB))
BUDGET=$((120 * MiB))

CG=$("$E2E_DIR/memory-cgroup.sh" create $LIMIT) ||
	{ skip "forecast to a cgroup's limit" "no memory cgroup can be made here"; finish; }
# The cgroup goes when the test does, passed or not: its process first.
trap 'e2e_cleanup; "$E2E_DIR/memory-cgroup.sh" remove "$CG"' EXIT

# jq_true FILTER: the JSON on stdin passes FILTER (for check_true; quiet).
jq_true() { jq -e "$1" >/dev/null; }
# event FILE NAME: the forecast event for the limit NAME.
event() { jq -c --arg n "$2" 'select(.type == "forecast" and .limit_of == $n)' "$1"; }
# in_band: the true time left, (limit - value) / GROWTH, within the band of the event on
# stdin, to the truth's own resolution (the memory grows a block at a time: 260 KiB, 15 ms);
# the ETA told within 5% of it.
STEP_S=$(jq -n "$((260 * 1024)) / $GROWTH")
in_band() {
	jq_true "((.limit - .value) / $GROWTH) as \$truth |
		.eta_low_s - $STEP_S <= \$truth and \$truth <= .eta_high_s + $STEP_S and
		(.eta_s - \$truth | fabs) < 0.05 * \$truth"
}

start_target grow "$TARGETS/grow_steady" $RATE 1024 || { fail "grow_steady starts"; finish; }
echo "$TARGET_PID" >"$CG/cgroup.procs" || { fail "the target joins the cgroup"; finish; }
start_tracer trace --light -p "$TARGET_PID" -i 200ms --forecast-horizon 8s --budget $BUDGET \
	--json="$WORK/fc.json" || { fail "tracer attaches"; finish; }
target_send go
for _ in $(seq 300); do
	kill -0 "$TARGET_PID" 2>/dev/null || break
	sleep 0.1
done
check_true "the target was killed at its cgroup's limit" bash -c "! kill -0 $TARGET_PID 2>/dev/null"
grep -q '^full' "$WORK/grow.out" && fail "the target reached 1 GiB (no limit held it)"
sleep 0.5
stop_tracer
j=$WORK/fc.json
died_ns=$(json_summary "$j" "$TARGET_PID" | jq '.elapsed_ns')

ev=$(event "$j" cgroup)
echo "# cgroup forecast: $ev; seen gone at ${died_ns} ns"
check_eq "one forecast event for the cgroup's limit" "$(grep -c . <<<"$ev")" 1
check_eq "its limit is the cgroup's" "$(jq .limit <<<"$ev")" $LIMIT
check_true "it came under the 8 s horizon, before the limit" \
	jq_true ".eta_s < 8 and .value < .limit and .elapsed_ns < $died_ns" <<<"$ev"
check_true "its ETA is right within the band: (limit - value) / 16.25 MiB/s" in_band <<<"$ev"
check_true "the trend is the target's growth (16.25 MiB/s +- 5%)" \
	jq_true ".growth_per_s > 0.95 * $GROWTH and .growth_per_s < 1.05 * $GROWTH" <<<"$ev"
# The kernel killed it when foretold: within the band, give or take the 0.2 s between polls
# that the tracer takes to see it gone (and 0.3 s for a loaded machine).
check_true "the target died when foretold" \
	jq_true "(.elapsed_ns / 1e9) as \$at | $died_ns / 1e9 >= \$at + .eta_low_s - 0.3 and
		$died_ns / 1e9 <= \$at + .eta_high_s + 0.5" <<<"$ev"

ev=$(event "$j" process)
echo "# budget forecast: $ev"
check_eq "one forecast event for the RSS budget" "$(grep -c . <<<"$ev")" 1
check_true "the budget's forecast: under the horizon, before the budget was exceeded" \
	jq_true ".eta_s < 8 and .value < $BUDGET" <<<"$ev"
check_true "the budget's ETA is right within the band" in_band <<<"$ev"
over_ns=$(jq 'select(.type == "budget" and .state == "exceeded") | .elapsed_ns' "$j" | head -n1)
check_true "the budget event came after its forecast" jq_true ".elapsed_ns < ${over_ns:-0}" <<<"$ev"
# The budget was exceeded by the end: no time to it is forecast any more, only the cgroup's.
check_eq "summary lists the cgroup's forecast" \
	"$(json_summary "$j" "$TARGET_PID" | jq -c '[.forecasts[].limit_of]')" '["cgroup"]'
check_true "console: the event line" grep -q "forecast: cgroup reaches its limit 160.0 MiB in" "$WORK/trace.out"

expect_error "--forecast-horizon 0" 2 "invalid --forecast-horizon: 0" --forecast-horizon 0 -p 1
expect_error "--forecast-horizon abc" 2 "invalid --forecast-horizon: abc" --forecast-horizon abc -p 1
finish
