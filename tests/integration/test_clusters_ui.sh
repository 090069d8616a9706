#!/usr/bin/env bash
# The many-clusters overview end to end, in a private tmux server: two real
# clusters (3 members, and 1 member, which alerts: fewer than 2 up). One line
# per cluster with its status and members up; Enter shows the chosen
# cluster's normal dashboard, Esc comes back to the list; q quits and gives
# the terminal back, each cluster's files in its own subdirectory.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/tui.sh
if ! command -v tmux >/dev/null; then
    t_fail "tmux is installed (needed to drive the dashboard)"
    t_done
fi
start_cluster() { # NAME N -> sets ${NAME}_EPS; stopped at exit
    local dir=$T/$1
    t_cleanup_add "CLUSTER_DIR='$dir' cluster_stop"
    if ! CLUSTER_DIR=$dir cluster_start "$2" >/dev/null; then
        t_fail "cluster $1 starts"
        t_done
    fi
    printf -v "${1}_EPS" '%s' "$(. "$dir/env"; echo "$CLUSTER_ENDPOINTS")"
}
start_cluster blue 3
start_cluster green 1
printf 'interval: 1\nclusters:\n  - name: blue\n    endpoints: %s\n  - name: green\n    endpoints: %s\n' \
    "$blue_EPS" "$green_EPS" >"$T/c.yaml"

tui_start 150 30 "ulimit -c 0; '$EM' --config '$T/c.yaml' --workdir '$T/ws' 2>'$T/err'; echo EXIT=\$?; sleep 60"
tui_wait "the overview lists both clusters, polled" 20 '^green +ALERT +m1 +1/1 .*AvailableMembersLow'
tui_wait "blue's line: healthy, 3 of 3 up" 5 '^blue +HEALTHY +m[123] +3/3 '
t_assert "the column heads are shown" tui_has '^CLUSTER +STATUS +LEADER +UP +WAL p99 +COMMIT +DB +QUOTA +FIRING ALERTS'
t_eq "one line per cluster" 2 "$(tui_count '^(blue|green) ')"

tui_keys Down Enter
tui_wait "Enter on green shows its dashboard (1 member)" 5 '1/1 members up'
tui_wait "its header names the cluster" 3 '^ *\[green\] .*1/1 members up'
t_assert "it says which cluster and how back" tui_has 'cluster green \(Esc: all clusters\)'
t_assert "the overview is gone" bash -c "! tmux -L '$TUI_SOCK' capture-pane -p -t t | grep -q '^CLUSTER '"
tui_keys Escape
tui_wait "Esc comes back to the overview" 5 '^CLUSTER +STATUS'
t_assert "both lines again" tui_has '^blue +HEALTHY'
tui_keys Up Enter
tui_wait "Enter on blue shows blue's dashboard (3 members)" 5 '3/3 members up'
tui_keys E
t_wait_for "E exports blue's screen into blue's own directory" 5 \
    bash -c "ls '$T/ws/blue'/export-*.txt >/dev/null 2>&1"
t_assert "blue's export shows 3 members up" grep -q '3/3 members up' "$T"/ws/blue/export-*.txt
t_assert "nothing exported into green's" bash -c "! ls '$T/ws/green'/export-* >/dev/null 2>&1"
tui_keys '?'
tui_wait "the dashboard's own keys work there (help)" 3 'next statistics window'
tui_keys Escape
tui_wait "Esc first closes the help" 3 '3/3 members up'
t_assert "and stays on the dashboard" bash -c "! tmux -L '$TUI_SOCK' capture-pane -p -t t | grep -q '^CLUSTER '"
tui_keys Escape
tui_wait "a second Esc comes back to the overview" 5 '^CLUSTER +STATUS'
tui_keys q
tui_wait "q quits: exit status the worst (green: 2)" 15 '^EXIT=2'
t_assert "the summaries follow, one per cluster" tui_has '^Clusters: blue HEALTHY \(0\), green ALERT \(2\)'
for c in blue green; do
    t_assert "$c has its metrics.csv" test "$(csv_rows "$T/ws/$c/metrics.csv")" -ge 1
done
t_eq "nothing on stderr" "" "$(cat "$T/err")"
t_done
