#!/usr/bin/env bash
# SSH access (src/ssh/tunnel*.c through build/tunnel-probe) against a real OpenSSH sshd
# (tests/lib/sshd.sh) and a real 3-member etcd cluster, all on 127.0.0.1:
#   host keys: unknown -> refused with its SHA256 fingerprint and no authentication
#   attempt; changed -> refused even with --accept-new; unknown + accept-new -> works,
#   known_hosts untouched, the key pinned for the run; forwarding /health and /metrics;
#   a hung server (SIGSTOP) found by the watchdog and a killed one by the socket, both
#   rebuilt on the same local port, a second tunnel unaffected; TLS end to end with
#   curl --connect-to (the name is verified through the tunnel); ssh-agent
#   authentication; log following (tail -F) classified with logwatch, and df -P.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/sshd.sh
unset SSH_AUTH_SOCK SSH_AGENT_PID
PROBE=${TUNNEL_PROBE:-$_it_root/build/tunnel-probe}   # (a sanitizer build may be given)
t_assert "build tunnel-probe" make --no-print-directory build/tunnel-probe || t_done
[[ -x /usr/sbin/sshd ]] || { t_fail "/usr/sbin/sshd is installed (tools/deps.sh: openssh-server)"; t_done; }

# Two private sshd instances (B only for the "other tunnels unaffected" check).
sshd_start "$T/sshB" >/dev/null || { t_fail "sshd B starts"; t_done; }
PORT_B=$SSHD_PORT DIR_B=$SSHD_DIR KEY=$SSHD_USER_KEY
sshd_known_line >"$T/known_B"
t_cleanup_add "SSHD_DIR='$DIR_B' sshd_stop"
sshd_start "$T/sshA" >/dev/null || { t_fail "sshd A starts"; t_done; }
PORT_A=$SSHD_PORT DIR_A=$SSHD_DIR USER_KEY_A=$SSHD_USER_KEY
t_cleanup_add "SSHD_DIR='$DIR_A' sshd_stop"
TARGET_A=$SSHD_USER@127.0.0.1:$PORT_A
TARGET_B=$SSHD_USER@127.0.0.1:$PORT_B
fp() { ssh-keygen -l -E sha256 -f "$1" | awk '{ print $2 }'; }

# probe NAME ARGS... — tunnel-probe in the background (output $T/NAME.out, pid
# in PROBE_PID). Call directly, not in $(...).
probe() {
    local name=$1
    shift
    "$PROBE" "$@" --port-file "$T/$name.ports" >"$T/$name.out" 2>&1 &
    PROBE_PID=$!
    t_cleanup_add "kill -TERM $! 2>/dev/null; wait $! 2>/dev/null"
}
# lport NAME TUNNEL HOST:PORT — the local port a probe got for a forward.
lport() {
    local i
    for ((i = 0; i < 50; i++)); do [[ -s $T/$1.ports ]] && break; sleep 0.1; done
    awk -v t="T$2" -v f="$3" '$1 == t && $2 == f { print $3 }' "$T/$1.ports"
}
has() { grep -Eq -- "$2" "$1"; }
has_f() { grep -Fq -- "$2" "$1"; }
health() { curl -sf --max-time 5 "http://127.0.0.1:$1/health" | grep -q '"health":"true"'; }
log_mark() { wc -l <"$DIR_A/sshd.log"; }
log_since() { tail -n +"$(($1 + 1))" "$DIR_A/sshd.log"; }
no_auth_since() {
    local new
    new=$(log_since "$1")
    grep -q "Connection from 127.0.0.1" <<<"$new" || { echo "no connection logged: $new"; return 1; }
    if grep -Eiq "publickey|password|keyboard|Accepted|Failed|Postponed|userauth|Invalid user" <<<"$new"; then
        echo "$new"
        return 1
    fi
}

it_cluster 3

# ---- (2) unknown host key: refused, fingerprint shown, no authentication tried ----
printf '# test known_hosts\n[127.0.0.1]:1 %s\n' "$(cut -d' ' -f1,2 "$DIR_B/host_key.pub")" >"$T/known_other"
cp "$T/known_other" "$T/known_other.orig"
mark=$(log_mark)
"$PROBE" --target "$TARGET_A" --key "$USER_KEY_A" --known-hosts "$T/known_other" --duration 10 \
    --exit-on-refused >"$T/unknown.out" 2>&1
t_eq "unknown host key: the probe sees a refusal (exit 3)" 3 "$?"
fp_a=$(fp "$DIR_A/host_key.pub")
t_assert "unknown host key: state REFUSED with the SHA256 fingerprint ($fp_a)" \
    has_f "$T/unknown.out" "state REFUSED host key for [127.0.0.1]:$PORT_A is not in known_hosts (ssh-ed25519 $fp_a)"
t_assert "unknown host key: a 'refused' event" has_f "$T/unknown.out" ": refused: host key for [127.0.0.1]:$PORT_A"
t_assert "unknown host key: sshd saw the connection but no authentication attempt" no_auth_since "$mark"
t_assert "unknown host key: known_hosts untouched" cmp "$T/known_other" "$T/known_other.orig"

# ---- (3) changed host key: refused, also with --accept-new ----
sshd_known_line >"$T/known_A_old"
cp "$T/known_A_old" "$T/known_A_old.orig"
if ! { sshd_rekey && sshd_restart; }; then t_fail "sshd A restarts with a new host key"; t_done; fi
fp_a2=$(fp "$DIR_A/host_key.pub")
for mode in plain accept-new; do
    extra=()
    [[ $mode == accept-new ]] && extra=(--accept-new)
    mark=$(log_mark)
    "$PROBE" --target "$TARGET_A" --key "$USER_KEY_A" --known-hosts "$T/known_A_old" "${extra[@]}" \
        --duration 10 --exit-on-refused >"$T/changed-$mode.out" 2>&1
    t_eq "changed host key ($mode): refused (exit 3)" 3 "$?"
    t_assert "changed host key ($mode): says CHANGED, shows the new fingerprint" \
        has_f "$T/changed-$mode.out" "state REFUSED host key for [127.0.0.1]:$PORT_A has CHANGED (now ssh-ed25519 $fp_a2)"
    t_assert "changed host key ($mode): no authentication attempt" no_auth_since "$mark"
done
t_assert "changed host key: known_hosts untouched" cmp "$T/known_A_old" "$T/known_A_old.orig"

# ---- (4) unknown key + accept_new: works, known_hosts unchanged, key pinned ----
probe acc --target "$TARGET_A" --key "$USER_KEY_A" --known-hosts "$T/known_other" --accept-new \
    --keepalive 1 --forward "127.0.0.1:$M1_CLIENT" --duration 60
PID_acc=$PROBE_PID
t_wait_for "accept-new: the tunnel comes up" 10 has "$T/acc.out" "T0 state UP"
t_assert "accept-new: event names the accepted key" \
    has_f "$T/acc.out" "127.0.0.1:$PORT_A: accepted new host key ssh-ed25519 $fp_a2 (not written to known_hosts)"
lp=$(lport acc 0 "127.0.0.1:$M1_CLIENT")
t_assert "accept-new: /health through the tunnel" health "$lp"
t_assert "accept-new: known_hosts byte-identical" cmp "$T/known_other" "$T/known_other.orig"
# the accepted key is pinned: a different key on the next session is refused
{ sshd_rekey && sshd_restart; } || t_fail "sshd A restarts with a new host key"
t_wait_for "accept-new: a key change later in the run is refused" 15 \
    has "$T/acc.out" "T0 state REFUSED host key .* has CHANGED .* does not match the key accepted earlier"
start=$(_t_now_ms)
rc=0
curl -s --max-time 5 "http://127.0.0.1:$lp/health" >/dev/null 2>&1 || rc=$?
t_assert "refused tunnel: local connections are reset at once (curl exit $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 28 -a $(($(_t_now_ms) - start)) -lt 2000
kill -TERM "$PID_acc" 2>/dev/null
t_assert "accept-new: known_hosts still byte-identical" cmp "$T/known_other" "$T/known_other.orig"
sshd_known_line >"$T/known_A"

# A TLS endpoint (openssl s_server) with a certificate for etcd-m1.test only.
TLS_PORT=$(sshd_free_port)
DEAD_PORT=$(sshd_free_port)                 # nothing listens there: a member that is down
# A member whose host does not answer: a listener with a full backlog drops SYNs
# (perl-base is always there).
BH_PORT=$(sshd_free_port)
perl -MIO::Socket::INET -e '
    my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], Listen => 1,
                                  ReuseAddr => 1) or die "listen: $!";
    my @fill = map { IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0],
                                           Blocking => 0) } 1 .. 4;
    sleep 120;' "$BH_PORT" </dev/null >/dev/null 2>&1 &
t_cleanup_add "kill $! 2>/dev/null"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=etcd-m1.test -addext subjectAltName=DNS:etcd-m1.test \
    -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1
openssl s_server -quiet -www -accept "127.0.0.1:$TLS_PORT" -cert "$T/tls.crt" -key "$T/tls.key" \
    </dev/null >/dev/null 2>&1 &
t_cleanup_add "kill $! 2>/dev/null"

# ---- (1) forwarding, and (5) failure detection and rebuild; tunnel B unaffected ----
probe fw --target "$TARGET_A" --key "$USER_KEY_A" --known-hosts "$T/known_A" --keepalive 1 \
    --forward "127.0.0.1:$M1_CLIENT" --forward "127.0.0.1:$M2_CLIENT" --forward "127.0.0.1:$TLS_PORT" \
    --forward "127.0.0.1:$DEAD_PORT" --forward "127.0.0.1:$BH_PORT" \
    --target "$TARGET_B" --key "$KEY" --known-hosts "$T/known_B" --keepalive 1 \
    --forward "127.0.0.1:$M3_CLIENT" --duration 80
PID_fw=$PROBE_PID
t_wait_for "both tunnels come up" 10 bash -c "grep -q 'T0 state UP' '$T/fw.out' && grep -q 'T1 state UP' '$T/fw.out'"
lp1=$(lport fw 0 "127.0.0.1:$M1_CLIENT")
lp2=$(lport fw 0 "127.0.0.1:$M2_CLIENT")
lp3=$(lport fw 1 "127.0.0.1:$M3_CLIENT")
t_assert "forward: the same host:port twice gives the same local port" bash -c "! grep -q 'NOT STABLE' '$T/fw.out'"
t_assert "sshd A: authenticated with the test key" grep -q "Accepted publickey for $SSHD_USER" "$DIR_A/sshd.log"
t_assert "forward: /health of m1 through the tunnel" health "$lp1"
t_assert "forward: /metrics of m2 through the tunnel" \
    bash -c "curl -sf --max-time 5 http://127.0.0.1:$lp2/metrics | grep -q '^etcd_server_has_leader 1'"
t_eq "forward: /version byte-identical through the tunnel" \
    "$(curl -sf --max-time 5 "$M1_ENDPOINT/version")" "$(curl -sf --max-time 5 "http://127.0.0.1:$lp1/version")"
pids=()
for i in $(seq 1 12); do
    curl -sf --max-time 10 "http://127.0.0.1:$lp2/metrics" -o "$T/par$i" &
    pids+=($!)
done
wait "${pids[@]}"
n_ok=0
for i in $(seq 1 12); do grep -q '^etcd_server_has_leader 1' "$T/par$i" 2>/dev/null && n_ok=$((n_ok + 1)); done
t_eq "forward: 12 parallel /metrics through one session all complete" 12 "$n_ok"
# TLS end to end: curl connects to the local port but verifies the real name
# (what the collector does with CURLOPT_CONNECT_TO)
lpt=$(lport fw 0 "127.0.0.1:$TLS_PORT")
t_assert "forward: TLS through the tunnel, certificate verified for the real name" \
    curl -sf --max-time 5 --cacert "$T/tls.crt" --connect-to "etcd-m1.test:$TLS_PORT:127.0.0.1:$lpt" \
    -o /dev/null "https://etcd-m1.test:$TLS_PORT/"
rc=0
curl -s --max-time 5 --cacert "$T/tls.crt" --connect-to "etcd-m2.test:$TLS_PORT:127.0.0.1:$lpt" \
    -o /dev/null "https://etcd-m2.test:$TLS_PORT/" || rc=$?
t_eq "forward: TLS with another name fails verification (curl exit 60)" 60 "$rc"
# a member that is down: the bastion's connect fails, the local connection is reset
lpd=$(lport fw 0 "127.0.0.1:$DEAD_PORT")
start=$(_t_now_ms)
rc=0
curl -s --max-time 5 "http://127.0.0.1:$lpd/health" >/dev/null 2>&1 || rc=$?
t_assert "forward to a down member: reset at once (curl exit $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 28 -a $(($(_t_now_ms) - start)) -lt 2000
t_wait_for "forward to a down member: one event says why" 3 \
    has_f "$T/fw.out" ": forward to 127.0.0.1:$DEAD_PORT failed: Channel open failure"

# (5a) sshd killed (daemon and sessions): the socket tells at once.
n_lost=$(grep -c "T0 event ssh .*: lost:" "$T/fw.out")
mark=$(wc -l <"$T/fw.out")
sshd_stop
t_wait_for "killed sshd: the loss is reported" 3 \
    bash -c "[ \$(grep -c 'T0 event ssh .*: lost:' '$T/fw.out') -gt $n_lost ]"
t_assert "killed sshd: state leaves UP" bash -c "tail -n 5 '$T/fw.out' | grep -q 'T0 state CONNECTING'"
# a connection made during the outage is held for the next session or reset
# (TUN_HOLD_MS): it never hangs
(s=$(_t_now_ms); rc=0; curl -s --max-time 30 "http://127.0.0.1:$lp1/health" >/dev/null 2>&1 || rc=$?
 echo "$rc $(($(_t_now_ms) - s))" >"$T/held") &
held_pid=$!
t_assert "killed sshd: tunnel B still serves m3" health "$lp3"
t_assert "killed sshd: tunnel B never left UP" awk '/T1 state UP/ { up = 1; next }
    up && /T1 (state CONNECTING|event .*lost)/ { print; bad = 1 } END { exit bad }' "$T/fw.out"
# stay down for a second failed attempt: the delay doubles
retries() { tail -n +"$((mark + 1))" "$T/fw.out" | sed -n 's/.*T0 state CONNECTING.*retrying in \([0-9]*\) s$/\1/p'; }
t_wait_for "killed sshd: a second attempt fails too" 10 \
    bash -c "[ \$(tail -n +$((mark + 1)) '$T/fw.out' | grep -c 'T0 state CONNECTING.*retrying in') -ge 2 ]"
read -r d1 d2 <<<"$(retries | head -n 2 | tr '\n' ' ')"
t_eq "killed sshd: backoff doubles between attempts (${d1:-?} s, then ${d2:-?} s)" "$((${d1:-0} * 2))" "${d2:-x}"
sshd_restart || t_fail "sshd A restarts"
t_wait_for "killed sshd: the tunnel comes back when sshd returns" 15 \
    bash -c "tail -n 3 '$T/fw.out' | grep -q 'T0 state UP'"
t_assert "killed sshd: /health through the same local port again" health "$lp1"
wait "$held_pid"
read -r held_rc held_ms <"$T/held"
t_assert "killed sshd: the connection made during the outage ended within 12 s (curl exit $held_rc after $held_ms ms)" \
    test "$held_ms" -le 12000

# a member that does not answer at all: libssh2 opens one channel at a time and
# cannot abandon one, so after TUN_OPEN_MS the session is rebuilt and that
# forward is refused locally for a while; the others work again at once
lpb=$(lport fw 0 "127.0.0.1:$BH_PORT")
curl -s --max-time 20 "http://127.0.0.1:$lpb/" >/dev/null 2>&1 &
bh_curl=$!
t_wait_for "unanswered member: the open is given up after 10 s, the session rebuilt" 14 \
    has_f "$T/fw.out" "lost: opening a channel to 127.0.0.1:$BH_PORT took over 10 s (refused locally for 30 s)"
t_wait_for "unanswered member: the session is back" 5 \
    bash -c "tail -n 3 '$T/fw.out' | grep -q 'T0 state UP'"
t_assert "unanswered member: m1 works again through the tunnel" health "$lp1"
start=$(_t_now_ms)
rc=0
curl -s --max-time 5 "http://127.0.0.1:$lpb/" >/dev/null 2>&1 || rc=$?
t_assert "unanswered member: refused locally at once now (curl exit $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 28 -a $(($(_t_now_ms) - start)) -lt 2000
wait "$bh_curl" 2>/dev/null

# (5b) a hung server: its session processes stopped; only the watchdog can tell.
hung=$(sshd_sessions)
n_up=$(grep -c 'T0 event ssh .*: up again' "$T/fw.out")
start=$(_t_now_ms)
for p in $hung; do kill -STOP "$p" 2>/dev/null; done
t_wait_for "hung sshd: the watchdog declares the session lost (4 keepalive intervals)" 8 \
    has "$T/fw.out" "T0 event ssh .*: lost: no answer from the SSH server"
lost_ms=$(($(_t_now_ms) - start))
t_assert "hung sshd: detected after 3-7 s (${lost_ms} ms)" test "$lost_ms" -ge 3000 -a "$lost_ms" -le 7500
t_wait_for "hung sshd: a new session comes up (the daemon itself still answers)" 10 \
    bash -c "[ \$(grep -c 'T0 event ssh .*: up again' '$T/fw.out') -gt $n_up ]"
for p in $hung; do kill -KILL "$p" 2>/dev/null; done
t_assert "hung sshd: /health again through the same local port" health "$lp1"

kill -TERM "$PID_fw" 2>/dev/null
wait "$PID_fw" 2>/dev/null
t_assert "the probe stops cleanly" has "$T/fw.out" "exit 0$"

# ---- (6) log watching over SSH (agent authentication), and df -P ----
eval "$(ssh-agent -s -a "$T/agent.sock")" >/dev/null
t_cleanup_add "kill $SSH_AGENT_PID 2>/dev/null"
ssh-add -q "$USER_KEY_A" 2>/dev/null
: >"$T/etcd.log"
probe logs --target "$TARGET_A" --known-hosts "$T/known_A" --keepalive 1 \
    --follow "tail -n 0 -F $T/etcd.log" --once "df -P $T" --repeat-once 2 --duration 60
PID_logs=$PROBE_PID
t_wait_for "logs: the tunnel comes up with the ssh-agent key (no key file)" 10 has "$T/logs.out" "T0 state UP"
unset SSH_AUTH_SOCK
t_wait_for "logs: df -P returned a parsable line" 10 \
    has "$T/logs.out" "line 1 none [^ ]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% +/"
t_wait_for "logs: df -P asked for again runs again (same id)" 10 \
    bash -c "[ \$(grep -c 'line 1 none Filesystem' '$T/logs.out') -ge 2 ]"
# the remote tail is running once a marker written into the file comes back
t_wait_for "logs: the remote tail -F follows the file" 10 \
    bash -c "echo marker >> '$T/etcd.log'; sleep 0.2; grep -q 'line 0 none marker' '$T/logs.out'"
cat tests/data/logs/etcd-3.4-zap.log tests/data/logs/etcd-3.4-capnslog.log >>"$T/etcd.log"
t_wait_for "logs: all sample lines arrive" 10 \
    bash -c "[ \$(grep -c 'T0 line 0 ' '$T/logs.out') -ge \$((\$(grep -c marker '$T/logs.out') + 50)) ]"
t_eq "logs: slow fdatasync lines counted (2 zap + 2 capnslog)" 4 "$(grep -c 'line 0 slow_fdatasync ' "$T/logs.out")"
t_eq "logs: slow apply lines counted (3 zap + 2 capnslog)" 5 "$(grep -c 'line 0 slow_apply ' "$T/logs.out")"
t_eq "logs: leader lost lines counted" 4 "$(grep -c 'line 0 leader_lost ' "$T/logs.out")"
t_eq "logs: alarms counted" 2 "$(grep -c 'line 0 alarm ' "$T/logs.out")"
t_assert "logs: the long zap line arrived cut to 511 bytes" \
    bash -c "grep 'line 0 none {\"level\":\"info\".*starting an etcd server' '$T/logs.out' |
             awk '{ n++; if (length(\$0) > 600) bad = 1 } END { exit !(n == 1 && !bad) }'"
# the remote command does not outlive its session (sshd alone would leave it running)
remote_tail_running() {
    local f
    for f in /proc/[0-9]*/cmdline; do
        [[ $(tr '\0' ' ' <"$f" 2>/dev/null) == "tail -n 0 -F $T/etcd.log " ]] && return 0
    done
    return 1
}
no_remote_tail() { ! remote_tail_running; }
t_assert "logs: the remote tail -F runs" remote_tail_running
kill -TERM "$PID_logs" 2>/dev/null
wait "$PID_logs" 2>/dev/null
t_wait_for "logs: the remote tail -F ends with the session" 5 no_remote_tail
t_done
