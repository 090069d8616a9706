#!/usr/bin/env bash
# A channel's own ca_file for an HTTPS webhook receiver (python3 http.server
# wrapped in TLS, openssl-made certificate): with the test CA the message is
# delivered; without ca_file (the system's CAs) and with an unrelated CA it is
# refused with a TLS reason in monitoring.log that names the host only, never
# the URL's path.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/notify.sh
CERTS=$(bash tests/lib/certs.sh "$T/certs") || { t_fail "test certificates made"; t_done; }
nt_receiver "$CERTS/server.crt" "$CERTS/server.key"
W=$T/ws
URL=https://127.0.0.1:$NT_PORT
cat >"$T/config.yaml" <<YAML
alerts:
  - type: webhook
    name: rightca
    url: $URL/ok/right-PATHSECRET
    ca_file: $CERTS/ca.crt
    group_window: 0s
  - type: webhook
    name: noca
    url: $URL/ok/none-PATHSECRET
    group_window: 0s
  - type: webhook
    name: otherca
    url: $URL/ok/other-PATHSECRET
    ca_file: $CERTS/ca2.crt
    group_window: 0s
YAML
# Nothing listens on port 9: alerts fire at the first poll.
"$EM" --headless --config "$T/config.yaml" --endpoints http://127.0.0.1:9 --interval 1 \
    --duration 3s --workdir "$W" >"$T/out" 2>"$T/err"
t_assert "with the right CA: delivered over HTTPS" nt_has 'select(.path == "/ok/right-PATHSECRET")'
t_eq "nothing reached the receiver without a trusted CA" 0 \
    "$(jq -c 'select(.path != "/ok/right-PATHSECRET")' "$NT_LOG" | wc -l)"
t_assert "rightca: sent (monitoring.log)" grep -q "notify: rightca: webhook (127.0.0.1:$NT_PORT): 1 sent, 0 retried, 0 failed" "$W/monitoring.log"
for ch in noca otherca; do
    t_assert "$ch: refused with a TLS reason, naming the host" grep -Eq \
        "notify: $ch: webhook \(127.0.0.1:$NT_PORT\): FIRING .* not delivered after 1 attempt\(s\): .*(SSL|certificate)" "$W/monitoring.log"
done
t_assert "the TLS reason says why (unknown issuer)" grep -q "unable to get local issuer certificate" "$W/monitoring.log"
t_assert "no URL path in monitoring.log, CSV, stdout or stderr" \
    bash -c "! grep -rq PATHSECRET '$W' '$T/out' '$T/err'"
t_done
