#!/usr/bin/env bash
# /health is asked only when the member's own answers cannot tell. Three stub
# members: G answers like a healthy etcd 3.4 (status with a leader and no
# errors, read probe fine): /health at the first poll only, "healthy" in every
# row. N has a NOSPACE alarm in its status errors and says "false" on /health:
# asked every poll, unhealthy in every row. R fails its read probe while its
# /health says "true": asked every poll, and etcd's verdict is what the row says.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/stubmember.sh
D=$T_ROOT/tests/data
sm_start g 1001 || { t_fail "stub g starts"; t_done; }
G=$SM_PORT
sm_start n 1002 "POST /v3/maintenance/status file $D/status-3.4-nospace.json" \
                "GET /health file $D/health-3.4-nospace.json" || { t_fail "stub n starts"; t_done; }
N=$SM_PORT
sm_start r 1003 "POST /v3/kv/range status 503" || { t_fail "stub r starts"; t_done; }
R=$SM_PORT

W=$T/ws
"$EM" --headless --no-discover --endpoints "127.0.0.1:$G,127.0.0.1:$N,127.0.0.1:$R" \
      --interval 1 --duration 6s --workdir "$W" >"$T/out" 2>"$T/err"
t_assert "members.csv whole" csv_whole "$W/members.csv"
polls=$(csv_rows "$W/metrics.csv")
t_assert "6 s at 1 s: 5 to 7 polls ($polls)" test "$polls" -ge 5 -a "$polls" -le 7
health() { csv_col "$W/members.csv" health endpoint "http://$1" | tr -d '\n'; }
ones=$(printf '1%.0s' $(seq 1 "$polls"))
zeros=$(printf '0%.0s' $(seq 1 "$polls"))

t_eq "g: /health asked at the first poll only" 1 "$(sm_count "$G" "GET /health")"
t_eq "g: healthy in every row" "$ones" "$(health "127.0.0.1:$G")"
t_eq "g: status and read probe every poll" "$polls $polls" \
    "$(sm_count "$G" "POST /v3/maintenance/status") $(sm_count "$G" "POST /v3/kv/range")"
t_eq "n (NOSPACE): /health asked every poll" "$polls" "$(sm_count "$N" "GET /health")"
t_eq "n (NOSPACE): unhealthy in every row" "$zeros" "$(health "127.0.0.1:$N")"
t_eq "r (read probe fails): /health asked every poll" "$polls" "$(sm_count "$R" "GET /health")"
t_eq "r: etcd's own verdict in every row" "$ones" "$(health "127.0.0.1:$R")"
t_done
