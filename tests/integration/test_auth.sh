#!/usr/bin/env bash
# etcd authentication against a real 3-member cluster (plain http) with simple
# tokens that expire after 2 idle seconds (--auth-token-ttl=2): root works and its
# token is renewed after expiry with every poll complete; a token in use is kept;
# a wrong password is one clear problem with a backoff, no member down, and it ends
# when the password becomes right; a read-only user loses the write probe once; no
# --user on an auth cluster is said once; no password or token in any output or in
# the process's command line.
. "$(dirname "$0")/../lib/itest.sh"
export CLUSTER_ETCD_ARGS="--auth-token=simple --auth-token-ttl=2"
it_cluster 3

ROOTPW="Root-$RANDOM$RANDOM-pw"
NEWPW="New-$RANDOM$RANDOM-pw"
ROPW="Ro-$RANDOM$RANDOM-pw"
printf '%s\n' "$ROOTPW" >"$T/root.pw"
printf '%s\n' "$NEWPW" >"$T/new.pw"
printf '%s\r\n' "$ROPW" >"$T/ro.pw"
printf 'not-the-password\n' >"$T/wrong.pw"
# etcdctl gets passwords on stdin (--interactive=false), never in argv.
ctl() { ETCDCTL_API=3 etcdctl --endpoints="$CLUSTER_ENDPOINTS" --dial-timeout=2s --command-timeout=5s "$@"; }
as_root() { ctl --user root --password "$(<"$T/root.pw")" "$@"; }

run() {
    local n=$1
    shift
    "$EM" --headless --workdir "$T/$n" "$@" >"$T/$n.out" 2>"$T/$n.err"
    echo $? >"$T/$n.rc"
}
events() { grep -c -- "$2" "$T/$1/monitoring.log"; }
empty_in() { csv_col "$T/$1/members.csv" "$2" | grep -c '^$'; }
attempts_logged() { cat "$CLUSTER_DIR"/m*.log | grep -c '"msg":"invalid password"'; }
# grpc_count METHOD CODE: etcd's own count of such answers, summed over the members.
grpc_count() {
    local k n=0 v
    for k in 1 2 3; do
        v=$(curl -s --max-time 2 "$(cluster_endpoint "$k")/metrics" |
            awk -v m="grpc_method=\"$1\"" -v c="grpc_code=\"$2\"" \
                '/^grpc_server_handled_total/ && index($0, m) && index($0, c) { s += $2 } END { print s + 0 }')
        n=$((n + v))
    done
    echo "$n"
}

t_assert "root user created" bash -c "printf '%s\n' '$ROOTPW' | ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' user add root --interactive=false"

# 0. --user on a cluster without auth: said once, everything works without a token.
run notyet --endpoints "$M1_ENDPOINT" --interval 1 --duration 2s --user root --password-file "$T/root.pw"
# (The refused authenticate is one failed gRPC call in m1's own counters: on a
# cluster this fresh that is enough for ErrorRateHigh, so the exit code is not checked.)
t_eq "auth not enabled yet: all up, no error" "1|" \
    "$(paste -d'|' <(csv_col "$T/notyet/members.csv" up) <(csv_col "$T/notyet/members.csv" error) | sort -u)"
t_eq "auth not enabled yet: read probe in every row" 0 "$(empty_in notyet probe_read_ms)"
t_eq "auth not enabled yet: said once" 1 "$(events notyet 'authentication is not enabled on the cluster')"

t_assert "read-only user with a role on the probe prefix" bash -c "
    printf '%s\n' '$ROPW' | ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' user add ro --interactive=false &&
    ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' role add em-reader &&
    ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' role grant-permission em-reader --prefix=true read /etcd-monitor/ &&
    ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' user grant-role ro em-reader"
t_assert "auth enabled" ctl auth enable
t_assert "the cluster now refuses a read without a token" bash -c \
    "curl -s -X POST -d '{\"key\":\"eA==\"}' '$M1_ENDPOINT/v3/kv/range' | grep -q 'user name is empty'"

# 1. root, polling every 4 s: the 2-second token expires between polls, etcd
# answers 401 "invalid auth token", one authenticate renews it, and the refused
# calls are sent again in the same poll. With --probe-write the keys are deleted
# at exit, ~4 s after the last poll: with a token renewed once more. --user
# NAME:PASSWORD on the command line must not be in /proc/PID/cmdline while it runs.
it_em_start "$T/root.out" "$T/root.err" --headless --workdir "$T/root" \
    --endpoints "$M1_ENDPOINT" --interval 4 --duration 16s \
    --probe-write --user "root:$ROOTPW"
it_wait_rows "$T/root/metrics.csv" 1 10
cmdline=$(tr '\0' ' ' <"/proc/$EM_PID/cmdline")
t_eq "running: the password is not in /proc/PID/cmdline" 0 "$(grep -c -- "$ROOTPW" <<<"$cmdline")"
t_assert "running: the user name still is (--user root:****)" grep -q -- '--user root:\*' <<<"$cmdline"
it_wait_rows "$T/root/metrics.csv" 2 10
t_eq "running: the write probe keys exist" 3 "$(as_root get --prefix /etcd-monitor/probe/ --keys-only | grep -c .)"
wait "$EM_PID"
t_eq "root: exit 0" 0 "$?"
t_eq "root: the probe keys are gone after exit" "" "$(as_root get --prefix /etcd-monitor/ --keys-only)"
t_assert "root: ... though the first delete met an expired token (etcd counted it)" \
    test "$(grpc_count DeleteRange Unauthenticated)" -ge 1
polls=$(csv_rows "$T/root/metrics.csv")
t_assert "root: $polls polls over 16 s" test "$polls" -ge 4
t_eq "root: every member row up, no error" "1|" "$(paste -d'|' <(csv_col "$T/root/members.csv" up) <(csv_col "$T/root/members.csv" error) | sort -u)"
t_eq "root: 3 members every poll" $((polls * 3)) "$(csv_rows "$T/root/members.csv")"
t_eq "root: the read probe (needs the token) answered in every row" 0 "$(empty_in root probe_read_ms)"
t_eq "root: the write probe answered from the second poll on" 0 \
    "$(csv_col "$T/root/members.csv" probe_write_ms | tail -n +4 | grep -c '^$')"
t_eq "root: status figures in every row" 0 "$(empty_in root raft_index)"
t_eq "root: authenticated once at start" 1 "$(events root 'auth: authenticated as user root')"
renewals=$(events root 'auth: token renewed for user root')
t_assert "root: the expired token was renewed ($renewals times, authenticate count $((renewals + 1)) > 1)" \
    test "$renewals" -ge $((polls - 2))
t_eq "root: no auth problem" 0 "$(events root 'failed\|refused')"

# 2. Polling every second keeps the token alive (etcd extends a simple token on
# use): it is cached, one authenticate for the whole run.
run cached --endpoints "$M1_ENDPOINT" --interval 1 --duration 5s --user root --password-file "$T/root.pw"
t_eq "cached: all up" "1" "$(csv_col "$T/cached/members.csv" up | sort -u)"
t_eq "cached: one authenticate, no renewal" "1 0" \
    "$(events cached 'auth: authenticated as user root') $(events cached 'token renewed')"
t_eq "cached: read probe in every row" 0 "$(empty_in cached probe_read_ms)"

# 3. A wrong password: one problem, a backoff (t = 0, 1, 3, 7 s), no member down.
# Then root's password becomes the one in the file: the problem ends by itself.
a0=$(attempts_logged)
run wrong --endpoints "$M1_ENDPOINT" --interval 1 --duration 12s --user root --password-file "$T/wrong.pw"
tries=$(($(attempts_logged) - a0))
polls=$(csv_rows "$T/wrong/metrics.csv")
t_assert "wrong password: etcd saw $tries authenticate attempts in $polls polls (2..5, backing off)" \
    test "$tries" -ge 2 -a "$tries" -le 5 -a "$polls" -ge 11
t_eq "wrong password: one clear problem in monitoring.log" 1 \
    "$(events wrong 'auth: authentication as user root failed: wrong user name or password')"
t_eq "wrong password: nothing else about auth" 1 "$(events wrong 'auth:')"
t_eq "wrong password: no member down, no member error" "1|" \
    "$(paste -d'|' <(csv_col "$T/wrong/members.csv" up) <(csv_col "$T/wrong/members.csv" error) | sort -u)"
t_eq "wrong password: the read probe is unknown (needs a token), not 0" "$((polls * 3))" "$(empty_in wrong probe_read_ms)"
t_eq "wrong password: leader still known (status answers without a token on etcd 3.4)" 0 \
    "$(csv_col "$T/wrong/metrics.csv" leader_name | grep -c '^$')"
t_eq "wrong password: one AuthFailed alert, firing to the end" "1 WARNING" \
    "$(grep -c ' FIRING warning AuthFailed ' "$T/wrong/alerts.log") $(csv_col "$T/wrong/metrics.csv" status | tail -1)"

it_em_start "$T/fixed.out" "$T/fixed.err" --headless --workdir "$T/fixed" \
    --endpoints "$M1_ENDPOINT" --interval 1 --duration 10s \
    --user root --password-file "$T/new.pw"
t_wait_for "fixed: the problem is reported" 5 grep -q 'wrong user name or password' "$T/fixed/monitoring.log"
t_assert "root's password changed to the one in the file" bash -c \
    "printf '%s\n' '$NEWPW' | ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' --user root --password '$ROOTPW' user passwd root --interactive=false"
wait "$EM_PID"
t_eq "fixed: the problem ended by itself" 1 "$(events fixed 'the authentication problem is over')"
t_assert "fixed: AuthFailed resolved" grep -q ' RESOLVED warning AuthFailed ' "$T/fixed/alerts.log"
t_eq "fixed: the last poll has read probes again" 0 "$(csv_col "$T/fixed/members.csv" probe_read_ms | tail -n 3 | grep -c '^$')"
printf '%s\n' "$NEWPW" >"$T/root.pw"

# 4. The read-only user: the write probe is denied (HTTP 403, code 7): said once,
# never asked again, nobody down; reads work. (etcd 3.4 lets any user read
# maintenance status; versions that do not get the same treatment for status,
# with the leader then taken from /metrics.)
run ro --endpoints "$M1_ENDPOINT" --interval 1 --duration 5s --user ro --password-file "$T/ro.pw" --probe-write
# (Those denied puts are failed gRPC calls in the members' counters, which may
# raise ErrorRateHigh on a cluster this idle: the exit code is not checked.)
t_eq "read-only: one denied put per member, then never again (etcd's own counter)" 3 "$(grpc_count Put PermissionDenied)"
t_eq "read-only: write probe marked unavailable once" 1 "$(events ro 'auth: write probe (put) denied to ro (permission denied): not asked any more')"
t_eq "read-only: no member down, no member error" "1|" \
    "$(paste -d'|' <(csv_col "$T/ro/members.csv" up) <(csv_col "$T/ro/members.csv" error) | sort -u)"
t_eq "read-only: read probe in every row" 0 "$(empty_in ro probe_read_ms)"
t_eq "read-only: write probe unknown" "" "$(csv_col "$T/ro/members.csv" probe_write_ms | sort -u)"
t_eq "read-only: nothing was written" "" \
    "$(as_root get --prefix /etcd-monitor/ --keys-only)"

# 4b. A member that denies maintenance status to this user (as some etcd versions
# do; 3.4 cannot be made to): the scripted stub answers 403 / code 7 to status and
# like etcd 3.4 to the rest. Status is asked once, marked unavailable once, and the
# leader comes from /metrics (etcd_server_is_leader) instead.
S=$T/stub
mkdir -p "$S"
printf '%s' '{"error":"etcdserver: permission denied","message":"etcdserver: permission denied","code":7}' >"$S/denied.json"
printf '%s' '{"header":{"cluster_id":"1"},"token":"StubTokenStubTok.7"}' >"$S/token.json"
if t_stub_start denier \
    --route "GET /metrics file $T_ROOT/tests/data/etcd-3.4-leader.metrics" \
    --route "GET /health file $T_ROOT/tests/data/health-3.4.json" \
    --route "POST /v3/maintenance/status status 403 $S/denied.json" \
    --route "POST /v3/kv/range file $T_ROOT/tests/data/fixture/range-absent.json" \
    --route "POST /v3/cluster/member/list file $S/ml.json" \
    --route "POST /v3/maintenance/alarm file $T_ROOT/tests/data/alarm-none-3.4.json" \
    --route "POST /v3/auth/authenticate file $S/token.json"; then
    # The member list names the stub (its id is the one in etcd_server_id).
    printf '{"header":{"cluster_id":"1"},"members":[{"ID":"%s","name":"s1","clientURLs":["http://127.0.0.1:%s"]}]}' \
        "$((16#2603d865db5b7b16))" "$T_STUB_PORT" >"$S/ml.json"
    run denied --endpoints "http://127.0.0.1:$T_STUB_PORT" --interval 1 --duration 4s --user root --password-file "$T/root.pw"
    t_eq "status denied: marked unavailable once" 1 \
        "$(events denied 'auth: maintenance status denied to root (permission denied): not asked any more; figures come from /metrics')"
    counts=$(curl -s --max-time 2 "http://127.0.0.1:$T_STUB_PORT/__stub/counts")
    t_assert "status denied: asked exactly once" grep -q '^[0-9]* 1 POST /v3/maintenance/status ' <<<"$counts"
    t_assert "status denied: one authenticate" grep -q '^[0-9]* 1 POST /v3/auth/authenticate ' <<<"$counts"
    t_eq "status denied: the member is up, no error" "1|" \
        "$(paste -d'|' <(csv_col "$T/denied/members.csv" up) <(csv_col "$T/denied/members.csv" error) | sort -u)"
    t_eq "status denied: status figures unknown" "" "$(csv_col "$T/denied/members.csv" raft_index | sort -u)"
    t_eq "status denied: the leader, from /metrics, on every poll" "s1" "$(csv_col "$T/denied/metrics.csv" leader_name | sort -u)"
else
    t_fail "the stub starts (make build/http-stub)"
fi

# 5. No --user on a cluster with auth: said once; members stay up; the calls that
# need a token are refused once (one failed gRPC request each, in the member's own
# counters), then not sent again for a minute.
run nouser --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --duration 5s
t_eq "no --user: said once" 1 "$(events nouser 'auth: the cluster requires authentication')"
t_eq "no --user: members up, no member error" "1|" \
    "$(paste -d'|' <(csv_col "$T/nouser/members.csv" up) <(csv_col "$T/nouser/members.csv" error) | sort -u)"
t_eq "no --user: no alert from our own refused calls" "" "$(cat "$T/nouser/alerts.log")"

# 6. Secrets: no password, and nothing shaped like a simple token, in any file
# the monitor wrote or printed.
outs=()
for n in notyet root cached wrong fixed ro denied nouser; do outs+=("$T/$n" "$T/$n.out" "$T/$n.err"); done
t_eq "the monitor wrote its files" 24 "$(ls -d "${outs[@]}" 2>/dev/null | wc -l)"
for pw in "$ROOTPW" "$NEWPW" "$ROPW"; do
    t_eq "no output holds a password (${pw%%-*})" "" "$(grep -rl -- "$pw" "${outs[@]}")"
done
t_eq "no output holds a token" "" "$(grep -rlE '[A-Za-z]{16}\.[0-9]+' "${outs[@]}")"
t_done
