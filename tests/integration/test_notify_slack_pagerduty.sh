#!/usr/bin/env bash
# Slack and PagerDuty channels against a local receiver: a member killed and
# restarted makes MemberUnreachable fire and resolve. Slack gets its
# incoming-webhook JSON (channel, username, text, blocks with a header and one
# section per transition); PagerDuty gets Events API v2 trigger and resolve
# with one dedup_key and the routing key from integration_key_file. A rate
# limit of 1/min suppresses the second message (counted and logged). Neither
# the Slack path nor the key appears in any log, file or output.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
nt_receiver
it_cluster 3
leader=$(cluster_leader)
victim=$(( leader % 3 + 1 ))
vname=m$victim
W=$T/ws
base=http://127.0.0.1:$NT_PORT
echo "R0UT1NGKEYSECRET0000000000000000" >"$T/pd.key"
cat >"$T/config.yaml" <<YAML
alerts:
  - type: slack
    webhook_url: $base/ok/services/T000/B000/SLACKPATHSECRET
    channel: "#etcd-alerts"
    username: etcd-bot
    group_window: 0s
  - type: pagerduty
    url: $base/pd/v2/enqueue
    integration_key_file: $T/pd.key
    group_window: 0s
  - type: slack
    name: limited
    webhook_url: $base/ok/services/T000/B000/LIMITED
    group_window: 0s
    rate_limit: 1
YAML
"$EM" --headless --config "$T/config.yaml" --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --workdir "$W" >"$T/out" 2>"$T/err" &
pid=$!
t_cleanup_add "kill -9 $pid 2>/dev/null || true"
it_wait_rows "$W/metrics.csv" 2 15
cluster_kill "$victim"
pd=/pd/v2/enqueue
t_wait_for "PagerDuty gets the trigger" 15 \
    nt_has "select(.path == \"$pd\" and .body.event_action == \"trigger\" and .body.payload.class == \"MemberUnreachable\")"
cluster_restart "$victim" >/dev/null 2>&1
t_wait_for "PagerDuty gets the resolve" 20 \
    nt_has "select(.path == \"$pd\" and .body.event_action == \"resolve\")"
t_wait_for "Slack gets the resolution" 5 \
    nt_has 'select(.path == "/ok/services/T000/B000/SLACKPATHSECRET") | .body.blocks[] | select(.type == "section") | select(.text.text | startswith("*RESOLVED*"))'
sleep 1
kill -TERM "$pid"
wait "$pid"

# Slack's shape.
s=$(jq -c 'select(.path == "/ok/services/T000/B000/SLACKPATHSECRET") | .body' "$NT_LOG" | head -1)
t_eq "slack: channel" '"#etcd-alerts"' "$(jq -c .channel <<<"$s")"
t_eq "slack: username" '"etcd-bot"' "$(jq -c .username <<<"$s")"
t_assert "slack: text names the transition" grep -q "^FIRING MemberUnreachable on $vname" <<<"$(jq -r .text <<<"$s")"
t_eq "slack: a header block (plain_text)" '"plain_text"' "$(jq -c '.blocks[0] | select(.type == "header") | .text.type' <<<"$s")"
sec=$(jq -r '.blocks[] | select(.type == "section") | .text.text' <<<"$s" | head -40)
t_eq "slack: sections are mrkdwn" '"mrkdwn"' "$(jq -c '[.blocks[] | select(.type == "section")][0].text.type' <<<"$s")"
for want in "MemberUnreachable on $vname: value 1, threshold 0" "^Since: " "^Cluster: [0-9a-f]" "^Troubleshooting: " "^Rule: MemberUnreachable (warning)"; do
    t_assert "slack: the section has '$want'" grep -q "$want" <<<"$sec"
done
# PagerDuty's shape.
tr=$(jq -c "select(.path == \"$pd\" and .body.event_action == \"trigger\") | .body" "$NT_LOG" | head -1)
rs=$(jq -c "select(.path == \"$pd\" and .body.event_action == \"resolve\") | .body" "$NT_LOG" | head -1)
t_eq "pagerduty: routing_key from the file" '"R0UT1NGKEYSECRET0000000000000000"' "$(jq -c .routing_key <<<"$tr")"
t_assert "pagerduty: dedup_key per alert and member" grep -Eq "^\"etcd-monitor/[0-9a-f]+/MemberUnreachable/$vname\"$" <<<"$(jq -c .dedup_key <<<"$tr")"
t_eq "pagerduty: the resolve has the same dedup_key" "$(jq -c .dedup_key <<<"$tr")" "$(jq -c .dedup_key <<<"$rs")"
t_eq "pagerduty: payload.severity" '"warning"' "$(jq -c .payload.severity <<<"$tr")"
t_eq "pagerduty: payload.source is the member's URL" "\"$(cluster_endpoint "$victim")\"" "$(jq -c .payload.source <<<"$tr")"
t_assert "pagerduty: payload.summary" grep -q "MemberUnreachable on $vname" <<<"$(jq -r .payload.summary <<<"$tr")"
t_assert "pagerduty: payload.timestamp is RFC 3339" grep -Eq "$it_rfc3339" <<<"$(jq -r .payload.timestamp <<<"$tr")"
t_assert "pagerduty: custom_details has the runbook" grep -q "etcd process" <<<"$(jq -r .payload.custom_details.runbook <<<"$tr")"
t_eq "pagerduty: one trigger and one resolve for the alert" "1 1" \
    "$(jq -c "select(.path == \"$pd\" and .body.event_action == \"trigger\" and .body.payload.class == \"MemberUnreachable\")" "$NT_LOG" | wc -l) $(jq -c "select(.path == \"$pd\" and .body.event_action == \"resolve\" and (.body.dedup_key | contains(\"MemberUnreachable\")))" "$NT_LOG" | wc -l)"
# The rate limit.
t_eq "limited: one message went out" 1 "$(nt_count /ok/services/T000/B000/LIMITED)"
t_assert "limited: the suppressed transition is logged" grep -q "limited: slack (127.0.0.1:$NT_PORT): rate limit (1/min): 1 transition(s) suppressed" "$W/monitoring.log"
t_assert "limited: the summary counts it" grep -q "limited: slack (127.0.0.1:$NT_PORT): 1 sent, 0 retried, 0 failed, 0 dropped, 1 suppressed" "$T/out"
for s in SLACKPATHSECRET R0UT1NGKEYSECRET /services/T000; do
    t_assert "\"$s\" appears in no log, CSV or output" bash -c "! grep -rqF -- '$s' '$W' '$T/out' '$T/err'"
done
t_done
