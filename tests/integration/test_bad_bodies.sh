#!/usr/bin/env bash
# Members that answer badly (malformed /metrics, HTTP 500, an oversized body, a
# hang, a dropped connection) are marked down with their own reason, while the
# real member next to them is polled on time and nothing crashes.
. "$(dirname "$0")/../lib/itest.sh"
STUB=$_it_root/build/http-stub
it_cluster 1

printf 'etcd_server_has_leader 1\netcd_server_is_leader{broken 1\n' > "$T/bad.metrics"
printf '{"health":"true"}' > "$T/health.json"
printf '{"header":{"member_id":"12"},"dbSize":"not-a-number"}' > "$T/bad-status.json"

start_stub() {   # NAME ROUTES...
    local name=$1; shift
    local args=()
    for r in "$@"; do args+=(--route "$r"); done
    "$STUB" --port-file "$T/$name.port" --max-seconds 60 "${args[@]}" 2>"$T/$name.log" &
    t_cleanup_add "kill $! 2>/dev/null || true"
    t_wait_for "stub $name listens" 10 test -s "$T/$name.port"
}
start_stub a "GET /metrics file $T/bad.metrics" "POST /v3/maintenance/status status 500" \
             "GET /health file $T/health.json"
start_stub b "GET /metrics huge 104857600" "POST /v3/maintenance/status hang" "GET /health close"
start_stub c "GET /metrics status 503" "POST /v3/maintenance/status file $T/bad-status.json" \
             "GET /health file $T/health.json"
A=127.0.0.1:$(cat "$T/a.port"); B=127.0.0.1:$(cat "$T/b.port"); C=127.0.0.1:$(cat "$T/c.port")

W=$T/ws
"$EM" --headless --no-discover --endpoints "$M1_ENDPOINT,$A,$B,$C" --interval 1 --duration 5s \
      --max-body-size 1M --workdir "$W" >"$T/out" 2>"$T/err"
rc=$?
t_eq "exit code 2: 1 of 4 members answers, below min_available_nodes (2)" 2 "$rc"
t_assert "AvailableMembersLow fired" grep -q ' FIRING critical AvailableMembersLow ' "$W/alerts.log"
t_assert "each bad member is MemberUnreachable" bash -c "[ \$(grep -c ' FIRING warning MemberUnreachable ' '$W/alerts.log') -eq 3 ]"
t_assert "metrics.csv whole" csv_whole "$W/metrics.csv"
t_assert "members.csv whole" csv_whole "$W/members.csv"
polls=$(csv_rows "$W/metrics.csv")
t_assert "5 s at 1 s gives 4 to 6 polls (got $polls)" test "$polls" -ge 4 -a "$polls" -le 6
t_eq "the real member is up in every poll" "1" "$(csv_col "$W/members.csv" up member m1 | sort -u | xargs)"
t_eq "the real member has a row in every poll" "$polls" "$(csv_rows "$W/members.csv" member m1)"
err_a=$(csv_col "$W/members.csv" error endpoint "http://$A" | tail -1)
err_b=$(csv_col "$W/members.csv" error endpoint "http://$B" | tail -1)
err_c=$(csv_col "$W/members.csv" error endpoint "http://$C" | tail -1)
t_assert "malformed /metrics names line and column ($err_a)" bash -c "[[ '$err_a' == *'malformed /metrics at line 2 col '* ]]"
t_assert "HTTP 500 from status is named ($err_a)" bash -c "[[ '$err_a' == *'status: HTTP 500'* ]]"
t_assert "oversized body is named ($err_b)" bash -c "[[ '$err_b' == *'body over the 1048576-byte cap'* ]]"
t_assert "hung status call times out ($err_b)" bash -c "[[ '$err_b' == *'status: timeout after'* ]]"
t_assert "dropped /health connection is named ($err_b)" bash -c "[[ '$err_b' == *'health: empty reply'* ]]"
t_assert "HTTP 503 from /metrics is named ($err_c)" bash -c "[[ '$err_c' == *'metrics: HTTP 503'* ]]"
t_assert "malformed status JSON is named ($err_c)" bash -c "[[ '$err_c' == *'malformed status: '* ]]"
t_eq "stub members are down" "0" "$( (csv_col "$W/members.csv" up endpoint "http://$A"; csv_col "$W/members.csv" up endpoint "http://$B") | sort -u | xargs)"
t_assert "no partial sample kept from the malformed scrape (no leader flag from it)" \
    bash -c "[ -z \"\$(awk -F, -v e='http://$A' '\$3 == e { print \$6 }' '$W/members.csv' | sort -u | tr -d '\n')\" ]"
t_done
