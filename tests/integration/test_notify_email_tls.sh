#!/usr/bin/env bash
# The email channel's working STARTTLS + AUTH path against an SMTP server that
# requires both (aiosmtpd's Controller, tests/lib/smtp_auth.py, with an
# openssl-made certificate): with the channel's ca_file pointing at the test CA
# the mail arrives, sent as the configured user; with an unrelated CA the mail
# is refused with a TLS reason; a wrong password with the server's refusal. The
# passwords appear in no log, CSV, stdout or stderr.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
CERTS=$(bash tests/lib/certs.sh "$T/certs") || { t_fail "test certificates made"; t_done; }
/usr/bin/python3 tests/lib/smtp_auth.py "$T/smtp.port" "$T/mails" "$CERTS/server.crt" \
    "$CERTS/server.key" monitor MAILPASSWORDSECRET 2>"$T/smtp.err" &
smtp_pid=$!
t_cleanup_add "kill $smtp_pid 2>/dev/null || true"
t_wait_for "the SMTP server (STARTTLS and AUTH required) listens" 10 test -s "$T/smtp.port" || t_done
port=$(cat "$T/smtp.port")
W=$T/ws
entry() { # NAME PASSWORD CA
    cat <<YAML
  - type: email
    name: $1
    smtp_server: 127.0.0.1
    smtp_port: $port
    from: etcd-monitor@example.com
    to: [ops@example.com]
    username: monitor
    password: $2
    ca_file: $3
    group_window: 0s
    min_severity: critical
YAML
}
{
    echo "alerts:"
    entry good MAILPASSWORDSECRET "$CERTS/ca.crt"
    entry wrongca MAILPASSWORDSECRET "$CERTS/ca2.crt"
    entry badpw WRONGPASSWORDSECRET "$CERTS/ca.crt"
} >"$T/config.yaml"
# Nothing listens on port 9: critical alerts fire at the first poll.
"$EM" --headless --config "$T/config.yaml" --endpoints http://127.0.0.1:9 --interval 1 \
    --duration 3s --workdir "$W" >"$T/out" 2>"$T/err"
t_assert "the mail arrived" grep -q '^Subject: \[etcd-monitor\] FIRING: ' "$T/mails"
t_eq "exactly one mail (only the good channel's)" 1 "$(grep -c '^Subject: ' "$T/mails")"
t_assert "it was sent after AUTH as the configured user" grep -q '^X-Auth-User: monitor$' "$T/mails"
t_assert "its body has the details and the hint" grep -q '^Troubleshooting: ' "$T/mails"
t_assert "good: sent, in monitoring.log" grep -q "notify: good: email (127.0.0.1:$port): 1 sent, 0 retried, 0 failed" "$W/monitoring.log"
t_assert "the summary counts it" grep -q "^  good: email (127.0.0.1:$port): 1 sent" "$T/out"
t_assert "wrong CA: refused with a TLS reason" grep -Eq \
    "notify: wrongca: email \(127.0.0.1:$port\): FIRING .* not delivered after 1 attempt\(s\): .*(certificate|SSL)" "$W/monitoring.log"
t_assert "wrong password: refused by the server, said plainly" grep -q \
    "notify: badpw: email (127.0.0.1:$port): FIRING .* not delivered after 1 attempt(s): the SMTP server refused the login" "$W/monitoring.log"
t_assert "the server saw the failed login" grep -q "auth failed for monitor" "$T/smtp.err"
t_assert "no password in any log, CSV, stdout or stderr" \
    bash -c "! grep -rqE 'MAILPASSWORDSECRET|WRONGPASSWORDSECRET' '$W' '$T/out' '$T/err'"
t_assert "no password in what the server kept" bash -c "! grep -qE 'MAILPASSWORDSECRET|WRONGPASSWORDSECRET' '$T/mails'"
t_done
