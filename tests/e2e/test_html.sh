#!/usr/bin/env bash
# --html (docs/outputs.md) on tests/targets/frame_loop.c, whose ground truth is known: a leak
# of FRAMES x LEAK_SIZE bytes in cache_entity and a spike in frame SPIKE_FRAME + 1. The page
# is rendered in headless Chromium (no console message, the leak and the spike on the page, a
# screenshot kept); `memtrace-bpf report` rebuilds the page, the profiles, the collapsed
# stacks and the database from the saved --json run, equal to the live run's; bad input is a
# one-line error with its own exit code.
source "$(dirname "$0")/lib.sh"

FRAMES=150 LEAK_SIZE=512 SPIKE_FRAME=40
leak_bytes=$((FRAMES * LEAK_SIZE)) spike_seq=$((SPIKE_FRAME + 1))
# Kept after the run (the screenshot and the pages): the e2e output dir, not $WORK.
KEEP=$OUTPUT/e2e-artifacts/html
mkdir -p "$KEEP"

if ! command -v chromium >/dev/null; then
	fail "chromium is installed" "tools/install-deps.sh installs Debian's chromium"
	finish
fi
export HOME=$WORK   # chromium's profile and go's cache: not in the tester's home

# render PAGE NAME: the DOM after the page's script ran in $WORK/NAME.dom, the browser's log
# (console messages are its ":CONSOLE" lines) in $WORK/NAME.log.
render() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
		--user-data-dir="$WORK/chromium" --dump-dom "file://$1" >"$WORK/$2.dom" 2>"$WORK/$2.log"
}

# The detector of console messages finds one where there is one.
printf '<html><body><script>missing_function();</script></body></html>\n' >"$WORK/broken.html"
render "$WORK/broken.html" broken
check_true "the console check sees an uncaught error (control page)" \
	grep -q ':CONSOLE.*Uncaught ReferenceError' "$WORK/broken.log"

start_target frames "$TARGETS/frame_loop" || { fail "target starts"; finish; }
start_tracer tracer --exact -p "$TARGET_PID" -i 100ms --frame render_frame --target-fps 160 \
	--json="$WORK/run.ndjson" --json-all-stacks --html "$WORK/live.html" \
	--pprof "$WORK/live.pb.gz" --folded "$WORK/live.folded" --sqlite "$WORK/live.db" ||
	{ fail "tracer attaches"; finish; }
target_send go
wait_for_line "$WORK/frames.out" '^done' 30 || fail "target finished its frames"
sleep 0.3
stop_tracer
check_eq "exit status after Ctrl-C" "$TRACER_RC" 0

page=$WORK/live.html
check_true "the page is written" test -s "$page"
check_eq "nothing fetched at view time (no src=, href=, url(, http)" \
	"$(grep -cE 'src=|href=|url\(|https?:' "$page")" 0
check_eq "the leak's function is in the leaks table" \
	"$(grep -c "<td>native stack</td><td>cache_entity+" "$page")" 1
check_eq "the flame graph's cache_entity box holds the leaked bytes" \
	"$(grep -o "<title>cache_entity — [^,]*, [0-9]* bytes" "$page" | sed 's/.*, //; s/ bytes//')" \
	"$leak_bytes"
check_eq "the spike's frame in the spikes table" \
	"$(grep -c "<td>frame $spike_seq</td>" "$page")" 1
check_true "the spike's frame labelled on the frames chart" \
	grep -q "spike: frame $spike_seq</text>" "$page"
check_eq "a bar per frame (duration and bytes)" "$(grep -c '<rect class="bar' "$page")" \
	$((2 * FRAMES))
# --target-fps 160: a frame over 1.5 x 6.25 ms is dropped: most of the 10 ms frames.
dropped=$(jq -s '[.[] | select(.type == "frame" and .dropped)] | length' "$WORK/run.ndjson")
check_eq "the page counts the frames the JSON says were dropped" \
	"$(grep -o '[0-9]* frames, [0-9]* dropped' "$page")" "$FRAMES frames, $dropped dropped"
check_eq "a red bar for each dropped frame on both frame charts" \
	"$(grep -c '<rect class="bar dropped"' "$page")" $((2 * dropped))
check_true "dropped frames marked on the timeline" \
	test "$dropped" -eq 0 -o "$(grep -c '<line class="mark drop"' "$page")" -gt 0

render "$page" live
check_eq "no console message while rendering" "$(grep -c ':CONSOLE' "$WORK/live.log")" 0
check_true "the rendered page names the leak's function" grep -q 'cache_entity' "$WORK/live.dom"
check_true "the rendered page shows the spike's frame" grep -q "frame $spike_seq" "$WORK/live.dom"
# The script ran: it keeps each box's name and fits the label to the box.
check_eq "the script labelled every flame graph box" \
	"$(grep -o '<g class="fn[^>]*data-name=' "$WORK/live.dom" | wc -l)" \
	"$(grep -c '<g class="fn' "$page")"
timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" \
	--window-size=1300,1800 --screenshot="$KEEP/screenshot.png" "file://$page" \
	>/dev/null 2>&1
check_eq "screenshot saved (PNG)" "$(head -c 4 "$KEEP/screenshot.png" 2>/dev/null | od -An -c | tr -d ' ')" \
	'211PNG'
cp "$page" "$KEEP/live.html"
cp "$WORK/run.ndjson" "$KEEP/run.ndjson"

# --- report: the same outputs from the saved run ---------------------------------------
"$MEMTRACE" report "$WORK/run.ndjson" --html "$WORK/replay.html" --pprof "$WORK/replay.pb.gz" \
	--folded "$WORK/replay.folded" --sqlite "$WORK/replay.db" >"$WORK/report.out" 2>&1
check_eq "report exit status" "$?" 0
check_eq "report said nothing" "$(cat "$WORK/report.out")" ""
check_true "report's page is the live run's" cmp -s "$page" "$WORK/replay.html"
render "$WORK/replay.html" replay
check_eq "report's page: no console message" "$(grep -c ':CONSOLE' "$WORK/replay.log")" 0
check_eq "report's page names the leak's function" \
	"$(grep -c "<td>native stack</td><td>cache_entity+" "$WORK/replay.dom")" 1
check_eq "report's folded lines are the live run's" "$(diff "$WORK/live.folded" "$WORK/replay.folded")" ""
check_eq "the folded leak line" "$(grep ';update_world;cache_entity ' "$WORK/replay.folded" | awk '{ print $NF }')" \
	"$leak_bytes"
if command -v go >/dev/null; then
	top() { go tool pprof -top -unit=B -sample_index="$2" "$1" 2>/dev/null | grep -v '^Time:'; }
	for index in inuse_space inuse_objects alloc_space alloc_objects; do
		check_eq "report's pprof -top $index is the live run's" \
			"$(diff <(top "$WORK/live.pb.gz" $index) <(top "$WORK/replay.pb.gz" $index))" ""
	done
	check_eq "report's pprof -raw (samples, locations, mappings, time) is the live run's" \
		"$(diff <(go tool pprof -raw "$WORK/live.pb.gz" 2>&1) <(go tool pprof -raw "$WORK/replay.pb.gz" 2>&1))" ""
	check_eq "report's pprof: cache_entity's inuse_space" \
		"$(top "$WORK/replay.pb.gz" inuse_space | awk '$NF == "cache_entity" { sub(/B$/, "", $1); print $1 }')" \
		"$leak_bytes"
else
	fail "go tool pprof is installed" "tools/install-deps.sh installs golang-go"
fi
for table in processes intervals frames python_types gc events stacks stack_samples; do
	check_eq "report's sqlite $table rows are the live run's" \
		"$(diff <(sqlite3 "$WORK/live.db" "SELECT * FROM $table") \
			<(sqlite3 "$WORK/replay.db" "SELECT * FROM $table"))" ""
done
check_eq "sqlite frames: one row per frame" "$(sqlite3 "$WORK/replay.db" 'SELECT count(*) FROM frames')" \
	"$FRAMES"
target_close

# --- the flame graph's zoom and search, driven in the browser ---------------------------
# A run of two stacks under main, 3000 and 1000 live bytes; a script added after the page's
# clicks leak_b's box, then searches for leak_a, and writes what the page then shows.
stack() {
	printf '{"stack_id":%d,"live_bytes":%d,"live_allocs":1,"allocs":1,"bytes_allocated":%d,' \
		"$1" "$2" "$2"
	printf '"frames":["%s+0x1 (demo)","main+0x2 (demo)"]}' "$3"
}
printf '{"type":"summary","pid":7,"comm":"demo","elapsed_ns":1000000000,"attach_ns":1,"exited":true,"rss_bytes":0,"native_mode":"exact","stacks":[%s,%s]}\n' \
	"$(stack 1 3000 leak_a)" "$(stack 2 1000 leak_b)" >"$WORK/two.ndjson"
"$MEMTRACE" report "$WORK/two.ndjson" --html "$WORK/two.html"
check_eq "report of a hand-written run" "$?" 0
probe="<script>var boxes=[].slice.call(document.querySelectorAll('g.fn'));
function box(n){return boxes.filter(function(g){return g.dataset.name.indexOf(n)===0;})[0];}
box('leak_b').dispatchEvent(new MouseEvent('click'));
var seen='zoom:'+box('leak_b').querySelector('rect').getAttribute('width')+','+
 box('main').querySelector('rect').getAttribute('width')+','+box('leak_a').style.display;
var input=document.querySelector('input[data-flame]');input.value='leak_a';
input.dispatchEvent(new Event('input'));
seen+=' search:'+document.querySelector('.matched').textContent;
document.querySelector('button[data-reset]').click();
seen+=' reset:'+box('leak_a').querySelector('rect').getAttribute('width');
var p=document.createElement('pre');p.id='probe';p.textContent=seen;document.body.appendChild(p);
</script></body>"
awk -v probe="$probe" '{ sub(/<\/body>/, probe); print }' "$WORK/two.html" >"$WORK/probe.html"
render "$WORK/probe.html" probe
check_eq "zoom and search: no console message" "$(grep -c ':CONSOLE' "$WORK/probe.log")" 0
check_eq "a click zooms leak_b to the whole width (main above it, leak_a hidden); the search finds leak_a's 75%; reset gives leak_a its 3/4 back" \
	"$(sed -n 's/.*<pre id="probe">\(.*\)<\/pre>.*/\1/p' "$WORK/probe.dom")" \
	"zoom:1200,1200,none search:matched: 75.00% of live bytes reset:900"

# --- Python: its frames in the flame graph, its types in the heatmap ----------------------
# tests/workloads/leaky: make_leak() keeps a Session and a 4 KiB buffer, 200 times a second.
py=$(ls -d /root/.pyenv/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -n1)
leak_line=$(grep -n '# LEAK_LINE' "$WORKLOADS/leaky/leaky_module.py" | cut -d: -f1)
if [ -x "$py" ] && start_leak_service leak "$py"; then
	timeout 60 "$MEMTRACE" -p "$LEAK_PID" --exact -d 4 -i 250ms --json="$WORK/py.ndjson" \
		--json-types all --json-all-stacks --html "$WORK/py.html" >/dev/null 2>"$WORK/py.err"
	check_eq "python: trace exits 0" "$?" 0
	kill "$LEAK_PID" 2>/dev/null
	wait "$LEAK_PID" 2>/dev/null
	# The ground truth of the box: the summary's live bytes of the stacks under make_leak.
	truth=$(json_summary "$WORK/py.ndjson" "$LEAK_PID" | jq '[.stacks[] |
		select(any(.python_stack[]?; .function == "make_leak")) | .live_bytes] | add // 0')
	check_true "python: make_leak's stacks hold its buffers (ground truth > 100 x 4 KiB)" \
		test "$truth" -gt $((100 * 4096))
	check_eq "python: the flame graph's make_leak box (a Python frame) holds them" \
		"$(grep -o "<g class=\"fn py\"[^>]*><title>make_leak (leaky_module.py:$leak_line) — [^,]*, [0-9]* bytes" \
			"$WORK/py.html" | sed 's/.*, //; s/ bytes//' | awk '{ s += $1 } END { print s + 0 }')" \
		"$truth"
	last_sessions=$(jq -s --argjson pid "$LEAK_PID" '[.[] | select(.type == "interval" and
		.pid == $pid)] | last | .python.types[] | select(.name == "Session") | .live' \
		"$WORK/py.ndjson")
	check_eq "python: the heatmap's last Session cell is the last interval's count" \
		"$(grep -o '<title>Session at [0-9.]* s: [0-9]* live' "$WORK/py.html" | tail -n1 |
			sed 's/.*: //; s/ live//')" "$last_sessions"
	check_true "python: a Python objects chart" grep -q '>Python objects (GC-tracked)<' "$WORK/py.html"
	render "$WORK/py.html" py
	check_eq "python: no console message while rendering" "$(grep -c ':CONSOLE' "$WORK/py.log")" 0
	cp "$WORK/py.html" "$KEEP/python.html"
else
	fail "python: the leak workload starts under pyenv's 3.12" "no $py"
fi

# --- bad input ---------------------------------------------------------------------------
expect_error "report: no such file" 19 "cannot read" report "$WORK/missing.ndjson" \
	--html "$WORK/bad.html"
expect_error "report: not NDJSON" 20 "line 1 is not" report "$page" --html "$WORK/bad.html"
head -n 5 "$WORK/run.ndjson" >"$WORK/cut.ndjson"
expect_error "report: no summary" 21 "no summary line" report "$WORK/cut.ndjson" \
	--html "$WORK/bad.html"
check_true "nothing written from bad input" test ! -e "$WORK/bad.html"
expect_error "report: nothing to write" 2 "nothing to write" report "$WORK/run.ndjson"
expect_error "report: an unknown flag" 2 "unrecognized option" report "$WORK/run.ndjson" --bogus
expect_error "--json-all-stacks without --json" 2 "give --json too" --json-all-stacks -p 1
expect_error "--html into a missing directory" 2 "cannot write" --html "$WORK/none/report.html" -p $$
finish
