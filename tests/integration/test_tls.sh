#!/usr/bin/env bash
# TLS against real etcd members (tests/lib/certs.sh PKI, tests/lib/cluster.sh
# CLUSTER_TLS=1): a 3-member cluster with https client URLs and client-cert auth,
# plain /metrics listeners (--listen-metrics-urls); and two single members serving
# an expired certificate and one for another host name. The monitor works with the
# right CA and client certificate; every wrong setting shows each member down with
# its TLS reason in members.csv; --insecure-skip-tls-verify is said out loud; no
# request ever goes out as plain HTTP; /metrics comes from --metrics-endpoints.
. "$(dirname "$0")/../lib/itest.sh"

P=$T/pki
if ! bash tests/lib/certs.sh "$P" >/dev/null; then
    t_fail "tests/lib/certs.sh makes the test PKI"
    t_done
fi
t_assert "the expired certificate is expired" bash -c "! openssl x509 -in '$P/expired.crt' -noout -checkend 0"
t_assert "the other-host certificate names other.example only" bash -c \
    "openssl x509 -in '$P/other.crt' -noout -ext subjectAltName | grep -q 'DNS:other.example' &&
     ! openssl x509 -in '$P/other.crt' -noout -ext subjectAltName | grep -q '127.0.0.1'"

export CLUSTER_TLS=1 CLUSTER_TLS_DIR=$P CLUSTER_METRICS=1
it_cluster 3
t_assert "client URLs are https" grep -qx 'https://127.0.0.1:[0-9]*' <<<"$M1_ENDPOINT"

# The cluster really demands client certificates (and really serves TLS).
t_assert "curl with the CA but no client certificate is refused" \
    bash -c "! curl -s --max-time 3 --cacert '$P/ca.crt' '$M1_ENDPOINT/health'"
t_assert "curl with the client certificate gets health" bash -c \
    "curl -s --max-time 3 --cacert '$P/ca.crt' --cert '$P/client.crt' --key '$P/client.key' \
     '$M1_ENDPOINT/health' | grep -q '\"health\":\"true\"'"
t_assert "plain /metrics listener answers without TLS" bash -c \
    "curl -s --max-time 3 '$M1_METRICS_ENDPOINT/metrics' | grep -q '^etcd_server_has_leader 1'"

# Plain HTTP reaching a TLS member is logged by etcd ("first record does not look
# like a TLS handshake"): none may come from the monitor, whatever goes wrong.
plaintext_hits() { cat "$CLUSTER_DIR"/m*.log | grep -c 'first record does not look like a TLS handshake'; }
plain0=$(plaintext_hits)

# run NAME ARGS... : a headless capture into $T/NAME (stdout, stderr alongside).
# (2 s: the first poll's TLS handshakes, 15 connections, must fit in the requests'
# timeout, 0.8 of the interval, on a machine busy with other tests.)
run() {
    local n=$1
    shift
    "$EM" --headless --interval 2 --workdir "$T/$n" "$@" >"$T/$n.out" 2>"$T/$n.err"
    echo $? >"$T/$n.rc"
}
# Distinct "up|error" pairs of members.csv (one per line), of member $2 if given.
up_err() {
    paste -d'|' <(csv_col "$T/$1/members.csv" up ${2:+member "$2"}) \
        <(csv_col "$T/$1/members.csv" error ${2:+member "$2"}) | sort -u
}
TLS_OK=(--cacert "$P/ca.crt" --cert "$P/client.crt" --key "$P/client.key")

# 1. The right CA and client certificate; a bare host:port means https with a CA.
run good --endpoints "127.0.0.1:$M1_CLIENT" --duration 5s "${TLS_OK[@]}"
t_eq "good: exit 0" 0 "$(<"$T/good.rc")"
t_eq "good: nothing on stderr" "" "$(<"$T/good.err")"
polls=$(csv_rows "$T/good/metrics.csv")
t_eq "good: 3 members up on every poll" "$((polls * 3)) 1|" \
    "$(csv_rows "$T/good/members.csv") $(up_err good | xargs)"
t_eq "good: the bare endpoint became https, and discovery found the others" \
    "$M1_ENDPOINT https://127.0.0.1:$M2_CLIENT https://127.0.0.1:$M3_CLIENT" \
    "$(csv_col "$T/good/members.csv" endpoint | sort -u | sort -t: -k3n | xargs)"
t_eq "good: members_up 3 on every poll" 3 "$(csv_col "$T/good/metrics.csv" members_up | sort -u)"
for col in raft_term raft_index db_size_bytes rss_bytes probe_read_ms version; do
    t_eq "good: $col known in every row" 0 "$(csv_col "$T/good/members.csv" "$col" | grep -c '^$')"
done
t_eq "good: leader known on every poll" 0 "$(csv_col "$T/good/metrics.csv" leader_name | grep -c '^$')"
read -r transfers connects < <(sed -n 's/.*(\([0-9]*\) transfers over \([0-9]*\) connections).*/\1 \2/p' "$T/good/monitoring.log")
t_assert "good: TLS connections kept alive ($transfers transfers over $connects connections)" \
    test "${connects:-99}" -le 24 -a "${transfers:-0}" -ge $((polls * 9))
t_eq "good: no INSECURE anywhere" 0 "$(cat "$T/good/monitoring.log" "$T/good.err" | grep -c INSECURE)"

# 2. A CA that did not sign the members' certificates.
run wrongca --endpoints "$CLUSTER_ENDPOINTS" --duration 3s --cacert "$P/ca2.crt" \
    --cert "$P/client.crt" --key "$P/client.key"
t_eq "wrong CA: every member down, unknown CA" "0|TLS: certificate not trusted (unknown CA)" "$(up_err wrongca)"
t_eq "wrong CA: 3 members per poll" $(($(csv_rows "$T/wrongca/metrics.csv") * 3)) "$(csv_rows "$T/wrongca/members.csv")"
t_eq "wrong CA: the endpoints stay https" "https" "$(csv_col "$T/wrongca/members.csv" endpoint | cut -d: -f1 | sort -u)"
t_assert "wrong CA: monitoring.log says why" grep -q 'is down: TLS: certificate not trusted (unknown CA)' "$T/wrongca/monitoring.log"
t_eq "wrong CA: exit 2 (critical: no member reachable)" 2 "$(<"$T/wrongca.rc")"
# Bare host:port with a bad CA: still https, still refused, never http.
run wrongca_bare --endpoints "127.0.0.1:$M2_CLIENT" --duration 2s --cacert "$P/ca2.crt" \
    --cert "$P/client.crt" --key "$P/client.key"
t_eq "wrong CA, bare endpoint: https and down" "https://127.0.0.1:$M2_CLIENT 0|TLS: certificate not trusted (unknown CA)" \
    "$(csv_col "$T/wrongca_bare/members.csv" endpoint | sort -u) $(up_err wrongca_bare)"

# 3. No client certificate.
run nocert --endpoints "$CLUSTER_ENDPOINTS" --duration 3s --cacert "$P/ca.crt"
t_eq "no client certificate: every member down, demanded" "0|TLS: the member demands a client certificate" "$(up_err nocert)"

# 4. A client certificate from a CA the members do not trust.
run badclient --endpoints "$CLUSTER_ENDPOINTS" --duration 3s --cacert "$P/ca.crt" \
    --cert "$P/client2.crt" --key "$P/client2.key"
t_eq "untrusted client certificate: every member down, refused" "0|TLS: the member refused our client certificate" "$(up_err badclient)"

# 5. Verification off (the explicit opt-out) with the wrong CA: works, and says so.
run insecure --endpoints "$CLUSTER_ENDPOINTS" --duration 3s --cacert "$P/ca2.crt" \
    --cert "$P/client.crt" --key "$P/client.key" --insecure-skip-tls-verify
t_eq "insecure: exit 0, all up" "0 1|" "$(<"$T/insecure.rc") $(up_err insecure | xargs)"
t_assert "insecure: INSECURE in monitoring.log" grep -q 'INSECURE: TLS certificate verification is off' "$T/insecure/monitoring.log"
t_assert "insecure: INSECURE on stderr" grep -q '^etcd-monitor: INSECURE: TLS certificate verification is off' "$T/insecure.err"

# 6. /metrics from --metrics-endpoints (plain listeners), status from the client URLs.
run metrics --endpoints "$CLUSTER_ENDPOINTS" --metrics-endpoints "$CLUSTER_METRICS_ENDPOINTS" \
    --duration 3s "${TLS_OK[@]}"
t_eq "metrics endpoints: exit 0, all up" "0 1|" "$(<"$T/metrics.rc") $(up_err metrics | xargs)"
t_eq "metrics endpoints: RSS (from /metrics) known in every row" 0 "$(csv_col "$T/metrics/members.csv" rss_bytes | grep -c '^$')"
t_eq "metrics endpoints: raft index (from status) known in every row" 0 "$(csv_col "$T/metrics/members.csv" raft_index | grep -c '^$')"
# Without a client certificate the client URLs refuse everything: members are still
# up, from their plain /metrics listeners alone, and the status calls say why they fail.
run metrics_only --endpoints "$CLUSTER_ENDPOINTS" --metrics-endpoints "$CLUSTER_METRICS_ENDPOINTS" \
    --duration 3s --cacert "$P/ca.crt" --no-discover
t_eq "metrics endpoints, no client cert: up from /metrics alone" "1" "$(csv_col "$T/metrics_only/members.csv" up | sort -u)"
t_eq "metrics endpoints, no client cert: status unknown" "" "$(csv_col "$T/metrics_only/members.csv" raft_index | sort -u)"
t_eq "metrics endpoints, no client cert: the client-URL calls say why" \
    "status, health, read probe: TLS: the member demands a client certificate" \
    "$(csv_col "$T/metrics_only/members.csv" error | sed 's/, member list:/:/' | sort -u)"
t_assert "metrics endpoints, no client cert: RSS known" test "$(csv_col "$T/metrics_only/members.csv" rss_bytes | grep -c '^$')" -eq 0
# Member 1's metrics URL points at a closed port: its /metrics fails there (and
# only there) while its status still comes from its client URL.
closed=$((M3_METRICS + 1))
for ((i = 0; i < 50; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$closed") 2>/dev/null || break   # nobody listens there
    closed=$((closed + 7))
done
run metrics_bad --endpoints "$CLUSTER_ENDPOINTS" --no-discover \
    --metrics-endpoints "http://127.0.0.1:$closed,$M2_METRICS_ENDPOINT,$M3_METRICS_ENDPOINT" \
    --duration 3s "${TLS_OK[@]}"
t_eq "metrics endpoint 1 closed: member 1 up from status, its metrics refused" \
    "1|metrics: connection refused" "$(up_err metrics_bad m1)"
t_eq "metrics endpoint 1 closed: member 1 status figures known" 0 \
    "$(csv_col "$T/metrics_bad/members.csv" raft_index member m1 | grep -c '^$')"
t_eq "metrics endpoint 1 closed: members 2 and 3 unaffected" "1| 1|" "$(up_err metrics_bad m2) $(up_err metrics_bad m3)"

t_eq "no plain HTTP request ever reached a TLS member" "$plain0" "$(plaintext_hits)"

# 7. Members serving certificates the client must refuse (single members; their
# own health check skips verification on purpose).
start_bad() {
    CLUSTER_DIR=$T/c-$1 CLUSTER_TLS_SERVER=$1 CLUSTER_TLS_CLIENT_AUTH=0 CLUSTER_TLS_CHECK_INSECURE=1 \
        CLUSTER_METRICS=0 cluster_start 1 2>/dev/null
}
t_cleanup_add "CLUSTER_DIR='$T/c-expired' cluster_stop"
t_cleanup_add "CLUSTER_DIR='$T/c-other' cluster_stop"
if exp_ep=$(start_bad expired); then
    run expired --endpoints "$exp_ep" --duration 2s "${TLS_OK[@]}"
    t_eq "expired server certificate: down, expired" "0|TLS: certificate expired" "$(up_err expired)"
    run expired_insecure --endpoints "$exp_ep" --duration 2s "${TLS_OK[@]}" --insecure-skip-verify
    t_eq "expired, --insecure-skip-verify: up" "1|" "$(up_err expired_insecure)"
else
    t_fail "a member serving the expired certificate starts"
fi
if other_ep=$(start_bad other); then
    run other --endpoints "$other_ep" --duration 2s "${TLS_OK[@]}"
    t_eq "certificate for other.example: down, another host" \
        "0|TLS: certificate is for another host (not 127.0.0.1)" "$(up_err other)"
    # The same member by a name its certificate does not cover either.
    run other_local --endpoints "https://localhost:${other_ep##*:}" --no-discover --duration 2s "${TLS_OK[@]}"
    t_eq "certificate for other.example, reached as localhost: another host" \
        "0|TLS: certificate is for another host (not localhost)" "$(up_err other_local)"
else
    t_fail "a member serving the other-host certificate starts"
fi
t_done
