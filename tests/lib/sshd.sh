#!/usr/bin/env bash
# sshd.sh — a private OpenSSH sshd on 127.0.0.1 for the tests (never the system one).
#
# CLI usage (the instance directory is $SSHD_DIR, created by start):
#   SSHD_DIR=$d tests/lib/sshd.sh start      # prints the port; keys made on first start
#   SSHD_DIR=$d tests/lib/sshd.sh stop       # SIGKILL the daemon and all its sessions
#   SSHD_DIR=$d tests/lib/sshd.sh restart    # stop, start again on the same port
#   SSHD_DIR=$d tests/lib/sshd.sh rekey      # new host key (takes effect on restart)
#   SSHD_DIR=$d tests/lib/sshd.sh sessions   # pids of the per-connection processes
#
# Library usage: source it, then sshd_start DIR (sets SSHD_DIR, SSHD_PORT, SSHD_LOG,
# SSHD_USER, SSHD_USER_KEY, SSHD_HOST_PUB), sshd_stop, sshd_restart, sshd_rekey,
# sshd_sessions, sshd_known_line (the known_hosts line for this instance), sshd_free_port.
#
# Files in the directory: host_key(.pub) (test-only ed25519 host key), user_key(.pub)
# and authorized_keys (a test-only client key), sshd_config, sshd.pid, sshd.log (-D -e
# output, LogLevel VERBOSE), port. Public keys only for authentication; no PAM, no
# passwords. Runs as the calling user (root here: PermitRootLogin prohibit-password).

_SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}

_sshd_log() { printf 'sshd.sh: %s\n' "$*" >&2; }

# A TCP port on 127.0.0.1 nothing listens on (ports in use are read from /proc).
sshd_free_port() {
    local used p i
    used=" $(awk 'FNR > 1 { n = split($2, a, ":"); print a[n] }' /proc/net/tcp /proc/net/tcp6 \
        2>/dev/null | sort -u | tr '\n' ' ') "
    for ((i = 0; i < 200; i++)); do
        p=$((RANDOM % 9000 + 21000))
        [[ $used == *" $(printf '%04X' "$p") "* ]] || { echo "$p"; return 0; }
    done
    return 1
}

# PID and all its descendants (read from /proc), parents first.
_sshd_tree() {
    local f pid ppid st queue=("$1") out=() cur
    declare -A kids=()
    for f in /proc/[0-9]*/stat; do
        { read -r st <"$f"; } 2>/dev/null || continue
        pid=${f#/proc/}; pid=${pid%/stat}
        st=${st##*) }
        read -r _ ppid _ <<<"$st"
        kids[$ppid]+="$pid "
    done
    while ((${#queue[@]} > 0)); do
        cur=${queue[0]}
        queue=("${queue[@]:1}")
        out+=("$cur")
        for pid in ${kids[$cur]:-}; do queue+=("$pid"); done
    done
    echo "${out[@]}"
}

_sshd_pid() {
    local pid
    pid=$(cat "$SSHD_DIR/sshd.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

_sshd_write_config() {
    local d=$SSHD_DIR
    cat >"$d/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowTcpForwarding yes
PermitOpen any
X11Forwarding no
PermitTTY no
UseDNS no
LogLevel VERBOSE
MaxStartups 100
MaxSessions 20
ClientAliveInterval 0
EOF
}

sshd_start() {
    SSHD_DIR=${1:-${SSHD_DIR:-}}
    if [[ -z $SSHD_DIR ]]; then _sshd_log "no directory given"; return 1; fi
    if [[ ! -x $_SSHD_BIN ]]; then _sshd_log "$_SSHD_BIN missing (apt-get install openssh-server)"; return 1; fi
    mkdir -p "$SSHD_DIR" || return 1
    SSHD_DIR=$(cd "$SSHD_DIR" && pwd)
    local d=$SSHD_DIR try pid i
    # sshd insists on its privilege separation directory.
    if [[ ! -d /run/sshd ]] && ! { mkdir -p /run/sshd && chmod 0755 /run/sshd; } 2>/dev/null; then
        _sshd_log "sshd needs /run/sshd (as root once: mkdir -p /run/sshd)"
        return 1
    fi
    [[ -f $d/host_key ]] || ssh-keygen -q -t ed25519 -N '' -C test-host-key -f "$d/host_key" || return 1
    if [[ ! -f $d/user_key ]]; then
        ssh-keygen -q -t ed25519 -N '' -C test-user-key -f "$d/user_key" || return 1
        cp "$d/user_key.pub" "$d/authorized_keys"
    fi
    # shellcheck disable=SC2034  # for the caller
    SSHD_USER=$(id -un) SSHD_USER_KEY=$d/user_key SSHD_HOST_PUB=$d/host_key.pub
    SSHD_LOG=$d/sshd.log
    for ((try = 0; try < 5; try++)); do
        if [[ -s $d/port ]]; then SSHD_PORT=$(<"$d/port"); else SSHD_PORT=$(sshd_free_port) || return 1; fi
        _sshd_write_config
        rm -f "$d/sshd.pid"
        # -D: no daemonising (we know the pid), -e: log to stderr (the log file).
        # Double fork: not a job of the calling shell (no "Killed" notices).
        pid=$( ("$_SSHD_BIN" -D -e -f "$d/sshd_config" </dev/null >>"$SSHD_LOG" 2>&1 &
                echo $!) )
        for ((i = 0; i < 50; i++)); do
            if ! kill -0 "$pid" 2>/dev/null; then break; fi
            if grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" "$SSHD_LOG" 2>/dev/null &&
                [[ -s $d/sshd.pid ]]; then
                echo "$SSHD_PORT" >"$d/port"
                echo "$SSHD_PORT"
                return 0
            fi
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        # Port taken by someone else meanwhile? Pick another one (first start only).
        if grep -q "Address already in use" "$SSHD_LOG" && [[ ! -s $d/port.keep ]]; then
            rm -f "$d/port"
            continue
        fi
        break
    done
    _sshd_log "sshd did not start; log:"
    tail -n 20 "$SSHD_LOG" >&2
    return 1
}

# Kill the daemon and every session process under it (abruptly, like a crash).
sshd_stop() {
    local pid all p i
    pid=$(_sshd_pid) || return 0
    all=$(_sshd_tree "$pid")
    for p in $all; do kill -KILL "$p" 2>/dev/null; done
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$SSHD_DIR/sshd.pid"
    return 0
}

sshd_restart() {
    sshd_stop
    echo keep >"$SSHD_DIR/port.keep"
    sshd_start "$SSHD_DIR" >/dev/null
}

sshd_rekey() {
    rm -f "$SSHD_DIR/host_key" "$SSHD_DIR/host_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C test-host-key-2 -f "$SSHD_DIR/host_key"
}

# Per-connection processes (and their children): everything under the daemon.
sshd_sessions() {
    local pid
    pid=$(_sshd_pid) || return 0
    _sshd_tree "$pid" | tr ' ' '\n' | tail -n +2
}

# known_hosts line for this instance's current host key.
sshd_known_line() {
    local port=${SSHD_PORT:-$(cat "$SSHD_DIR/port")}
    printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$SSHD_DIR/host_key.pub")"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -u
    SSHD_DIR=${SSHD_DIR:-}
    case ${1:-} in
    start) sshd_start "$SSHD_DIR" ;;
    stop) sshd_stop ;;
    restart) sshd_restart ;;
    rekey) sshd_rekey ;;
    sessions) sshd_sessions ;;
    known) sshd_known_line ;;
    *) echo "usage: SSHD_DIR=DIR $0 start|stop|restart|rekey|sessions|known" >&2; exit 2 ;;
    esac
fi
