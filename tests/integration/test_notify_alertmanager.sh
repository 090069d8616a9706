#!/usr/bin/env bash
# Alert delivery into a real Alertmanager (0.25, cluster mode off): a member
# killed makes MemberUnreachable fire; GET /api/v2/alerts shows it with the
# labels (alertname, severity, cluster, member, instance) and annotations
# (summary, description, runbook); while it fires it is re-sent (endsAt moves
# ahead); after the member is back it is resolved (gone from the active list).
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
nt_alertmanager
it_cluster 3
leader=$(cluster_leader)
victim=$(( leader % 3 + 1 ))
vname=m$victim
W=$T/ws
cat >"$T/config.yaml" <<YAML
alerts:
  - type: alertmanager
    url: $NT_AM_URL/
    group_window: 0s
    repeat_interval: 2s
YAML
"$EM" --headless --config "$T/config.yaml" --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --workdir "$W" >"$T/out" 2>"$T/err" &
pid=$!
t_cleanup_add "kill -9 $pid 2>/dev/null || true"
it_wait_rows "$W/metrics.csv" 2 15
cluster_kill "$victim"
q='.[] | select(.labels.alertname == "MemberUnreachable")'
t_wait_for "Alertmanager has MemberUnreachable active" 15 \
    bash -c "curl -sf '$NT_AM_URL/api/v2/alerts' | jq -e '$q | select(.status.state == \"active\")' >/dev/null"
a=$(curl -sf "$NT_AM_URL/api/v2/alerts" | jq -c "$q" | head -1)
t_eq "label member" "\"$vname\"" "$(jq -c .labels.member <<<"$a")"
t_eq "label severity" '"warning"' "$(jq -c .labels.severity <<<"$a")"
t_assert "label cluster is the cluster id" grep -Eq '^"[0-9a-f]{8,16}"$' <<<"$(jq -c .labels.cluster <<<"$a")"
t_eq "label instance is the member's URL" "\"$(cluster_endpoint "$victim")\"" "$(jq -c .labels.instance <<<"$a")"
t_assert "annotation summary" grep -q "MemberUnreachable on $vname: value 1, threshold 0" <<<"$(jq -r .annotations.summary <<<"$a")"
t_assert "annotation description (since, cluster)" grep -q "^Since: " <<<"$(jq -r .annotations.description <<<"$a")"
t_assert "annotation runbook (the hint)" grep -q "etcd process" <<<"$(jq -r .annotations.runbook <<<"$a")"
ends1=$(jq -r .endsAt <<<"$a")
sleep 3.5
ends2=$(curl -sf "$NT_AM_URL/api/v2/alerts" | jq -r "$q | .endsAt" | head -1)
t_assert "re-sent while firing: endsAt moved ahead ($ends1 -> $ends2)" \
    test "$(date -d "$ends2" +%s%N)" -gt "$(date -d "$ends1" +%s%N)"
t_assert "endsAt lies ahead (the alert does not expire while it fires)" \
    test "$(date -d "$ends2" +%s)" -gt "$(date +%s)"
cluster_restart "$victim" >/dev/null 2>&1
t_wait_for "resolved: MemberUnreachable is no longer active in Alertmanager" 20 \
    bash -c "! curl -sf '$NT_AM_URL/api/v2/alerts' | jq -e '$q' >/dev/null"
kill -TERM "$pid"
wait "$pid"
t_assert "monitoring.log names Alertmanager by host" grep -q "notify: 1 channel(s): alertmanager (127.0.0.1:" "$W/monitoring.log"
t_assert "nothing failed" grep -q "alertmanager (127.0.0.1:[0-9]*): [0-9]* sent, 0 retried, 0 failed, 0 dropped" "$W/monitoring.log"
t_assert "the summary has the delivery line" grep -q "^  alertmanager (127.0.0.1:[0-9]*): [1-9][0-9]* sent" "$T/out"
t_done
