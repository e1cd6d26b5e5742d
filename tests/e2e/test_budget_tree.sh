#!/usr/bin/env bash
# Hierarchical budgets against tests/targets/two_stages.c, which holds known native memory
# from two functions (parse_blocks, render_blocks): a child over while its parent is under,
# a group over from the sum of children each under its own limit, recoveries at each level,
# and the flag's errors.
source "$(dirname "$0")/lib.sh"

MiB=1048576

# budget_event FILE BUDGET STATE: that budget's event line.
budget_event() {
	jq -c --arg b "$2" --arg s "$3" 'select(.type == "budget" and .budget == $b and .state == $s)' "$1"
}

start_target stages "$TARGETS/two_stages" || { fail "two_stages starts"; finish; }
start_tracer tree --exact -p "$TARGET_PID" -i 100ms \
	--budget 512M --budget process/stack:render_blocks=16M \
	--budget stages=40M --budget stages/stack:parse_blocks=32M \
	--budget stages/stack:render_blocks=32M \
	--json="$WORK/tree.json" || { fail "tracer attaches"; finish; }
# Each crossing is one block, so that the value at the crossing is known exactly.
# 24 MiB from render_blocks: over the 16 MiB child of process, under everything else.
target_send "render 1 $((24 * MiB))"
wait_done stages 1
sleep 0.4
# 12 x 1 MiB from parse_blocks: 36 MiB in the group, under its 40.
target_send "parse 12 $MiB"
wait_done stages 2
sleep 0.4
# 12 MiB more in one block: each stage under its 32 MiB, their 48 MiB over the group's 40.
target_send "parse 1 $((12 * MiB))"
wait_done stages 3
sleep 0.4
target_send release
wait_done stages 4
sleep 0.4
stop_tracer
target_close
j=$WORK/tree.json

ev=$(budget_event "$j" process/stack:render_blocks exceeded)
check_eq "child over, parent under: value = render_blocks' 24 MiB block" "$(jq .value <<<"$ev")" $((24 * MiB))
check_eq "child's parent and level" "$(jq -c '[.parent, .level, .group, .limit]' <<<"$ev")" \
	"[\"process\",1,false,$((16 * MiB))]"
check_eq "its parent (RSS under 512 MiB) has no event" \
	"$(jq -c 'select(.type == "budget" and .budget == "process")' "$j" | wc -l)" 0
ev=$(budget_event "$j" stages exceeded)
check_eq "group over from its children: value = 24 + 12 + 12 MiB" "$(jq .value <<<"$ev")" $((48 * MiB))
check_eq "group's fields" "$(jq -c '[.parent, .level, .group, .unit, .excess]' <<<"$ev")" \
	"[null,0,true,\"bytes\",$((8 * MiB))]"
check_eq "group's children, each under its own limit, have no exceeded event" \
	"$(jq -c 'select(.type == "budget" and (.budget | startswith("stages/")))' "$j" | wc -l)" 0
check_eq "the group went over when parse_blocks' blocks came, not before" \
	"$(jq -s '[.[] | select(.type == "budget")] | map(.budget) | index("stages") > index("process/stack:render_blocks")' "$j")" true
ev=$(budget_event "$j" stages recovered)
# the release may be seen half done: back at or under the limit, not necessarily at 0
check_between "group recovered at release: value" "$(jq .value <<<"$ev")" 0 $((40 * MiB))
check_eq "group recovered: the episode's peak, 48 MiB" "$(jq .peak <<<"$ev")" $((48 * MiB))
ev=$(budget_event "$j" process/stack:render_blocks recovered)
check_between "child recovered at release: value" "$(jq .value <<<"$ev")" 0 $((16 * MiB))
check_true "console: the group's line says it sums its children" \
	grep -q "budget stages (sum of its children) exceeded: 48.0 MiB (limit 40.0 MiB, +8.0 MiB)" "$WORK/tree.out"
check_eq "summary lists the four events" \
	"$(json_summary "$j" "$TARGET_PID" | jq -c '[.budgets[] | "\(.budget) \(.state)"] | sort')" \
	'["process/stack:render_blocks exceeded","process/stack:render_blocks recovered","stages exceeded","stages recovered"]'

# --- budgets over processes: two targets, each under its own limit, over together ---------
# RSS of two_stages and hold_blocks, each holding a 30 MiB block: the app group (60 MiB) goes
# over from their sum while each comm: child (50 MiB) stays under; a pid: budget (20 MiB)
# watches one of them. Where a cgroup v2 hierarchy is mounted, each runs in a container's
# cgroup (docker-ID.scope) of its own, and the pod group does the same with container: children.
cgroup2=$(findmnt -t cgroup2 -n -o TARGET | head -n1)
id_a=$(printf '%08x' $$)$(printf 'a%.0s' $(seq 56))
id_b=$(printf '%08x' $$)$(printf 'b%.0s' $(seq 56))
containers=()
if [ -n "$cgroup2" ] && mkdir "$cgroup2/docker-$id_a.scope" "$cgroup2/docker-$id_b.scope"; then
	containers=("$cgroup2/docker-$id_a.scope" "$cgroup2/docker-$id_b.scope")
fi
remove_containers() {
	local dir pid
	for dir in "${containers[@]}"; do
		for pid in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for dir in "${containers[@]}"; do
		for _ in $(seq 50); do [ -s "$dir/cgroup.procs" ] || break; sleep 0.1; done
		rmdir "$dir"
	done
	containers=()
}
trap 'remove_containers; e2e_cleanup' EXIT
# in_container N CMD...: becomes CMD in the Nth container's cgroup (where there are), else
# as is (exec: the PID start_target gives is CMD's)
in_container() {
	local dir=${containers[$1]:-}
	shift
	if [ -n "$dir" ]; then
		exec sh -c "echo \$\$ > $dir/cgroup.procs && exec \"\$@\"" sh "$@"
	fi
	exec "$@"
}
start_target stages2 in_container 0 "$TARGETS/two_stages" || { fail "two_stages starts"; finish; }
stages_pid=$TARGET_PID
exec 8>&7
start_target hold in_container 1 "$TARGETS/hold_blocks" || { fail "hold_blocks starts"; finish; }
hold_pid=$TARGET_PID
start_tracer procs --exact -p "$stages_pid" -p "$hold_pid" -i 100ms \
	--budget app=60M --budget app/comm:two_stages=50M --budget app/comm:hold_blocks=50M \
	--budget pod=60M --budget "pod/container:${id_a:0:12}=40M" \
	--budget "pod/container:${id_b:0:12}=40M" \
	--budget "pid:$stages_pid=20M" --json="$WORK/procs.json" || { fail "tracer attaches (processes)"; finish; }
echo "render 1 $((30 * MiB))" >&8
wait_done stages2 1
target_send "hold 1 $((30 * MiB))"
wait_done hold 1
sleep 0.5
stop_tracer
target_close
exec 8>&-
remove_containers
j=$WORK/procs.json
ev=$(budget_event "$j" app exceeded)
check_between "group over processes: the two RSS together (MiB)" \
	"$(jq '.value / 1048576' <<<"$ev")" 60 70
check_eq "group over processes: pid null, a group at level 0" \
	"$(jq -c '[.pid, .group, .level]' <<<"$ev")" "[null,true,0]"
# its value is the sum of the two processes' RSS at that poll (their interval lines, same elapsed_ns)
rss_sum=$(jq -s --argjson t "$(jq .elapsed_ns <<<"$ev")" \
	'[.[] | select(.type == "interval" and .elapsed_ns == $t) | .rss_bytes] | add' "$j")
check_eq "group over processes: value = the processes' interval RSS summed" "$(jq .value <<<"$ev")" "$rss_sum"
check_eq "its comm: children, each under 50 MiB, have no event" \
	"$(jq -c 'select(.type == "budget" and (.budget | startswith("app/")))' "$j" | wc -l)" 0
ev=$(budget_event "$j" "pid:$stages_pid" exceeded)
check_between "pid: budget: that process's RSS (MiB)" "$(jq '.value / 1048576' <<<"$ev")" 30 36
if [ -n "$cgroup2" ]; then
	ev=$(budget_event "$j" pod exceeded)
	check_between "pod group over from its containers (MiB)" "$(jq '.value / 1048576' <<<"$ev")" 60 70
	check_eq "pod group: the same sum as app's, at the same poll" \
		"$(jq -c '[.value, .elapsed_ns]' <<<"$ev")" \
		"$(budget_event "$j" app exceeded | jq -c '[.value, .elapsed_ns]')"
	check_eq "its container: children, each under 40 MiB, have no event" \
		"$(jq -c 'select(.type == "budget" and (.budget | startswith("pod/")))' "$j" | wc -l)" 0
	check_eq "the targets' interval lines name their containers" \
		"$(jq -r 'select(.type == "interval") | .container' "$j" | sort -u | tr '\n' ' ')" "$id_a $id_b "
else
	skip "budgets over containers" "no cgroup v2 hierarchy mounted"
fi
check_true "console: a budget over processes names no PID" \
	grep -q "^! [0-9.]*s budget app (sum of its children) exceeded" "$WORK/procs.out"

expect_error "budget under a parent not given before it" 2 \
	"invalid --budget: budget totl/dict: no budget totl given before it" \
	-p $$ --budget totl/dict=5
expect_error "a group mixing bytes and objects" 2 \
	"invalid --budget: budget all: a group sums its children, which cannot mix bytes and objects" \
	-p $$ --budget all=5 --budget all/dict=5 --budget all/stack:f=5M
expect_error "budgets over processes mixed with a process's own" 2 \
	"invalid --budget: budget processes: cannot mix budgets over processes" \
	-p $$ --budget processes=1G --budget processes/stack:f=1M
finish
