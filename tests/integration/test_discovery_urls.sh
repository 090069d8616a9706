#!/usr/bin/env bash
# Discovered client URLs get the same check as --endpoints. A member list that
# names http://u:PASSWORD@127.0.0.1:X, http://127.0.0.1:X@127.0.0.1:Y and
# http://127.0.0.1:Z/path?q=1: nothing is ever sent to X, Y or Z, each refusal
# is said once with its reason, the member is shown with that reason and never
# the URL (nor the password). A member list over the member limit is said
# once. An endpoint with a 300-character host is a usage error naming the flag,
# with no session folder left behind.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/stubmember.sh
S=$T/s
mkdir -p "$S"
PW="Secr3t-$RANDOM$RANDOM"

# Recorders: any request to them is a failure (they log every request).
for n in x y z; do
    t_stub_start "$n" --max-seconds 120 --route "GET /never file /dev/null" || { t_fail "stub $n starts"; t_done; }
    declare "$(tr a-z A-Z <<<"$n")=$T_STUB_PORT"
    declare "LOG_$n=$T_STUB_LOG"
done
sm_start g 1001 "POST /v3/cluster/member/list file $S/ml.json" || { t_fail "stub g starts"; t_done; }
G=$SM_PORT
sm_member_list "$S/ml.json" 77 "1001 g http://127.0.0.1:$G" \
    "2001 x1 http://u:$PW@127.0.0.1:$X" \
    "2002 x2 http://127.0.0.1:$X@127.0.0.1:$Y" \
    "2003 x3 http://127.0.0.1:$Z/path?q=1" \
    "2004 x4 http://127.0.0.1:$Z/"

W=$T/ws
"$EM" --headless --endpoints "127.0.0.1:$G" --interval 1 --duration 4s --health-check-interval 1s \
      --workdir "$W" >"$T/out" 2>"$T/err"
requests() { grep -c ' -> ' "$1"; }
t_eq "nothing sent to the userinfo host X" 0 "$(requests "$LOG_x")"
t_eq "nothing sent to Y (behind X@)" 0 "$(requests "$LOG_y")"
t_eq "Z: only x4's valid URL (http://127.0.0.1:Z/) is polled, never /path?q=1" 0 \
    "$(grep ' -> ' "$LOG_z" | grep -vc ' /metrics \| /health \| /v3/')"
t_assert "x4 (a plain trailing /) is polled" grep -q 'GET /metrics' "$LOG_z"
ev() { grep -c -- "discovery: member $1 is not polled: its client URL is refused: $2" "$W/monitoring.log"; }
t_eq "x1 refused once, with the reason" 1 "$(ev x1 'credentials (user:password@) are not allowed')"
t_eq "x2 refused once, with the reason" 1 "$(ev x2 'credentials (user:password@) are not allowed')"
t_eq "x3 refused once, with the reason" 1 "$(ev x3 'a query string is not allowed')"
t_eq "x1 shown with the reason, no endpoint" "client URL refused: credentials (user:password@) are not allowed|" \
    "$(paste -d'|' <(csv_col "$W/members.csv" error member x1) <(csv_col "$W/members.csv" endpoint member x1) | sort -u)"
t_eq "x3 shown with the reason" "client URL refused: a query string is not allowed" \
    "$(csv_col "$W/members.csv" error member x3 | sort -u)"
t_eq "x4 polled at its normalized URL" "http://127.0.0.1:$Z" \
    "$(csv_col "$W/members.csv" endpoint member x4 | tail -1)"
t_eq "g is up" 1 "$(csv_col "$W/members.csv" up member g | sort -u)"
t_eq "the password is in no output" "" "$(grep -rl -- "$PW" "$W" "$T/out" "$T/err")"

# A member list longer than the limit: said once, the first ones monitored.
{
    printf '{"header":{"cluster_id":"77","member_id":"1","raft_term":"2"},"members":[{"ID":"1001","name":"g","clientURLs":["http://127.0.0.1:%s"]}' "$G"
    for i in $(seq 1 1005); do printf ',{"ID":"%d","name":"u%d","clientURLs":[]}' $((3000 + i)) "$i"; done
    printf ']}'
} >"$S/ml.json"
W=$T/cap
"$EM" --headless --endpoints "127.0.0.1:$G" --interval 1 --duration 4s --health-check-interval 1s \
      --workdir "$W" >"$T/out2" 2>"$T/err2"
t_eq "over the limit: said once" 1 \
    "$(grep -c 'discovery: the member list names more members than the 1000 that can be monitored' "$W/monitoring.log")"
t_eq "1000 members in the last poll" 1000 \
    "$(csv_col "$W/members.csv" timestamp | sort | uniq -c | tail -1 | awk '{ print $1 }')"

# The limit is one number: the 1001st endpoint is refused, --help says 1000.
list=""
for i in $(seq 1 1001); do list+="${list:+,}h$i:1"; done
"$EM" --headless --endpoints "$list" --workdir "$T/too-many" >"$T/o3" 2>"$T/e3"
t_eq "1001 endpoints: usage error" 64 "$?"
t_eq "1001 endpoints: one line" 1 "$(wc -l <"$T/e3")"
t_assert "1001 endpoints: the limit named ($(cat "$T/e3"))" \
    grep -q '^etcd-monitor: --endpoints: .* has 1001 endpoints (at most 1000)$' "$T/e3"
t_assert "--help says at most 1000 (--endpoints, --metrics-endpoints, members)" \
    test "$("$EM" --help | grep -c 'at most 1000')" -ge 3
t_assert "the man page says at most 1000" grep -q 'At most 1000 endpoints' man/etcd-monitor.1

# A host over 253 characters: one line naming the flag, before any folder.
long=$(printf 'a%.0s' $(seq 1 300))
"$EM" --headless --endpoints "$long:2379" --workdir "$T/long" >"$T/o4" 2>"$T/e4"
t_eq "long host: usage error" 64 "$?"
t_eq "long host: one line" 1 "$(wc -l < "$T/e4")"
t_assert "long host: the line names the flag and the limit" \
    grep -q '^etcd-monitor: --endpoints: .*host too long (300 characters, at most 253)$' "$T/e4"
t_assert "long host: no session folder" test ! -e "$T/long"
t_done
