#!/usr/bin/env bash
# --live under a pseudo-terminal (script(1) from util-linux) on tests/targets/hold_blocks.c,
# which holds 100 x malloc(4096) from hold_blocks(): the figures on the screen, the
# alternate screen left at the end; plain lines (no escapes) when stdout is a file.
source "$(dirname "$0")/lib.sh"

mkfifo "$WORK/cmd.in"
# Launched: counts are exact. The target reads its commands from the fifo (so does our stdin).
( sleep 1.5; echo "hold 100 4096"; sleep 2 ) >"$WORK/cmd.in" &
E2E_PIDS+=($!)
timeout 30 script -qfc "$MEMTRACE --live -i 200ms -- $TARGETS/hold_blocks <$WORK/cmd.in" \
	"$WORK/screen" </dev/null >/dev/null 2>&1
check_eq "exit status under a terminal" "$?" 0
screen=$(cat -v "$WORK/screen")
check_true "enters the alternate screen" grep -qF '^[[?1049h' <<<"$screen"
check_true "live bytes of the held blocks on screen" grep -qE 'hold_blocks +400\.0 KiB +100 ' <<<"$screen"
check_true "the holding stack on screen" grep -qF 'stacks   400.0 KiB  hold_blocks < main' <<<"$screen"
# The last redraw before leaving, then the terminal given back: cursor shown, screen left.
check_true "leaves the alternate screen after its last redraw" \
	awk '/\^\[\[\?25h\^\[\[\?1049l/ { left = NR } /hold_blocks/ { drawn = NR } END { exit !(left && left <= drawn) }' <<<"$screen"
check_eq "alternate screen entered once, left once" \
	"$(grep -o '1049[hl]' <<<"$screen" | tr -d '\n')" 1049h1049l

( sleep 1.5; echo "hold 100 4096"; sleep 1 ) >"$WORK/cmd.in" &
E2E_PIDS+=($!)
timeout 30 "$MEMTRACE" --live -i 200ms -- "$TARGETS/hold_blocks" <"$WORK/cmd.in" >"$WORK/plain" 2>/dev/null
check_eq "plain lines off a terminal: no escape bytes" "$(grep -c $'\033' "$WORK/plain")" 0
check_true "plain lines carry the figures" grep -qE 'hold_blocks +400\.0 KiB +100 ' "$WORK/plain"

# -p: keys from the terminal. s switches the sort; Ctrl-C (typed: the terminal signals it)
# ends the trace, and the terminal's settings are back as they were (stty -g before/after).
start_target held "$TARGETS/hold_blocks" || { fail "target starts"; finish; }
mkfifo "$WORK/keys"
( sleep 2.5; printf s; sleep 1.5; printf '\003'; sleep 2 ) >"$WORK/keys" &
E2E_PIDS+=($!)
timeout 30 script -qfc "trap '' INT; stty -g >$WORK/before; $MEMTRACE --live -i 300ms -p $TARGET_PID; \
	echo rc=\$? >$WORK/rc; stty -g >$WORK/after" "$WORK/keyscreen" <"$WORK/keys" >/dev/null 2>&1
check_eq "Ctrl-C typed on the terminal: exit status" "$(cat "$WORK/rc")" rc=0
check_true "key s: sorted by growth" grep -qF 'sorted by growth' "$WORK/keyscreen"
check_true "terminal settings restored" cmp -s "$WORK/before" "$WORK/after"
finish
