#!/usr/bin/env bash
# Many endpoints on one machine (issue #14): the stub plays 300 members, one
# port each, serving a captured etcd 3.4 /metrics body and a status and member
# list that name every port. Headless: all 300 are in members.csv with values
# at every poll, the member list adds none and drops none, the connections are
# opened once and kept between polls, and the run ends on time. The dashboard
# with 100 members: the table says how many rows are below, End scrolls to the
# last member and Home back to the first.
#
#   MANY_N=1000 bash tests/run-integration.sh many_endpoints   (the limit itself; on a
#   busy machine the first poll, opening 4,000 connections at once, may time out)
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/tui.sh
STUB=$_it_root/build/http-stub
N=${MANY_N:-300}
CID=17606796453617027350

# fake_members NAME N: a stub with N listeners (fake members f0..f(N-1); the
# leader is f0), its log in $T/NAME.log; sets EPS (their endpoints, in order).
fake_members() {
    local name=$1 n=$2 d=$T/$1 k args=()
    mkdir -p "$d"
    cp tests/data/etcd-3.4-follower.metrics "$d/metrics.prom"
    printf '{"header":{"cluster_id":"%s","member_id":"{{port}}","revision":"3","raft_term":"2"},"version":"3.4.23","dbSize":"20480","leader":"{{port:0}}","raftIndex":"10","raftTerm":"2","raftAppliedIndex":"10","dbSizeInUse":"16384"}' \
        "$CID" >"$d/status.json"
    {
        printf '{"header":{"cluster_id":"%s","member_id":"{{port}}","raft_term":"2"},"members":[' "$CID"
        for ((k = 0; k < n; k++)); do
            ((k)) && printf ','
            printf '{"ID":"{{port:%d}}","name":"f%d","peerURLs":["http://127.0.0.1:1"],"clientURLs":["http://127.0.0.1:{{port:%d}}"]}' \
                "$k" "$k" "$k"
        done
        printf ']}'
    } >"$d/members.json"
    printf '{"health":"true"}' >"$d/health.json"
    printf '{"header":{"cluster_id":"%s","raft_term":"2"}}' "$CID" >"$d/alarms.json"
    printf '{"header":{"cluster_id":"%s","revision":"3","raft_term":"2"}}' "$CID" >"$d/range.json"
    for ((k = 0; k < n; k++)); do
        args+=(--port-file "$d/port.$k"
            --route "GET /metrics file $d/metrics.prom"
            --route "POST /v3/maintenance/status template $d/status.json"
            --route "POST /v3/cluster/member/list template $d/members.json"
            --route "GET /health file $d/health.json"
            --route "POST /v3/kv/range file $d/range.json"
            --route "POST /v3/maintenance/alarm file $d/alarms.json")
    done
    "$STUB" --max-seconds 300 "${args[@]}" </dev/null >/dev/null 2>"$T/$name.log" &
    t_cleanup_add "kill $! 2>/dev/null || true"
    t_wait_for "stub $name ($n listeners) listens" 20 test -s "$d/port.$((n - 1))"
    EPS=""
    for ((k = 0; k < n; k++)); do EPS+="${EPS:+,}127.0.0.1:$(<"$d/port.$k")"; done
}

# The read probe's latency on a busy 2-core test machine is not what this
# test is about: its rule is off, so any other alert fails the exit code.
printf 'rules:\n  RequestLatencyHigh:\n    enabled: false\n' >"$T/quiet.yaml"
fake_members many "$N"
W=$T/ws
t0=$SECONDS
"$EM" --headless --config "$T/quiet.yaml" --endpoints "$EPS" --interval 2 --duration 10s --workdir "$W" >"$T/out" 2>"$T/err"
rc=$?
took=$((SECONDS - t0))
t_eq "$N endpoints: exit code 0 ($(head -c 300 "$T/err"))" 0 "$rc"
t_assert "the run ends on time (10 s asked, took ${took}s)" test "$took" -le 25
for f in metrics members; do t_assert "$f.csv whole (no torn line)" csv_whole "$W/$f.csv"; done
polls=$(csv_rows "$W/metrics.csv")
t_assert "10 s at 2 s gives 4 to 6 polls (got $polls)" test "$polls" -ge 4 -a "$polls" -le 6
t_eq "every poll counts $N members" "$N" "$(csv_col "$W/metrics.csv" members_total | sort -u | xargs)"
t_eq "every poll has all $N up" "$N" "$(csv_col "$W/metrics.csv" members_up | sort -u | xargs)"
t_eq "members.csv: $N rows per poll" "$((N * polls))" "$(csv_rows "$W/members.csv")"
t_eq "members.csv: $N distinct members" "$N" "$(csv_col "$W/members.csv" member | sort -u | wc -l)"
t_eq "members.csv: the last fake member is there by its listed name" "$polls" \
    "$(csv_rows "$W/members.csv" member "f$((N - 1))")"
t_eq "every row is up" "1" "$(csv_col "$W/members.csv" up | sort -u | xargs)"
t_eq "every row has the db size" "20480" "$(csv_col "$W/members.csv" db_size_bytes | sort -u | xargs)"
t_eq "no row has an error" "" "$(csv_col "$W/members.csv" error | sort -u | xargs)"
t_eq "every row has a raft index" "10" "$(csv_col "$W/members.csv" raft_index | sort -u | xargs)"
t_eq "one leader, f0, in every poll" "f0" "$(csv_col "$W/metrics.csv" leader_name | sort -u | xargs)"
t_eq "nothing discovered or dropped" 0 \
    "$(grep -c 'discovered\|no longer in the member list' "$W/monitoring.log")"
t_eq "no connection warning" 0 "$(grep -c 'connections: ' "$W/monitoring.log")"
# "session ended after P polls (X transfers over C connections)": the
# connections are opened once (a few per member: its requests run at once),
# not reopened at every poll as when curl kept only 256.
end=$(grep -o 'session ended after .*' "$W/monitoring.log")
xfers=$(sed -n 's/.*(\([0-9]*\) transfers over \([0-9]*\) connections).*/\1/p' <<<"$end")
conns=$(sed -n 's/.*(\([0-9]*\) transfers over \([0-9]*\) connections).*/\2/p' <<<"$end")
t_assert "at least 3 transfers per member and poll ($end)" test "${xfers:-0}" -ge $((3 * N * polls))
t_assert "at most 5 connections per member over the run ($end)" test "${conns:-999999}" -le $((5 * N + 16))

# An alert on every member at once (a database-size threshold all 300 are
# over): each one is tracked and each transition written (there were 256
# alerts and 64 transitions a poll at most).
printf 'rules:\n  RequestLatencyHigh:\n    enabled: false\n  DatabaseSizeHigh:\n    threshold: 0.01\n' >"$T/storm.yaml"
W=$T/ws-storm
"$EM" --headless --config "$T/storm.yaml" --endpoints "$EPS" --interval 2 --duration 4s \
    --workdir "$W" >"$T/out-storm" 2>&1
t_eq "alert on every member: exit code 1 (warning)" 1 "$?"
t_eq "alert on every member: $N FIRING lines in alerts.log" "$N" \
    "$(grep -c ' FIRING warning DatabaseSizeHigh ' "$W/alerts.log")"
t_eq "... one per member" "$N" \
    "$(grep ' FIRING warning DatabaseSizeHigh ' "$W/alerts.log" | grep -o 'member=f[0-9]*' | sort -u | wc -l)"

# A soft open-file limit too low for the connections (1024 is common) is
# raised toward the hard one, silently.
W=$T/ws-soft
bash -c "ulimit -Sn 600 && exec \"\$@\"" em "$EM" --headless --config "$T/quiet.yaml" \
    --endpoints "$EPS" --interval 2 --duration 6s --workdir "$W" >"$T/out-soft" 2>&1
t_eq "soft limit 600: exit code 0" 0 "$?"
t_eq "soft limit 600: no connection warning" 0 "$(grep -c 'connections: ' "$W/monitoring.log")"
t_eq "soft limit 600: all $N up in every poll" "$N" "$(csv_col "$W/metrics.csv" members_up | sort -u | xargs)"
# A hard limit too low: said once, with the ulimit to use; every member is
# still polled (requests wait their turn).
W=$T/ws-hard
bash -c "ulimit -n 600 && exec \"\$@\"" em "$EM" --headless --config "$T/quiet.yaml" \
    --endpoints "$EPS" --interval 2 --duration 6s --workdir "$W" >"$T/out-hard" 2>&1
t_eq "hard limit 600: said once, with the figures" 1 "$(grep -c "connections: the open-file limit (600, hard 600) allows 344 connections, not the $((5 * N + 16)) wanted: requests wait their turn (raise it: ulimit -n $((5 * N + 16 + 256)))" "$W/monitoring.log")"
polls=$(csv_rows "$W/metrics.csv")
t_assert "hard limit 600: polls happen (got $polls)" test "$polls" -ge 2
t_eq "hard limit 600: $N members.csv rows per poll" "$((N * polls))" "$(csv_rows "$W/members.csv")"

# The dashboard with 100 members: the table scrolls.
if ! command -v tmux >/dev/null; then
    t_fail "tmux is installed (needed to drive the dashboard)"
    t_done
fi
off_screen() { ! tui_has "$1"; }
fake_members ui 100
tui_start 120 40 "ulimit -c 0; '$EM' --config '$T/quiet.yaml' --endpoints '$EPS' --interval 1 --workdir '$T/ws-ui' 2>'$T/ui.err'; echo EXIT=\$?; sleep 60"
tui_wait "the dashboard shows 100/100 members up" 30 '100/100 members up'
tui_wait "the table says how many rows are below" 5 '[0-9]+ more ▼'
t_assert "the first member (by name) is shown" tui_has '^ f0 '
t_assert "the last one is not, yet" off_screen '^ f99 '
tui_keys End
tui_wait "End scrolls to the last member, f99" 5 '^ f99 '
tui_wait "... and the table says how many rows are above" 5 '[0-9]+ more ▲'
t_assert "f0 scrolled out" off_screen '^ f0 '
tui_keys Home
tui_wait "Home scrolls back to f0" 5 '^ f0 '
tui_keys q
tui_wait "q quits" 10 '^EXIT=0'
t_done
