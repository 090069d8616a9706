#!/usr/bin/env bash
# The real binary under valgrind memcheck against a real cluster (with a member
# killed mid-run, so the failure paths run too): no memory errors, no leaks.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3
command -v valgrind >/dev/null || { t_fail "valgrind is installed (tools/deps.sh)"; t_done; }
W=$T/ws
valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --log-file="$T/vg.log" "$EM" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 \
    --duration 6s --probe-write --workdir "$W" >"$T/out" 2>"$T/err" &
pid=$!
t_cleanup_add "kill $pid 2>/dev/null || true"
it_wait_rows "$W/metrics.csv" 2 30
cluster_kill "$(( $(cluster_leader) % 3 + 1 ))"
wait "$pid"
rc=$?
t_assert "the run under valgrind completed with a status exit code (got $rc)" test "$rc" -le 2
t_assert "no memory errors" grep -q 'ERROR SUMMARY: 0 errors' "$T/vg.log"
t_assert "nothing definitely lost" bash -c "! grep -q 'definitely lost: [1-9]' '$T/vg.log'"
t_assert "polls happened under valgrind" test "$(csv_rows "$W/metrics.csv")" -ge 3
t_done
