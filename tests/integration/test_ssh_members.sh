#!/usr/bin/env bash
# Per-member SSH (the config file's members: entries with ssh) through a bastion
# (--ssh), all with real OpenSSH sshd instances on 127.0.0.1: one bastion and one
# "host" sshd per member, each with its own host key and user key.
#   - each member's client and metrics traffic goes through its own host's sshd,
#     and that host's SSH connection comes from the bastion (ProxyJump style);
#   - each member host's log is followed there: a slow line in member 2's log
#     counts for member 2 only (members.csv log_slow_ops), a leader line is an
#     event under member 3's name;
#   - df -P runs on each member host on that member's data_dir: member 1 and 2's
#     figures match df -P run here, member 3's data_dir does not exist (unknown,
#     no DiskSpaceLow for it); the same command reads each host's MemTotal, which
#     reaches members.csv host_mem_bytes for every member (member 3's too);
#   - killing member 2's sshd downs member 2 with an SSH reason while members 1
#     and 3 keep being polled; it comes back when that sshd returns;
#   - a member host key missing from known_hosts refuses that member's tunnel
#     (no authentication attempted, the others fine), even though the bastion's
#     key is known; an unknown bastion key downs every member with its reason.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/sshd.sh
unset SSH_AUTH_SOCK SSH_AGENT_PID
[[ -x /usr/sbin/sshd ]] || { t_fail "/usr/sbin/sshd is installed (tools/deps.sh: openssh-server)"; t_done; }
CLUSTER_METRICS=1 it_cluster 3

# sshd instances: B (bastion), H1..H3 (member hosts).
declare -A SDIR SPORT SKEY
for h in B H1 H2 H3; do
    sshd_start "$T/ssh$h" >/dev/null || { t_fail "sshd $h starts"; t_done; }
    SDIR[$h]=$SSHD_DIR SPORT[$h]=$SSHD_PORT SKEY[$h]=$SSHD_USER_KEY
    t_cleanup_add "SSHD_DIR='$SSHD_DIR' sshd_stop"
    sshd_known_line >>"$T/known_hosts"
done
USER_=$SSHD_USER
grep -v "^\[127.0.0.1\]:${SPORT[H3]} " "$T/known_hosts" >"$T/known_hosts_no_h3"
grep -v "^\[127.0.0.1\]:${SPORT[B]} " "$T/known_hosts" >"$T/known_hosts_no_b"
for k in 1 2 3; do : >"$T/etcd$k.log"; done
M3_LOCALHOST=http://localhost:$M3_CLIENT
# Member 1's data on tmpfs (the cluster's), member 2's elsewhere (usually another
# filesystem, so swapped figures would show).
DATA1=$(_cl_data_dir "$CLUSTER_DIR" 1) DATA2=$T/data2
mkdir -p "$DATA2"

# members.yaml KNOWN_HOSTS — one entry per member, each with its own ssh host.
members_yaml() {
    local k ep mep dd
    echo "members:"
    for k in 1 2 3; do
        ep=M${k}_ENDPOINT mep=M${k}_METRICS_ENDPOINT
        case $k in 1) dd=$DATA1 ;; 2) dd=$DATA2 ;; 3) dd=$T/no-such-dir ;; esac
        # Member 3 under another name than the member list gives it (localhost,
        # not 127.0.0.1): that URL must never be polled around its tunnel.
        [[ $k == 3 ]] && ep=M3_LOCALHOST
        cat <<EOF
  - endpoint: ${!ep}
    metrics_endpoint: ${!mep}
    ssh:
      host: $USER_@127.0.0.1:${SPORT[H$k]}
      key_file: ${SKEY[H$k]}
      known_hosts: $1
    log_command: tail -n 0 -F $T/etcd$k.log
    data_dir: $dd
EOF
    done
    # A first probe through a new channel pays for it: allow for that.
    printf 'alert_thresholds:\n  max_latency_ms: 1000\n  min_disk_space_percent: 100\n'
}
members_yaml "$T/known_hosts" >"$T/members.yaml"

# m_col COL K — the values of COL in members.csv rows of member mK.
m_col() { csv_col "$W/members.csv" "$1" member "m$2"; }
# owners PORT — names,pids of the processes holding established connections to PORT.
owners() { ss -Htnp state established "( dport = :$1 )" 2>/dev/null | grep -o 'users:(.*)' | sort -u; }
pid_in_tree() {   # pid_in_tree DIR PIDS... — 0 if some pid is under DIR's sshd
    local d=$1 p
    shift
    local tree=" $(SSHD_DIR=$d sshd_sessions | tr '\n' ' ') "
    for p in "$@"; do [[ $tree == *" $p "* ]] && return 0; done
    return 1
}
pids_of() { owners "$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' '; }

W=$T/ws
it_em_start "$T/out" "$T/err" --headless --config "$T/members.yaml" --interval 1 --duration 60s \
      --workdir "$W" --ssh "$USER_@127.0.0.1:${SPORT[B]}" --ssh-key "${SKEY[B]}" \
      --ssh-known-hosts "$T/known_hosts" --log-source
it_wait_rows "$W/metrics.csv" 3 30
t_wait_for "all three members up through their own tunnels" 20 \
    bash -c "[[ \$(tail -n 1 '$W/metrics.csv' | cut -d, -f9) == 3 ]]"

# Who holds which connection?
for k in 1 2 3; do
    hp=${SPORT[H$k]} cp=M${k}_CLIENT mp=M${k}_METRICS
    t_assert "member host $k's SSH connection comes from the bastion's sshd, not from us" \
        pid_in_tree "${SDIR[B]}" $(pids_of "$hp")
    t_assert "member $k's client connections come from its own host's sshd" \
        pid_in_tree "${SDIR[H$k]}" $(pids_of "${!cp}")
    t_assert "member $k's metrics connections come from its own host's sshd" \
        pid_in_tree "${SDIR[H$k]}" $(pids_of "${!mp}")
done
em_name=$(basename "$EM")
t_assert "ss shows our own connections (to the bastion)" \
    bash -c "ss -Htnp state established '( dport = :${SPORT[B]} )' 2>/dev/null | grep -q '\"${em_name:0:15}\"'"
t_assert "etcd-monitor holds no connection to a member or member host" \
    bash -c "! ss -Htnp state established 2>/dev/null | grep '\"${em_name:0:15}\"' | grep -Eq ':(${M1_CLIENT}|${M2_CLIENT}|${M3_CLIENT}|${SPORT[H1]}|${SPORT[H2]}|${SPORT[H3]})\b'"

# Logs, each on its own host, once each host's tail -F has the file open.
follower_ready() {
    local p
    for p in $(pgrep -f "tail -n 0 -F $T/etcd$1.log"); do
        [[ $(readlink /proc/"$p"/fd/* 2>/dev/null) == *"$T/etcd$1.log"* ]] && return 0
    done
    return 1
}
for k in 2 3; do t_wait_for "member $k's host follows its log" 20 follower_ready "$k"; done
sleep 0.5
printf '{"level":"warn","ts":"2026-11-23T15:00:00.000Z","caller":"wal/wal.go:805","msg":"slow fdatasync","took":"1.503s","expected-duration":"1s"}\n' >>"$T/etcd2.log"
printf '{"level":"info","ts":"2026-11-23T15:00:01.000Z","caller":"raft/node.go:325","msg":"raft.node: 8e9e05c52164694d elected leader 8e9e05c52164694d at term 5"}\n' >>"$T/etcd3.log"
sumcol() { m_col log_slow_ops "$1" | awk '{ s += $1 } END { print s + 0 }'; }
t_wait_for "the slow line in member 2's log counts for member 2" 15 \
    bash -c ". tests/lib/csv.sh; [[ \$(csv_col '$W/members.csv' log_slow_ops member m2 | awk '{ s += \$1 } END { print s + 0 }') == 1 ]]"
t_wait_for "the leader line is an event under member 3's name" 10 \
    grep -q 'log m3: leader_changed: .*elected leader' "$W/monitoring.log"
t_eq "member 1's log is followed and showed no slow line" 0 "$(m_col log_slow_ops 1 | tail -n 1)"
t_eq "member 3's log is followed and showed no slow line" 0 "$(m_col log_slow_ops 3 | tail -n 1)"
t_eq "no slow line in member 1's log in any poll" 0 "$(sumcol 1)"

# Disk space per member host.
df_free() { df -P "$1" | awk 'NR == 2 && $2 > 0 { printf "%.2f", $4 * 100 / $2 }'; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && b != "" && d < 1 && d > -1) }'; }
t_wait_for "members 1 and 2 have a disk figure" 10 \
    bash -c ". tests/lib/csv.sh; [[ -n \$(csv_col '$W/members.csv' disk_free_pct member m1 | grep -v '^\$') && -n \$(csv_col '$W/members.csv' disk_free_pct member m2 | grep -v '^\$') ]]"
for k in 1 2; do
    d=DATA$k
    got=$(m_col disk_free_pct "$k" | grep -v '^$' | tail -n 1)
    t_assert "member $k's disk_free_pct ($got) is df -P of its data_dir on its host ($(df_free "${!d}"))" \
        near "$got" "$(df_free "${!d}")"
done
t_eq "member 3's data_dir does not exist: its disk figure stays unknown" "" \
    "$(m_col disk_free_pct 3 | sort -u | xargs)"
t_assert "member 3's failing df -P ran on its host and answered" \
    grep -Eq "ssh $USER_@127.0.0.1:${SPORT[H3]} via .*: command [0-9]+ \(df -P .*\) failed, exit status 1" "$W/monitoring.log"
t_assert "DiskSpaceLow fires per member host (m1)" grep -q ' FIRING warning DiskSpaceLow member=m1 ' "$W/alerts.log"
t_assert "DiskSpaceLow fires per member host (m2)" grep -q ' FIRING warning DiskSpaceLow member=m2 ' "$W/alerts.log"
t_assert "no DiskSpaceLow for member 3 (unknown is not low)" bash -c "! grep -q 'DiskSpaceLow member=m3 ' '$W/alerts.log'"
# The host's memory (MemTotal over SSH, with df -P) per member: all hosts are this machine.
mem_here=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
for k in 1 2 3; do
    t_eq "member $k's host_mem_bytes is its host's MemTotal" "$mem_here" \
        "$(m_col host_mem_bytes "$k" | grep -v '^$' | tail -n 1)"
done

# Member 2's host goes away: member 2 down with the SSH reason, the others polled.
SSHD_DIR=${SDIR[H2]} sshd_stop
rows_before=$(csv_rows "$W/members.csv" member m1)
t_wait_for "member 2 is down with an SSH reason" 20 \
    bash -c ". tests/lib/csv.sh; csv_col '$W/members.csv' error member m2 | tail -n 1 | grep -q '^ssh: '"
t_wait_for "member 1 keeps being polled meanwhile" 10 \
    bash -c ". tests/lib/csv.sh; (( \$(csv_rows '$W/members.csv' member m1) >= $rows_before + 3 ))"
t_eq "members 1 and 3 stay up meanwhile" "1" \
    "$(tail -n 6 "$W/members.csv" | grep -E ',m[13],' | cut -d, -f4 | sort -u | xargs)"
SSHD_DIR=${SDIR[H2]} sshd_restart
t_wait_for "member 2 comes back once its sshd is back" 30 \
    bash -c ". tests/lib/csv.sh; csv_col '$W/members.csv' up member m2 | tail -n 1 | grep -qx 1"
t_assert "the lost and rebuilt tunnel of member 2's host are logged" \
    grep -Eq "ssh $USER_@127.0.0.1:${SPORT[H2]} via .*(lost|cannot connect)" "$W/monitoring.log"
kill -INT "$EM_PID"
wait "$EM_PID"
rc=$?
t_assert "it ended on SIGINT by itself (exit $rc)" test "$rc" -lt 64
t_assert "members.csv is whole" csv_whole "$W/members.csv"

# Member 3's host key is not in known_hosts: that tunnel is refused before any
# authentication, the bastion and the other members are fine.
members_yaml "$T/known_hosts_no_h3" >"$T/members3.yaml"
mark=$(wc -l <"${SDIR[H3]}/sshd.log")
W=$T/ws3
it_em_start /dev/null - --headless --config "$T/members3.yaml" --interval 1 --duration 40s \
      --workdir "$W" --ssh "$USER_@127.0.0.1:${SPORT[B]}" --ssh-key "${SKEY[B]}" \
      --ssh-known-hosts "$T/known_hosts"
t_wait_for "members 1 and 2 up through their tunnels" 30 \
    bash -c ". tests/lib/csv.sh; [[ \$(csv_col '$W/members.csv' up member m1 | tail -n 1)\$(csv_col '$W/members.csv' up member m2 | tail -n 1) == 11 ]]"
t_wait_for "discovery waits for member 3 (the member list came)" 20 \
    bash -c "grep -q 'discovery waits for .*localhost:' '$W/monitoring.log' || { tail -n 40 '$W/monitoring.log'; exit 1; }"
it_wait_rows "$W/metrics.csv" "$(($(csv_rows "$W/metrics.csv") + 2))" 10
kill -INT "$EM_PID"
wait "$EM_PID"
t_eq "member 3 never up, under either URL (no fallback around its tunnel)" "0" \
    "$(awk -F, -v p=":$M3_CLIENT" 'NR > 1 && index($3, p) { print $4 }' "$W/members.csv" | sort -u | xargs)"
t_eq "member 3 is polled under its configured URL only" "http://localhost:$M3_CLIENT" \
    "$(awk -F, -v p=":$M3_CLIENT" 'NR > 1 && index($3, p) { print $3 }' "$W/members.csv" | sort -u | xargs)"
t_eq "discovery waiting for member 3 is said once" 1 \
    "$(grep -c 'discovery waits for .*localhost:' "$W/monitoring.log")"
err3=$(csv_col "$W/members.csv" error endpoint "$M3_LOCALHOST" | tail -n 1)
t_assert "member 3's error names the host key refusal and its fingerprint ($err3)" \
    grep -q "^ssh: host key for \[127.0.0.1\]:${SPORT[H3]} is not in known_hosts (ssh-ed25519 SHA256:" <<<"$err3"
new=$(tail -n +"$((mark + 1))" "${SDIR[H3]}/sshd.log")
t_assert "member 3's sshd saw a connection" grep -q "Connection from 127.0.0.1" <<<"$new"
t_assert "and no authentication attempt" bash -c "! grep -Eiq 'publickey|Accepted|Failed|Postponed' <<<'$new'"

# The bastion's key is unknown (the member hosts' are known): every member is
# down with the bastion's reason, none reached around it.
"$EM" --headless --config "$T/members.yaml" --interval 1 --duration 3s --workdir "$T/wsb" \
      --ssh "$USER_@127.0.0.1:${SPORT[B]}" --ssh-key "${SKEY[B]}" \
      --ssh-known-hosts "$T/known_hosts_no_b" >/dev/null 2>&1
t_eq "unknown bastion key: no member ever up" "0" "$(csv_col "$T/wsb/members.csv" up | sort -u | xargs)"
errb=$(csv_col "$T/wsb/members.csv" error | tail -n 1)
t_assert "unknown bastion key: the members' error names the bastion's refusal ($errb)" \
    grep -q "^ssh bastion: host key for \[127.0.0.1\]:${SPORT[B]} is not in known_hosts" <<<"$errb"

# No SSH at all: a members: entry still gives a member found only through the
# member list its /metrics URL (member 3's points where nothing listens).
cat >"$T/metrics.yaml" <<EOF
endpoints: [$M1_ENDPOINT]
members:
  - endpoint: $M2_ENDPOINT
    metrics_endpoint: $M2_METRICS_ENDPOINT
  - endpoint: $M3_ENDPOINT
    metrics_endpoint: http://127.0.0.1:1
EOF
"$EM" --headless --config "$T/metrics.yaml" --interval 1 --duration 3s --workdir "$T/wsm" >/dev/null 2>&1
W=$T/wsm
t_eq "discovered member 2 scraped on its members: metrics URL, fine" "" "$(m_col error 2 | tail -n 1)"
t_assert "discovered member 3 scraped on its members: metrics URL (refused there)" \
    grep -q "metrics.*refused" <<<"$(m_col error 3 | tail -n 1)"
t_done
