#!/usr/bin/env bash
# Python type leaks on a service: tests/workloads/item_service.py keeps one Item (and one list)
# per POST, behind 400 framework classes with a few live instances each (the census lists
# ~500 types: more than the detector once followed, which left out the types that came last,
# Item among them). A client loop in this script POSTs; the service's own count is the truth.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3.11
POSTS=150

"$PY" "$WORKLOADS/item_service.py" 0 400 >"$WORK/svc.out" 2>&1 &
SVC_PID=$!
E2E_PIDS+=("$SVC_PID")
wait_for_line "$WORK/svc.out" '^ready' || { fail "item_service starts"; finish; }
PORT=$(awk '/^ready/ { print $2 }' "$WORK/svc.out")

start_tracer svc -p "$SVC_PID" -i 500ms --json="$WORK/svc.json" ||
	{ fail "tracer attaches"; finish; }
sleep 1
start=$(date +%s.%N)
for _ in $(seq "$POSTS"); do
	curl -s -o /dev/null -X POST -d payload "http://127.0.0.1:$PORT/items" || break
	sleep 0.1
done
end=$(date +%s.%N)
sleep 1
stop_tracer
count=$(curl -s "http://127.0.0.1:$PORT/items" | jq .count)
check_eq "the service kept one Item per POST" "$count" "$POSTS"
rate=$(awk -v n="$POSTS" -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", n / (b - a) }')
echo "# $POSTS POSTs at $rate a second"

j=$WORK/svc.json
summary=$(json_summary "$j" "$SVC_PID")
check_true "the census lists more than 400 types" \
	test "$(jq '.python.types_total.count' <<<"$summary")" -gt 400
leak() { jq -c --arg n "$1" '.leaks[] | select(.kind == "python_type" and .name == $n)' <<<"$summary"; }
item=$(leak Item)
check_true "Item is a leak" test -n "$item"
check_within "Item leak: growth_per_s, the POST rate" "$(jq .growth_per_s <<<"$item")" "$rate" 20
check_eq "Item leak: live, the service's count" "$(jq .live <<<"$item")" "$POSTS"
list=$(leak list)
check_true "list is a leak" test -n "$list"
check_within "list leak: growth_per_s, the POST rate" "$(jq .growth_per_s <<<"$list")" "$rate" 20
check_eq "no framework class is a leak" \
	"$(jq '[.leaks[] | select(.name | startswith("Kind"))] | length' <<<"$summary")" 0
check_eq "Item's leak event came during the trace" \
	"$(jq -s '[.[] | select(.type == "leak" and .name == "Item")] | length' "$j")" 1
finish
