#!/usr/bin/env bash
# A member that refuses every token must not start an authentication storm.
# Stub members: G authenticates and accepts the token; B answers etcd's 401
# "invalid auth token" to every API call (and to authenticate); L answers
# "revision of auth store is old" (a lagging member). Over 10 s at 1 s polls:
# few authenticate calls in all, B and L are marked "etcd refuses fresh
# tokens: ..." and no longer asked every poll, G keeps its status and read
# probe in every poll. Run twice: G asked first, then B asked first.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/stubmember.sh
S=$T/s
mkdir -p "$S"
printf '%s' '{"error":"etcdserver: invalid auth token","message":"etcdserver: invalid auth token","code":16}' >"$S/invalid.json"
printf '%s' '{"error":"etcdserver: revision of auth store is old","message":"etcdserver: revision of auth store is old","code":3}' >"$S/old.json"
printf '%s' '{"header":{"cluster_id":"77"},"token":"StubTokenStubTok.7"}' >"$S/token.json"
PW="Pw-$RANDOM$RANDOM-x"
printf '%s\n' "$PW" >"$T/pw"

refusing() {   # the routes of a member answering FILE with CODE to every API call
    local code=$1 file=$2 p
    for p in /v3/maintenance/status /v3/kv/range /v3/cluster/member/list \
             /v3/maintenance/alarm /v3/auth/authenticate; do
        printf 'POST %s status %s %s\n' "$p" "$code" "$file"
    done
}

session() {    # NAME ENDPOINTS: one 10 s session, counts of authenticate calls after it
    local name=$1 eps=$2 W=$T/$1
    "$EM" --headless --no-discover --endpoints "$eps" --interval 1 --duration 10s \
          --user root --password-file "$T/pw" --workdir "$W" >"$T/$name.out" 2>"$T/$name.err"
    polls=$(csv_rows "$W/metrics.csv")
    t_assert "$name: 10 s at 1 s: 9 to 11 polls ($polls)" test "$polls" -ge 9 -a "$polls" -le 11
    local auths=0 p
    for p in $4; do auths=$((auths + $(sm_count "$p" "POST /v3/auth/authenticate"))); done
    auths=$((auths - $3))
    t_assert "$name: at most 3 authenticate calls in 10 s (got $auths)" test "$auths" -le 3 -a "$auths" -ge 1
    t_eq "$name: g: read probe in every row" 0 \
        "$(csv_col "$W/members.csv" probe_read_ms member g | grep -c '^$')"
    t_eq "$name: g: up, no error" "1|" "$(paste -d'|' <(csv_col "$W/members.csv" up member g) \
                                                     <(csv_col "$W/members.csv" error member g) | sort -u)"
    t_assert "$name: b: its error names the reason ($(csv_col "$W/members.csv" error member b | tail -1))" \
        grep -q 'status, read probe: etcd refuses fresh tokens: invalid auth token' \
        <(csv_col "$W/members.csv" error member b | tail -1)
    t_assert "$name: l: its error names the reason ($(csv_col "$W/members.csv" error member l | tail -1))" \
        grep -q 'status, read probe: etcd refuses fresh tokens: revision of auth store is old' \
        <(csv_col "$W/members.csv" error member l | tail -1)
    t_eq "$name: b: said once" 1 \
        "$(grep -c 'auth: member [^ ]* refuses fresh tokens for read probe (range) (invalid auth token)' "$W/monitoring.log")"
}

mapfile -t broutes < <(refusing 401 "$S/invalid.json")
mapfile -t lroutes < <(refusing 400 "$S/old.json")
sm_start g 1001 "POST /v3/auth/authenticate file $S/token.json" \
                "POST /v3/cluster/member/list file $S/ml.json" || { t_fail "stub g starts"; t_done; }
G=$SM_PORT
sm_start b 1002 "${broutes[@]}" || { t_fail "stub b starts"; t_done; }
B=$SM_PORT
sm_start l 1003 "${lroutes[@]}" || { t_fail "stub l starts"; t_done; }
L=$SM_PORT
sm_member_list "$S/ml.json" 77 "1001 g http://127.0.0.1:$G" "1002 b http://127.0.0.1:$B" \
    "1003 l http://127.0.0.1:$L"

# b's and l's rows for B and L in the counts before each session.
before=0
session gfirst "127.0.0.1:$G,127.0.0.1:$B,127.0.0.1:$L" "$before" "$G $B $L"
t_eq "gfirst: b: read probe not asked every poll (held after the fresh token)" 1 \
    "$(( $(sm_count "$B" "POST /v3/kv/range") < polls - 3 ))"
before=$(( $(sm_count "$G" "POST /v3/auth/authenticate") + $(sm_count "$B" "POST /v3/auth/authenticate") +
           $(sm_count "$L" "POST /v3/auth/authenticate") ))
session bfirst "127.0.0.1:$B,127.0.0.1:$G,127.0.0.1:$L" "$before" "$G $B $L"

for n in gfirst bfirst; do
    t_eq "$n: the password is in no output" "" "$(grep -rl -- "$PW" "$T/$n" "$T/$n.out" "$T/$n.err")"
done
[[ $T_FAIL -gt 0 ]] && grep -h "auth:" "$T"/*/monitoring.log | sed "s/^/# /"
t_done
