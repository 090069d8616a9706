#!/usr/bin/env bash
# --silence RULE[@MEMBER]:DURATION: no notification for that alert, others go
# out; counted in monitoring.log and the summary; an unknown rule is refused.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
nt_receiver
W=$T/ws
# Nothing listens on port 9: the member is unreachable from the first poll.
"$EM" --headless --endpoints http://127.0.0.1:9 --interval 1 --duration 4s --workdir "$W" \
    --notify-webhook "http://127.0.0.1:$NT_PORT/ok/hook" \
    --silence 'MemberUnreachable@127.0.0.1:9:1h' >"$T/out" 2>"$T/err"
t_assert "alerts.log still has MemberUnreachable FIRING" grep -q " FIRING warning MemberUnreachable " "$W/alerts.log"
t_eq "the webhook never got MemberUnreachable" 0 \
    "$(jq -c 'select(.path == "/ok/hook") | .body.alerts[] | select(.labels.alertname == "MemberUnreachable")' "$NT_LOG" | wc -l)"
t_assert "other alerts were delivered" nt_has 'select(.path == "/ok/hook") | .body.alerts[] | select(.labels.alertname != "MemberUnreachable")'
t_assert "monitoring.log: the silence" grep -q "notify: MemberUnreachable@127.0.0.1:9 silenced for 3600 s" "$W/monitoring.log"
t_assert "monitoring.log: the silenced transition" grep -q "notify: FIRING MemberUnreachable@127.0.0.1:9 silenced" "$W/monitoring.log"
t_assert "summary: silenced transitions" grep -q "^  silenced transitions: [1-9]" "$T/out"
rc=0
"$EM" --headless --endpoints http://127.0.0.1:9 --duration 1s --workdir "$T/ws2" \
    --notify-webhook "http://127.0.0.1:$NT_PORT/ok/x" --silence 'NoSuchRule:1h' >"$T/out2" 2>"$T/err2" || rc=$?
t_eq "an unknown rule is a usage error" 64 "$rc"
t_assert "its message" grep -q 'silence: unknown rule "NoSuchRule"' "$T/err2"
t_done
