#!/usr/bin/env bash
# Alert delivery through webhooks: a member killed and restarted makes
# MemberUnreachable fire and resolve; every webhook receives the Alertmanager
# webhook payload (version 4) with the extra header; a receiver that hangs does
# not delay the polls; one that answers 500 then 200 gets the message once; one
# that answers 429 with Retry-After: 2 is retried after 2 s; the exit flush is
# bounded; secrets (header values, URL paths and queries) appear nowhere; the
# counters reach monitoring.log and the summary.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
nt_receiver
it_cluster 3
leader=$(cluster_leader)
victim=$(( leader % 3 + 1 ))
vname=m$victim
W=$T/ws
base=http://127.0.0.1:$NT_PORT
cat >"$T/config.yaml" <<YAML
alerts:
  - type: console
  - type: webhook
    url: $base/ok/hook
    group_window: 0s
    headers:
      X-Token: secret-token-123
  - type: webhook
    name: hung
    url: $base/hang/hook
    timeout: 1s
    group_window: 0s
  - type: webhook
    url: $base/flaky/hook
    group_window: 0s
  - type: webhook
    url: $base/busy/hook
    group_window: 0s
  - type: webhook
    url: $base/bad/hook
    group_window: 0s
YAML
"$EM" --headless --config "$T/config.yaml" --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --workdir "$W" --notify-webhook "$base/ok/flag?token=SECRETQUERY" >"$T/out" 2>"$T/err" &
pid=$!
t_cleanup_add "kill -9 $pid 2>/dev/null || true"
it_wait_rows "$W/metrics.csv" 2 15
cluster_kill "$victim"
t_wait_for "the webhook gets MemberUnreachable FIRING" 15 \
    bash -c "[ \"\$(jq -c 'select(.path == \"/ok/hook\") | .body.alerts[] | select(.status == \"firing\" and .labels.alertname == \"MemberUnreachable\")' '$NT_LOG' | wc -l)\" -ge 1 ]"
cluster_restart "$victim" >/dev/null 2>&1
t_wait_for "the webhook gets it RESOLVED" 20 \
    bash -c "[ \"\$(jq -c 'select(.path == \"/ok/hook\") | .body.alerts[] | select(.status == \"resolved\" and .labels.alertname == \"MemberUnreachable\")' '$NT_LOG' | wc -l)\" -ge 1 ]"
t_wait_for "the 429 receiver gets it again after Retry-After" 10 \
    bash -c "[ \"\$(jq -c 'select(.path == \"/busy/hook\" and .status == 200)' '$NT_LOG' | wc -l)\" -ge 2 ]"
t_wait_for "the flag's webhook (default group window 5 s) gets both" 12 \
    bash -c "[ \"\$(jq -c 'select(.path == \"/ok/flag?token=SECRETQUERY\") | .body.alerts[] | select(.labels.alertname == \"MemberUnreachable\") | .status' '$NT_LOG' | sort -u | wc -l)\" -ge 2 ]"
sleep 1
kill -TERM "$pid"
start=$(date +%s.%N)
wait "$pid"
took=$(echo "$(date +%s.%N) - $start" | bc)
t_assert "the exit (flush bounded at 5 s, a receiver hangs) took under 8 s ($took s)" \
    test "$(echo "$took < 8" | bc)" = 1

# The payload: Alertmanager's webhook shape.
fire=$(jq -c 'select(.path == "/ok/hook") | .body | select(.status == "firing")' "$NT_LOG" | head -1)
t_eq "version 4" '"4"' "$(jq -c .version <<<"$fire")"
t_eq "receiver" '"etcd-monitor"' "$(jq -c .receiver <<<"$fire")"
a=$(jq -c '.alerts[] | select(.labels.alertname == "MemberUnreachable")' <<<"$fire" | head -1)
t_eq "labels: member" "\"$vname\"" "$(jq -c .labels.member <<<"$a")"
t_eq "labels: severity" '"warning"' "$(jq -c .labels.severity <<<"$a")"
t_assert "labels: cluster is the cluster id (hex)" grep -Eq '^"[0-9a-f]{8,16}"$' <<<"$(jq -c .labels.cluster <<<"$a")"
t_eq "labels: instance is the member's URL" "\"$(cluster_endpoint "$victim")\"" "$(jq -c .labels.instance <<<"$a")"
t_assert "annotations: summary names rule, member, value and threshold" \
    grep -q "MemberUnreachable on $vname: value 1, threshold 0" <<<"$(jq -r .annotations.summary <<<"$a")"
desc=$(jq -r .annotations.description <<<"$a")
t_assert "annotations: description has since when" grep -q '^Since: ' <<<"$desc"
t_assert "annotations: description has the cluster id" grep -q '^Cluster: [0-9a-f]' <<<"$desc"
t_assert "annotations: description has the hint" grep -q '^Troubleshooting: ' <<<"$desc"
t_assert "annotations: runbook is the rule's hint" grep -q "etcd process" <<<"$(jq -r .annotations.runbook <<<"$a")"
t_assert "startsAt is RFC 3339" grep -Eq "$it_rfc3339" <<<"$(jq -r .startsAt <<<"$a")"
t_eq "endsAt of a firing alert is the zero time" '"0001-01-01T00:00:00Z"' "$(jq -c .endsAt <<<"$a")"
t_eq "fingerprint is 16 hex digits" 16 "$(jq -r .fingerprint <<<"$a" | tr -d '\n' | wc -c)"
res=$(jq -c 'select(.path == "/ok/hook") | .body.alerts[] | select(.status == "resolved")' "$NT_LOG" | head -1)
t_assert "a resolved alert has a real endsAt" grep -Eq "$it_rfc3339" <<<"$(jq -r .endsAt <<<"$res")"
t_eq "the extra header was sent" '"secret-token-123"' \
    "$(jq -c 'select(.path == "/ok/hook") | .headers["x-token"]' "$NT_LOG" | head -1)"
t_eq "JSON content type" '"application/json"' \
    "$(jq -c 'select(.path == "/ok/hook") | .headers["content-type"]' "$NT_LOG" | head -1)"

# Retries: 500 then 200 = delivered once; 429 honoured; 400 never retried.
t_eq "flaky: the FIRING message arrived twice (500, then 200)" "500 200" \
    "$(jq -r 'select(.path == "/flaky/hook" and .body.status == "firing") | .status' "$NT_LOG" | xargs)"
gap=$(jq -r 'select(.path == "/busy/hook") | .t' "$NT_LOG" | head -2 | awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }')
t_assert "busy: the retry came at least 2 s after the 429 ($gap s)" test "$(echo "$gap >= 1.9" | bc)" = 1
t_eq "bad (400): one attempt per message, no retry" "$(nt_count /ok/hook)" "$(nt_count /bad/hook)"
t_assert "the hung receiver was reached" test "$(nt_count /hang/hook)" -ge 1

# The polls kept their schedule while a receiver hung.
t_eq "no poll was late or doubled" 0 "$(nt_gaps "$W/metrics.csv")"

# Logs and summary, without secrets.
t_assert "monitoring.log names the channels by host" grep -q "notify: 6 channel(s): webhook (127.0.0.1:$NT_PORT)" "$W/monitoring.log"
t_assert "monitoring.log: the retry of the 500" grep -q "webhook (127.0.0.1:$NT_PORT): FIRING MemberUnreachable@$vname: attempt 1 failed (HTTP status 500); retry in" "$W/monitoring.log"
t_assert "monitoring.log: the 400 given up" grep -q "not delivered after 1 attempt(s): HTTP status 400" "$W/monitoring.log"
t_assert "monitoring.log: the hung receiver timed out" grep -q "hung: webhook (127.0.0.1:$NT_PORT): .*Timeout was reached" "$W/monitoring.log"
t_assert "monitoring.log: per-channel counters at exit" grep -q "notify: webhook (127.0.0.1:$NT_PORT): .* sent, .* retried, .* failed, .* dropped" "$W/monitoring.log"
t_assert "the summary has the delivery lines" grep -q "^Alert delivery:" "$T/out"
for s in secret-token-123 SECRETQUERY /ok/hook /flaky/hook; do
    t_assert "\"$s\" appears in no log, CSV or output" \
        bash -c "! grep -rqF -- '$s' '$W' '$T/out' '$T/err'"
done
t_done
