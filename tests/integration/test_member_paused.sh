#!/usr/bin/env bash
# One member SIGSTOPped (accepts connections, never answers): its requests time
# out within the interval, every other member is polled on time, no row is missed.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3
leader=$(cluster_leader)
victim=$(( leader % 3 + 1 ))
vname=m$victim
t_cleanup_add "cluster_resume $victim"
W=$T/ws
it_em_start "$T/out" "$T/err" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --duration 8s --workdir "$W"
it_wait_rows "$W/metrics.csv" 2 15
cluster_pause "$victim"
wait "$EM_PID"
rc=$?
cluster_resume "$victim"
t_eq "exit code 1 (warning)" 1 "$rc"
polls=$(csv_rows "$W/metrics.csv")
t_assert "8 s at 1 s gives 7 to 9 polls despite the hung member (got $polls)" test "$polls" -ge 7 -a "$polls" -le 9
t_eq "every poll has all three members" $((polls * 3)) "$(csv_rows "$W/members.csv")"
t_assert "the hung member times out" bash -c "grep -q '$vname,.*timeout after' '$W/members.csv'"
t_eq "the others stay up" "1" "$( (csv_col "$W/members.csv" up member m$(( victim % 3 + 1 )); csv_col "$W/members.csv" up member m$(( (victim + 1) % 3 + 1 ))) | sort -u | xargs)"
slow=$(csv_col "$W/metrics.csv" poll_ms | awk '$1 >= 1000 { n++ } END { print n + 0 }')
t_eq "no poll took as long as the interval" 0 "$slow"
gaps=$(csv_col "$W/metrics.csv" timestamp | while read -r ts; do date -d "$ts" +%s.%N; done |
       awk 'NR > 1 { d = $1 - p; if (d > 1.5 || d < 0.5) bad++ } { p = $1 } END { print bad + 0 }')
t_eq "polls stayed on their 1 s schedule" 0 "$gaps"
t_done
