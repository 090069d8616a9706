#!/usr/bin/env bash
# --prometheus: a real Prometheus 2.42 scrapes a real 3-member cluster (on disk,
# so fsyncs are real) every 1s under a light write load; the monitor runs twice
# at once, once scraping the members itself and once reading the same figures
# from Prometheus' API. The windowed WAL fsync p99 and the db size of each
# member must agree within the documented tolerance (the man page, --prometheus:
# the two see different scrape instants), and so must members up and the leader.
# Then the clear states: an empty selector, a query Prometheus refuses, and a
# Prometheus that stops mid-run — a message, empty fields, never zeros.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/fixture.sh
. tests/lib/promserver.sh
. tests/lib/tui.sh
for tool in prometheus jq; do
    command -v "$tool" >/dev/null || { t_fail "$tool is installed (tools/deps.sh)"; t_done; }
done
CLUSTER_TMPFS=0 it_cluster 3
prom_start "$T/prom" etcd "127.0.0.1:$M1_CLIENT" "127.0.0.1:$M2_CLIENT" "127.0.0.1:$M3_CLIENT" ||
    { t_fail "prometheus starts" "$(tail -n 20 "$T/prom/prometheus.log")"; t_done; }
t_ok "prometheus ready on $PROM_URL"
t_wait_for "prometheus scrapes the three members" 30 bash -c \
    "curl -sfG '$PROM_URL/api/v1/query' --data-urlencode 'query=count(up{job=\"etcd\"} == 1)' |
     jq -e '.data.result[0].value[1] == \"3\"' >/dev/null"
LOAD_RATE=40 tests/lib/load.sh "$CLUSTER_ENDPOINTS" 60 >/dev/null 2>&1 &
load=$!
t_cleanup_add "kill $load 2>/dev/null || true"
sleep 2

# Both monitors at once: the same polls, the same 10s window.
args=(--headless --interval 1 --duration 24s --windows 10s,1m)
"$EM" "${args[@]}" --endpoints "$CLUSTER_ENDPOINTS" --workdir "$T/own" >"$T/own.out" 2>&1 &
own=$!
"$EM" "${args[@]}" --prometheus "$PROM_URL" --workdir "$T/prom-ws" >"$T/prom.out" 2>"$T/prom.err"
rc=$?
wait "$own"
# On disk under load the latency rules may fire (from the first poll: Prometheus
# has the history); the source itself must never be the reason.
t_assert "--prometheus capture exits 0, 1 or 2 (rc $rc)" test "$rc" -le 2
t_assert "PrometheusUnavailable never fired" bash -c "! grep -q PrometheusUnavailable '$T/prom-ws/alerts.log'"
t_eq "nothing on stderr" "" "$(cat "$T/prom.err")"
t_assert "members.csv has only whole rows" csv_whole "$T/prom-ws/members.csv"
t_assert "the log says where the members come from" \
    grep -q 'started: members from prometheus, selector {job="etcd"}' "$T/prom-ws/monitoring.log"
t_eq "the members are Prometheus' instances" \
    "$(printf '127.0.0.1:%s\n' "$M1_CLIENT" "$M2_CLIENT" "$M3_CLIENT" | sort | xargs)" \
    "$(csv_col "$T/prom-ws/members.csv" member | sort -u | xargs)"
t_eq "the same member ids as the own scrape" \
    "$(csv_col "$T/own/members.csv" member_id | sort -u | xargs)" \
    "$(csv_col "$T/prom-ws/members.csv" member_id | sort -u | xargs)"
t_eq "members up 3 on every poll" "3" "$(csv_col "$T/prom-ws/metrics.csv" members_up | sort -u | xargs)"
t_eq "the same leader as the own scrape" \
    "$(csv_col "$T/own/metrics.csv" leader_id | tail -1)" \
    "$(csv_col "$T/prom-ws/metrics.csv" leader_id | tail -1)"
t_eq "health from up and has_leader" "1" "$(csv_col "$T/prom-ws/members.csv" health | sort -u | xargs)"
t_eq "raft index: not in Prometheus, empty" "" "$(csv_col "$T/prom-ws/members.csv" raft_index | sort -u | xargs)"

# Per member id, the n-th poll of one against the n-th of the other, once the
# own scrape's 10s window is full (poll 12 on).
numbered() { # DIR COL: "id:n value" lines, n counting each member's polls
    paste -d' ' <(csv_col "$1/members.csv" member_id) <(csv_col "$1/members.csv" "$2") |
        awk '{ n[$1]++; print $1 ":" n[$1], $2 }' | sort
}
pairs() { # COL: "id:n own prom" lines from poll 12 on (an empty value drops a field)
    join -j1 <(numbered "$T/own" "$1") <(numbered "$T/prom-ws" "$1") |
        awk '{ split($1, k, ":"); if (k[2] >= 12) print }'
}
pairs w1_wal_fsync_p99_ms >"$T/wal.pairs"
pairs db_size_bytes >"$T/db.pairs"
# measured: the largest relative difference, and how many pairs
# WAL p99: the largest relative difference, the pairs more than 50% apart (one
# bucket of etcd's doubling layout) and the pairs more than a factor of 4 apart
# (beyond the same or the adjacent bucket)
read -r n_wal max_wal far_wal out_wal < <(awk 'NF == 3 && $2 != "" && $3 != "" { n++; d = $2 - $3; if (d < 0) d = -d
    m = $2 > $3 ? $2 : $3; r = m > 0 ? d / m : 0; if (r > x) x = r; if (r > 0.5) f++; if (r > 0.75) o++ }
    END { printf "%d %.3f %d %d\n", n, x, f, o }' "$T/wal.pairs")
# db size: the largest difference in bytes and relative, and the pairs outside
# the tolerance (10% or 64 KiB, whichever is larger)
read -r n_db max_db rel_db bad_db < <(awk 'NF == 3 { n++; d = $2 - $3; if (d < 0) d = -d
    m = $2 > $3 ? $2 : $3; r = m > 0 ? d / m : 0; if (d > x) x = d; if (r > y) y = r
    if (d > 65536 && r > 0.10) bad++ } END { printf "%d %d %.3f %d\n", n, x, y, bad }' "$T/db.pairs")
echo "# measured: WAL p99 (10s window) $n_wal pairs, largest relative difference $max_wal;" \
     "db size $n_db pairs, largest difference $max_db bytes ($rel_db)" >&2
median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
echo "# measured: median poll_ms own scrape $(csv_col "$T/own/metrics.csv" poll_ms | median)," \
     "through Prometheus $(csv_col "$T/prom-ws/metrics.csv" poll_ms | median);" \
     "$(grep -o '[0-9]* transfers over [0-9]* connections' "$T/own/monitoring.log") own," \
     "$(grep -o '[0-9]* transfers over [0-9]* connections' "$T/prom-ws/monitoring.log") Prometheus" >&2
t_assert "WAL p99 known on both sides for at least 20 pairs ($n_wal)" test "$n_wal" -ge 20
t_eq "WAL p99: every pair within a factor of 4, the same or adjacent bucket (documented tolerance): largest difference $max_wal" \
    0 "$out_wal"
t_assert "WAL p99: at least 80% of the $n_wal pairs within 50% (one bucket; $far_wal beyond)" \
    test $((far_wal * 5)) -le "$n_wal"
t_assert "db size known for at least 20 pairs ($n_db)" test "$n_db" -ge 20
t_eq "db size within 10% or 64 KiB (documented tolerance): largest $max_db bytes ($rel_db)" \
    0 "$bad_db"

# The clear states. A selector that matches nothing: said, empty, critical.
"$EM" --headless --interval 1 --duration 2s --prometheus "$PROM_URL" \
    --prometheus-selector '{job="nothing"}' --workdir "$T/empty" >/dev/null 2>&1
t_eq "empty selector: exit 2 (a critical alert fires)" 2 "$?"
t_assert "empty selector: said in monitoring.log" \
    grep -q 'prometheus: no series match up{job="nothing"}' "$T/empty/monitoring.log"
t_assert "empty selector: PrometheusUnavailable fires" \
    grep -q 'FIRING critical PrometheusUnavailable' "$T/empty/alerts.log"
t_eq "empty selector: no members, db size empty (not 0)" "0 0 ," \
    "$(csv_col "$T/empty/metrics.csv" members_total | sort -u | xargs) $(csv_col "$T/empty/metrics.csv" members_up | sort -u | xargs) ,$(csv_col "$T/empty/metrics.csv" db_size_mb | sort -u | xargs)"

# A selector Prometheus refuses (a bad regex): its own error, said as such.
"$EM" --headless --interval 1 --duration 1s --prometheus "$PROM_URL" \
    --prometheus-selector '{job=~"("}' --workdir "$T/bad" >/dev/null 2>&1
t_assert "refused query: Prometheus' error in monitoring.log" \
    grep -Eq 'prometheus: bad_data: .*\(HTTP 400\)' "$T/bad/monitoring.log"

# Many clusters, one scraped and one read through Prometheus (the clusters:
# entry's prometheus_selector, the URL from --prometheus), in one run.
cat >"$T/clusters.yaml" <<EOF
clusters:
  - name: direct
    endpoints: $CLUSTER_ENDPOINTS
  - name: fleet
    prometheus_selector: '{job="etcd"}'
EOF
"$EM" --headless --interval 1 --duration 5s --config "$T/clusters.yaml" \
    --prometheus "$PROM_URL" --workdir "$T/many" >"$T/many.out" 2>"$T/many.err"
rc=$?
t_assert "clusters: exit 0, 1 or 2 (rc $rc)" test "$rc" -le 2
t_assert "clusters: the fleet cluster is read through Prometheus" \
    grep -q 'started: cluster fleet (2 of 2), members from prometheus, selector {job="etcd"}' "$T/many/fleet/monitoring.log"
t_assert "clusters: the direct cluster is scraped" \
    bash -c "! grep -q 'members from prometheus' '$T/many/direct/monitoring.log'"
t_assert "clusters: the direct cluster has raft indexes (only a scrape has them)" \
    test "$(csv_col "$T/many/direct/members.csv" raft_index | grep -c .)" -gt 0
t_eq "clusters: the fleet cluster has none (not in Prometheus)" "" \
    "$(csv_col "$T/many/fleet/members.csv" raft_index | sort -u | xargs)"
t_eq "clusters: both see the same member ids" \
    "$(csv_col "$T/many/direct/members.csv" member_id | sort -u | xargs)" \
    "$(csv_col "$T/many/fleet/members.csv" member_id | sort -u | xargs)"

# Prometheus hangs (SIGSTOP: a timeout), answers again, then stops for good.
it_em_start "$T/live.out" "$T/live.err" --headless --interval 1 --duration 14s \
    --prometheus "$PROM_URL" --workdir "$T/live"
it_wait_rows "$T/live/metrics.csv" 2 10
kill -STOP "$PROM_PID"
sleep 3
kill -CONT "$PROM_PID"
sleep 3
prom_stop
wait "$EM_PID"
t_eq "Prometheus gone: the monitor carries on to the end, exit 2" 2 "$?"
t_assert "hung Prometheus: a timeout is said" grep -q 'prometheus: timeout after' "$T/live/monitoring.log"
t_assert "then it answers again" grep -q 'prometheus: answering again' "$T/live/monitoring.log"
t_assert "then connection refused" grep -q 'prometheus: connection refused' "$T/live/monitoring.log"
t_eq "after the stop: members down with the reason" "0 prometheus: connection refused" \
    "$(tail -n 3 "$T/live/members.csv" | awk -F, '{ print $4, $5 }' | sort -u)"
t_eq "after the stop: db size and WAL p99 empty, not 0" "," \
    "$(tail -n 3 "$T/live/members.csv" | awk -F, '{ print $11 "," $44 }' | sort -u)"
t_assert "the polls before the stop had figures" \
    bash -c "awk -F, 'NR > 1 && \$4 == 1 && \$11 != \"\" { n++ } END { exit !(n >= 3) }' '$T/live/members.csv'"
t_assert "PrometheusUnavailable fired" grep -q 'FIRING critical PrometheusUnavailable' "$T/live/alerts.log"
t_assert "live: members.csv has only whole rows" csv_whole "$T/live/members.csv"

# status, once, says why its table is empty (Prometheus is stopped now).
"$EM" status --prometheus "$PROM_URL" >"$T/status.out" 2>"$T/status.err"
t_eq "status with Prometheus down: exit 2" 2 "$?"
t_assert "status says the reason on stderr" grep -qx 'etcd-monitor: prometheus: connection refused' "$T/status.err"

# The dashboard says it too.
tui_start 140 30 "'$EM' --prometheus '$PROM_URL' --interval 1 --workdir '$T/tui'"
tui_wait "dashboard header: the source's state" 15 'prometheus: connection refused'
tui_wait "dashboard: the PrometheusUnavailable alert" 10 'PrometheusUnavailable'
tui_keys q
t_done
