#!/usr/bin/env bash
# The history graph and the / filter, end to end in tmux against a real
# 3-member cluster under write load, with WalFsyncP99High's warning threshold
# set so low (1 us) that it fires on every member: `o` opens the full-screen
# graph of the selected member's WAL fsync p99 (title, min/avg/max, value and
# time axes); its warning threshold is drawn as a line and named in the
# legend; the span while the alert fired is shaded (and marked on the alerts
# strip); + and - change the span label (1m .. 24h) and the axis' labels;
# Left/Right pick a detail graph and Enter opens it; Esc goes back; paused,
# the graph and the sparklines stay at the shown poll; outside UTF-8 the graph
# is ASCII. `/` hides
# the members (and alerts) that do not match, says how many, Esc clears it.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/tui.sh
command -v tmux >/dev/null || { t_fail "tmux is installed"; t_done; }
lacks() { ! tui_has "$1"; }
shaded_cols() { tui_screen | grep -Eo 'alerts fired: [0-9]+' | grep -Eo '[0-9]+$'; }
screen_changed() { [[ "$(tui_screen)" != "$s1" ]]; }
has_braille() { tui_screen | LC_ALL=C grep -aq $'\xe2[\xa0-\xa3][\x80-\xbf]'; }
it_cluster 3
LOAD_RATE=40 tests/lib/load.sh "$CLUSTER_ENDPOINTS" 120 >/dev/null 2>&1 &
LOAD_PID=$!
t_cleanup_add "kill $LOAD_PID 2>/dev/null"
printf 'rules:\n  WalFsyncP99High:\n    warning: 0.001\n    critical: 100000\n' >"$T/config.yaml"
W=$T/ws
tui_start 140 40 "'$EM' --endpoints '$CLUSTER_ENDPOINTS' --interval 1 --config '$T/config.yaml' \
--workdir '$W' 2>'$T/err'; echo EXIT=\$?; sleep 60"
tui_wait "the dashboard shows 3/3 members up" 20 '3/3 members up'
tui_wait "WalFsyncP99High fires under the load" 20 'firing +WalFsyncP99High'
sleep 3                                   # a few polls of the alert firing

# / filter: only m2's row is left; the footer says what is hidden; Esc clears it.
tui_keys /
tui_wait "/ opens the prompt in the footer" 3 '/_ +filter: Enter keeps, Esc clears'
tui_type m2
tui_keys Enter
tui_wait "the footer says 2 members are hidden" 3 'filter "m2": 2 members, [0-9]+ alerts? hidden'
t_assert "m2's row is shown" tui_has '^ +m2 +127\.0\.0\.1'
t_assert "m1's row is hidden" lacks '^ +m1 +127\.0\.0\.1'
t_assert "m3's row is hidden" lacks '^ +m3 +127\.0\.0\.1'
t_assert "m2's alert is listed" tui_has 'firing +WalFsyncP99High +m2'
t_assert "m1's alert is hidden" lacks 'firing +WalFsyncP99High +m1'
tui_keys Escape
tui_wait_not "Esc clears the filter" 3 'filter "m2"'
tui_wait "m1 and m3 are back" 3 '^ +m1 +127\.0\.0\.1'
t_assert "m3 is back" tui_has '^ +m3 +127\.0\.0\.1'

# p: the sparklines are read up to the shown poll, so a paused screen stays.
tui_keys p
sleep 1.2
l1=$(tui_line '^│ read ')
sleep 3
t_eq "paused: the read probe row and its sparkline stay" "$l1" "$(tui_line '^│ read ')"
tui_keys p

# o: the full-screen graph of the selected member's first figure.
tui_keys o
tui_wait "o opens the graph: figure, member, span and resolution" 3 \
    '^ WAL fsync p99 · m[123] · span 15m \(every poll\) · now [0-9.]+ ?[µmu]?s'
t_assert "min / avg / max over the span" tui_has 'min [0-9.]+ ?[µmu]?s avg [0-9.]+ ?[µmu]?s max [0-9.]+ ?[µmu]?s'
t_assert "the legend names the warning threshold and its rule" tui_has '┄ warning <?[0-9.]+ ?[µmu]?s \(WalFsyncP99High\)'
t_assert "the critical threshold (off the scale) is named too" tui_has '━ critical .* \(WalFsyncP99High\)'
t_assert "the threshold line is drawn across the plot" tui_has '┄{20,}'
t_assert "the plot has Braille dots" has_braille
t_assert "the value axis is labelled" tui_has '^ +0(\.0+)? ?[µmu]?s│'
t_assert "the time axis has HH:MM labels" tui_has '^ {11}.*[0-2][0-9]:[0-5][0-9]'
t_assert "the alert's span is shaded: columns counted" tui_has 'alerts fired: [1-9][0-9]* columns? shaded'
n15=$(shaded_cols)
t_assert "and marked on the alerts strip" tui_has '^  alerts +.*█'
t_assert "shaded cells are drawn in reverse video" bash -c \
    "tmux -L '$TUI_SOCK' capture-pane -p -e -t t | grep -q $'\\e\\\\[\\\\([0-9]*;\\\\)*7[;m]'"

tui_keys +
tui_wait "+ zooms in to 5m" 3 'span 5m \(every poll\)'
tui_keys +
tui_wait "+ zooms in to 1m" 3 'span 1m \(every poll\)'
t_assert "a 1m span labels the axis with seconds" tui_has '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]'
n1=$(shaded_cols)
t_assert "over 1m the same alert shades more columns than over 15m ($n1 > $n15)" test "$n1" -gt "$n15"
tui_keys +
tui_wait "1m is the narrowest" 3 'span 1m '
tui_keys p
sleep 1.2
s1=$(tui_screen)
sleep 2.5
t_eq "paused: the graph stays at the shown poll" "$s1" "$(tui_screen)"
tui_keys p
t_wait_for "resumed: the graph moves on (its time axis at least)" 4 screen_changed
for z in 5m 15m 1h 6h 24h; do
    tui_keys -
    tui_wait "- zooms out to $z" 3 "span $z "
done
tui_keys Down
tui_wait "Down: the next figure" 3 '^ backend commit p99 · m[123] · span 24h'
tui_keys Escape
tui_wait "Esc goes back to the main screen" 3 '3/3 members up'

# The detail view: Right selects the second graph, Enter opens it full screen.
tui_keys Enter
tui_wait "Enter opens the member detail" 3 'WAL fsync p99 ·'
tui_keys Right Enter
tui_wait "Enter on the selected graph opens it" 3 '^ backend commit p99 · m[123] · span 24h'
tui_keys q
tui_wait "q in the graph goes back to the detail" 3 'Left/Right graph'

# The keys are on the help screen (generated from the key table).
tui_keys '?'
tui_wait "? lists o" 3 '^│ +o +full-screen history graph'
t_assert "? lists /" tui_has '^│ +/ +filter the members table'
tui_keys Escape Escape q
tui_wait "q quits" 10 '^EXIT=[0-9]+'

# Outside a UTF-8 locale the graph is ASCII: * dots, the threshold as dashes.
tui_start 120 36 "LC_ALL=C '$EM' --endpoints '$CLUSTER_ENDPOINTS' --interval 1 --config '$T/config.yaml' \
--workdir '$T/ws-c' 2>'$T/err-c'; echo EXIT=\$?; sleep 60"
tui_wait "C locale: the dashboard runs" 20 '3/3 members up'
sleep 2
tui_keys o
tui_wait "C locale: o opens the graph" 3 '^ WAL fsync p99 \| m[123] \| span 15m'
t_assert "C locale: the threshold line is ASCII dashes" tui_has '\|-{20,}'
t_assert "C locale: the plot is drawn with *" tui_has '\*'
t_assert "C locale: no Braille" bash -c "! tmux -L '$TUI_SOCK' capture-pane -p -t t | LC_ALL=C grep -aq $'\xe2'"
tui_keys q q
tui_wait "C locale: q, q quits" 10 '^EXIT=[0-9]+'
t_done
