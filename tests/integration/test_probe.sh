#!/usr/bin/env bash
# Latency probes on a real cluster: one linearizable read per member per poll
# always; with --probe-write one put per member under --probe-prefix, whose keys
# are gone when the session ends. Their latencies and window quantiles land in
# members.csv, and a max_latency_ms below them raises RequestLatencyHigh.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3
ctl() { ETCDCTL_API=3 etcdctl --endpoints="$CLUSTER_ENDPOINTS" "$@"; }

W=$T/ws
it_em_start "$T/out" "$T/err" --headless --endpoints "$M1_ENDPOINT" --interval 1 --duration 5s \
      --probe-write --probe-prefix /em-test/probe/ --workdir "$W"
it_wait_rows "$W/metrics.csv" 2 15
t_eq "mid-run: one probe key per member" "/em-test/probe/m1 /em-test/probe/m2 /em-test/probe/m3" \
    "$(ctl get --prefix /em-test/probe/ --keys-only | grep -v '^$' | sort | xargs)"
wait "$EM_PID"
t_eq "exit 0" 0 "$?"
t_eq "after exit: the probe keys are deleted" "" "$(ctl get --prefix /em-test/probe/ --keys-only)"
empty_r=$(csv_col "$W/members.csv" probe_read_ms | grep -c '^$')
# The write probe starts once the member list has named the members (poll 2).
empty_w=$(csv_col "$W/members.csv" probe_write_ms | tail -n +4 | grep -c '^$')
t_eq "every member row has a read probe latency" 0 "$empty_r"
t_eq "every member row from the second poll has a write probe latency" 0 "$empty_w"
t_assert "read latencies are plausible (0 to 1000 ms)" bash -c \
    "awk -F, 'NR>1 { v = \$39; if (v < 0 || v > 1000) bad++ } END { exit bad > 0 }' '$W/members.csv'"
t_assert "window p99 of the read probe appears after two polls" \
    bash -c "[ -n \"\$(awk -F, 'NR>4 && \$47 != \"\" { print \$47; exit }' '$W/members.csv')\" ]"

# Without --probe-write: no write probe, no key.
"$EM" --headless --endpoints "$M1_ENDPOINT" --interval 1 --duration 2s --workdir "$T/ws2" >/dev/null 2>&1
t_eq "no --probe-write: write latency empty" "" "$(csv_col "$T/ws2/members.csv" probe_write_ms | sort -u | xargs)"
t_eq "no --probe-write: nothing written" "" "$(ctl get --prefix /etcd-monitor/ --keys-only)"

# A latency threshold below any real read: RequestLatencyHigh fires per member.
printf 'alert_thresholds:\n  max_latency_ms: 0.001\n' > "$T/lat.yaml"
"$EM" --headless --config "$T/lat.yaml" --endpoints "$M1_ENDPOINT" --interval 1 --duration 3s \
      --workdir "$T/ws3" >/dev/null 2>&1
t_eq "RequestLatencyHigh fires for each member" 3 "$(grep -c ' FIRING warning RequestLatencyHigh ' "$T/ws3/alerts.log")"
t_done
