#!/usr/bin/env bash
# Runs every libFuzzer target in DIR/fuzz for SECONDS each, seeded from tests/fuzz/corpus/NAME
# (fuzz_elf also from a few real ELF files). New inputs go to a scratch corpus, not the tree.
# Usage: tests/fuzz/run.sh DIR SECONDS
set -u
dir=${1:?build dir} seconds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
failed=0
for bin in "$dir"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	scratch=$(mktemp -d /tmp/memtrace-fuzz.XXXXXX)
	[ -d "$here/corpus/$name" ] && cp "$here/corpus/$name"/* "$scratch"/ 2>/dev/null
	if [ "$name" = elf ]; then
		cp /bin/true "$scratch/true"
		cp "$dir"/tests/*.so "$scratch"/ 2>/dev/null
	fi
	echo "== $(basename "$bin"): ${seconds}s"
	if "$bin" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$dir/fuzz/crash-$name-" "$scratch" >"$scratch.log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^Done' "$scratch.log" | tr '\n' ' '
		echo "ok"
	else
		tail -40 "$scratch.log"
		echo "not ok - $(basename "$bin") found a crash: $dir/fuzz/crash-$name-*"
		failed=1
	fi
	rm -rf "$scratch" "$scratch.log"
done
exit $failed
