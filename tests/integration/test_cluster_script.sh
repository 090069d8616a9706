#!/usr/bin/env bash
# Integration test for tests/lib/cluster.sh itself: start a 3-member cluster, check
# health and leadership, kill/restart and pause/resume a member, stop it, and make sure
# nothing of it survives (processes or files). Also the CLI form and an interrupted start.
source "$(dirname "$0")/../lib/testlib.sh"
source "$T_ROOT/tests/lib/cluster.sh"
CLI=$T_ROOT/tests/lib/cluster.sh

export CLUSTER_DIR
CLUSTER_DIR=$(t_tmpdir)/cluster
t_cleanup_add cluster_stop

# Live processes running etcd whose command line mentions DIR (none after a stop).
procs_in_dir() {
    local f p a
    for f in $(grep -lsF -- "$1/" /proc/[0-9]*/cmdline); do
        p=${f#/proc/} p=${p%/cmdline}
        a=$( { tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
        [[ $a == *etcd\ *"$1/"* && $a != *cluster.sh* && $p != "$BASHPID" ]] && echo "$p $a"
    done
    return 0
}
member_healthy() { curl -sf --max-time 2 "$(cluster_endpoint "$1")/health" | grep -q '"health":"true"'; }
member_unreachable() { ! curl -s --max-time 1 "$(cluster_endpoint "$1")/health" >/dev/null; }
count_leaders() {
    local k n=0
    for k in 1 2 3; do
        curl -s --max-time 2 "$(cluster_endpoint "$k")/metrics" | grep -q '^etcd_server_is_leader 1' && n=$((n + 1))
    done
    echo "$n"
}

# Called directly (not in $(...)) so CLUSTER_ENDPOINTS etc. land in this shell.
cluster_start 3 >"$(t_tmpdir)/eps" || { t_fail "cluster_start 3"; t_done; }
eps=$(<"$(t_tmpdir)/eps")
t_eq "cluster_start printed the endpoints it stored" "$CLUSTER_ENDPOINTS" "$eps"
t_assert "cluster dir has env and member logs" test -f "$CLUSTER_DIR/env" -a -f "$CLUSTER_DIR/m1.log"
t_eq "three loopback endpoints" 3 "$(tr ',' '\n' <<<"$eps" | grep -c '^http://127\.0\.0\.1:[0-9]*$')"
t_eq "three member processes from this dir" 3 "$(procs_in_dir "$CLUSTER_DIR" | wc -l)"
t_assert "etcdctl: all members healthy" \
    env ETCDCTL_API=3 etcdctl --endpoints="$eps" --command-timeout=3s endpoint health
for k in 1 2 3; do t_assert "member $k /health is true" member_healthy "$k"; done
t_assert "CLI 'status' works on the same dir" bash "$CLI" status
t_eq "CLI 'endpoints' matches" "$eps" "$(bash "$CLI" endpoints)"

leader=$(cluster_leader)
t_assert "cluster_leader prints a member index ($leader)" grep -qx '[123]' <<<"$leader"
t_eq "exactly one member claims leadership" 1 "$(count_leaders)"
t_eq "CLI 'leader' agrees" "$leader" "$(bash "$CLI" leader)"

# Kill the leader, see a new one elected, restart the old one.
victim=$leader
old_pid=$(cluster_pid "$victim")
t_assert "cluster_kill $victim" cluster_kill "$victim"
t_eq "killed member's process is gone" "" "$(procs_in_dir "$CLUSTER_DIR" | grep "^$old_pid ")"
t_assert "killed member unreachable" member_unreachable "$victim"
t_wait_for "a new leader among the two survivors" 15 \
    bash -c "l=\$(bash '$CLI' leader 2>/dev/null) && [ \"\$l\" != $victim ]"
t_assert "cluster_restart $victim" cluster_restart "$victim"
t_assert "restarted member has a new pid" test "$(cluster_pid "$victim")" != "$old_pid"
t_wait_for "restarted member healthy again" 15 member_healthy "$victim"
t_assert "etcdctl: all members healthy after restart" cluster_health
t_wait_for "exactly one leader after restart" 10 bash -c "[ \"\$(bash '$CLI' leader 2>/dev/null | wc -l)\" = 1 ]"

# Pause a follower, check it stops answering while the others serve, resume it.
leader=$(cluster_leader)
f=1
[[ $leader == 1 ]] && f=2
t_assert "cluster_pause $f" cluster_pause "$f"
t_eq "paused member is in state T" T "$(_cl_pid_state "$(cluster_pid "$f")")"
t_assert "paused member does not answer" member_unreachable "$f"
t_assert "the other two still serve writes" \
    env ETCDCTL_API=3 etcdctl --endpoints="$(cluster_endpoint "$leader")" --command-timeout=3s put /t/x 1
t_assert "cluster_resume $f" cluster_resume "$f"
t_wait_for "resumed member healthy again" 15 member_healthy "$f"

# Stop (with a member paused: stop must still finish quickly).
dir=$CLUSTER_DIR
cluster_pause "$f"
t0=$SECONDS
t_assert "cluster_stop" cluster_stop
t_assert "cluster_stop took < 5 s ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 5
t_eq "no etcd process from the cluster dir remains" "" "$(procs_in_dir "$dir")"
t_assert "cluster dir removed" test ! -e "$dir"
t_assert "cluster_stop a second time is harmless" cluster_stop
t_assert "CLI stop on a removed dir is harmless" env CLUSTER_DIR="$dir" bash "$CLI" stop

# CLI without CLUSTER_DIR: a fresh /tmp/etcd-monitor-cluster.* dir.
out=$(env -u CLUSTER_DIR bash "$CLI" start 1 2>/dev/null)
t_assert "CLI start 1 prints one endpoint" grep -qx 'http://127\.0\.0\.1:[0-9]*' <<<"$out"
cdir=""
for d in /tmp/etcd-monitor-cluster.*; do
    [[ -n $out ]] && grep -qF "'$out'" "$d/env" 2>/dev/null && cdir=$d
done
t_assert "CLI start created a /tmp/etcd-monitor-cluster.* dir" test -n "$cdir" -a -f "$cdir/env"
[[ -n $cdir ]] && t_cleanup_add "CLUSTER_DIR='$cdir' bash '$CLI' stop"
t_assert "CLI stop of that cluster" env CLUSTER_DIR="$cdir" bash "$CLI" stop
t_eq "nothing left of it" "" "$(procs_in_dir "$cdir")$(test -e "$cdir" && echo exists)"

# Interrupted start: slow elections (first raft tick after 10 s) keep the cluster
# unhealthy long enough to interrupt `start` while it waits; it must stop its members
# and remove its dir. (CLUSTER_ETCD_ARGS gets checked on the way.)
idir=$(t_tmpdir)/interrupted
t_cleanup_add "CLUSTER_DIR='$idir' bash '$CLI' stop"
CLUSTER_ETCD_ARGS="--heartbeat-interval=10000 --election-timeout=50000" CLUSTER_DIR=$idir \
    bash "$CLI" start 3 >/dev/null 2>"$(t_tmpdir)/interrupted.err" &
spid=$!
t_wait_for "interrupted start: 3 members launched" 10 \
    bash -c "[ \$(grep -l -s -- '$idir/' /proc/[0-9]*/cmdline | xargs -r grep -l -s -- 'election-timeout=50000' | wc -l) -ge 3 ]"
sleep 0.3
kill -TERM "$spid"
wait "$spid"
rc=$?
t_eq "interrupted start exits 143" 143 "$rc"
grep -v '^{' "$(t_tmpdir)/interrupted.err" | sed 's/^/#   /' 
t_eq "interrupted start left no process" "" "$(procs_in_dir "$idir")"
t_assert "interrupted start removed its dir" test ! -e "$idir"

# Library mode: a watchdog stops the cluster when the sourcing shell dies without
# cleaning up (here: SIGKILL, so no trap can run).
wdir=$(t_tmpdir)/orphan
t_cleanup_add "CLUSTER_DIR='$wdir' bash '$CLI' stop"
(bash -c "source '$CLI'; CLUSTER_DIR='$wdir' cluster_start 1 >/dev/null 2>&1 && kill -KILL \$\$"; true) 2>/dev/null
t_assert "orphan test: its cluster had started" test -f "$wdir/env"
orphan_gone() { [[ ! -e $wdir && -z "$(procs_in_dir "$wdir")" ]]; }
t_wait_for "watchdog stops the cluster of a SIGKILLed owner" 10 orphan_gone

t_done
