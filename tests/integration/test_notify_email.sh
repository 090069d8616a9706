#!/usr/bin/env bash
# The email channel against a real SMTP server (aiosmtpd, plain): a member
# killed and restarted makes MemberUnreachable fire and resolve; both mails
# reach every recipient with the subject, the details and the hint. A second
# channel with a password and the default starttls is refused by the server's
# lack of STARTTLS: the password never crosses the wire and the reason is clear.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
port=$(nt_free_port)
/usr/bin/python3 -u -m aiosmtpd -n -l "127.0.0.1:$port" >"$T/smtp.out" 2>"$T/smtp.err" &
smtp_pid=$!
t_cleanup_add "kill $smtp_pid 2>/dev/null || true"
t_wait_for "the SMTP server listens" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
it_cluster 3
leader=$(cluster_leader)
victim=$(( leader % 3 + 1 ))
vname=m$victim
W=$T/ws
cat >"$T/config.yaml" <<YAML
alerts:
  - type: email
    smtp_server: 127.0.0.1
    smtp_port: $port
    smtp_tls: none
    from: etcd-monitor@example.com
    to:
      - ops@example.com
      - oncall@example.com
    group_window: 0s
  - type: email
    name: authed
    smtp_server: 127.0.0.1
    smtp_port: $port
    from: etcd-monitor@example.com
    to: [ops@example.com]
    username: monitor
    password: MAILPASSWORDSECRET
    group_window: 0s
YAML
"$EM" --headless --config "$T/config.yaml" --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --workdir "$W" >"$T/out" 2>"$T/err" &
pid=$!
t_cleanup_add "kill -9 $pid 2>/dev/null || true"
it_wait_rows "$W/metrics.csv" 2 15
cluster_kill "$victim"
t_wait_for "the FIRING mail arrives" 15 grep -q "^Subject: \[etcd-monitor\] FIRING: MemberUnreachable on $vname" "$T/smtp.out"
cluster_restart "$victim" >/dev/null 2>&1
t_wait_for "the RESOLVED mail arrives" 20 grep -q "^Subject: \[etcd-monitor\] RESOLVED: MemberUnreachable on $vname" "$T/smtp.out"
sleep 1
kill -TERM "$pid"
wait "$pid"
t_assert "To: header" grep -q "^To: <ops@example.com>, <oncall@example.com>" "$T/smtp.out"
for want in "^Value: 1$" "^Threshold: 0$" "^Since: " "^Cluster: [0-9a-f]" "^Troubleshooting: Check that the member's etcd process runs" "^Rule: MemberUnreachable (warning)$" "^Member: $vname$"; do
    t_assert "the mail has '$want'" grep -q "$want" "$T/smtp.out"
done
t_assert "authed: refused without STARTTLS, with the reason" \
    grep -q "authed: email (127.0.0.1:$port): FIRING MemberUnreachable@$vname not delivered after 1 attempt(s): the server does not offer STARTTLS: the password is not sent over an unencrypted connection" "$W/monitoring.log"
t_assert "the password never reached the server" bash -c "! grep -q 'MAILPASSWORDSECRET\|AUTH' '$T/smtp.out' '$T/smtp.err'"
t_assert "the password appears in no log, CSV or output" bash -c "! grep -rqF MAILPASSWORDSECRET '$W' '$T/out' '$T/err'"
t_assert "the summary counts both mails" grep -q "^  email (127.0.0.1:$port): 2 sent, 0 retried, 0 failed" "$T/out"
t_done
