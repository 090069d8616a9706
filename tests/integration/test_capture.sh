#!/usr/bin/env bash
# Healthy headless capture of a real 3-member cluster: discovery from one endpoint,
# CSV shape and content, PromQL quantiles present under load, keep-alive, exit 0.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3
tests/lib/load.sh "$CLUSTER_ENDPOINTS" 30 >/dev/null 2>&1 &
load=$!
t_cleanup_add "kill $load 2>/dev/null || true"

W=$T/ws
"$EM" --headless --endpoints "$M1_ENDPOINT" --interval 1 --duration 6s --workdir "$W" >"$T/out" 2>"$T/err"
rc=$?
t_eq "healthy capture exits 0" 0 "$rc"
t_eq "nothing on stderr" "" "$(cat "$T/err")"
t_assert "metrics.csv header begins with the seed's columns" \
    grep -q '^timestamp,db_size_mb,fragmentation_pct,leader_changes,slow_ops,wal_latency_ms,backend_latency_ms,status,' "$W/metrics.csv"
t_assert "metrics.csv has only whole rows" csv_whole "$W/metrics.csv"
t_assert "members.csv has only whole rows" csv_whole "$W/members.csv"
polls=$(csv_rows "$W/metrics.csv")
t_assert "6s at 1s gives 6 polls (got $polls)" test "$polls" -ge 5 -a "$polls" -le 7
t_eq "every poll has 3 member rows (discovered from one endpoint)" $((polls * 3)) "$(csv_rows "$W/members.csv")"
t_eq "the three members are m1 m2 m3" "m1 m2 m3" "$(csv_col "$W/members.csv" member | sort -u | xargs)"
t_eq "all member rows are up" "1" "$(csv_col "$W/members.csv" up | sort -u | xargs)"
t_eq "every poll sees exactly one leader" "1" \
    "$(awk -F, 'NR>1 { s[$1] += $6 } END { for (k in s) print s[k] }' "$W/members.csv" | sort -u | xargs)"
t_eq "status HEALTHY on every poll" "HEALTHY" "$(csv_col "$W/metrics.csv" status | sort -u | xargs)"
t_eq "members_up 3 on every poll" "3" "$(csv_col "$W/metrics.csv" members_up | sort -u | xargs)"
bad_ts=$(csv_col "$W/metrics.csv" timestamp | grep -Evc "$it_rfc3339")
t_eq "timestamps are RFC 3339 UTC with milliseconds" 0 "$bad_ts"
t_assert "WAL fsync p99 measured under load" bash -c "awk -F, 'NR>1 && \$22 != \"\" { n++ } END { exit !(n > 0) }' '$W/members.csv'"
t_assert "backend commit p99 measured under load" bash -c "awk -F, 'NR>1 && \$25 != \"\" { n++ } END { exit !(n > 0) }' '$W/members.csv'"
t_eq "first poll has no interval quantiles (no previous scrape): empty, not 0" "" \
    "$(awk -F, 'NR==2 { print $22 }' "$W/members.csv")"
t_assert "db size known" bash -c "[ -n \"\$(awk -F, 'NR==3 { print \$11 }' '$W/members.csv')\" ]"
t_assert "summary printed" grep -q 'MONITORING SESSION COMPLETE' "$T/out"
t_assert "summary counts the iterations" grep -q "Iterations: $polls\$" "$T/out"
t_assert "alerts.log exists" test -f "$W/alerts.log"
# Keep-alive: 3 members x 5 request kinds need at most ~15 connections for all polls.
read -r transfers connects < <(sed -n 's/.*(\([0-9]*\) transfers over \([0-9]*\) connections).*/\1 \2/p' "$W/monitoring.log")
t_assert "connections are kept alive ($transfers transfers over $connects connections)" \
    test "${connects:-99}" -le 16 -a "${transfers:-0}" -ge $((polls * 9))

# --no-discover polls exactly the endpoints given.
"$EM" --headless --no-discover --endpoints "$M2_ENDPOINT" --interval 1 --duration 2s --workdir "$T/ws2" >/dev/null 2>&1
t_eq "--no-discover polls only the given endpoint" "m2" "$(csv_col "$T/ws2/members.csv" member | sort -u | xargs)"
t_eq "--no-discover counts only the polled members" "1 1" \
    "$(csv_col "$T/ws2/metrics.csv" members_up | tail -1) $(csv_col "$T/ws2/metrics.csv" members_total | tail -1)"

# Default workspace: .work/etcd-realtime/<YYYYmmdd_HHMMSS>/ under the current directory.
( cd "$T" && "$EM" --headless --endpoints "$M1_ENDPOINT" --interval 1 --duration 1s >/dev/null 2>&1 )
t_assert "default workspace is .work/etcd-realtime/<stamp>/" \
    bash -c "ls -d '$T'/.work/etcd-realtime/[0-9]*_[0-9]* && ls '$T'/.work/etcd-realtime/*/metrics.csv"
t_done
