#!/usr/bin/env bash
# The API's key endpoints on a cluster with etcd authentication (--user): the
# monitor's own credentials reach etcd for get and put; the API token and the
# etcd password are different secrets and neither shows in the answers, the
# workspace or stderr; a read-only etcd user's put is refused with etcd's reason.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/serve.sh

it_cluster 3
ctl() { ETCDCTL_API=3 etcdctl --endpoints="$CLUSTER_ENDPOINTS" "$@"; }
ROOTPW=root-pw-7f3a
t_assert "root user" bash -c "printf '%s\n' '$ROOTPW' | ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' user add root --interactive=false"
t_assert "read-only user ro on /ro/" bash -c "
    printf 'ro-pw\n' | ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' user add ro --interactive=false &&
    ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' role add reader &&
    ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' role grant-permission reader --prefix=true read /ro/ &&
    ETCDCTL_API=3 etcdctl --endpoints='$CLUSTER_ENDPOINTS' user grant-role ro reader"
t_assert "auth enabled" ctl auth enable
t_assert "a key under /ro/" ctl --user "root:$ROOTPW" put /ro/k hello
printf 'api-token-5e1d-0123456789\n' > "$T/token"
AUTH=(-H "Authorization: Bearer api-token-5e1d-0123456789")

sv_start R --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
    --user "root:$ROOTPW" --api-token-file "$T/token" --api-allow-writes --workdir "$T/wr" || t_done
U=http://127.0.0.1:$SV_PORT_R
t_wait_for "root: /health 200 (a poll is done)" 15 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $U/health) = 200 ]"
t_eq "root: get through the API" hello \
    "$(sv_get "$U/api/v1/etcdctl/get" "${AUTH[@]}" -d '{"key":"/ro/k"}' | jq -r .value)"
t_assert "root: put through the API" bash -c \
    "curl -s --max-time 5 -H 'Authorization: Bearer api-token-5e1d-0123456789' -d '{\"key\":\"/w/k\",\"value\":\"v1\"}' $U/api/v1/etcdctl/put | jq -e '.revision > 1'"
t_eq "etcdctl (as root) sees the put" v1 "$(ctl --user "root:$ROOTPW" get --print-value-only /w/k)"

printf 'ro-pw\n' > "$T/ro.pw"
sv_start O --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
    --user ro --password-file "$T/ro.pw" --api-token-file "$T/token" --api-allow-writes \
    --workdir "$T/wo" || t_done
O=http://127.0.0.1:$SV_PORT_O
t_wait_for "ro: /health 200 (a poll is done)" 15 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $O/health) = 200 ]"
t_eq "ro: get of its prefix works" hello \
    "$(sv_get "$O/api/v1/etcdctl/get" "${AUTH[@]}" -d '{"key":"/ro/k"}' | jq -r .value)"
code=$(sv_code "$O/api/v1/etcdctl/put" "${AUTH[@]}" -d '{"key":"/ro/k","value":"x"}')
t_assert "ro: put refused (HTTP $code)" test "$code" -ge 400
t_assert "ro: the answer says permission denied" \
    bash -c "sv_get() { curl -s --max-time 5 \"\$@\"; }; curl -s --max-time 5 -H 'Authorization: Bearer api-token-5e1d-0123456789' -d '{\"key\":\"/ro/k\",\"value\":\"x\"}' $O/api/v1/etcdctl/put | grep -qi 'permission denied'"
t_eq "ro: the key is unchanged" hello "$(ctl --user "root:$ROOTPW" get --print-value-only /ro/k)"
kill "$SV_PID_R" "$SV_PID_O" 2>/dev/null
wait "$SV_PID_R" "$SV_PID_O" 2>/dev/null
t_eq "the etcd password is nowhere in the workspaces or stderr" 0 \
    "$(cat "$T"/wr/* "$T"/wo/* "$T/R.err" "$T/O.err" | grep -c "$ROOTPW")"
t_eq "the API token is nowhere in the workspaces or stderr" 0 \
    "$(cat "$T"/wr/* "$T"/wo/* "$T/R.err" "$T/O.err" | grep -c api-token-5e1d-0123456789)"
t_done
