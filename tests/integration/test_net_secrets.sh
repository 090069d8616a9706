#!/usr/bin/env bash
# Secrets on the wire and in the outputs.
# (a) A member whose authenticate answer echoes the request (password included)
#     in a 400: the password is in no workspace file, nor stdout, nor stderr;
#     the problem is said with a fixed reason ("HTTP 400").
# (c) http_proxy, https_proxy and ALL_PROXY name a recording stub: member traffic
#     never goes there (members up); with --use-proxy-env it does.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/stubmember.sh
PW="Echo-$RANDOM$RANDOM-pw"
printf '%s\n' "$PW" >"$T/pw"

# (a) Echoing authenticate.
sm_start e 1001 "POST /v3/auth/authenticate echo 400" || { t_fail "stub e starts"; t_done; }
E=$SM_PORT
ELOG=$T_STUB_LOG
W=$T/echo
"$EM" --headless --no-discover --endpoints "127.0.0.1:$E" --interval 1 --duration 6s \
      --user root --password-file "$T/pw" --workdir "$W" >"$T/echo.out" 2>"$T/echo.err"
t_assert "the stub echoed the request (password included) at least 3 times" \
    test "$(grep -c 'POST /v3/auth/authenticate body=[0-9]* -> 400 echo' "$ELOG")" -ge 3
t_eq "the password is in no workspace file, stdout or stderr" "" \
    "$(grep -rl -- "$PW" "$W" "$T/echo.out" "$T/echo.err")"
t_eq "the password is not even in part (its first 8 characters)" "" \
    "$(grep -rl -- "${PW:0:8}" "$W" "$T/echo.out" "$T/echo.err")"
t_assert "the problem is said with a fixed reason" \
    grep -q 'auth: cannot authenticate as user root: HTTP 400; retrying' "$W/monitoring.log"
t_eq "no answer text in the log (no quoted JSON)" 0 "$(grep -c '"name"\|password' "$W/monitoring.log")"

# (c) Proxies from the environment.
t_stub_start proxy --max-seconds 120 --route "GET /never file /dev/null" || { t_fail "proxy stub starts"; t_done; }
PX=$T_STUB_PORT
PXLOG=$T_STUB_LOG
sm_start m 1001 || { t_fail "stub m starts"; t_done; }
M=$SM_PORT
export http_proxy=http://127.0.0.1:$PX https_proxy=http://127.0.0.1:$PX ALL_PROXY=http://127.0.0.1:$PX
export HTTP_PROXY=$http_proxy HTTPS_PROXY=$https_proxy all_proxy=$ALL_PROXY
unset no_proxy NO_PROXY
W=$T/proxy
"$EM" --headless --no-discover --endpoints "127.0.0.1:$M" --interval 1 --duration 3s \
      --workdir "$W" >"$T/proxy.out" 2>"$T/proxy.err"
t_eq "the proxy saw no request" 0 "$(grep -c ' -> ' "$PXLOG")"
t_eq "the member is up in every poll" 1 "$(csv_col "$W/members.csv" up | sort -u)"
t_assert "the member answered directly" test "$(sm_count "$M" "GET /metrics")" -ge 3

W=$T/useproxy
"$EM" --headless --no-discover --endpoints "127.0.0.1:$M" --interval 1 --duration 2s --use-proxy-env \
      --workdir "$W" >"$T/useproxy.out" 2>"$T/useproxy.err"
t_assert "--use-proxy-env: the requests went to the proxy" \
    grep -q "GET http://127.0.0.1:$M/metrics" "$PXLOG"
unset http_proxy https_proxy ALL_PROXY HTTP_PROXY HTTPS_PROXY all_proxy
t_done
