#!/usr/bin/env bash
# Every flag that takes a value, with a small table of bad values: one line on stderr saying
# the value is invalid, exit 2, and nothing started (the command after -- would have run and
# exited 0; -p, which cannot be given with a command, would have attached for a second).
source "$(dirname "$0")/lib.sh"

bad_values=("" "abc" "-1" "1x2" "99999999999999999999999" "nan" "0x" " 5" "5 " $'1\n2')
flags=(-p -i -d --max-entries --stack-entries --top --python --leak-age --on-event-rate
	--spike-bytes --target-fps --warmup --budget --stage --fail-on-leak --overhead-budget)
available=$("$MEMTRACE" --help 2>&1)
total=0 bad=0
for flag in "${flags[@]}"; do
	if [[ $flag == --* ]] && ! grep -q -- "$flag[=[]" <<<"$available"; then
		fail "bad values for $flag" "--help lists no $flag=VALUE"
		continue
	fi
	for value in "${bad_values[@]}"; do
		total=$((total + 1))
		if [[ $flag == --* ]]; then args=("$flag=$value"); else args=("$flag" "$value"); fi
		if [ "$flag" = -p ]; then args+=(-d 1); else args+=(-- /bin/true); fi
		timeout 10 "$MEMTRACE" "${args[@]}" >"$WORK/out" 2>"$WORK/err" </dev/null
		rc=$?
		lines=$(wc -l <"$WORK/err")
		if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q '^memtrace-bpf: invalid ' "$WORK/err"; then
			bad=$((bad + 1))
			fail "bad value for $flag: $(printf '%q' "$value")" \
				"exit $rc, $lines stderr lines: $(head -c 200 "$WORK/err" | tr '\n' '|')"
		fi
	done
done
check_eq "bad flag values ($total tried) not refused with exit 2 and one 'invalid' line" "$bad" 0
finish
