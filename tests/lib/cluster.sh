#!/usr/bin/env bash
# cluster.sh — start and drive a throw-away multi-member etcd cluster on loopback.
#
# Shared by `make demo` (tests/lib/demo.sh), the integration tests and the benchmarks.
#
# CLI usage (the cluster directory comes from $CLUSTER_DIR; `start` creates one when unset):
#   eps=$(CLUSTER_DIR=$d tests/lib/cluster.sh start [N])   # default N=3; prints endpoints only
#   CLUSTER_DIR=$d tests/lib/cluster.sh stop               # kill all, remove $d (idempotent)
#   CLUSTER_DIR=$d tests/lib/cluster.sh kill K             # SIGKILL member K (1-based)
#   CLUSTER_DIR=$d tests/lib/cluster.sh pause K | resume K # SIGSTOP / SIGCONT member K
#   CLUSTER_DIR=$d tests/lib/cluster.sh restart K          # start K again on its data dir
#   CLUSTER_DIR=$d tests/lib/cluster.sh leader             # prints K of the current leader
#   CLUSTER_DIR=$d tests/lib/cluster.sh endpoints | status
#
# Library usage:  source tests/lib/cluster.sh; then
#   cluster_start N      sets CLUSTER_DIR, CLUSTER_N, CLUSTER_ENDPOINTS, M1_CLIENT, ... in
#                        the caller and prints the endpoints on stdout (like the CLI).
#                        Call it directly, not as eps=$(cluster_start 3), unless CLUSTER_DIR
#                        is set beforehand (otherwise the caller never learns the dir).
#   cluster_stop, cluster_kill K, cluster_pause K, cluster_resume K, cluster_restart K,
#   cluster_leader, cluster_endpoints, cluster_status, cluster_endpoint K, cluster_pid K,
#   cluster_health [K]  (0 if all members / member K report healthy)
#
# Files in the cluster dir: env (sourceable: CLUSTER_DIR, CLUSTER_N, CLUSTER_ENDPOINTS,
# CLUSTER_TOKEN, CLUSTER_ETCD_ARGS, MK_CLIENT, MK_PEER, MK_PID, MK_ENDPOINT), pids ("K PID"
# lines), mK.data/ (data dirs), mK.log (zap log), mK.out (stdout/stderr of etcd).
#
# Environment knobs:
#   CLUSTER_TMPFS           1 (default): member data in /dev/shm (cheap fsync); 0: on disk
#   CLUSTER_ETCD_ARGS       extra etcd flags (word-split), e.g. "--quota-backend-bytes=8388608"
#   CLUSTER_START_TIMEOUT   seconds to wait for health on start/restart (default 30)
#   CLUSTER_OWNER_PID       if set, a watchdog stops the cluster when that process is gone
#                           (library mode sets it to the sourcing shell's $$ by default;
#                           CLUSTER_OWNER_PID=0 disables). Watchdog lifetime is bounded by
#                           CLUSTER_WATCHDOG_SECONDS (default 86400).
#   CLUSTER_SETSID=1        run members in their own session, so a terminal's Ctrl-C
#                           does not reach them (demo.sh); the caller must then stop them
#                           (trap + watchdog). Default: members share the caller's process
#                           group, so e.g. `timeout` killing the group takes them along.
#   ETCD_BIN, ETCDCTL_BIN   default /usr/bin/etcd, /usr/bin/etcdctl
#   CLUSTER_TLS=1           https client URLs (peer traffic stays plain): members get
#                           --cert-file/--key-file/--trusted-ca-file and --client-cert-auth;
#                           certificates from CLUSTER_TLS_DIR (tests/lib/certs.sh layout:
#                           ca.crt, client.crt/.key, and the server pair below). The helpers
#                           here (health, leader, status) present client.crt.
#   CLUSTER_TLS_SERVER      basename of the server pair in CLUSTER_TLS_DIR (default server),
#                           e.g. "expired" or "other" to serve a certificate clients refuse
#   CLUSTER_TLS_CLIENT_AUTH 0: no --client-cert-auth and no --trusted-ca-file (default 1)
#   CLUSTER_TLS_CHECK_INSECURE=1  this script's own checks skip server verification (for a
#                           cluster that serves a refused certificate on purpose)
#   CLUSTER_METRICS=1       each member also gets --listen-metrics-urls http://127.0.0.1:PORT
#                           (plain); env then has MK_METRICS (port), MK_METRICS_ENDPOINT and
#                           CLUSTER_METRICS_ENDPOINTS (in member order)
#
# Every member is started with its stdout/stderr redirected to files, so
# `eps=$(cluster.sh start)` returns as soon as the cluster is healthy.

_CL_ETCD=${ETCD_BIN:-/usr/bin/etcd}
_CL_ETCDCTL=${ETCDCTL_BIN:-/usr/bin/etcdctl}
_CL_MARKER=.etcd-monitor-cluster

_cl_log() { printf 'cluster: %s\n' "$*" >&2; }

# Scheme of the client URLs of the cluster being started or loaded.
_cl_scheme() { if [[ ${CLUSTER_TLS:-0} == 1 ]]; then echo https; else echo http; fi; }

# Client-side TLS flags for this script's own checks (etcdctl, curl), in _CL_TLS_CTL
# and _CL_TLS_CURL (empty without CLUSTER_TLS=1).
_cl_tls_flags() {
    _CL_TLS_CTL=() _CL_TLS_CURL=()
    [[ ${CLUSTER_TLS:-0} == 1 ]] || return 0
    local d=${CLUSTER_TLS_DIR:-}
    _CL_TLS_CTL=(--cacert "$d/ca.crt" --cert "$d/client.crt" --key "$d/client.key")
    _CL_TLS_CURL=(--cacert "$d/ca.crt" --cert "$d/client.crt" --key "$d/client.key")
    if [[ ${CLUSTER_TLS_CHECK_INSECURE:-0} == 1 ]]; then
        _CL_TLS_CTL+=(--insecure-skip-tls-verify)
        _CL_TLS_CURL+=(--insecure)
    fi
}

# Run etcdctl v3 without inheriting ETCDCTL_* settings that would conflict with flags.
_cl_ctl() {
    _cl_tls_flags
    (
        while IFS= read -r _v; do unset "$_v"; done < <(compgen -e | grep '^ETCDCTL_')
        export ETCDCTL_API=3
        exec "$_CL_ETCDCTL" --dial-timeout=1s --command-timeout=2s "${_CL_TLS_CTL[@]}" "$@"
    )
}

# curl with the cluster's client TLS flags.
_cl_curl() {
    _cl_tls_flags
    curl "${_CL_TLS_CURL[@]}" "$@"
}

# Client URL of member K (cluster loaded).
_cl_url() { local v=M${1}_CLIENT; echo "$(_cl_scheme)://127.0.0.1:${!v}"; }

_cl_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# Is PID a live (not zombie) process whose command line has --data-dir inside DIR?
# (bash builtins only: this runs for every process when scanning /proc)
_cl_is_member_pid() {
    local pid=$1 dir=$2 stat st i a=()
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    st=${stat##*) } st=${st%% *}
    [[ $st == Z || $st == X || -z $st ]] && return 1
    { mapfile -d '' -t a <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
    for ((i = 0; i < ${#a[@]}; i++)); do
        [[ ${a[i]} == --data-dir && ${a[i + 1]:-} == "$dir"/* ]] && return 0
        [[ ${a[i]} == --data-dir="$dir"/* ]] && return 0
    done
    return 1
}

# Is PID alive (exists, not a zombie)? Used for our own just-forked children, which may
# not have exec'd etcd yet.
_cl_pid_alive() {
    local st
    st=$(_cl_pid_state "$1")
    [[ -n $st && $st != Z && $st != X ]]
}

# Process state letter of PID (R, S, T, Z, ...), empty if gone.
_cl_pid_state() {
    local stat st
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
    st=${stat##*) }
    echo "${st%% *}"
}

# All live etcd processes whose data dir is inside DIR (found by scanning /proc).
_cl_scan_pids() {
    local dir=$1 p pid comm want=${_CL_ETCD##*/}
    want=${want:0:15}
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        { read -r comm <"$p/comm"; } 2>/dev/null || continue
        [[ $comm == "$want" ]] || continue
        _cl_is_member_pid "$pid" "$dir" && echo "$pid"
    done
    return 0
}

# Ports in use on this host (hex, upper case), from /proc/net/tcp{,6}; TIME_WAIT ignored.
_cl_used_ports() {
    awk 'FNR > 1 && $4 != "06" { n = split($2, a, ":"); print a[n] }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u | tr '\n' ' '
}

# Pick N consecutive free ports from a random base in 20000-59000, avoiding the
# kernel's ephemeral range (outgoing connections of other clusters and clients take
# ports from there at any moment); sets _CL_PORTS (array).
_cl_pick_ports() {
    local n=$1 try base used p i ok elo=32768 ehi=60999 span
    { read -r elo ehi </proc/sys/net/ipv4/ip_local_port_range; } 2>/dev/null
    span=$n
    _CL_PORTS=()
    for ((try = 0; try < 100; try++)); do
        base=$(((RANDOM * 32768 + RANDOM) % (39000 - span) + 20000))
        # Inside the ephemeral range? Try again (after 50 tries accept anything).
        if ((try < 50 && base + span > elo && base <= ehi)); then continue; fi
        used=" $(_cl_used_ports) "
        ok=1
        for ((i = 0; i < n; i++)); do
            p=$((base + i))
            if [[ $used == *" $(printf '%04X' "$p") "* ]]; then ok=0; break; fi
        done
        if ((ok)); then
            for ((i = 0; i < n; i++)); do _CL_PORTS+=($((base + i))); done
            return 0
        fi
    done
    _cl_log "could not find $n free consecutive ports"
    return 1
}

# Single-quote a value for a sourceable file.
_cl_q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

_cl_write_env() {
    local dir=$1 n=$2 k cvar pvar idvar mvar
    {
        echo "CLUSTER_DIR=$(_cl_q "$dir")"
        echo "CLUSTER_N=$n"
        echo "CLUSTER_TOKEN=$(_cl_q "$CLUSTER_TOKEN")"
        echo "CLUSTER_INITIAL=$(_cl_q "$CLUSTER_INITIAL")"
        echo "CLUSTER_ENDPOINTS=$(_cl_q "$CLUSTER_ENDPOINTS")"
        echo "CLUSTER_ETCD_ARGS=$(_cl_q "${CLUSTER_ETCD_ARGS:-}")"
        echo "CLUSTER_TLS=$(_cl_q "${CLUSTER_TLS:-0}")"
        echo "CLUSTER_TLS_DIR=$(_cl_q "${CLUSTER_TLS_DIR:-}")"
        echo "CLUSTER_TLS_SERVER=$(_cl_q "${CLUSTER_TLS_SERVER:-server}")"
        echo "CLUSTER_TLS_CLIENT_AUTH=$(_cl_q "${CLUSTER_TLS_CLIENT_AUTH:-1}")"
        echo "CLUSTER_TLS_CHECK_INSECURE=$(_cl_q "${CLUSTER_TLS_CHECK_INSECURE:-0}")"
        echo "CLUSTER_METRICS=$(_cl_q "${CLUSTER_METRICS:-0}")"
        echo "CLUSTER_METRICS_ENDPOINTS=$(_cl_q "${CLUSTER_METRICS_ENDPOINTS:-}")"
        for ((k = 1; k <= n; k++)); do
            cvar=M${k}_CLIENT pvar=M${k}_PEER idvar=M${k}_PID mvar=M${k}_METRICS
            printf 'M%d_CLIENT=%s\nM%d_PEER=%s\nM%d_PID=%s\nM%d_ENDPOINT=%s\n' \
                "$k" "${!cvar}" "$k" "${!pvar}" "$k" "${!idvar:-}" \
                "$k" "$(_cl_scheme)://127.0.0.1:${!cvar}"
            if [[ ${CLUSTER_METRICS:-0} == 1 ]]; then
                printf 'M%d_METRICS=%s\nM%d_METRICS_ENDPOINT=%s\n' "$k" "${!mvar}" \
                    "$k" "http://127.0.0.1:${!mvar}"
            fi
        done
    } >"$dir/env.tmp" && mv -f "$dir/env.tmp" "$dir/env"
    for ((k = 1; k <= n; k++)); do
        idvar=M${k}_PID
        echo "$k ${!idvar:-}"
    done >"$dir/pids.tmp" && mv -f "$dir/pids.tmp" "$dir/pids"
}

# Load the env file of $CLUSTER_DIR into the current shell.
_cl_load() {
    local dir=${CLUSTER_DIR:-}
    if [[ -z $dir ]]; then _cl_log "CLUSTER_DIR is not set"; return 1; fi
    if [[ ! -f $dir/env ]]; then _cl_log "no cluster in $dir (missing env file)"; return 1; fi
    # shellcheck disable=SC1091
    source "$dir/env"
    CLUSTER_DIR=$dir
}

_cl_check_k() {
    local k=$1
    if ! [[ $k =~ ^[0-9]+$ ]] || ((k < 1 || k > CLUSTER_N)); then
        _cl_log "member index must be 1..$CLUSTER_N, got '$k'"
        return 1
    fi
}

# Member K's data dir. With a tmpfs link ($dir/tmpfs, see cluster_start) the data
# lives in memory: fsync is then cheap and latency-based tests do not depend on
# this machine's disk. CLUSTER_TMPFS=0 keeps data on disk.
_cl_data_dir() {
    if [[ -L $1/tmpfs ]]; then echo "$1/tmpfs/m$2.data"; else echo "$1/m$2.data"; fi
}

# Launch member K in the background (state: new|existing). Sets MK_PID.
_cl_launch() {
    local k=$1 state=$2 dir=$CLUSTER_DIR cvar pvar extra=() sec=() scheme
    cvar=M${k}_CLIENT pvar=M${k}_PEER
    local cp=${!cvar} pp=${!pvar}
    [[ -n ${CLUSTER_ETCD_ARGS:-} ]] && read -r -a extra <<<"$CLUSTER_ETCD_ARGS"
    scheme=$(_cl_scheme)
    if [[ ${CLUSTER_TLS:-0} == 1 ]]; then
        local td=${CLUSTER_TLS_DIR:-} sn=${CLUSTER_TLS_SERVER:-server}
        sec=(--cert-file "$td/$sn.crt" --key-file "$td/$sn.key")
        # (etcd turns client-cert auth on whenever --trusted-ca-file is given)
        [[ ${CLUSTER_TLS_CLIENT_AUTH:-1} == 1 ]] &&
            sec+=(--trusted-ca-file "$td/ca.crt" --client-cert-auth)
    fi
    if [[ ${CLUSTER_METRICS:-0} == 1 ]]; then
        local mv=M${k}_METRICS
        sec+=(--listen-metrics-urls "http://127.0.0.1:${!mv}")
    fi
    local sess=()
    [[ ${CLUSTER_SETSID:-0} == 1 ]] && sess=(setsid)
    # Double fork: the member is not a job of the calling shell (no "Killed" notices,
    # no zombies in a sourcing test), and its stdout is a file so $(...) returns.
    local pid
    pid=$(
        (
            # etcd treats ETCD_* variables as flags and refuses duplicates: drop them.
            while IFS= read -r _v; do unset "$_v"; done < <(compgen -e | grep '^ETCD_')
            exec "${sess[@]}" "$_CL_ETCD" --name "m$k" --data-dir "$(_cl_data_dir "$dir" "$k")" \
                --listen-client-urls "$scheme://127.0.0.1:$cp" \
                --advertise-client-urls "$scheme://127.0.0.1:$cp" \
                --listen-peer-urls "http://127.0.0.1:$pp" \
                --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
                --initial-cluster "$CLUSTER_INITIAL" \
                --initial-cluster-state "$state" \
                --initial-cluster-token "$CLUSTER_TOKEN" \
                --logger=zap --log-outputs="$dir/m$k.log" \
                "${sec[@]}" "${extra[@]}"
        ) </dev/null >>"$dir/m$k.out" 2>&1 &
        echo "$!"
    )
    printf -v "M${k}_PID" '%s' "$pid"
}

_cl_print_logs() {
    local dir=$1 n=$2 k
    for ((k = 1; k <= n; k++)); do
        _cl_log "---- m$k.log (tail) ----"
        tail -n 15 "$dir/m$k.log" >&2 2>/dev/null
        if [[ -s $dir/m$k.out ]]; then
            _cl_log "---- m$k.out (tail) ----"
            tail -n 10 "$dir/m$k.out" >&2 2>/dev/null
        fi
    done
}

# Wait until ENDPOINTS are all healthy, all member PIDs (list) alive. 0 ok, 1 timeout,
# 2 a member process died.
_cl_wait_healthy() {
    local eps=$1 timeout_s=$2 pids=$3 deadline now pid out=""
    deadline=$(($(_cl_now_ms) + timeout_s * 1000))
    while :; do
        for pid in $pids; do
            if ! _cl_pid_alive "$pid"; then
                _cl_log "member process $pid exited during startup"
                return 2
            fi
        done
        if out=$(_cl_ctl --endpoints="$eps" endpoint health 2>&1); then
            return 0
        fi
        now=$(_cl_now_ms)
        if ((now >= deadline)); then
            _cl_log "not healthy after ${timeout_s}s: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
            return 1
        fi
        sleep 0.2
    done
}

# Wait up to 5 s for PID (member of DIR) to exit; 0 if it did.
_cl_wait_gone() {
    local pid=$1 dir=$2 i
    for ((i = 0; i < 50; i++)); do
        _cl_is_member_pid "$pid" "$dir" || return 0
        sleep 0.1
    done
    return 1
}

# Stop every member of DIR: SIGCONT + SIGTERM, SIGKILL after 5 s. Members are stopped
# one after the other: an etcd 3.4 leader that gets SIGTERM first tries to hand its
# leadership over, and when all peers are dying that attempt takes its full request
# timeout (~7 s). Followers go first, and the last member has nobody to transfer to.
# With a second argument "now", SIGKILL at once (aborted or failed start: nothing to save).
_cl_kill_all() {
    local dir=$1 pids pid lead="" order="" k v
    pids=$(_cl_scan_pids "$dir" | tr '\n' ' ')
    [[ -z ${pids// /} ]] && return 0
    if [[ ${2:-} == now ]]; then
        for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
        for pid in $pids; do _cl_wait_gone "$pid" "$dir" || true; done
        return 0
    fi
    for pid in $pids; do kill -CONT "$pid" 2>/dev/null || true; done
    # Known leader (if any) goes last.
    if [[ -f $dir/env ]] && (CLUSTER_DIR=$dir _cl_load 2>/dev/null); then
        lead=$(
            CLUSTER_DIR=$dir
            _cl_load 2>/dev/null
            k=$(_cl_leaders_once 2>/dev/null | head -n 1)
            if [[ -n $k ]]; then v=M${k}_PID && echo "${!v}"; fi
            true
        )
    fi
    for pid in $pids; do [[ $pid == "$lead" ]] || order+=" $pid"; done
    [[ -n $lead && " $pids " == *" $lead "* ]] && order+=" $lead"
    for pid in $order; do
        kill -TERM "$pid" 2>/dev/null || true
        if ! _cl_wait_gone "$pid" "$dir"; then
            _cl_log "member pid $pid still alive 5s after SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            _cl_wait_gone "$pid" "$dir" || true
        fi
    done
    # Safety net: anything still (or newly) running from this dir gets SIGKILL.
    pids=$(_cl_scan_pids "$dir" | tr '\n' ' ')
    if [[ -n ${pids// /} ]]; then
        _cl_log "leftover members $pids: SIGKILL"
        for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
        for pid in $pids; do _cl_wait_gone "$pid" "$dir" || true; done
    fi
    return 0
}

_cl_remove_dir() {
    local dir=$1
    case $dir in "" | / | /tmp | /tmp/ | "$HOME" | .) return 0 ;; esac
    if [[ -d $dir && -e $dir/$_CL_MARKER ]]; then
        local shm
        shm=$(readlink "$dir/tmpfs" 2>/dev/null || true)
        [[ $shm == /dev/shm/etcd-monitor-data.* ]] && rm -rf -- "$shm"
        rm -rf -- "$dir"
    elif [[ -d $dir ]]; then
        _cl_log "not removing $dir: no $_CL_MARKER marker"
    fi
}

_cl_stop_watchdog() {
    local dir=$1 wpid
    [[ -f $dir/watchdog.pid ]] || return 0
    wpid=$(cat "$dir/watchdog.pid" 2>/dev/null)
    rm -f "$dir/watchdog.pid"
    if [[ $wpid =~ ^[0-9]+$ && $wpid != "${BASHPID:-$$}" ]] &&
        [[ "$(tr '\0' ' ' <"/proc/$wpid/cmdline" 2>/dev/null)" == *cluster.sh*watchdog* ]]; then
        # It leads its own process group (setsid): take its `sleep` along.
        kill -TERM -- "-$wpid" 2>/dev/null || kill -TERM "$wpid" 2>/dev/null || true
    fi
}

# Background watchdog: stops the cluster when OWNER disappears (bounded lifetime).
_cl_start_watchdog() {
    local dir=$1 owner=$2 self
    [[ -n $owner && $owner != 0 && $owner =~ ^[0-9]+$ ]] || return 0
    self=$(readlink -f "${BASH_SOURCE[0]}")
    CLUSTER_DIR=$dir setsid bash "$self" watchdog "$owner" \
        </dev/null >/dev/null 2>>"$dir/watchdog.log" &
    echo "$!" >"$dir/watchdog.pid"
}

_cl_watchdog_main() {
    local owner=$1 dir=$CLUSTER_DIR max=${CLUSTER_WATCHDOG_SECONDS:-86400} i
    trap 'exit 0' TERM INT HUP
    for ((i = 0; i < max; i++)); do
        [[ -d $dir ]] || exit 0
        if ! kill -0 "$owner" 2>/dev/null; then
            _cl_log "watchdog: owner $owner is gone, stopping cluster $dir"
            rm -f "$dir/watchdog.pid"
            _cl_kill_all "$dir"
            _cl_remove_dir "$dir"
            exit 0
        fi
        sleep 1
    done
    exit 0
}

# ---------------------------------------------------------------- public functions

_CL_STARTING=""
_cl_abort_start() {
    local sig=$1
    if [[ -n $_CL_STARTING ]]; then
        _cl_log "interrupted (SIG$sig) during start: stopping $_CL_STARTING"
        _cl_stop_watchdog "$_CL_STARTING"
        _cl_kill_all "$_CL_STARTING" now
        _cl_remove_dir "$_CL_STARTING"
        _CL_STARTING=""
    fi
    case $sig in INT) exit 130 ;; TERM) exit 143 ;; HUP) exit 129 ;; EXIT) return 0 ;; *) exit 1 ;; esac
}

cluster_start() {
    local n=${1:-3} dir attempt k rc cp pp mp token old_traps pids per=2
    if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 9)); then
        _cl_log "member count must be 1..9, got '$n'"
        return 1
    fi
    if [[ ! -x $_CL_ETCD ]]; then _cl_log "$_CL_ETCD not found"; return 1; fi
    if [[ ${CLUSTER_TLS:-0} == 1 && ! -s ${CLUSTER_TLS_DIR:-}/ca.crt ]]; then
        _cl_log "CLUSTER_TLS=1 needs CLUSTER_TLS_DIR with ca.crt (tests/lib/certs.sh DIR)"
        return 1
    fi
    [[ ${CLUSTER_METRICS:-0} == 1 ]] && per=3
    dir=${CLUSTER_DIR:-}
    if [[ -n $dir ]]; then
        mkdir -p -- "$dir" || return 1
        dir=$(cd "$dir" && pwd -P) || return 1
        if [[ -f $dir/env && -n "$(_cl_scan_pids "$dir")" ]]; then
            _cl_log "a cluster is already running in $dir"
            return 1
        fi
        if [[ ! -e $dir/$_CL_MARKER && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
            _cl_log "$dir is not empty and not a cluster dir; refusing to use it"
            return 1
        fi
    else
        dir=$(mktemp -d /tmp/etcd-monitor-cluster.XXXXXX) || return 1
        if ((BASH_SUBSHELL > 0)); then
            _cl_log "warning: cluster_start in a subshell without CLUSTER_DIR; the caller cannot stop $dir"
        fi
    fi
    : >"$dir/$_CL_MARKER"
    CLUSTER_DIR=$dir
    export CLUSTER_DIR
    if [[ ${CLUSTER_TMPFS:-1} != 0 && -d /dev/shm && -w /dev/shm && ! -e $dir/tmpfs ]]; then
        local shm
        shm=$(mktemp -d /dev/shm/etcd-monitor-data.XXXXXX) && ln -s "$shm" "$dir/tmpfs"
    fi

    # Protect the start path: an interrupt stops whatever was already launched.
    old_traps=$(trap -p INT TERM HUP)
    _CL_STARTING=$dir
    trap '_cl_abort_start INT' INT
    trap '_cl_abort_start TERM' TERM
    trap '_cl_abort_start HUP' HUP

    rc=1
    for ((attempt = 1; attempt <= 3; attempt++)); do
        _cl_pick_ports $((per * n)) || break
        token=etcd-monitor-$$-$RANDOM$RANDOM-$attempt
        CLUSTER_TOKEN=$token
        CLUSTER_N=$n
        CLUSTER_INITIAL="" CLUSTER_ENDPOINTS="" CLUSTER_METRICS_ENDPOINTS=""
        for ((k = 1; k <= n; k++)); do
            cp=${_CL_PORTS[per * (k - 1)]} pp=${_CL_PORTS[per * (k - 1) + 1]}
            printf -v "M${k}_CLIENT" '%s' "$cp"
            printf -v "M${k}_PEER" '%s' "$pp"
            printf -v "M${k}_PID" '%s' ""
            CLUSTER_INITIAL+=${CLUSTER_INITIAL:+,}m$k=http://127.0.0.1:$pp
            CLUSTER_ENDPOINTS+=${CLUSTER_ENDPOINTS:+,}$(_cl_scheme)://127.0.0.1:$cp
            if ((per == 3)); then
                mp=${_CL_PORTS[per * (k - 1) + 2]}
                printf -v "M${k}_METRICS" '%s' "$mp"
                CLUSTER_METRICS_ENDPOINTS+=${CLUSTER_METRICS_ENDPOINTS:+,}http://127.0.0.1:$mp
            fi
        done
        rm -rf -- "$dir"/m*.data "$dir"/tmpfs/m*.data "$dir"/m*.log "$dir"/m*.out
        _cl_write_env "$dir" "$n"
        _cl_log "starting $n members in $dir (attempt $attempt, endpoints $CLUSTER_ENDPOINTS)"
        pids=""
        for ((k = 1; k <= n; k++)); do
            _cl_launch "$k" new
            local pv=M${k}_PID
            pids+=" ${!pv}"
        done
        _cl_write_env "$dir" "$n"
        local t0 t1
        t0=$(_cl_now_ms)
        rc=0
        _cl_wait_healthy "$CLUSTER_ENDPOINTS" "${CLUSTER_START_TIMEOUT:-30}" "$pids" || rc=$?
        t1=$(_cl_now_ms)
        if ((rc == 0)); then
            _cl_log "healthy after $((t1 - t0)) ms"
            break
        fi
        _cl_kill_all "$dir" now
        # Retry with fresh ports only when a port was taken under our feet.
        if ((attempt < 3)) && grep -qs 'address already in use' "$dir"/m*.log "$dir"/m*.out; then
            _cl_log "port collision ($(grep -hso 'listen tcp [0-9.:]*' "$dir"/m*.log | head -n 1)), retrying with new ports"
            rc=1
            continue
        fi
        _cl_print_logs "$dir" "$n"
        break
    done

    if ((rc != 0)); then
        _cl_kill_all "$dir" now
        _cl_remove_dir "$dir"
        _CL_STARTING=""
        trap - INT TERM HUP
        eval "$old_traps"
        return 1
    fi
    export CLUSTER_N CLUSTER_ENDPOINTS CLUSTER_METRICS_ENDPOINTS
    _cl_start_watchdog "$dir" "${CLUSTER_OWNER_PID:-${_CL_DEFAULT_OWNER:-}}"
    _CL_STARTING=""
    trap - INT TERM HUP
    eval "$old_traps"
    printf '%s\n' "$CLUSTER_ENDPOINTS"
    return 0
}

cluster_stop() {
    local dir=${CLUSTER_DIR:-}
    [[ -n $dir ]] || return 0
    [[ -d $dir ]] && dir=$(cd "$dir" && pwd -P)
    _cl_stop_watchdog "$dir"
    _cl_kill_all "$dir"
    _cl_remove_dir "$dir"
    return 0
}

cluster_pid() {
    _cl_load || return 1
    _cl_check_k "$1" || return 1
    local v=M${1}_PID
    echo "${!v}"
}

cluster_endpoint() {
    _cl_load || return 1
    _cl_check_k "$1" || return 1
    _cl_url "$1"
}

cluster_endpoints() {
    _cl_load || return 1
    echo "$CLUSTER_ENDPOINTS"
}

_cl_signal() {
    local sig=$1 k=$2 pid v
    _cl_load || return 1
    _cl_check_k "$k" || return 1
    v=M${k}_PID pid=${!v}
    if ! _cl_is_member_pid "$pid" "$CLUSTER_DIR"; then
        _cl_log "member $k (pid ${pid:-?}) is not running"
        return 1
    fi
    kill -s "$sig" "$pid"
}

cluster_kill() {
    local k=$1 pid v i
    _cl_signal KILL "$k" || return 1
    v=M${k}_PID pid=${!v}
    for ((i = 0; i < 50; i++)); do
        _cl_is_member_pid "$pid" "$CLUSTER_DIR" || break
        sleep 0.1
    done
    ! _cl_is_member_pid "$pid" "$CLUSTER_DIR"
}

cluster_pause() { _cl_signal STOP "$1"; }
cluster_resume() { _cl_signal CONT "$1"; }

cluster_restart() {
    local k=$1 v pid rc
    _cl_load || return 1
    _cl_check_k "$k" || return 1
    v=M${k}_PID pid=${!v}
    if _cl_is_member_pid "$pid" "$CLUSTER_DIR"; then
        _cl_log "member $k still running (pid $pid): stopping it first"
        kill -TERM "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 50; i++)); do
            _cl_is_member_pid "$pid" "$CLUSTER_DIR" || break
            sleep 0.1
        done
        _cl_is_member_pid "$pid" "$CLUSTER_DIR" && kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    local old_traps
    old_traps=$(trap -p INT TERM HUP)
    trap 'kill -KILL "${'"M${k}_PID"'}" 2>/dev/null; exit 130' INT
    trap 'kill -KILL "${'"M${k}_PID"'}" 2>/dev/null; exit 143' TERM
    _cl_launch "$k" existing
    v=M${k}_PID pid=${!v}
    _cl_write_env "$CLUSTER_DIR" "$CLUSTER_N"
    _cl_log "restarted member $k (pid $pid)"
    rc=0
    _cl_wait_healthy "$(_cl_url "$k")" \
        "${CLUSTER_START_TIMEOUT:-30}" "$pid" || rc=$?
    trap - INT TERM HUP
    eval "$old_traps"
    if ((rc != 0)); then
        _cl_log "member $k did not become healthy after restart"
        tail -n 20 "$CLUSTER_DIR/m$k.log" >&2 2>/dev/null
        return 1
    fi
    return 0
}

# 0 if every member (or member K) reports healthy.
cluster_health() {
    _cl_load || return 1
    local eps=$CLUSTER_ENDPOINTS
    if [[ -n ${1:-} ]]; then
        _cl_check_k "$1" || return 1
        eps=$(_cl_url "$1")
    fi
    _cl_ctl --endpoints="$eps" endpoint health >/dev/null 2>&1
}

# Members that claim leadership right now (from /metrics etcd_server_is_leader).
_cl_leaders_once() {
    local k v out
    for ((k = 1; k <= CLUSTER_N; k++)); do
        v=M${k}_CLIENT
        out=$(_cl_curl -s --connect-timeout 1 --max-time 2 "$(_cl_url "$k")/metrics" 2>/dev/null) || continue
        if grep -q '^etcd_server_is_leader 1' <<<"$out"; then echo "$k"; fi
    done
}

# Prints K of the single current leader; waits up to ~5 s for exactly one.
cluster_leader() {
    _cl_load || return 1
    local i l
    for ((i = 0; i < 25; i++)); do
        l=$(_cl_leaders_once)
        if [[ -n $l && $(wc -l <<<"$l") -eq 1 ]]; then
            echo "$l"
            return 0
        fi
        sleep 0.2
    done
    _cl_log "no single leader (claimants: $(echo $l))"
    return 1
}

cluster_status() {
    _cl_load || return 1
    local k v pid state health lead
    lead=$(_cl_leaders_once | tr '\n' ' ')
    printf 'cluster %s: %s members, endpoints %s\n' "$CLUSTER_DIR" "$CLUSTER_N" "$CLUSTER_ENDPOINTS"
    for ((k = 1; k <= CLUSTER_N; k++)); do
        v=M${k}_PID pid=${!v}
        if _cl_is_member_pid "$pid" "$CLUSTER_DIR"; then
            state=running
            [[ $(_cl_pid_state "$pid") == T ]] && state=paused
        else
            state=dead
        fi
        health=-
        if [[ $state == running ]]; then
            v=M${k}_CLIENT
            health=$(_cl_curl -s --max-time 2 "$(_cl_url "$k")/health" 2>/dev/null | tr -d '\n')
            [[ -n $health ]] || health=unreachable
        fi
        v=M${k}_CLIENT
        printf 'm%d pid=%s client=%s peer=%s state=%s leader=%s health=%s\n' "$k" "${pid:-?}" \
            "${!v}" "$(v=M${k}_PEER; echo "${!v}")" "$state" \
            "$([[ " $lead " == *" $k "* ]] && echo yes || echo no)" "$health"
    done
}

_cl_usage() {
    cat >&2 <<'EOF'
usage: cluster.sh start [N] | stop | kill K | pause K | resume K | restart K | leader |
       endpoints | status        (cluster dir from $CLUSTER_DIR; start creates one if unset)
EOF
}

_cl_main() {
    local verb=${1:-}
    shift || true
    case $verb in
    start)
        trap '_cl_abort_start EXIT' EXIT
        _CL_DEFAULT_OWNER=""
        if cluster_start "${1:-3}"; then
            trap - EXIT
            exit 0
        fi
        trap - EXIT
        exit 1
        ;;
    stop) cluster_stop ;;
    kill) cluster_kill "${1:?member index}" ;;
    pause) cluster_pause "${1:?member index}" ;;
    resume) cluster_resume "${1:?member index}" ;;
    restart) cluster_restart "${1:?member index}" ;;
    leader) cluster_leader ;;
    endpoints) cluster_endpoints ;;
    status) cluster_status ;;
    health) cluster_health "${1:-}" ;;
    watchdog) _cl_watchdog_main "${1:?owner pid}" ;;
    -h | --help | help) _cl_usage; return 0 ;;
    *) _cl_usage; return 2 ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    _cl_main "$@"
    exit $?
else
    # Library mode: clusters die with the sourcing shell unless CLUSTER_OWNER_PID=0.
    _CL_DEFAULT_OWNER=$$
fi
