#!/usr/bin/env bash
# The CSV promise: a file-size limit (EFBIG) is reported once and the monitor keeps
# running; a SIGKILL mid-run never leaves a torn line; and no line is lost silently
# at exit: lines the disk still refuses get a bounded last try, then are counted on
# stderr and in the summary, and the exit status is 70. The full disk is a small
# tmpfs, filled, in a private mount namespace; when space comes back before the
# monitor exits, every row is written and the exit status is the cluster's.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3

final_status_rc() { # WS: the exit status the final poll's status gives
    case $(csv_col "$1/metrics.csv" status | tail -1) in HEALTHY) echo 0 ;; WARNING) echo 1 ;; *) echo 2 ;; esac
}

# members.csv passes a 3 KiB limit after a few polls; metrics.csv stays under it.
W=$T/ws
( ulimit -f 3; exec "$EM" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --duration 6s \
      --workdir "$W" >"$T/out" 2>"$T/err" )
rc=$?
polls=$(sed -n 's/^  Iterations: //p' "$T/out")
t_eq "EFBIG: the run completes; members.csv still refused at exit: exit 70" 70 "$rc"
t_eq "EFBIG: reported once" 1 "$(grep -c 'members.csv: write failed: File too large' "$T/err")"
t_assert "EFBIG: members.csv has only whole lines" csv_whole "$W/members.csv"
t_assert "EFBIG: members.csv stayed within the limit" test "$(stat -c %s "$W/members.csv")" -le 3072
t_eq "EFBIG: metrics.csv has every poll" "$polls" "$(csv_rows "$W/metrics.csv")"
t_assert "EFBIG: noted in monitoring.log" grep -q 'members.csv: write failed' "$W/monitoring.log"
# The header and 3 rows per poll were due: what is not in the file is counted exactly.
lost=$((polls * 3 + 1 - $(wc -l <"$W/members.csv")))
t_assert "EFBIG: some member rows could not be written ($lost)" test "$lost" -gt 0
t_eq "EFBIG: stderr names the file and the count" \
    "etcd-monitor: $W/members.csv: $lost lines not written at exit (File too large)" \
    "$(grep 'members.csv: .* not written at exit' "$T/err")"
t_assert "EFBIG: the summary marks members.csv incomplete" \
    grep -qF "  Members log: $W/members.csv (INCOMPLETE: $lost lines not written at exit (File too large))" "$T/out"
t_assert "EFBIG: the summary lists metrics.csv as it is" grep -qx "  Metrics log: $W/metrics.csv" "$T/out"
t_assert "EFBIG: monitoring.log (still writable) says it too" \
    grep -qF "$W/members.csv: $lost lines not written at exit (File too large)" "$W/monitoring.log"

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

# A full disk. MODE stay: still full at SIGTERM. MODE free: space comes back 0.3 s
# after SIGTERM, during the last try. Runs inside the mount namespace.
cat >"$T/fulldisk.sh" <<'SCRIPT'
set -u
mode=$1 D=$T/disk-$1
mkdir -p "$D"
mount -t tmpfs -o size=256k tmpfs "$D" || exit 90
dd if=/dev/zero of="$D/fill" bs=4k 2>/dev/null
"$EM" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --workdir "$D/ws" \
    >"$T/$mode.out" 2>"$T/$mode.err" &
pid=$!
for ((i = 0; i < 150; i++)); do grep -q ' #4 ' "$T/$mode.out" 2>/dev/null && break; sleep 0.1; done
t0=${EPOCHREALTIME/./}
kill -TERM "$pid"
if [[ $mode == free ]]; then sleep 0.3; rm -f "$D/fill"; fi
wait "$pid"
echo "$? $(((${EPOCHREALTIME/./} - t0) / 1000))" >"$T/$mode.rc"
cp -a "$D/ws" "$T/$mode-ws"
umount "$D"
SCRIPT
ns=()
if unshare -m --propagation private true 2>/dev/null; then
    ns=(unshare -m --propagation private)
elif unshare -rm --propagation private true 2>/dev/null; then
    ns=(unshare -rm --propagation private)   # a user namespace, when not root
fi
if ((${#ns[@]} == 0)); then
    t_ok "full disk: SKIPPED (no private mount namespace: unshare -m and -rm refused)"
    t_done
fi
export T EM CLUSTER_ENDPOINTS
for mode in stay free; do
    "${ns[@]}" bash "$T/fulldisk.sh" "$mode"
    t_assert "full disk ($mode): the tmpfs was mounted and the run ended" test -s "$T/$mode.rc"
done

read -r rc ms <"$T/stay.rc"
W=$T/stay-ws
D=$T/disk-stay/ws
polls=$(sed -n 's/^  Iterations: //p' "$T/stay.out")
t_eq "full at exit: exit status 70" 70 "$rc"
t_assert "full at exit: the last try is bounded (exit ${ms} ms after SIGTERM)" test "$ms" -lt 6000
t_eq "full at exit: nothing reached the files" "0 0 0 0" \
    "$(stat -c %s "$W/metrics.csv" "$W/members.csv" "$W/alerts.log" "$W/monitoring.log" | xargs)"
t_eq "full at exit: stderr counts metrics.csv's lines (header + $polls polls)" \
    "etcd-monitor: $D/metrics.csv: $((polls + 1)) lines not written at exit (No space left on device)" \
    "$(grep 'metrics.csv: .* not written at exit' "$T/stay.err")"
t_eq "full at exit: stderr counts members.csv's lines (header + 3 x $polls)" \
    "etcd-monitor: $D/members.csv: $((3 * polls + 1)) lines not written at exit (No space left on device)" \
    "$(grep 'members.csv: .* not written at exit' "$T/stay.err")"
t_assert "full at exit: stderr counts monitoring.log's lines" \
    grep -q "^etcd-monitor: $D/monitoring.log: [0-9]* lines not written at exit" "$T/stay.err"
t_assert "full at exit: the summary marks the files incomplete" \
    grep -qF "  Members log: $D/members.csv (INCOMPLETE: $((3 * polls + 1)) lines not written at exit" "$T/stay.out"

read -r rc ms <"$T/free.rc"
W=$T/free-ws
polls=$(sed -n 's/^  Iterations: //p' "$T/free.out")
t_eq "space back before exit: exit status from the final poll, not 70" "$(final_status_rc "$W")" "$rc"
t_eq "space back before exit: metrics.csv has every poll" "$polls" "$(csv_rows "$W/metrics.csv")"
t_eq "space back before exit: members.csv has every row" $((3 * polls)) "$(csv_rows "$W/members.csv")"
t_assert "space back before exit: metrics.csv whole" csv_whole "$W/metrics.csv"
t_assert "space back before exit: members.csv whole" csv_whole "$W/members.csv"
t_assert "space back before exit: monitoring.log has the session's end" \
    grep -q 'session ended after' "$W/monitoring.log"
t_eq "space back before exit: nothing reported lost" "" \
    "$(grep -h 'not written\|INCOMPLETE' "$T/free.err" "$T/free.out")"

t_done
