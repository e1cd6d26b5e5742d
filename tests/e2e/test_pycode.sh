#!/usr/bin/env bash
# Naming Python frames from outside (user/target/python/pycode.c, through the test tool
# tests/tools/pycode_resolve): a live workload's code objects, at the offsets where its frames
# were caught running and at every offset of a few functions, get the qualified name, file and
# line the interpreter itself gives; 3.11+ reads co_code's opcodes at co_code_adaptive; 3.13's
# _Py_DebugOffsets agree with our table. Every Python of find_pythons.
# Workload: tests/workloads/py_code_lines.py, run from a directory whose name is not ASCII.
source "$(dirname "$0")/lib.sh"

RESOLVE=$OUTPUT/tools/pycode_resolve
find_pythons
dir="$WORK/naïve_代码"
mkdir -p "$dir"
cp "$WORKLOADS/py_code_lines.py" "$dir/"

for py in "${pythons[@]}"; do
	tag="pycode $("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])') ($py)"
	name=t$(printf '%s' "$py" | tr -c 'a-zA-Z0-9' _)
	start_target "$name" "$py" "$dir/py_code_lines.py" "$WORK/$name.expected" ||
		{ fail "$tag: workload starts" "$(head -c 300 "$WORK/$name.err")"; target_close; continue; }
	grep -v '^ready' "$WORK/$name.out" | "$RESOLVE" "$TARGET_PID" >"$WORK/$name.got" 2>"$WORK/$name.rerr"
	check_eq "$tag: resolver exit status" "$?" 0
	target_close
	wait "$TARGET_PID" 2>/dev/null
	header=$(head -n1 "$WORK/$name.got")
	tail -n +2 "$WORK/$name.got" >"$WORK/$name.answers"
	total=$(wc -l <"$WORK/$name.expected")
	check_between "$tag: requests made" "$total" 60 1000
	if diff "$WORK/$name.answers" "$WORK/$name.expected" >"$WORK/$name.diff"; then
		ok "$tag: all $total answers are the interpreter's (lines, qualnames, files, opcodes)"
	else
		fail "$tag: answers differ from the interpreter's" "$(head -c 600 "$WORK/$name.diff")"
	fi
	qualname=$("$py" -c 'import sys; print("Outer.method.<locals>." if sys.version_info >= (3, 11) else "")')inner
	check_true "$tag: a caught nested function in a method named $qualname, line and file" \
		grep -q "^instr [0-9]* [0-9]*	[0-9]*	$qualname	$dir/py_code_lines.py\$" "$WORK/$name.answers"
	check_true "$tag: a function named grüße in a file under naïve_代码" \
		grep -q "	grüße	$dir/py_code_lines.py\$" "$WORK/$name.answers"
	check_true "$tag: a list object's address is no code object" \
		grep -q "	unresolved\$" "$WORK/$name.answers"
	case $py in
	*/3.13.*)
		check_eq "$tag: stack offsets from _Py_DebugOffsets, same as our table" \
			"${header#python * }" "debug_stack_offsets yes mismatches 0" ;;
	esac
done
finish
