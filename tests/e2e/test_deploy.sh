#!/bin/bash
# deploy/: the alert rules load and pass their promtool unit tests; the Grafana dashboard is
# valid JSON whose every query parses as PromQL and names only metrics docs/prometheus.md
# documents; the systemd unit names flags memtrace-bpf accepts.
source "$(dirname "$0")/lib.sh"

DEPLOY=$ROOT/deploy
if ! command -v promtool >/dev/null; then
	fail "promtool" "not installed (Debian package prometheus: tools/install-deps.sh)"
	finish
fi
check_true "promtool check rules" promtool check rules "$DEPLOY/prometheus/memtrace-rules.yml"
(cd "$DEPLOY/prometheus" && promtool test rules memtrace-rules.test.yml) >"$WORK/rules.out" 2>&1
if grep -q SUCCESS "$WORK/rules.out"; then ok "promtool test rules"; else fail "promtool test rules" "$(tail -c 600 "$WORK/rules.out")"; fi
# Every alert of the rules file has a unit test.
for alert in $(sed -n 's/^ *- alert: //p' "$DEPLOY/prometheus/memtrace-rules.yml"); do
	[ "$alert" = MemtraceEventsDropped ] && continue   # informational: a rate above 0
	if grep -q "alertname: $alert\$" "$DEPLOY/prometheus/memtrace-rules.test.yml"; then
		ok "alert $alert tested"
	else
		fail "alert $alert tested" "no alert_rule_test for it"
	fi
done

DASH=$DEPLOY/grafana/memtrace-dashboard.json
check_true "dashboard is JSON" jq -e '.panels | length > 0' "$DASH"
jq -r '.panels[].targets[].expr' "$DASH" | sed 's/\$container/.*/g' >"$WORK/exprs"
check_between "dashboard queries" "$(wc -l <"$WORK/exprs")" 10 100
# Each query as a recording rule: promtool parses it.
{
	echo "groups: [{name: dashboard, rules: ["
	n=0
	while IFS= read -r e; do
		n=$((n + 1))
		printf '  {record: "dashboard:q%d", expr: %s},\n' "$n" "$(jq -Rn --arg e "$e" '$e')"
	done <"$WORK/exprs"
	echo "]}]"
} >"$WORK/dashboard-rules.yml"
check_true "dashboard queries parse (promtool)" promtool check rules "$WORK/dashboard-rules.yml"
for m in $(grep -o 'memtrace_[a-z_]*' "$WORK/exprs" "$DEPLOY/prometheus/memtrace-rules.yml" | cut -d: -f2 | sort -u); do
	if grep -q "^| \`$m\` |" "$ROOT/docs/prometheus.md"; then ok "metric $m documented"; else fail "metric $m documented" "not in docs/prometheus.md's table"; fi
done

# The systemd unit's command line runs: a second of the whole host (its --json and
# --prometheus replaced by the test's: later flags win).
cmd=$(sed -n 's/^ExecStart=[^ ]* //p' "$DEPLOY/systemd/memtrace-bpf.service")
port=$((20000 + $$ % 20000))
# shellcheck disable=SC2086
timeout 60 "$MEMTRACE" $cmd -d 2 --json="$WORK/unit.ndjson" --prometheus "127.0.0.1:$port" \
	>/dev/null 2>"$WORK/unit.err"
check_eq "systemd unit's command: exit status" "$?" 0
check_between "systemd unit's command: processes traced" \
	"$(jq -r 'select(.type == "summary") | .pid' "$WORK/unit.ndjson" | sort -u | wc -l)" 2 100000
finish
