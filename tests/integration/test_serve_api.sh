#!/usr/bin/env bash
# The HTTP API against a real 3-member cluster: every endpoint's status and
# JSON shape (seed 004's names), errors (404, 405 with Allow, 413), the key
# endpoints (403 without --api-token-file, 401 without the token, put 403
# without --api-allow-writes, get and put working with them), `serve` beside
# a headless monitor, and /health turning 503 when quorum is lost (2 of 3
# members killed), then 200 again once they are back.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/serve.sh

it_cluster 3
printf 'test-token-0123456789abcdef\n' > "$T/token"
TOK=test-token-0123456789abcdef

# A: the daemon, key reads only. B: a headless monitor with writes allowed.
# C: a headless monitor without a token file.
sv_start A serve --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
    --api-token-file "$T/token" --workdir "$T/wa" || t_done
sv_start B --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
    --api-token-file "$T/token" --api-allow-writes --workdir "$T/wb" || t_done
sv_start C --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
    --duration 60s --workdir "$T/wc" || t_done
A=http://127.0.0.1:$SV_PORT_A B=http://127.0.0.1:$SV_PORT_B C=http://127.0.0.1:$SV_PORT_C

t_wait_for "A: /health 200" 15 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $A/health) = 200 ]"
t_wait_for "A: all three members up" 10 \
    bash -c "curl -s $A/api/v1/cluster/status | jq -e '.membersUp == 3 and .leaderId != null' >/dev/null"
t_wait_for "A: read latency known" 10 \
    bash -c "curl -s $A/api/v1/metrics/current | jq -e '.readLatencyP99 != null' >/dev/null"

jq_ok() {   # DESC URL FILTER [curl args...]
    local d=$1 u=$2 f=$3 body
    shift 3
    body=$(sv_get "$u" "$@")
    if jq -e "$f" >/dev/null 2>&1 <<<"$body"; then t_ok "$d"; else t_fail "$d" "filter: $f" "$body"; fi
}
AUTH=(-H "Authorization: Bearer $TOK")
for u in / /health /metrics /api/v1/cluster/status /api/v1/cluster/leader /api/v1/cluster/members \
         /api/v1/cluster/health /api/v1/metrics/current /api/v1/metrics/latency /api/v1/alerts; do
    t_eq "GET $u: 200" 200 "$(sv_code "$A$u")"
    t_eq "HEAD $u: 200" 200 "$(sv_code "$A$u" -I)"
done
jq_ok "/health: ok, no reasons" "$A/health" '.status == "ok" and .healthy and .reasons == [] and .membersUp == 3'
jq_ok "cluster/status: shape" "$A/api/v1/cluster/status" \
    '.healthy == true and (.leaderId|type) == "string" and (.leaderName|type) == "string"
     and (.raftTerm|type) == "number" and .quorum.voters == 3 and .quorum.hasQuorum
     and (.members|length) == 3 and (.alarms|type) == "array"
     and (.leaderChanges.history|type) == "array" and (.leaderChanges.observed|type) == "number"
     and ([.members[] | select(.status == "up" and .reason == null)] | length) == 3
     and ([.members[] | select(.isLeader)] | length) == 1'
jq_ok "cluster/leader: shape" "$A/api/v1/cluster/leader" \
    '.hasLeader and (.leader.id|type) == "string" and (.leader.name|type) == "string" and (.leader.endpoint|test("^http://127.0.0.1:"))'
jq_ok "cluster/members: 3 with ids" "$A/api/v1/cluster/members" \
    '(.members|length) == 3 and all(.members[]; (.id|type) == "string" and (.dbSize|type) == "number")'
jq_ok "cluster/health: per endpoint, as etcdctl" "$A/api/v1/cluster/health" \
    'type == "array" and length == 3 and all(.[]; .health == true and (.endpoint|type) == "string" and .error == null)'
jq_ok "metrics/current: seed fields" "$A/api/v1/metrics/current" \
    '. as $o | all(["timestamp","readLatencyP50","readLatencyP95","readLatencyP99","writeLatencyP50",
          "writeLatencyP95","writeLatencyP99","dbSize","dbSizeInUse","proposalCommitted",
          "proposalApplied"][]; . as $k | $o | has($k))
     and (.dbSize|type) == "number" and (.proposalCommitted|type) == "number"
     and .writeLatencyP99 == null and (.members|length) == 3'
jq_ok "metrics/current: RFC 3339 timestamp" "$A/api/v1/metrics/current" \
    '.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")'
jq_ok "metrics/latency: every window" "$A/api/v1/metrics/latency" \
    '.unit == "ms" and all(.members[]; (.windows|map(.window)) == ["1m","5m","15m","1h"])'
jq_ok "alerts: firing and pending lists" "$A/api/v1/alerts" '(.firing|type) == "array" and (.pending|type) == "array"'
t_assert "/metrics: text format with member series" \
    bash -c "curl -s $A/metrics | grep -q '^etcd_monitor_member_up{member=\"m1\"} 1$'"

# Errors: one shape.
t_eq "unknown path: 404" 404 "$(sv_code "$A/api/v1/nope")"
jq_ok "404 body: error shape" "$A/api/v1/nope" '.error.code == 404 and (.error.message|type) == "string"'
t_eq "DELETE /health: 405" 405 "$(sv_code "$A/health" -X DELETE)"
t_assert "405 says Allow: GET, HEAD" bash -c "curl -si -X POST $A/health | grep -qi '^Allow: GET, HEAD'"
t_eq "GET on a key endpoint: 405" 405 "$(sv_code "$A/api/v1/etcdctl/get")"
head -c 70000 /dev/zero | tr '\0' a > "$T/big"
t_eq "70 kB body: 413" 413 "$(sv_code "$B/api/v1/etcdctl/get" -H "Authorization: Bearer $TOK" --data-binary @"$T/big")"
t_eq "70 kB chunked body: 413" 413 "$(sv_code "$B/api/v1/etcdctl/get" -H "Authorization: Bearer $TOK" \
    -H 'Transfer-Encoding: chunked' --data-binary @"$T/big")"

# Key endpoints.
etcdctl --endpoints "$CLUSTER_ENDPOINTS" put /config/app production >/dev/null
t_eq "C (no token file): get 403" 403 "$(sv_code "$C/api/v1/etcdctl/get" -d '{"key":"/config/app"}')"
jq_ok "C: says how to turn it on" "$C/api/v1/etcdctl/get" '.error.message | test("--api-token-file")' -d '{}'
t_eq "A: get without a token: 401" 401 "$(sv_code "$A/api/v1/etcdctl/get" -d '{"key":"/config/app"}')"
t_eq "A: get with a wrong token: 401" 401 "$(sv_code "$A/api/v1/etcdctl/get" -H 'Authorization: Bearer nope' -d '{"key":"/config/app"}')"
t_eq "A: put with the token but no --api-allow-writes: 403" 403 \
    "$(sv_code "$A/api/v1/etcdctl/put" -H "Authorization: Bearer $TOK" -d '{"key":"/x","value":"y"}')"
jq_ok "A: get with the token" "$A/api/v1/etcdctl/get" \
    '.found and .value == "production" and .key == "/config/app" and (.modRevision|type) == "number"' \
    "${AUTH[@]}" -d '{"key":"/config/app"}'
jq_ok "A: get of a missing key" "$A/api/v1/etcdctl/get" '.found == false and .value == null' \
    "${AUTH[@]}" -d '{"key":"/no/such"}'
t_eq "A: bad JSON: 400" 400 "$(sv_code "$A/api/v1/etcdctl/get" -H "Authorization: Bearer $TOK" -d '{"key":')"
jq_ok "B: put with the token and --api-allow-writes" "$B/api/v1/etcdctl/put" \
    '(.revision|type) == "number" and .revision > 1 and .key == "/config/app"' \
    "${AUTH[@]}" -d '{"key":"/config/app","value":"staging"}'
jq_ok "B: get sees it" "$B/api/v1/etcdctl/get" '.value == "staging"' "${AUTH[@]}" -d '{"key":"/config/app"}'
t_eq "etcdctl sees the put" staging "$(etcdctl --endpoints "$CLUSTER_ENDPOINTS" get --print-value-only /config/app)"

# Quorum lost: /health 503 with the reason; back to 200 after a restart.
leader=$(cluster_leader)
others=()
for k in 1 2 3; do [[ $k == "$leader" ]] || others+=("$k"); done
cluster_kill "${others[0]}"
cluster_kill "${others[1]}"
t_wait_for "quorum lost: /health 503" 20 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $A/health) = 503 ]"
jq_ok "503 names quorum" "$A/health" '.healthy == false and any(.reasons[]; test("quorum lost"))'
t_eq "cluster/status still answers" 200 "$(sv_code "$A/api/v1/cluster/status")"
cluster_restart "${others[0]}" >/dev/null 2>&1
cluster_restart "${others[1]}" >/dev/null 2>&1
t_wait_for "members back: /health 200" 30 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $A/health) = 200 ]"

kill "$SV_PID_A"
wait "$SV_PID_A"
t_eq "serve exits 0 on SIGTERM" 0 "$?"
t_assert "serve: one line per event on stderr" grep -q ' alert .*FIRING' "$T/A.err"
t_assert "serve: lines start with an RFC 3339 time" \
    bash -c "! grep -vqE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [a-z]+ ' '$T/A.err'"

# HTTPS: --api-cert/--api-key with an openssl-made certificate for 127.0.0.1.
P=$T/pki
if bash tests/lib/certs.sh "$P" >/dev/null; then
    sv_start TLS --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
        --api-cert "$P/server.crt" --api-key "$P/server.key" --workdir "$T/ws-tls" &&
    {
        t_wait_for "https: /health answers with the test CA" 10 \
            test "$(sv_code "https://127.0.0.1:$SV_PORT_TLS/health" --cacert "$P/ca.crt")" = 200
        t_assert "https: the certificate is refused without the CA (verification on)" \
            bash -c "! curl -s --max-time 5 -o /dev/null https://127.0.0.1:$SV_PORT_TLS/health"
        t_eq "https: plain http to the TLS port gets no answer" 000 \
            "$(sv_code "http://127.0.0.1:$SV_PORT_TLS/health")"
        t_assert "https: the log says https" grep -q 'API listening on https://' "$T/TLS.err"
    }
else
    t_fail "tests/lib/certs.sh makes the test PKI"
fi
t_done
