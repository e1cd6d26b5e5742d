#!/usr/bin/env bash
# Every flag that takes a value, with a small table of bad values: one line on stderr, exit 2,
# and nothing started (the command after -- would have run and exited 0).
source "$(dirname "$0")/lib.sh"

bad_values=("" "abc" "-1" "1x2" "99999999999999999999999" "nan" "0x" " 5" "5 " $'1\n2')
# flag: the values of the table that are bad for it (all of them unless listed here).
declare -A flags=(
	[-p]=all [-i]=all [-d]=all [--max-entries]=all [--stack-entries]=all [--top]=all
	[--python]=all [--leak-age]=all [--on-event-rate]=all [--spike-bytes]=all
	[--target-fps]=all [--warmup]=all [--budget]=all [--stage]=all [--fail-on-leak]=all
)
available=$("$MEMTRACE" --help 2>&1)
total=0 bad=0
for flag in "${!flags[@]}"; do
	long=${flag#--}
	if [[ $flag == --* ]] && ! grep -q -- "--$long[=[]" <<<"$available"; then
		skip "bad values for $flag" "this build has no $flag"
		continue
	fi
	for value in "${bad_values[@]}"; do
		total=$((total + 1))
		if [[ $flag == --* ]]; then args=("$flag=$value"); else args=("$flag" "$value"); fi
		[ "$flag" = -p ] || args=("${args[@]}")
		timeout 10 "$MEMTRACE" "${args[@]}" -- /bin/true >"$WORK/out" 2>"$WORK/err" </dev/null
		rc=$?
		lines=$(wc -l <"$WORK/err")
		if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ]; then
			bad=$((bad + 1))
			fail "bad value for $flag: $(printf '%q' "$value")" \
				"exit $rc, $lines stderr lines: $(head -c 200 "$WORK/err" | tr '\n' '|')"
		fi
	done
done
check_true "every bad flag value ($total tried) gives exit 2 and one line" test "$bad" -eq 0
finish
