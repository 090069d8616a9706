#!/usr/bin/env bash
# The CSV promise: a file-size limit (EFBIG) is reported once and the monitor keeps
# running; a SIGKILL mid-run never leaves a torn line.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3

# members.csv passes a 3 KiB limit after a few polls; metrics.csv stays under it.
W=$T/ws
( ulimit -f 3; exec "$EM" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --duration 6s \
      --workdir "$W" >"$T/out" 2>"$T/err" )
rc=$?
case $(csv_col "$W/metrics.csv" status | tail -1) in HEALTHY) want=0 ;; WARNING) want=1 ;; *) want=2 ;; esac
t_eq "EFBIG: the run completes, exit code from its final status" "$want" "$rc"
t_eq "EFBIG: reported once" 1 "$(grep -c 'members.csv: write failed: File too large' "$T/err")"
t_assert "EFBIG: members.csv has only whole lines" csv_whole "$W/members.csv"
t_assert "EFBIG: members.csv stayed within the limit" test "$(stat -c %s "$W/members.csv")" -le 3072
t_eq "EFBIG: metrics.csv has every poll" "$(sed -n 's/^  Iterations: //p' "$T/out")" "$(csv_rows "$W/metrics.csv")"
t_assert "EFBIG: noted in monitoring.log" grep -q 'members.csv: write failed' "$W/monitoring.log"

# SIGKILL at random moments: every file still ends on a whole line.
for i in 1 2 3; do
    W=$T/kill$i
    it_em_start /dev/null - --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --workdir "$W"
    it_wait_rows "$W/metrics.csv" 2 10
    sleep 0.$((RANDOM % 10))
    kill -KILL "$EM_PID"
    wait "$EM_PID" 2>/dev/null
    t_assert "SIGKILL #$i: metrics.csv whole" csv_whole "$W/metrics.csv"
    t_assert "SIGKILL #$i: members.csv whole" csv_whole "$W/members.csv"
done
t_done
