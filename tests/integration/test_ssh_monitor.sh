#!/usr/bin/env bash
# The real binary through a real sshd (--ssh): every member's traffic goes over
# the tunnel (etcd's client connections come from sshd, none from the monitor),
# the followed log feeds slow_ops and the event timeline, df -P feeds the disk
# figure, and an unknown host key refuses the tunnel with no fallback.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/sshd.sh
it_cluster 3
mkdir -p "$T/sshd"
sshd_start "$T/sshd" >/dev/null || { t_fail "sshd starts"; t_done; }
t_cleanup_add sshd_stop
sshd_known_line > "$T/known_hosts"
LOG=$T/etcd.log
: > "$LOG"
mkdir -p "$T/data"

# The first probe through a new SSH channel pays for the channel: a latency
# threshold for a tunnel has to allow for it.
printf 'alert_thresholds:\n  max_latency_ms: 1000\n' > "$T/lat.yaml"
W=$T/ws
it_em_start "$T/out" "$T/err" --headless --config "$T/lat.yaml" --endpoints "$M1_ENDPOINT" \
      --interval 1 --duration 60s --workdir "$W" \
      --ssh "$SSHD_USER@127.0.0.1:$SSHD_PORT" --ssh-key "$SSHD_USER_KEY" \
      --ssh-known-hosts "$T/known_hosts" --log-source --log-command "tail -n 0 -F $LOG" \
      --data-dir "$T/data"
it_wait_rows "$W/metrics.csv" 3 20
# Who holds the connections to the members' client ports? sshd, not us.
port1=${M1_ENDPOINT##*:}
owners=$(ss -Htnp state established "( dport = :$port1 )" 2>/dev/null | sed -n 's/.*users:(("\([a-z-]*\)".*/\1/p' | sort -u | tr '\n' ' ')
t_assert "member 1's client connections come from sshd ($owners)" bash -c "[[ '$owners' == *sshd* && '$owners' != *etcd-monitor* ]]"
# The remote shell may be slow to start (login scripts): write once tail -F has the log open.
follower_ready() {
    local p
    for p in $(pgrep -f "tail -n 0 -F $LOG"); do
        [[ $(readlink /proc/"$p"/fd/* 2>/dev/null) == *"$LOG"* ]] && return 0
    done
    return 1
}
t_wait_for "the SSH host follows the log" 30 follower_ready
sleep 0.5
printf '{"level":"warn","ts":"2026-11-23T15:00:00.000Z","caller":"wal/wal.go:805","msg":"slow fdatasync","took":"1.503s","expected-duration":"1s"}\n' >> "$LOG"
printf '{"level":"warn","ts":"2026-11-23T15:00:00.100Z","caller":"etcdserver/util.go:163","msg":"apply request took too long","took":"312ms","expected-duration":"100ms"}\n' >> "$LOG"
printf '{"level":"info","ts":"2026-11-23T15:00:01.000Z","caller":"raft/node.go:325","msg":"raft.node: 8e9e05c52164694d elected leader 8e9e05c52164694d at term 5"}\n' >> "$LOG"
t_wait_for "the log lines reach the capture" 15 grep -q 'log: .*elected leader' "$W/monitoring.log"
it_wait_rows "$W/metrics.csv" "$(($(csv_rows "$W/metrics.csv") + 2))" 10
kill -INT "$EM_PID"
wait "$EM_PID"
rc=$?
t_eq "exit 0 through the tunnel" 0 "$rc"
t_eq "all three members up in the last poll (discovered through the tunnel)" "3" "$(csv_col "$W/metrics.csv" members_up | tail -1)"
t_eq "the two slow-operation log lines counted in slow_ops" 2 "$(csv_col "$W/metrics.csv" slow_ops | awk '{ s += $1 } END { print s + 0 }')"
t_assert "the leader line is in the event timeline" grep -q 'log: .*elected leader' "$W/monitoring.log"
t_assert "the tunnel coming up is logged" grep -qi 'ssh\|tunnel' "$W/monitoring.log"

# df -P fills the disk figure: a min_disk_space_percent of 100 always trips it.
printf 'alert_thresholds:\n  min_disk_space_percent: 100\n' > "$T/disk.yaml"
it_em_start /dev/null - --headless --config "$T/disk.yaml" --endpoints "$M1_ENDPOINT" \
      --interval 1 --duration 40s --workdir "$T/ws2" \
      --ssh "$SSHD_USER@127.0.0.1:$SSHD_PORT" --ssh-key "$SSHD_USER_KEY" \
      --ssh-known-hosts "$T/known_hosts" --data-dir "$T/data"
t_wait_for "DiskSpaceLow fires from df -P over SSH" 30 \
    grep -q ' FIRING warning DiskSpaceLow ' "$T/ws2/alerts.log"
kill -INT "$EM_PID"
wait "$EM_PID"

# An unknown host key: refused, never polled around the tunnel.
: > "$T/empty_known_hosts"
"$EM" --headless --endpoints "$M1_ENDPOINT" --interval 1 --duration 3s --workdir "$T/ws3" \
      --ssh "$SSHD_USER@127.0.0.1:$SSHD_PORT" --ssh-key "$SSHD_USER_KEY" \
      --ssh-known-hosts "$T/empty_known_hosts" >/dev/null 2>&1
t_eq "unknown host key: no member ever up (no fallback to a direct connection)" "0" \
    "$(csv_col "$T/ws3/members.csv" up | sort -u | xargs)"
t_assert "unknown host key: the refusal and fingerprint are logged" grep -q 'not in known_hosts.*SHA256:' "$T/ws3/monitoring.log"
t_done
