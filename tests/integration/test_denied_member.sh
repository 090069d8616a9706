#!/usr/bin/env bash
# One member's 403 must not blind the others. Three stub members: G answers like
# etcd; P sits behind a proxy that answers a bare 403 to status and the read
# probe; D is etcd refusing both with its own "permission denied" (code 7).
# G gets status and the read probe in every poll; P's 403 is its own error,
# asked again every poll; D is asked once, said once, never again.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/stubmember.sh
S=$T/s
mkdir -p "$S"
printf '%s' '{"error":"etcdserver: permission denied","message":"etcdserver: permission denied","code":7}' >"$S/denied.json"

sm_start g 1001 "POST /v3/cluster/member/list file $S/ml.json" || { t_fail "stub g starts"; t_done; }
G=$SM_PORT
sm_start p 1002 "POST /v3/maintenance/status status 403" \
                "POST /v3/kv/range status 403" || { t_fail "stub p starts"; t_done; }
P=$SM_PORT
sm_start d 1003 "POST /v3/maintenance/status status 403 $S/denied.json" \
                "POST /v3/kv/range status 403 $S/denied.json" || { t_fail "stub d starts"; t_done; }
D=$SM_PORT
sm_member_list "$S/ml.json" 77 "1001 g http://127.0.0.1:$G" "1002 p http://127.0.0.1:$P" \
    "1003 d http://127.0.0.1:$D"

W=$T/ws
"$EM" --headless --no-discover --endpoints "127.0.0.1:$G,127.0.0.1:$P,127.0.0.1:$D" \
      --interval 1 --duration 8s --workdir "$W" >"$T/out" 2>"$T/err"
polls=$(csv_rows "$W/metrics.csv")
t_assert "8 s at 1 s: 7 to 9 polls ($polls)" test "$polls" -ge 7 -a "$polls" -le 9

# The healthy member: status and read probe every poll, no error.
t_eq "g: status asked every poll" "$polls" "$(sm_count "$G" "POST /v3/maintenance/status")"
t_eq "g: read probe asked every poll" "$polls" "$(sm_count "$G" "POST /v3/kv/range")"
t_eq "g: read probe in every row" 0 "$(csv_col "$W/members.csv" probe_read_ms member g | grep -c '^$')"
t_eq "g: status figures in every row" 0 "$(csv_col "$W/members.csv" raft_index member g | grep -c '^$')"
t_eq "g: up, no error" "1|" "$(paste -d'|' <(csv_col "$W/members.csv" up member g) \
                                           <(csv_col "$W/members.csv" error member g) | sort -u)"

# A bare 403 (a proxy's): an ordinary failure of that member, asked again each poll.
t_eq "p: status asked every poll" "$polls" "$(sm_count "$P" "POST /v3/maintenance/status")"
t_eq "p: read probe asked every poll" "$polls" "$(sm_count "$P" "POST /v3/kv/range")"
t_eq "p: its error names the 403" "status, read probe: HTTP 403" \
    "$(csv_col "$W/members.csv" error member p | sort -u)"
t_eq "only d's two denials are said" 2 "$(grep -c "denied to" "$W/monitoring.log")"

# etcd's own permission denied: that member only, asked once.
t_eq "d: status asked once" 1 "$(sm_count "$D" "POST /v3/maintenance/status")"
t_eq "d: read probe asked once" 1 "$(sm_count "$D" "POST /v3/kv/range")"
t_eq "d: status denial said once" 1 \
    "$(grep -c 'auth: maintenance status denied to anonymous requests (permission denied): not asked any more; figures come from /metrics (member [^)]*)' "$W/monitoring.log")"
t_eq "d: read probe denial said once" 1 \
    "$(grep -c 'auth: read probe (range) denied to anonymous requests (permission denied): not asked any more (member [^)]*)' "$W/monitoring.log")"
t_eq "d: up (metrics), no error" "1|" "$(paste -d'|' <(csv_col "$W/members.csv" up member d) \
                                                  <(csv_col "$W/members.csv" error member d) | sort -u)"
t_done
