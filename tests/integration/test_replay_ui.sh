#!/usr/bin/env bash
# replay on the dashboard, end to end: a short real session is recorded
# (headless, 1 s polls, one member killed after ~3 s), then replayed in a
# private tmux server. The header says REPLAY and the recorded time; Right
# steps one poll (the time moves by one interval); at the first poll after the
# kill the member shows down and MemberUnreachable is listed; o graphs the
# recorded history of a figure; g goes back to
# the start (all up, no alert); q quits and gives the terminal back.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/tui.sh
if ! command -v tmux >/dev/null; then
    t_fail "tmux is installed (needed to drive the dashboard)"
    t_done
fi
it_cluster 3

leader=$(cluster_leader)
victim=$((leader % 3 + 1))                # a follower
vname=m$victim
rec=$T/rec

# ---- record ----------------------------------------------------------------
it_em_start "$T/rec.out" "$T/rec.err" --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --headless --duration 8s --workdir "$rec"
it_wait_rows "$rec/metrics.csv" 3 10
cluster_kill "$victim"
wait "$EM_PID"
rc=$?
t_assert "recording ends on its own, status 0-2 (got $rc)" test "$rc" -le 2
polls=$(csv_rows "$rec/metrics.csv")
t_assert "several polls recorded ($polls)" test "$polls" -ge 5

# the first poll (1-based) where the victim's row says up=0
down_at=$(awk -F, -v m="$vname" 'NR > 1 && $2 == m && $4 == "0" { print $1; exit }' \
    "$rec/members.csv")
down_poll=$(awk -F, -v t="$down_at" 'NR > 1 { n++; if ($1 == t) { print n; exit } }' "$rec/metrics.csv")
t_assert "$vname is down in the recording (poll ${down_poll:-none})" test -n "$down_poll"
[[ -n $down_poll ]] || t_done
t0=$(awk -F, 'NR == 2 { print $1; exit }' "$rec/metrics.csv")
t1=$(awk -F, 'NR == 3 { print $1; exit }' "$rec/metrics.csv")

# ---- replay ----------------------------------------------------------------
hhmmss() { sed -E 's/^[0-9-]+T([0-9:]{8}).*/\1/' <<<"$1"; }
mkdir -p "$T/cwd"
tui_start 120 40 "ulimit -c 0; cd '$T/cwd'; echo BEFORE-replay; '$EM' replay '$rec' 2>'$T/replay.err'; \
echo EXIT=\$?; stty -a > '$T/replay.stty'; sleep 60"
tui_wait "the header says REPLAY, paused at poll 1" 10 "REPLAY .* paused 1/$polls"
t_assert "the header shows the first poll's time ($(hhmmss "$t0"))" tui_has "REPLAY .*$(hhmmss "$t0")"
t_assert "all three members up at the start" tui_has '3/3 members up'
t_assert "no MemberUnreachable at the start" bash -c "! tmux -L '$TUI_SOCK' capture-pane -p -t t | grep -q MemberUnreachable"

tui_keys Right
tui_wait "Right steps to poll 2" 3 "REPLAY .* paused 2/$polls"
t_assert "the time moves by one poll ($(hhmmss "$t1"))" tui_has "REPLAY .*$(hhmmss "$t1")"

for ((k = 2; k < down_poll; k++)); do
    tui_keys Right
    tui_wait "Right steps to poll $((k + 1))" 3 "REPLAY .* paused $((k + 1))/$polls"
done
t_wait_for "poll $down_poll: $vname shows down" 3 \
    _tui_expect yes "^ $vname .*(refused|timeout|down)"
t_assert "poll $down_poll: 2/3 members up" tui_has '2/3 members up'
tui_wait "poll $down_poll: MemberUnreachable is in the alerts panel" 3 \
    "(CRIT|WARN) +(firing|pending) +MemberUnreachable"
t_assert "poll $down_poll: the timeline says $vname went down" tui_has "$vname .*is down"
tui_keys Left
tui_wait "Left steps back to poll $((down_poll - 1))" 3 "REPLAY .* paused $((down_poll - 1))/$polls"
tui_wait "one poll before: 3/3 members up" 3 '3/3 members up'
tui_keys Right
tui_wait "Right again: 2/3 members up" 3 '2/3 members up' 

# the history graph (o) works on the recorded history, up to the poll shown
has_braille() { tui_screen | LC_ALL=C grep -aq $'\xe2[\xa0-\xa3][\x80-\xbf]'; }
tui_keys o
tui_wait "o opens the graph of the recorded history" 3 '^ WAL fsync p99 · m[123] · span 15m'
t_assert "the graph says how much history a replay has" tui_has 'replay: the recorded polls before the cursor'
tui_keys Down Down Down
tui_wait "Down x3: the read probe, with min/avg/max of the recorded polls" 3 \
    '^ read probe · m[123] · span 15m \(every poll\) · now [^·]+ · min [0-9.]+ ?[µmu]?s avg'
t_assert "the recorded read probe is plotted" has_braille
tui_keys Escape
tui_wait "Esc: back to the replay at the same poll" 3 "REPLAY .* paused $down_poll/$polls"

# E exports the screen and the figures into the session's directory
tui_keys E
tui_wait "E says where it exported" 3 "exported: $rec/export-"
txt=$(ls "$rec"/export-*.txt 2>/dev/null | head -1)
json=${txt%.txt}.json
t_assert "E: the text file exists ($txt)" test -s "$txt"
t_assert "E: the JSON file exists" test -s "$json"
t_assert "E: the text has the header line" grep -q "REPLAY .* paused $down_poll/$polls" "$txt"
t_assert "E: the text has the member rows" grep -Eq "^ $vname .*(refused|timeout|down)" "$txt"
t_assert "E: the JSON parses" python3 -m json.tool "$json"
t_assert "E: the JSON names the three members" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(m['name'] for m in d['members'])
assert names == ['m1', 'm2', 'm3'], names
down = [m['name'] for m in d['members'] if not m['up']]
assert down == [sys.argv[2]], down
assert any(a['rule'] == 'MemberUnreachable' for a in d['alerts']), d['alerts']
" "$json" "$vname"
# cannot write there (a directory in the way; chmod would not stop root): the
# current directory instead, and the footer says so
next_ts=$(awk -F, -v n="$((down_poll + 1))" 'NR == n + 1 { print $1; exit }' "$rec/metrics.csv")
mkdir "$rec/export-$(tr -d ':-' <<<"$next_ts").txt"
tui_keys Right E
tui_wait "E where it cannot write: exported to the current directory" 3 "exported to \./export-[0-9TZ.]+\.\{txt,json\} \("
tui_keys Left

tui_keys g
tui_wait "g goes back to poll 1" 3 "REPLAY .* paused 1/$polls"
tui_wait "back at the start: 3/3 members up" 3 '3/3 members up'
tui_wait_not "back at the start: the alert is gone" 3 'MemberUnreachable'

tui_keys q
tui_wait "q: exit code printed" 10 '^EXIT=[0-9]+'
t_eq "q: exit code 0" "EXIT=0" "$(tui_line '^EXIT=')"
t_wait_for "stty -a saved after exit" 5 test -s "$T/replay.stty"
t_assert "echo is on again" grep -Eq '(^|[[:space:]])echo([[:space:];]|$)' "$T/replay.stty"
t_assert "icanon is on again" grep -Eq '(^|[[:space:]])icanon([[:space:];]|$)' "$T/replay.stty"
t_eq "cursor visible" 1 "$(tui_flag cursor_flag)"
t_eq "mouse reporting off" 0 "$(tui_flag mouse_any_flag)"
t_eq "alternate screen left" 0 "$(tui_flag alternate_on)"
t_assert "the shell's screen is back" tui_has '^BEFORE-replay$'
t_assert "the fallback export landed in the current directory" test -n "$(ls "$T/cwd"/export-*.json 2>/dev/null)"
t_eq "nothing on stderr" "" "$(cat "$T/replay.err")"
t_done
