# The exact format of the Python lines of the console output, whatever figures are known
# (an unknown one is left out or n/a, never an empty slot between commas). Sourced by the
# tests/e2e/test_python*.sh that check it, after lib.sh.
PY_NUM='[0-9]+'
PY_MIB='[0-9]+\.[0-9] MiB'
PY_INTERVAL_RE="^ {9}python [0-9.]+: (n/a|[^ ,][^,]*(, [^ ,][^,]*)*)$"
PY_HEAD_RE="^  python [0-9.]+ \((census|events) mode(; its interpreter ended: as last seen while it ran)?\):$"
PY_MEMORY_RE="^    memory: native \(malloc\) live ($PY_MIB|n/a) \| python objects ($PY_MIB \($PY_NUM objects, peak $PY_NUM\)|n/a) \| pymalloc arenas ($PY_MIB|n/a)$"
PY_GC_RE="^    gc: (n/a|(($PY_NUM/$PY_NUM/$PY_NUM collections \(gen 0/1/2\))(, $PY_NUM collected, $PY_NUM uncollectable)?(, $PY_NUM\.[0-9]{2} ms in GC)?|$PY_NUM\.[0-9]{2} ms in GC))$"
PY_HEADER_RE='^    TYPE +LIVE +PEAK +LIVE BYTES +CREATED +DESTROYED$'
PY_ROW_RE="^    [^ ]+ +$PY_NUM +$PY_NUM +$PY_NUM +($PY_NUM|-) +($PY_NUM|-)$"
PY_NOTE_RE='^    (types: n/a|\(event mode counts the classes whose frees it sees: [0-9]+ other types not counted\))$'
PY_SITE_RE="^    (live instances by the code that made them:|[^ ]+: $PY_NUM live \($PY_MIB\) of $PY_NUM made|\($PY_NUM instances not counted by site: its map was full\))$"
PY_SITE_FRAME_RE='^      ([^ ]+:[0-9]+ [^ ]+|\(no Python frame read\)|\.\.\. \(deeper frames cut\))$'

# python_section FILE: the lines of each summary's Python section (head, then its
# four-space indented lines).
python_section() {
	awk '/^  python / { on = 1; print; next } on && /^    / { print; next } { on = 0 }' "$1"
}

# check_python_console TAG FILE: every Python line of a console output is well formed.
check_python_console() {
	check_eq "$1: console python interval lines well formed" \
		"$(grep -E '^ {9}python' "$2" | grep -vE "$PY_INTERVAL_RE")" ""
	check_eq "$1: console python summary lines well formed" \
		"$(python_section "$2" | grep -vE "$PY_HEAD_RE|$PY_MEMORY_RE|$PY_GC_RE|$PY_HEADER_RE|$PY_ROW_RE|$PY_NOTE_RE|$PY_SITE_RE|$PY_SITE_FRAME_RE")" ""
	check_true "$1: console python summary present" grep -qE "$PY_HEAD_RE" "$2"
}
