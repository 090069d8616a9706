#!/usr/bin/env bash
# An endless --log-file (/dev/zero: one endless line; /dev/urandom: endless lines)
# must not take the event loop: each loop turn reads a bounded amount of it, so
# polls, --duration and SIGTERM still work. Without the bound the process spun
# in the log reader, made no poll and only SIGKILL ended it. The same for a log
# followed over SSH (--log-source) whose command never stops writing (that one
# ended in time before the fix too: it guards the bound on the SSH side).
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/sshd.sh

duration=2       # --duration, seconds
slack=4          # it must end by itself within duration + slack seconds
kill_after=15    # a hung run is killed (and fails) after this many seconds

# run_em NAME ARGS... — run the command of the report (ARGS: --log-file ... or
# --ssh ...), its workspace in $T/NAME; sets rc (137: killed as hung) and ms
# (wall time).
run_em() {
    local name=$1 t0
    shift
    t0=$(_t_now_ms)
    timeout -s KILL "$kill_after" "$EM" --headless --duration "${duration}s" \
        --endpoints 127.0.0.1:1 --no-discover --workdir "$T/$name" \
        "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    ms=$(($(_t_now_ms) - t0))
}

# check_run DESC NAME — it ended by itself, in time, like the reference.
check_run() {
    local d=$1 name=$2
    if ((rc == 137)); then
        t_fail "$d: ends by itself (killed after ${kill_after}s)"
    else
        t_ok "$d: ends by itself (${ms} ms)"
    fi
    if ((ms <= (duration + slack) * 1000)); then
        t_ok "$d: within ${slack}s of --duration ${duration}s"
    else
        t_fail "$d: within ${slack}s of --duration ${duration}s (took ${ms} ms)"
    fi
    t_eq "$d: the normal exit status" "$ref_rc" "$rc"
    t_eq "$d: complete metrics.csv header" "$ref_header" \
        "$(head -n 1 "$T/$name/metrics.csv" 2>/dev/null)"
    t_assert "$d: metrics.csv whole, with polls in it" \
        bash -c ". tests/lib/csv.sh; csv_whole '$T/$name/metrics.csv' && \
                 [ \"\$(csv_rows '$T/$name/metrics.csv')\" -ge 1 ]"
    t_assert "$d: the session summary printed" grep -q 'MONITORING SESSION COMPLETE' \
        "$T/$name.out"
}

# term_run DESC NAME ARGS... — SIGTERM one second in ends it promptly, with the
# final status. With $ready set, the second starts once the command $ready
# succeeds (bounded).
ready=
term_run() {
    local d=$1 name=$2 pid t0
    shift 2
    "$EM" --headless --endpoints 127.0.0.1:1 --no-discover --workdir "$T/$name" "$@" \
        >"$T/$name.out" 2>"$T/$name.err" &
    pid=$!
    t_cleanup_add "kill -KILL $pid 2>/dev/null || true"
    [[ -z $ready ]] || t_wait_for "$d: $ready" 15 "$ready"
    sleep 1
    kill -TERM "$pid"
    t0=$(_t_now_ms)
    while kill -0 "$pid" 2>/dev/null && (($(_t_now_ms) - t0 < 3000)); do
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        t_fail "$d: SIGTERM ends it within 3 s"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return
    fi
    wait "$pid"
    rc=$?
    t_ok "$d: SIGTERM ends it within 3 s ($(($(_t_now_ms) - t0)) ms)"
    t_eq "$d: SIGTERM: exit code is the final status" "$ref_rc" "$rc"
    t_assert "$d: SIGTERM: logged" grep -q 'stopping on Terminated' "$T/$name/monitoring.log"
}

# The reference: the same command on an empty log file (exit 2: the cluster is
# unreachable, so the final status is critical).
: >"$T/empty.log"
run_em ref --log-file "$T/empty.log"
ref_rc=$rc
ref_header=$(head -n 1 "$T/ref/metrics.csv" 2>/dev/null)
t_assert "reference run writes a metrics.csv header" test -n "$ref_header"

for src in /dev/zero /dev/urandom; do
    run_em "${src##*/}" --log-file "$src"
    check_run "$src" "${src##*/}"
done
for src in /dev/zero /dev/urandom; do
    term_run "$src" "term-${src##*/}" --log-file "$src"
done

# A log followed over SSH that never stops: the remote command writes endless
# lines (the marker finds it among sshd's processes).
mkdir -p "$T/sshd"
sshd_start "$T/sshd" >/dev/null || { t_fail "sshd starts"; t_done; }
t_cleanup_add sshd_stop
sshd_known_line >"$T/known_hosts"
marker=log-bounds-$$
ssh_args=(--ssh "$SSHD_USER@127.0.0.1:$SSHD_PORT" --ssh-key "$SSHD_USER_KEY"
          --ssh-known-hosts "$T/known_hosts" --log-source
          --log-command "cat /dev/urandom; : $marker")
remote_running() { pgrep -f "[c]at /dev/urandom; : $marker" >/dev/null; }
remote_gone() { ! remote_running; }
run_em ssh "${ssh_args[@]}"
check_run "ssh cat /dev/urandom" ssh
t_assert "ssh cat /dev/urandom: the tunnel came up" grep -q 'ssh .*: up$' "$T/ssh/monitoring.log"
t_wait_for "ssh cat /dev/urandom: the remote command ends with the session" 10 remote_gone
ready=remote_running
term_run "ssh cat /dev/urandom" term-ssh "${ssh_args[@]}"
t_wait_for "ssh cat /dev/urandom: SIGTERM: the remote command ends with the session" 10 remote_gone
t_done
