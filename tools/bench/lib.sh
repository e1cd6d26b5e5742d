# Shared by tools/bench/bench.sh and micro_compare.sh (sourced).

# wait_for FILE PATTERN SECONDS: returns 0 once a line of FILE matches PATTERN, 1 at the deadline.
wait_for() {
	local deadline=$((SECONDS + $3))
	while [ $SECONDS -lt "$deadline" ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}
