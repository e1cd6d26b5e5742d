#!/usr/bin/env bash
# Stacks as walked by bpf/alloc.bpf.c: known call chains from tests/targets/stack_shapes.c,
# the 32-frame cap, and a full stack map (every allocation in a stack or in stack_dropped).
source "$(dirname "$0")/lib.sh"

allocs=$((100 + 20 * 10 + 5))

trace_shapes() { # NAME TRACER-FLAGS... : sets $summary
	local name=$1
	shift
	start_target "$name" "$TARGETS/stack_shapes" || { fail "$name: target starts"; return 1; }
	start_tracer "$name-tracer" --exact -p "$TARGET_PID" -i 200ms --top 100 --json="$WORK/$name.json" "$@" ||
		{ fail "$name: tracer attaches"; return 1; }
	target_send go
	wait_for_line "$WORK/$name.out" '^done' || fail "$name: target finished its allocations"
	sleep 0.3
	stop_tracer
	summary=$(json_summary "$WORK/$name.json" "$TARGET_PID")
}

trace_shapes shapes || finish
check_eq "allocs" "$(jq -r .native.allocs <<<"$summary")" "$allocs"
check_eq "stack_dropped" "$(jq -r .native.stack_dropped <<<"$summary")" 0
check_eq "every live allocation is in a stack" \
	"$(jq '[.stacks[].live_allocs] | add' <<<"$summary")" "$allocs"
check_eq "distinct stacks: the chain, 20 recursion depths, the deep one" \
	"$(jq '.stacks | length' <<<"$summary")" 22

names() { jq -r "$1 | [.frames[] | split(\"+\")[0]] | join(\" \")" <<<"$summary"; }
chain='.stacks[] | select(.live_bytes == 100000)'
check_eq "chain: 100 blocks" "$(jq -r "$chain | .live_allocs" <<<"$summary")" 100
check_eq "chain: every frame, innermost first" "$(names "$chain" | cut -d' ' -f1-5)" \
	"alloc_chain level_c level_b level_a main"

rec='[.stacks[] | select(.live_bytes == 20000)]'
check_eq "recursion: one stack per depth" "$(jq "$rec | length" <<<"$summary")" 20
check_eq "recursion: recurse frames per stack are 2..21 (depth + 1)" \
	"$(jq -c "$rec | map([.frames[] | select(startswith(\"recurse+\"))] | length) | sort" <<<"$summary")" \
	"$(jq -c -n '[range(2; 22)]')"
check_eq "recursion: below the recursion, main" \
	"$(jq -r "$rec | map([.frames[] | split(\"+\")[0] | select(. != \"recurse\")][0]) | unique | join(\" \")" <<<"$summary")" main

deep='.stacks[] | select(.live_bytes == 15000)'
check_eq "deep: capped at 32 frames" "$(jq "$deep | .frames | length" <<<"$summary")" 32
check_eq "deep: all of them recurse" \
	"$(jq "[$deep | .frames[] | select(startswith(\"recurse+\"))] | length" <<<"$summary")" 32

# A stack map with room for 16 stacks: the other allocations are counted as stack_dropped,
# none is lost or counted twice.
trace_shapes small --stack-entries 16 || finish
check_eq "small map: allocs" "$(jq -r .native.allocs <<<"$summary")" "$allocs"
check_true "small map: at most 16 stacks" [ $(jq '.stacks | length' <<<"$summary") -le 16 ]
check_true "small map: drops reported" [ $(jq -r .native.stack_dropped <<<"$summary") -gt 0 ]
check_eq "small map: kept + dropped = allocs" \
	"$(jq '([.stacks[].live_allocs] | add) + .native.stack_dropped' <<<"$summary")" "$allocs"

# --top 5 of the 22 stacks (the later --top wins): the chain, then four of the twenty
# recursion stacks, lowest ids first among equals; not the deep one (15000 B).
trace_shapes top --top 5 || finish
check_eq "top 5: live bytes, most first" "$(jq -c '[.stacks[].live_bytes]' <<<"$summary")" \
	"[100000,20000,20000,20000,20000]"
check_eq "top 5: equal stacks by id" \
	"$(jq '[.stacks[1:][].stack_id] | . == sort' <<<"$summary")" true

# 131072 allocations, each from a stack of its own (tests/targets/many_stacks.c): ids are
# hashes folded to 31 bits, so a few pairs share one; every stack must still be kept.
many=$((1 << 17))
start_target many "$TARGETS/many_stacks" || { fail "many: target starts"; finish; }
start_tracer many-tracer --exact -p "$TARGET_PID" -i 1s --top 3 --stack-entries 262144 \
	--json="$WORK/many.json" || { fail "many: tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/many.out" '^done' 60 || fail "many: target finished its allocations"
sleep 0.3
stop_tracer
summary=$(json_summary "$WORK/many.json" "$TARGET_PID")
check_eq "many stacks: allocs" "$(jq -r .native.allocs <<<"$summary")" "$many"
check_eq "many stacks: none dropped, whatever ids they share" \
	"$(jq -r .native.stack_dropped <<<"$summary")" 0
check_eq "many stacks: each listed stack holds its one block" \
	"$(jq -c '[.stacks[].live_allocs]' <<<"$summary")" "[1,1,1]"
finish
