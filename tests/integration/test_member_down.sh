#!/usr/bin/env bash
# One member killed mid-run: it turns down with a clear reason, the others keep
# their interval, the status and the exit code change (1 = warnings).
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3
leader=$(cluster_leader)
victim=$(( leader % 3 + 1 ))          # a follower
vname=m$victim
W=$T/ws
it_em_start "$T/out" "$T/err" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --duration 9s --workdir "$W"
it_wait_rows "$W/metrics.csv" 3 15
cluster_kill "$victim"
wait "$EM_PID"
rc=$?
t_eq "exit code 1 (warning: a member is down)" 1 "$rc"
polls=$(csv_rows "$W/metrics.csv")
for m in m1 m2 m3; do
    [ "$m" = "$vname" ] && continue
    t_eq "$m has a row in every poll" "$polls" "$(csv_rows "$W/members.csv" member "$m")"
    t_eq "$m stays up" "1" "$(csv_col "$W/members.csv" up member "$m" | sort -u | xargs)"
done
t_eq "killed member is down in the last poll" "0" "$(csv_col "$W/members.csv" up member "$vname" | tail -1)"
t_eq "its reason is 'connection refused'" "connection refused" "$(csv_col "$W/members.csv" error member "$vname" | tail -1)"
t_eq "final status WARNING" "WARNING" "$(csv_col "$W/metrics.csv" status | tail -1)"
t_eq "final members_up is 2 of 3" "2/3" "$(csv_col "$W/metrics.csv" members_up | tail -1)/$(csv_col "$W/metrics.csv" members_total | tail -1)"
t_assert "EtcdMembersDown pending in alerts.log (it fires after 10m)" grep -q " PENDING critical EtcdMembersDown member=$vname " "$W/alerts.log"
t_assert "monitoring.log says the member went down" grep -q "member $vname .* is down: connection refused" "$W/monitoring.log"
# The survivors kept their interval: consecutive polls about 1 s apart.
gaps=$(csv_col "$W/metrics.csv" timestamp | while read -r ts; do date -d "$ts" +%s.%N; done |
       awk 'NR > 1 { d = $1 - p; if (d > 1.5 || d < 0.5) bad++ } { p = $1 } END { print bad + 0 }')
t_eq "no poll was late or doubled" 0 "$gaps"
t_assert "the summary reports the final state" grep -q 'Final status: WARNING' "$T/out"
t_done
