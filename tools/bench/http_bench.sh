# The HTTP service rows of tools/bench/bench.sh (sourced by it): py_http_service.py under wrk's
# closed loop (HTTP_CONNECTIONS keep-alive connections, one thread, http_mix.lua's request mix)
# for HTTP_SECONDS after a 2 s warm-up, bare and under each mode; throughput and p99 latency
# as wrk measures them; the loss is paired with the round's bare run (bench.sh's paired). Results go to $RESULTS as: http-service, mode, requests/s, loader CPU %,
# RSS KiB, maps KiB, p99 ms.
WRK=$(command -v wrk || true)
HTTP_SECONDS=${HTTP_SECONDS:-10}
HTTP_CONNECTIONS=${HTTP_CONNECTIONS:-8}

http_modes() { # [ROUND]: the rounds per mode of bench.sh's modes_for
	if [ -n "${HTTP_MODES:-}" ]; then echo "$HTTP_MODES"; return; fi
	local m="bare memtrace-default memtrace-light" round=${1:-1}
	if [ "$round" -le "$EXACT_REPS" ]; then
		m="$m memtrace-census"
		[ -z "$BCC_SKIP" ] && m="$m bcc-memleak"
	fi
	[ "$round" -le "$PEER_REPS" ] && m="$m tracemalloc-1 tracemalloc-25"
	echo "$m"
}

# wrk's "99%" latency line in ms (wrk prints us, ms or s).
p99_ms() {
	awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		print (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }' "$1"
}

# run_http MODE: one measured run of the service; appends a line to $RESULTS.
run_http() {
	local mode=$1 spid tpid="" port c0 c1 rps p99 cpu rss=0 mem=0
	local url mix=$HERE/http_mix.lua
	# shellcheck disable=SC2046
	set -- $(run_under "$mode" "$PY" "$HERE/py_http_service.py" 0)
	rm -f "$WORK/s.out" "$WORK/t.out" "$WORK/wrk.out"
	(cd "$WORK" && exec "$@") </dev/null >"$WORK/s.out" 2>&1 &
	spid=$!
	PIDS+=("$spid")
	if ! wait_for "$WORK/s.out" '^ready' 30; then
		say "http-service/$mode: the service did not start"; kill -KILL "$spid"; return 1
	fi
	port=$(awk '/^ready/ { print $2; exit }' "$WORK/s.out")
	url=http://127.0.0.1:$port/
	if attached_mode "$mode"; then
		start_tracer "$mode" "$spid" http-service
		tpid=$!
		PIDS+=("$tpid")
		if ! wait_for "$WORK/t.out" "$(tracer_ready "$mode")" 60; then
			say "http-service/$mode: tracer did not start:"; sed 's/^/  /' "$WORK/t.out" >&2
			kill -KILL "$tpid" "$spid" 2>/dev/null; wait 2>/dev/null; return 1
		fi
		sleep 0.3
	fi
	"$WRK" -t1 -c"$HTTP_CONNECTIONS" -d2s -s "$mix" "$url" >/dev/null 2>&1   # warm-up
	[ -n "$tpid" ] && c0=$(cpu_ticks "$tpid")
	"$WRK" -t1 -c"$HTTP_CONNECTIONS" -d"${HTTP_SECONDS}s" --latency -s "$mix" "$url" >"$WORK/wrk.out" 2>&1
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.out")
	p99=$(p99_ms "$WORK/wrk.out")
	cpu=0
	if [ -n "$tpid" ]; then
		if ! kill -0 "$tpid" 2>/dev/null; then
			say "http-service/$mode: the tracer was gone by the end; run discarded"
			kill -KILL "$spid" 2>/dev/null; wait 2>/dev/null; return 1
		fi
		c1=$(cpu_ticks "$tpid")
		rss=$(rss_kb "$tpid")
		mem=$(map_memlock_kb "$tpid")
		cpu=$(awk -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v s="$HTTP_SECONDS" \
			'BEGIN { printf "%.1f", 100 * c / hz / s }')
		stop_peer "$tpid"
	fi
	kill -TERM "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	if [ -z "$rps" ] || [ -z "$p99" ]; then
		say "http-service/$mode: wrk measured nothing:"; sed 's/^/  /' "$WORK/wrk.out" >&2
		return 1
	fi
	printf 'http-service\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$rps" "$cpu" "$rss" "$mem" "$p99" >>"$RESULTS"
	say "http-service/$mode: $rps requests/s, p99 $p99 ms (loader cpu $cpu%)"
}

# The service's table (markdown), from $RESULTS.
http_report() {
	local bare mode
	bare=$(col http-service bare 3)
	[ -n "$bare" ] || return 0
	echo "## http-service"
	echo
	echo "tools/bench/py_http_service.py (routes, JSON in and out, an HTML template, a bounded"
	echo "session cache; threaded, keep-alive) under \`wrk -t1 -c$HTTP_CONNECTIONS -d${HTTP_SECONDS}s\` with"
	echo "tools/bench/http_mix.lua's mix, after a 2 s warm-up; the tracer attached to the running"
	echo "service first (tracemalloc: the service started under \`-X tracemalloc=N\`). Medians."
	echo
	echo "| mode | runs | requests/s | throughput lost | p99 (ms) | loader CPU % | loader RSS (MiB) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for mode in $(http_modes); do
		[ -n "$(col http-service "$mode" 3)" ] || continue
		awk -v m="$mode" -v r="$(col http-service "$mode" 3)" -v b="$(paired http-service "$mode")" -v p="$(col http-service "$mode" 7)" \
			-v c="$(col http-service "$mode" 4)" -v s="$(col http-service "$mode" 5)" \
			-v n="$(runs http-service "$mode")" \
			'BEGIN { printf "| %s | %d | %.0f | %+.1f%% | %.2f | %s | %.1f |\n", m, n, r, 100 * (1 - b), p,
				(c == "" || m == "bare" || m ~ /^tracemalloc/) ? "-" : sprintf("%.1f", c), s / 1024 }'
	done
	echo
}

# http_lost MODE: the throughput MODE loses against bare, in %.
http_lost() {
	local r
	r=$(paired http-service "$1")
	[ -n "$r" ] && awk -v r="$r" 'BEGIN { printf "%.1f", 100 * (1 - r) }'
}
