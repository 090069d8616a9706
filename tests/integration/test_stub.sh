#!/usr/bin/env bash
# Integration test for tests/stub/http_stub.c: every mode checked with curl, including
# that a hung request does not block other connections and that `huge` delivers exactly
# the announced byte count.
source "$(dirname "$0")/../lib/testlib.sh"

# T_STUB_BIN may point at another build (e.g. one with sanitizers).
STUB=${T_STUB_BIN:-$T_ROOT/build/http-stub}
if [[ -z ${T_STUB_BIN:-} && ( ! -x $STUB || $T_ROOT/tests/stub/http_stub.c -nt $STUB ) ]]; then
    make -s -C "$T_ROOT" build/http-stub >/dev/null 2>"$(t_tmpdir)/make.err" ||
        { t_fail "build http-stub" "$(cat "$(t_tmpdir)/make.err")"; t_done; }
fi
t_assert "http-stub is built" test -x "$STUB"

d=$(t_tmpdir)
printf 'etcd_server_has_leader 1\netcd_server_is_leader 0\n' >"$d/metrics.txt"
printf '{"header":{"member_id":"1"},"version":"3.4.23","dbSize":"4096"}' >"$d/status.json"
printf 'service unavailable\n' >"$d/err.txt"
mkdir "$d/seq"
printf 'first\n' >"$d/seq/01-a.prom"
printf 'second\n' >"$d/seq/02-b.prom"
printf 'third\n' >"$d/seq/03-c.prom"
printf 'hidden\n' >"$d/seq/.00-hidden"
HUGE=5000000

t_stub_start main --max-seconds 120 \
    --route "GET /metrics file $d/metrics.txt" \
    --route "POST /v3/maintenance/status file $d/status.json" \
    --route "GET /err status 503 $d/err.txt" \
    --route "GET /empty status 500" \
    --route "GET /hang hang" \
    --route "GET /close close" \
    --route "GET /huge huge $HUGE" \
    --route "GET /big huge 2M" \
    --route "GET /seq seq $d/seq" \
    --route "GET /slow slow 1500 $d/metrics.txt" \
    --route "* /any file $d/metrics.txt" ||
    { t_fail "stub starts"; t_done; }
P=$T_STUB_PORT
B=http://127.0.0.1:$P
t_assert "port file holds a port number ($P)" grep -qx '[0-9]\+' "$d/stub-main.port"
t_assert "listens on 127.0.0.1 only" bash -c "grep -q ': *0100007F:$(printf '%04X' "$P") 00000000:0000 0A' /proc/net/tcp"

cget() { curl -s --max-time 5 "$@"; }
code() { curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }
elapsed_ms() { # cmd... -> prints ms taken
    local t0=${EPOCHREALTIME/./}
    "$@" >/dev/null 2>&1
    echo $(((${EPOCHREALTIME/./} - t0) / 1000))
}

# file
t_eq "file: body" "$(cat "$d/metrics.txt")" "$(cget "$B/metrics")"
t_eq "file: content type is the Prometheus text type" "text/plain; version=0.0.4; charset=utf-8" \
    "$(cget -o /dev/null -w '%{content_type}' "$B/metrics")"
printf 'etcd_server_has_leader 0\n' >"$d/metrics.txt"
t_eq "file: re-read per request" "etcd_server_has_leader 0" "$(cget "$B/metrics")"
t_eq "file: query string ignored for matching" "etcd_server_has_leader 0" "$(cget "$B/metrics?x=1")"
t_eq "POST route with a JSON body" "$(cat "$d/status.json")" \
    "$(cget -X POST -H 'Content-Type: application/json' -d '{}' "$B/v3/maintenance/status")"
t_eq "POST route: .json served as application/json" "application/json" \
    "$(cget -o /dev/null -w '%{content_type}' -X POST -d '{}' "$B/v3/maintenance/status")"
t_eq "method '*' matches POST" "etcd_server_has_leader 0" "$(cget -X POST -d 'x=1' "$B/any")"
t_eq "method '*' matches DELETE" 200 "$(code -X DELETE "$B/any")"
t_eq "HEAD gets headers only" "0" "$(cget -I -o /dev/null -w '%{size_download}' "$B/metrics")"

# status
t_eq "status: code" 503 "$(code "$B/err")"
t_eq "status: body from file" "service unavailable" "$(cget "$B/err")"
t_eq "status without file: code" 500 "$(code "$B/empty")"
t_eq "status without file: empty body" 0 "$(cget -o /dev/null -w '%{size_download}' "$B/empty")"
t_eq "unknown path: 404" 404 "$(code "$B/nope")"
t_eq "known path, other method: 405" 405 "$(code -X POST -d x "$B/metrics")"

# close
cget "$B/close" >/dev/null
t_eq "close: curl sees an empty reply (52)" 52 "$?"

# keep-alive: second request of one curl reuses the connection
t_eq "keep-alive: 2nd request on the same connection" "1 0 " \
    "$(curl -s --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects} ' "$B/metrics" "$B/err")"
t_eq "Connection: close is honoured" "close" \
    "$(cget -D - -o /dev/null -H 'Connection: close' "$B/metrics" | tr -d '\r' | sed -n 's/^Connection: //p')"

# a larger POST body (curl sends Expect: 100-continue above 1 MiB) is read in full
head -c 1500000 /dev/zero | tr '\0' 'x' >"$d/body.bin"
t_eq "1.5 MB POST body with Expect: 100-continue" 200 \
    "$(code -X POST -H 'Expect: 100-continue' --data-binary @"$d/body.bin" "$B/any")"
t_assert "stub logged the 1.5 MB body" grep -q 'POST /any -> 200 file' "$T_STUB_LOG"

# pipelined requests on one raw connection
pipelined() {
    exec 7<>"/dev/tcp/127.0.0.1/$P" || return 1
    printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /err HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&7
    timeout 5 cat <&7 | grep -c '^HTTP/1.1 '
    exec 7<&-
}
t_eq "two pipelined requests get two answers" 2 "$(pipelined)"
malformed() {
    exec 7<>"/dev/tcp/127.0.0.1/$P" || return 1
    printf 'GARBAGE\r\n\r\n' >&7
    timeout 5 head -n 1 <&7 | tr -d '\r'
    exec 7<&-
}
t_eq "malformed request line: 400" "HTTP/1.1 400 Bad Request" "$(malformed)"

# hang does not block others
curl -s --max-time 6 "$B/hang" >/dev/null &
hang_pid=$!
t_cleanup_add "kill $hang_pid 2>/dev/null || true"
sleep 0.3
ms=$(elapsed_ms cget "$B/metrics")
t_assert "file request while another hangs answers fast (${ms} ms)" test "$ms" -lt 1000
t_assert "the hung request is still waiting" kill -0 "$hang_pid"
wait "$hang_pid"
t_eq "hang: curl times out (28), no answer ever" 28 "$?"

# huge: exact byte count, valid repeated lines, streamed while others are served
cget -o "$d/huge.out" "$B/huge"
t_eq "huge: exact byte count" "$HUGE" "$(stat -c %s "$d/huge.out")"
t_eq "huge: Content-Length announced" "$HUGE" \
    "$(cget -D - -o /dev/null "$B/huge" | tr -d '\r' | sed -n 's/^Content-Length: //p')"
full=$((HUGE / 19))
t_eq "huge: body is repeated 'etcd_stub_filler 1' lines" "$full" \
    "$(head -c $((full * 19)) "$d/huge.out" | grep -cx 'etcd_stub_filler 1')"
t_eq "huge: no other content" 0 "$(head -c $((full * 19)) "$d/huge.out" | grep -cvx 'etcd_stub_filler 1')"
# A reader that never reads: the stub's socket buffer fills, its sends would block, and
# other connections must still be served.
stalled_huge() {
    exec 8<>"/dev/tcp/127.0.0.1/$P" || return 1
    printf 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n' >&8
}
stalled_huge
sleep 0.5
ms=$(elapsed_ms cget "$B/metrics")
t_assert "file request while a huge answer is stuck on a non-reader answers fast (${ms} ms)" test "$ms" -lt 1000
t_assert "the stuck huge answer is only partly sent (stub socket has unsent data)" \
    test "$(awk -v p=":$(printf '%04X' "$P")" '$2 ~ p"$" && $4 == "01" { split($5, q, ":");
        if (q[1] != "00000000") n++ } END { print n + 0 }' /proc/net/tcp)" -ge 1
exec 8<&-
cget -o "$d/big.out" "$B/big"
t_eq "huge 2M: exact byte count" $((2 * 1024 * 1024)) "$(stat -c %s "$d/big.out")"

# seq
t_eq "seq: first file" first "$(cget "$B/seq")"
t_eq "seq: second file" second "$(cget "$B/seq")"
t_eq "seq: third file (dot files skipped)" third "$(cget "$B/seq")"
t_eq "seq: last file repeats" third "$(cget "$B/seq")"
printf 'fourth\n' >"$d/seq/04-d.prom"
t_eq "seq: directory re-listed per request" fourth "$(cget "$B/seq")"

# slow: answers after the delay, others meanwhile are not blocked
t0=${EPOCHREALTIME/./}
cget -o "$d/slow.out" "$B/slow" &
slow_pid=$!
sleep 0.2
ms=$(elapsed_ms cget "$B/metrics")
t_assert "file request during a slow one answers fast (${ms} ms)" test "$ms" -lt 1000
wait "$slow_pid"
slow_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
t_assert "slow: took >= 1.5 s (${slow_ms} ms)" test "$slow_ms" -ge 1450
t_eq "slow: body" "etcd_server_has_leader 0" "$(cat "$d/slow.out")"

# many connections at once
for i in $(seq 1 60); do printf 'url = "%s"\noutput = "/dev/null"\n' "$B/metrics"; done >"$d/many.cfg"
t_eq "60 parallel connections all answered" 60 \
    "$(curl -s --no-progress-meter --max-time 10 -Z --parallel-max 60 -K "$d/many.cfg" -w '%{http_code}\n' 2>/dev/null | grep -c '^200$')"

# counts: built-in route and SIGUSR1
counts=$(cget "$B/__stub/counts")
t_assert "/__stub/counts lists the seq route with 5 requests" grep -q "^[0-9]* 5 GET /seq seq" <<<"$counts"
kill -USR1 "$T_STUB_PID"
t_wait_for "SIGUSR1 prints counts to stderr" 3 grep -q 'stub: count [0-9]* 5 GET /seq seq' "$T_STUB_LOG"
t_assert "stub survives SIGUSR1" kill -0 "$T_STUB_PID"
t_assert "one log line per request" grep -q 'GET /nope body=0 -> 404' "$T_STUB_LOG"

# SIGTERM: exits promptly with counts
main_pid=$T_STUB_PID
kill -TERM "$main_pid"
t_wait_for "SIGTERM: stub exits" 3 bash -c "! kill -0 $main_pid 2>/dev/null || grep -q '^[^)]*) Z' /proc/$main_pid/stat"
wait "$main_pid"
t_eq "SIGTERM: exit status 0" 0 "$?"
t_assert "SIGTERM: counts printed at exit" grep -q 'exiting (signal)' "$T_STUB_LOG"

# --max-seconds: stops by itself
t_stub_start short --max-seconds 1 --route "GET /metrics file $d/metrics.txt" ||
    t_fail "second stub starts"
short_pid=$T_STUB_PID
t_wait_for "--max-seconds 1: exits by itself" 4 bash -c "! kill -0 $short_pid 2>/dev/null || grep -q '^[^)]*) Z' /proc/$short_pid/stat"
t_assert "--max-seconds: logged" grep -q 'exiting (max-seconds)' "$T_STUB_LOG"

# text: the body inline, escapes decoded, spaces kept, other backslashes kept
t_stub_start text --max-seconds 60 \
    --route 'GET /metrics text etcd_mvcc_db_total_size_in_bytes 1e308\netcd_x{a="b"} NaN\n' \
    --route 'GET /esc text a\e[2J\x07\\z' \
    --route 'POST /v3/cluster/member/list text {"members":[{"name":"\u001b]0;x\u0007"}]}' ||
    t_fail "text stub starts"
TB=http://127.0.0.1:$T_STUB_PORT
t_eq "text: body with spaces and decoded newlines" \
    "$(printf 'etcd_mvcc_db_total_size_in_bytes 1e308\netcd_x{a="b"} NaN\n' | od -An -c)" \
    "$(cget "$TB/metrics" | od -An -c)"
t_eq "text: \\e \\xNN \\\\ decoded" "$(printf 'a\033[2J\a\\z' | od -An -c)" "$(cget "$TB/esc" | od -An -c)"
t_eq "text: JSON's \\u escapes pass through" '{"members":[{"name":"\u001b]0;x\u0007"}]}' \
    "$(cget -X POST -d '{}' "$TB/v3/cluster/member/list")"
t_eq "text: a body starting with { is application/json" "application/json" \
    "$(cget -o /dev/null -w '%{content_type}' -X POST -d '{}' "$TB/v3/cluster/member/list")"
t_eq "text: other bodies are the Prometheus text type" "text/plain; version=0.0.4; charset=utf-8" \
    "$(cget -o /dev/null -w '%{content_type}' "$TB/metrics")"

# several listeners in one process, each with its own routes; template names the ports
printf '{"self":"{{port}}","first":"{{port:0}}","second":"{{port:1}}","bad":"{{port:7}}"}' >"$d/tpl.json"
t_stub_start multi --max-seconds 60 \
    --route "GET /who text zero" \
    --route "POST /v3/cluster/member/list template $d/tpl.json" \
    --port-file "$d/multi1.port" \
    --route "GET /who text one" \
    --route "GET /only1 text only on one" \
    --route "POST /v3/cluster/member/list template $d/tpl.json" ||
    t_fail "two-listener stub starts"
P0=$T_STUB_PORT
t_wait_for "second listener's port file" 3 test -s "$d/multi1.port"
P1=$(cat "$d/multi1.port")
t_assert "two different ports ($P0 $P1)" test "$P0" != "$P1"
t_eq "listener 0 answers its routes" "zero" "$(cget "http://127.0.0.1:$P0/who")"
t_eq "listener 1 answers its routes" "one" "$(cget "http://127.0.0.1:$P1/who")"
t_eq "a route of listener 1 is unknown on listener 0" 404 "$(code "http://127.0.0.1:$P0/only1")"
t_eq "template on 0: {{port}}, {{port:N}}; an unknown N kept" \
    "{\"self\":\"$P0\",\"first\":\"$P0\",\"second\":\"$P1\",\"bad\":\"{{port:7}}\"}" \
    "$(cget -X POST -d '{}' "http://127.0.0.1:$P0/v3/cluster/member/list")"
t_eq "template on 1: {{port}} is its own port" "$P1" \
    "$(cget -X POST -d '{}' "http://127.0.0.1:$P1/v3/cluster/member/list" | sed 's/.*"self":"\([0-9]*\)".*/\1/')"
t_assert "/__stub/counts lists the asking listener's routes only" \
    bash -c "[ \"\$(curl -s 'http://127.0.0.1:$P1/__stub/counts' | grep -c .)\" = 3 ] && ! curl -s 'http://127.0.0.1:$P1/__stub/counts' | grep -q ' zero'"
# ---- echo (hostile members, test_net_secrets.sh) ----
t_stub_start echo --max-seconds 60 --route "POST /echo echo 400" || t_fail "echo stub starts"
E=http://127.0.0.1:$T_STUB_PORT
t_eq "echo: the status" 400 "$(code -X POST -d '{"a":"b\\c"}' "$E/echo")"
t_eq "echo: the request quoted in the gateway's error fields" \
    '{"error":"{\"a\":\"b\\\\c\"}","code":3,"message":"{\"a\":\"b\\\\c\"}"}' \
    "$(cget -X POST -d '{"a":"b\\c"}' "$E/echo")"
t_eq "echo: valid JSON" "b\\c" "$(cget -X POST -d '{"a":"b\\c"}' "$E/echo" | python3 -c 'import json,sys; print(json.loads(json.load(sys.stdin)["error"])["a"])')"
"$STUB" --port-file "$d/bad.port" --route "POST /x echo" 2>/dev/null
t_eq "echo without CODE: exit 2" 2 "$?"
# ---- end of echo ----

# fixed --port and bad arguments
"$STUB" --port-file "$d/bad.port" --route "GET /x nosuchmode" 2>/dev/null
t_eq "unknown mode: exit 2" 2 "$?"
"$STUB" --port-file "$d/bad.port" --route "GET /x file" 2>/dev/null
t_eq "file without PATH: exit 2" 2 "$?"
"$STUB" --port-file "$d/bad.port" --port "$P" --max-seconds 1 --route "GET /x hang" 2>/dev/null
t_eq "fixed --port reusing a free port works" 0 "$?"

t_done
