#!/usr/bin/env bash
# The API's limits, without a cluster (an unreachable endpoint: /health then
# answers 503, which is an answer): a slowloris client (a header byte every
# 0.5 s) is cut off after --api-timeout however long it trickles; 2,000 idle
# connections (from four loopback source addresses, under the per-address
# cap) do not stop /health from answering, and are closed after the timeout;
# one address past its cap is refused while others are still served; the
# a body declared over 64 KiB is refused before it is read.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/serve.sh
PY=/usr/bin/python3

sv_start L serve --endpoints 127.0.0.1:1 --interval 1 --api-port 0 --api-timeout 2s \
    --api-max-connections 4096 --workdir "$T/ws" || t_done
U=http://127.0.0.1:$SV_PORT_L
t_wait_for "/health answers (503: nothing reachable)" 10 \
    bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $U/health) = 503 ]"

# Slowloris: send a header line's bytes one every 0.5 s; the server must close
# the connection within timeout + sweep + slack, long before the 20 s we would go on.
out=$("$PY" - "$SV_PORT_L" <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
t0 = time.monotonic()
try:
    while time.monotonic() - t0 < 20:
        s.sendall(b"X")
        s.settimeout(0.5)
        try:
            if s.recv(1) == b"":
                break
        except socket.timeout:
            pass
except (BrokenPipeError, ConnectionResetError):
    pass
print("%.1f" % (time.monotonic() - t0))
PYEOF
)
t_assert "slowloris cut off within 4 s (took ${out}s)" awk -v t="$out" 'BEGIN { exit !(t > 1 && t < 4) }'

# 2,000 idle connections, 500 from each of 127.0.0.2-5; /health from 127.0.0.1
# must still answer while they are open.
"$PY" - "$SV_PORT_L" "$T/idle.ready" "$T/idle.result" <<'PYEOF' &
import socket, sys, time, os
port, ready, result = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks, failed = [], 0
for i in range(2000):
    try:
        s = socket.socket()
        s.bind(("127.0.0.%d" % (2 + i // 500), 0))
        s.connect(("127.0.0.1", port))
        socks.append(s)
    except OSError:
        failed += 1
open(ready, "w").write("%d %d\n" % (len(socks), failed))
time.sleep(1.0)
# Each socket: closed by the server by now? (recv returns b"" on EOF)
time.sleep(2.5)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed += 1
    except (BlockingIOError, ConnectionResetError):
        closed += 0 if isinstance(sys.exc_info()[1], BlockingIOError) else 1
open(result, "w").write("%d\n" % closed)
PYEOF
idle_pid=$!
t_cleanup_add "kill $idle_pid 2>/dev/null || true"
t_wait_for "2,000 idle connections open" 20 test -s "$T/idle.ready"
t_eq "all 2,000 connected" "2000 0" "$(cat "$T/idle.ready")"
t_eq "/health answers beside them" 503 "$(sv_code "$U/health")"
t_eq "/metrics answers beside them" 200 "$(sv_code "$U/metrics")"
wait "$idle_pid"
t_eq "the idle ones were closed after --api-timeout" 2000 "$(cat "$T/idle.result" 2>/dev/null)"

# One address past its cap (4096/4 = 1024): refused there, others served.
"$PY" - "$SV_PORT_L" "$T/cap.ready" <<'PYEOF' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(1100):
    s = socket.socket(); s.bind(("127.0.0.9", 0)); s.connect(("127.0.0.1", port)); socks.append(s)
time.sleep(0.5)
refused = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1) == b"": refused += 1
    except BlockingIOError: pass
    except ConnectionResetError: refused += 1
open(sys.argv[2], "w").write("%d\n" % refused)
time.sleep(1)
PYEOF
cap_pid=$!
t_cleanup_add "kill $cap_pid 2>/dev/null || true"
t_wait_for "per-address cap measured" 20 test -s "$T/cap.ready"
t_assert "past 1,024 from one address: the rest refused ($(cat "$T/cap.ready"))" \
    awk -v n="$(cat "$T/cap.ready")" 'BEGIN { exit !(n >= 70 && n <= 80) }'
t_eq "another address is still served" 503 "$(sv_code "$U/health")"
wait "$cap_pid"

# Methods and bodies.
t_eq "PUT /metrics: 405" 405 "$(sv_code "$U/metrics" -X PUT -d x)"
t_eq "POST /api/v1/cluster/status: 405" 405 "$(sv_code "$U/api/v1/cluster/status" -d x)"
t_eq "OPTIONS /: 405" 405 "$(sv_code "$U/" -X OPTIONS)"
t_eq "a 10 MB body: refused at once from its Content-Length (413)" 413 \
    "$(head -c 10000000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' --max-time 5 --data-binary @- "$U/api/v1/etcdctl/get")"
t_assert "the server still runs" kill -0 "$SV_PID_L"
t_done
