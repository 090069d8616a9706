#!/usr/bin/env bash
# A learner is a member but not a voter: a 3-member cluster plus a learner m4 (added
# with `etcdctl member add --learner`, started by hand) is 4 members and HEALTHY; m4
# down is a MemberUnreachable, not a lost quorum; one voter down leaves 2 of 3 voters,
# still a quorum; a second voter down loses it (QuorumLost, exit code 2).
# shellcheck source=tests/lib/itest.sh
. "$(dirname "$0")/../lib/itest.sh"
# shellcheck source=tests/lib/fixture.sh
. tests/lib/fixture.sh
it_cluster 3

# etcdctl without inherited ETCDCTL_* settings (they would conflict with the flags).
ctl() {
    (
        while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^ETCDCTL_')
        ETCDCTL_API=3 exec "${ETCDCTL_BIN:-/usr/bin/etcdctl}" --dial-timeout=2s --command-timeout=5s "$@"
    )
}

ports=$(fixture_free_ports 2) || { t_fail "two free ports for m4"; t_done; }
read -r CP PP <<<"$ports"
# A fresh cluster refuses reconfiguration ("unhealthy cluster") until its members
# have been connected for a few seconds: retry for up to 20 s.
for ((i = 0; i < 40; i++)); do
    added=$(ctl --endpoints="$CLUSTER_ENDPOINTS" member add m4 --learner --peer-urls="http://127.0.0.1:$PP" 2>&1) && break
    grep -q 'unhealthy cluster' <<<"$added" || break
    sleep 0.5
done
t_assert "etcdctl member add m4 --learner" grep -q 'added to cluster' <<<"$added" || { printf '#   %s\n' "$added"; t_done; }
initial=$(sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p' <<<"$added")
t_assert "etcdctl printed the initial cluster with m4 ($initial)" grep -q "m4=http://127.0.0.1:$PP" <<<"$initial"

# m4: data in /dev/shm (cheap fsync) when it can, log in $T.
data=$(mktemp -d /dev/shm/etcd-monitor-m4.XXXXXX 2>/dev/null) || data=$(mktemp -d "$T/m4.XXXXXX")
t_cleanup_add "rm -rf '$data'"
(
    # etcd reads ETCD_* variables as flags and refuses duplicates: drop them.
    while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^ETCD_')
    exec "${ETCD_BIN:-/usr/bin/etcd}" --name m4 --data-dir "$data" \
        --listen-client-urls "http://127.0.0.1:$CP" --advertise-client-urls "http://127.0.0.1:$CP" \
        --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
        --initial-cluster "$initial" --initial-cluster-state existing \
        --logger=zap --log-outputs="$T/m4.log"
) </dev/null >"$T/m4.out" 2>&1 &
M4_PID=$!
t_cleanup_add "kill -KILL $M4_PID 2>/dev/null; wait $M4_PID 2>/dev/null; true"
t_wait_for "m4 answers /health" 30 bash -c "curl -s --max-time 1 http://127.0.0.1:$CP/health | grep -q health" ||
    { tail -n 20 "$T/m4.log" | sed 's/^/#   /'; t_done; }
m4_listed() { ctl --endpoints="$M1_ENDPOINT" member list | grep -q ', started, m4, .*, true$'; }
t_assert "the member list shows m4 as a started learner" m4_listed

# This test is about membership and quorum: latency rules get thresholds a loaded test
# machine cannot reach, so that HEALTHY means "no membership or quorum alert".
cat >"$T/config.yaml" <<'EOF'
alert_thresholds:
  max_latency_ms: 5000
rules:
  SeedWalFsyncSlow:
    threshold: 5000
  SeedBackendCommitSlow:
    threshold: 5000
EOF
W=$T/ws
it_em_start "$T/out" "$T/err" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --config "$T/config.yaml" --workdir "$W"

rows() { local n; n=$(wc -l 2>/dev/null <"$W/metrics.csv") || n=1; echo $((n > 0 ? n - 1 : 0)); }
wait_rows() { t_wait_for "metrics.csv reaches $1 rows" 20 bash -c "[ \$((\$(wc -l <'$W/metrics.csv') - 1)) -ge $1 ]"; }

# Phase 1: 4 polls of a healthy cluster with a learner.
wait_rows 4 || t_done
p1=$(rows)
t_eq "m4 polled in every poll so far" "$p1" "$(csv_rows "$W/members.csv" member m4)"
t_eq "members.csv: m4 is_learner=1 up=1" "1 1" \
    "$(paste -d' ' <(csv_col "$W/members.csv" is_learner member m4) <(csv_col "$W/members.csv" up member m4) | sort -u | paste -sd,)"
# etcd refuses linearizable reads on a learner ("rpc not supported for learner", HTTP
# 503): once the member list says m4 is a learner (after poll 1), its read probe must
# be a serializable read, and m4 must not carry an error.
t_eq "members.csv: the learner m4 has no error in polls 2-$p1 (its read probe answers)" "" \
    "$(csv_col "$W/members.csv" error member m4 | sed -n "2,${p1}p" | sort -u | paste -sd'|')"
t_eq "members.csv: m1..m3 are no learners" "0" \
    "$(for m in m1 m2 m3; do csv_col "$W/members.csv" is_learner member $m; done | sort -u | paste -sd,)"
t_eq "metrics.csv: members_total 4, members_up 4" "4 4" \
    "$(paste -d' ' <(csv_col "$W/metrics.csv" members_total) <(csv_col "$W/metrics.csv" members_up) | head -n "$p1" | sort -u | paste -sd,)"
t_eq "status HEALTHY with the learner" "HEALTHY" "$(csv_col "$W/metrics.csv" status | head -n "$p1" | sort -u | paste -sd,)" ||
    sed 's/^/#   /' "$W/alerts.log"

# Phase 2: m4 (the learner) killed.
kill -KILL "$M4_PID"
wait "$M4_PID" 2>/dev/null
t_wait_for "MemberUnreachable fires for m4" 10 grep -q ' FIRING warning MemberUnreachable member=m4 ' "$W/alerts.log"
wait_rows $(($(rows) + 2))
t_eq "m4 down in the last poll" "0" "$(csv_col "$W/members.csv" up member m4 | tail -n 1)"
t_eq "members_up 3 of 4" "3/4" "$(csv_col "$W/metrics.csv" members_up | tail -n 1)/$(csv_col "$W/metrics.csv" members_total | tail -n 1)"
t_eq "status WARNING (a member is unreachable, quorum kept)" "WARNING" "$(csv_col "$W/metrics.csv" status | tail -n 1)"
t_assert "EtcdMembersDown is pending for m4 (10m)" grep -q ' PENDING critical EtcdMembersDown member=m4 ' "$W/alerts.log"
t_assert "no QuorumLost or EtcdInsufficientMembers: a learner is not a voter" \
    bash -c "! grep -E 'QuorumLost|EtcdInsufficientMembers' '$W/alerts.log'"

# Phase 3: one voter (a follower) killed: 2 of 3 voters still answer.
leader=$(cluster_leader) || leader=1
v1=$((leader % 3 + 1)) v2=$(((leader + 1) % 3 + 1))
cluster_kill "$v1"
t_wait_for "MemberUnreachable fires for m$v1" 10 grep -q " FIRING warning MemberUnreachable member=m$v1 " "$W/alerts.log"
wait_rows $(($(rows) + 2))
t_eq "members_up 2 of 4" "2/4" "$(csv_col "$W/metrics.csv" members_up | tail -n 1)/$(csv_col "$W/metrics.csv" members_total | tail -n 1)"
t_eq "status WARNING (2 of 3 voters: quorum kept)" "WARNING" "$(csv_col "$W/metrics.csv" status | tail -n 1)"
t_assert "still no QuorumLost or EtcdInsufficientMembers" \
    bash -c "! grep -E 'QuorumLost|EtcdInsufficientMembers' '$W/alerts.log'"

# Phase 4: a second voter killed: 1 of 3 voters, quorum lost.
cluster_kill "$v2"
t_wait_for "QuorumLost fires" 10 grep -q ' FIRING critical QuorumLost member=- value=1 threshold=2 unit=members' "$W/alerts.log"
wait_rows $(($(rows) + 1))
t_eq "status ALERT" "ALERT" "$(csv_col "$W/metrics.csv" status | tail -n 1)"
t_assert "EtcdInsufficientMembers is pending (3m)" grep -q ' PENDING critical EtcdInsufficientMembers member=- ' "$W/alerts.log"
kill -TERM "$EM_PID"
wait "$EM_PID"
rc=$?
t_eq "exit code 2 (ALERT)" 2 "$rc"
t_assert "metrics.csv whole" csv_whole "$W/metrics.csv"
t_assert "members.csv whole" csv_whole "$W/members.csv"
t_done
