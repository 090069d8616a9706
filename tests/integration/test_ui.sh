#!/usr/bin/env bash
# The dashboard end to end: the real binary in a private tmux server against a
# real 3-member cluster. All members and exactly one leader; the keys change
# what the screen shows; a killed member turns down and raises an alert;
# resizing keeps the layout sane, too small says so; `q` and a crash both give
# the terminal back; no-colour and non-UTF-8 terminals work.
#
#   UI_SCREEN_OUT=docs/screen.txt bash tests/run-integration.sh ui
# also saves the 120x40 screen (with a member down) for the README.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/tui.sh
if ! command -v tmux >/dev/null; then
    t_fail "tmux is installed (needed to drive the dashboard)"
    t_done
fi
it_cluster 3

# run_ui NAME W H [VAR=VALUE...] — the dashboard in a W x H tmux window. The
# shell line prints BEFORE-NAME first (on the normal screen), EXIT=<rc> after,
# and saves `stty -a` to $T/NAME.stty once the program is gone.
run_ui() {
    local name=$1 w=$2 h=$3
    shift 3
    tui_start "$w" "$h" "ulimit -c 0; echo BEFORE-$name; env $* '$EM' --endpoints '$CLUSTER_ENDPOINTS' \
--interval 1 --workdir '$T/ws-$name' ${UI_ARGS:-} 2>'$T/$name.err'; echo EXIT=\$?; stty -a > '$T/$name.stty'; sleep 60"
}

# The terminal is back: the program said its exit code (in EXIT_RC), cooked
# mode is on. $2 = yes when the terminal has an alternate screen that must
# have been left.
check_restored() {
    local name=$1 alt=$2
    tui_wait "$name: exit code printed" 15 '^EXIT=[0-9]+'
    EXIT_RC=$(tui_line '^EXIT=' | sed 's/^EXIT=//')
    t_wait_for "$name: stty -a saved after exit" 5 test -s "$T/$name.stty"
    t_assert "$name: echo is on again" grep -Eq '(^|[[:space:]])echo([[:space:];]|$)' "$T/$name.stty"
    t_assert "$name: icanon is on again" grep -Eq '(^|[[:space:]])icanon([[:space:];]|$)' "$T/$name.stty"
    t_eq "$name: cursor visible" 1 "$(tui_flag cursor_flag)"
    t_eq "$name: mouse reporting off" 0 "$(tui_flag mouse_any_flag)"
    if [[ $alt == yes ]]; then
        t_eq "$name: alternate screen left" 0 "$(tui_flag alternate_on)"
        t_assert "$name: the shell's screen is back" tui_has "^BEFORE-$name\$"
    fi
}

# Helpers reading one thing off the screen.
window_label() { tui_screen | grep -Eo 'window [0-9]+[smhd]+' | head -1; }
sort_label() { tui_screen | grep -Eo 'sort:[a-z0-9]+( [a-z0-9]+)*' | head -1; }
theme_label() { tui_screen | grep -Eo 'theme:[a-z]+' | head -1; }
poll_number() { tui_screen | grep -Eo 'poll #[0-9]+' | head -1; }
differs() { [[ "$("$1")" != "$2" ]]; }   # FN VALUE
same() { [[ "$("$1")" == "$2" ]]; }      # FN VALUE
has_all() {                              # REGEX... all on the screen
    local s r
    s=$(tui_screen)
    for r in "$@"; do grep -Eq -- "$r" <<<"$s" || return 1; done
}
screen_line() { tui_screen | sed -n "${1}p"; }
has_reverse() { tui_screen_esc | grep -q $'\e\\[\\([0-9]*;\\)*7[;m]'; }

leader=$(cluster_leader)
lname=m$leader
victim=$((leader % 3 + 1))                # a follower
vname=m$victim

# ---- main run: 120x40 ----------------------------------------------------
run_ui main 120 40
tui_wait "the dashboard shows 3/3 members up" 20 '3/3 members up'
for m in m1 m2 m3; do
    t_assert "row for $m" tui_has "^ $m +"
done
t_eq "exactly one leader star" 1 "$(tui_count '★')"
t_assert "the star is on $lname's row" tui_has "^ $lname +★ leader"
t_assert "header names the leader" tui_has "leader $lname"
t_assert "header shows the overall status" tui_has ' (HEALTHY|WARNING|ALERT) *$'
t_assert "latency, database, raft and alerts panels" has_all 'Latency' 'Database' 'Raft' 'Alerts:'
t_assert "the footer lists the main keys" has_all '\? help' 'q quit' 'p pause' 'w [0-9]' 's sort:' 't theme:' 
it_wait_rows "$T/ws-main/metrics.csv" 2 10

# help, generated from the key table
tui_keys '?'
tui_wait "? opens the help screen" 3 'next statistics window'
t_assert "help lists the quit key" tui_has '^│ +q +quit'
tui_keys Escape
tui_wait "Esc closes help" 3 'members up'

# window
before=$(window_label)
tui_keys w
t_wait_for "w changes the window label (was '$before')" 3 differs window_label "$before"
after=$(window_label)
t_assert "the panel titles follow the window (${after#window })" tui_has "Latency · m[0-9] · ${after#window } "
tui_keys W
t_wait_for "W goes back to '$before'" 3 same window_label "$before"

# sort
before=$(sort_label)
t_eq "sorted by name at first" "sort:name" "$before"
tui_keys s
t_wait_for "s changes the sort (footer)" 3 differs sort_label "$before"
t_assert "s moves the sort marker to the status column" tui_has 'status▼'
tui_keys S
tui_wait "S goes back to name" 3 'name▲'

# theme
before=$(theme_label)
t_eq "default theme at first" "theme:default" "$before"
tui_keys t
t_wait_for "t changes the theme name in the footer" 3 differs theme_label "$before"
tui_keys t t t
tui_wait "four t's cycle back to the default theme" 3 'theme:default'

# pause: the picture freezes, polling and CSV go on
tui_keys p
tui_wait "p shows PAUSED" 3 'PAUSED'
p1=$(poll_number)
r1=$(csv_rows "$T/ws-main/metrics.csv")
sleep 2.5
t_eq "paused: the poll number on screen stays" "$p1" "$(poll_number)"
r2=$(csv_rows "$T/ws-main/metrics.csv")
t_assert "paused: polling and CSV continue ($r1 -> $r2 rows)" test "$r2" -gt "$r1"
tui_keys p
tui_wait_not "p again resumes" 3 'PAUSED'
t_wait_for "resumed: the poll number moves on" 3 differs poll_number "$p1"

# detail view, wide table, alerts focus, repaint
tui_keys Enter
tui_wait "Enter opens the member detail" 3 'WAL fsync p99 ·'
tui_keys Escape
tui_wait "Esc goes back to the main view" 3 'name▲'
tui_keys v
tui_wait "v shows the wide columns" 3 'raft idx'
tui_keys v
tui_wait_not "v again hides them" 3 'raft idx'
tui_keys a
tui_wait "a focuses the alerts list" 3 'Esc done'
tui_keys Escape
tui_wait_not "Esc leaves the alerts list" 3 'Esc done'
tui_keys C-l
tui_wait "Ctrl-L repaints the same screen" 3 '3/3 members up'

# a click on the third row selects that member (X10 mouse: ESC [ M b x y)
tui_type $'\e[M %&'
tui_type $'\e[M#%&'
tui_wait "a click on the third row selects m3" 3 'Latency · m3'

# a member goes down
cluster_kill "$victim"
t_wait_for "killed $vname shows as down within 2 intervals" 3.5 \
    _tui_expect yes "^ $vname .*(refused|timeout|down)"
tui_wait "header counts 2/3 members up" 3 '2/3 members up'
tui_wait "an alert appears in the alerts panel" 8 '(CRIT|WARN) +(firing|pending) +[A-Za-z]'
tui_wait "the event timeline says $vname went down" 3 "$vname .*is down"
tui_wait "the timeline records the alert" 5 "alert (pending|firing): [A-Za-z]+ on $vname"
if [[ -n ${UI_SCREEN_OUT:-} ]]; then
    sleep 3
    tui_screen > "$UI_SCREEN_OUT"
fi

# resizing
tui_resize 80 24
tui_wait_not "80x24: no too-small note" 3 'too small'
tui_wait "80x24: header still there" 3 '2/3 members up'
for m in m1 m2 m3; do
    t_assert "80x24: row for $m" tui_has "^ $m +"
done
t_assert "80x24: the footer is on the last line" grep -q 'q quit' <<<"$(screen_line 24)"
tui_resize 120 40
tui_wait "back to 120x40: header" 3 '2/3 members up'
t_eq "back to 120x40: one leader star" 1 "$(tui_count '★')"
tui_resize 70 20
tui_wait "70x20: the too-small note" 3 'terminal too small \(need 80x24\)'
tui_resize 120 40
tui_wait_not "120x40 again: the note is gone" 3 'too small'
tui_wait "120x40 again: the dashboard is back" 3 '2/3 members up'

tui_keys q
check_restored main yes
t_assert "q: exit code 0, 1 or 2 (was $EXIT_RC)" test "$EXIT_RC" -le 2
t_assert "the CSV landed" test "$(csv_rows "$T/ws-main/members.csv")" -gt 3
t_eq "nothing on stderr" "" "$(cat "$T/main.err")"

# ---- NO_COLOR: attributes only ---------------------------------------------
run_ui nocolor 100 30 NO_COLOR=1
tui_wait "NO_COLOR: the dashboard shows the members" 20 'members up'
sgr_colours() { tui_screen_esc | grep -Eo $'\e\\[([0-9]*;)*(3[0-7]|4[0-7]|9[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m' | head -3; }
t_eq "NO_COLOR: no colour at all" "" "$(sgr_colours)"
t_assert "NO_COLOR: reverse video marks the header and selection" has_reverse
tui_keys t
tui_wait "NO_COLOR: t still cycles" 3 'theme:light'
t_eq "NO_COLOR: still no colour after t" "" "$(sgr_colours)"
tui_keys q
check_restored nocolor yes

# ---- vt100 and the C locale: no colours, no UTF-8, no alternate screen -----
TUI_TERM=vt100 run_ui vt100 100 30 LC_ALL=C
tui_wait "vt100/C: the dashboard shows the members" 20 'members up'
t_assert "vt100/C: ASCII leader marker" tui_has '\* leader'
t_eq "vt100/C: no UTF-8 star" 0 "$(tui_count '★')"
tui_keys '?'
tui_wait "vt100/C: help works" 3 'next statistics window'
tui_keys q
check_restored vt100 no

# ---- themes from --theme: a name, a file, and an unusable one ---------------
UI_ARGS="--theme solarized" run_ui theme 120 40
tui_wait "--theme solarized: the dashboard is up" 20 'members up'
t_assert "--theme solarized: the footer names it" tui_has 'theme:solarized'
tui_keys q
cp themes/solarized.theme "$T/night.theme"
UI_ARGS="--theme $T/night.theme" run_ui themefile 120 40
tui_wait "--theme FILE: the footer names the file's theme" 20 'theme:night'
tui_keys t
tui_wait "--theme FILE: t goes on to the built-in themes" 3 'theme:default'
tui_keys q
UI_ARGS="--theme nope-theme" run_ui badtheme 120 40
tui_wait "--theme unknown: falls back to default" 20 'theme:default'
t_assert "--theme unknown: the footer says so" tui_has 'theme "nope-theme" unusable'
tui_keys q

# ---- Ctrl-\ (SIGQUIT) and SIGUSR1 stop like SIGTERM: terminal back, summary, exit 0
for sig in QUIT USR1; do
    run_ui "sig$sig" 120 40
    tui_wait "SIG$sig run: the dashboard is up" 20 'members up'
    pane=$(tui_flag pane_pid)
    pid=$(pgrep -P "$pane" -x etcd-monitor | head -1)
    t_assert "SIG$sig run: found the process" test -n "$pid"
    kill -"$sig" "$pid"
    check_restored "sig$sig" yes
    t_assert "SIG$sig run: an orderly stop, the session's status as exit code (got $EXIT_RC)" \
        test "$EXIT_RC" -le 2
    t_assert "SIG$sig run: the summary was printed" tui_has 'MONITORING SESSION COMPLETE'
    t_assert "SIG$sig run: the log says why it stopped" grep -q "stopping on" "$T/ws-sig$sig/monitoring.log"
done

# ---- a crash gives the terminal back (SIGSEGV -> ui_crash_restore) -------
run_ui crash 120 40
tui_wait "crash run: the dashboard is up" 20 'members up'
pane=$(tui_flag pane_pid)
pid=$(pgrep -P "$pane" -x etcd-monitor | head -1)
t_assert "crash run: found the process" test -n "$pid"
kill -SEGV "$pid"
check_restored crash yes
t_eq "crash run: died of SIGSEGV" 139 "$EXIT_RC"

t_done
