#!/usr/bin/env bash
# Integration test for the scale bench's plumbing (bench/scale.sh), not its timing:
# one http-stub serving 100 listeners (--copies, mem and template routes, --quiet)
# and build/bench-floor polling all of them over kept-alive connections, its
# request counts matching what the stub served.
source "$(dirname "$0")/../lib/testlib.sh"

d=$(t_tmpdir)
for b in http-stub bench-floor; do
    if [[ ! -x $T_ROOT/build/$b || $T_ROOT/build/$b -ot $T_ROOT/Makefile ||
          ( $b == http-stub && $T_ROOT/tests/stub/http_stub.c -nt $T_ROOT/build/$b ) ||
          ( $b == bench-floor && $T_ROOT/bench/bench_floor.c -nt $T_ROOT/build/$b ) ]]; then
        make -s -C "$T_ROOT" "build/$b" >/dev/null 2>"$d/make.err" ||
            { t_fail "build $b" "$(cat "$d/make.err")"; t_done; }
    fi
done
FLOOR=$T_ROOT/build/bench-floor
N=100
cp "$T_ROOT/tests/data/etcd-3.4-follower.metrics" "$d/metrics"
printf '{"member_id":"{{port}}","leader":"{{port:0}}"}' >"$d/status.json"
t_stub_start many --quiet --max-seconds 120 --copies "$N" \
    --route "GET /metrics mem $d/metrics" \
    --route "POST /v3/maintenance/status template $d/status.json" ||
    { t_fail "stub with $N listeners starts"; t_done; }
mapfile -t P <"$d/stub-many.port"
t_eq "the port file lists $N ports" "$N" "${#P[@]}"
t_eq "the $N ports are distinct" "$N" "$(printf '%s\n' "${P[@]}" | sort -u | wc -l)"
t_eq "every port listens on 127.0.0.1" "$N" "$(for p in "${P[@]}"; do
    grep -c ": *0100007F:$(printf '%04X' "$p") 00000000:0000 0A" /proc/net/tcp; done | grep -c '^1$')"

cget() { curl -s --max-time 5 "$@"; }
t_assert "mem: the body of the file" cmp -s "$d/metrics" <(cget "http://127.0.0.1:${P[57]}/metrics")
printf 'etcd_server_has_leader 0\n' >"$d/metrics"
t_assert "mem: read once at start (a changed file is not served)" cmp -s \
    "$T_ROOT/tests/data/etcd-3.4-follower.metrics" <(cget "http://127.0.0.1:${P[3]}/metrics")
t_eq "template: {{port}} is the copy's own port, {{port:0}} the listener's first" \
    "{\"member_id\":\"${P[99]}\",\"leader\":\"${P[0]}\"}" \
    "$(cget -d '{}' "http://127.0.0.1:${P[99]}/v3/maintenance/status")"
t_eq "copies share their routes' counts" "2 1" \
    "$(cget "http://127.0.0.1:${P[10]}/__stub/counts" | awk '{ printf "%s%s", s, $2; s = " " }')"

# The floor: 2 requests to every member each poll, 1 to one member every 2nd poll.
urls=$(printf 'http://127.0.0.1:%s\n' "${P[@]}")
# shellcheck disable=SC2086
"$FLOOR" --interval-ms 1000 --seconds 3 --each '1 GET /metrics' \
    --each '1 POST /v3/maintenance/status {}' --one '2 POST /v3/maintenance/status {}' \
    $urls >"$d/floor.out" 2>"$d/floor.err"
t_eq "bench-floor exits 0" 0 "$?"
sum=$(grep '^floor: ' "$d/floor.out")
read -r polls transfers failed conns < <(sed -n \
    's/^floor: \([0-9]*\) polls, \([0-9]*\) transfers, \([0-9]*\) failed, \([0-9]*\) connections.*/\1 \2 \3 \4/p' \
    "$d/floor.out")
polls=${polls:-0}
t_assert "at least one poll, at most 3 in 3s at 1s ($sum)" test "$polls" -ge 1 -a "$polls" -le 3
t_eq "one line per poll" "$polls" "$(grep -c '^poll [0-9]* ms [0-9.]* transfers' "$d/floor.out")"
t_eq "transfers: 2 per member per poll + 1 every 2nd poll" $((polls * 2 * N + (polls + 1) / 2)) \
    "${transfers:-}"
t_eq "no failed request" 0 "${failed:-}"
t_assert "connections kept alive: at most one per member and request (${conns:-?})" \
    test "${conns:-99999}" -le $((3 * N))
counts=$(cget "http://127.0.0.1:${P[0]}/__stub/counts")
t_eq "the stub served every /metrics the floor asked" $((polls * N + 2)) \
    "$(awk '$4 == "/metrics" { print $2 }' <<<"$counts")"
t_eq "the stub served every status the floor asked" $((polls * N + (polls + 1) / 2 + 1)) \
    "$(awk '$4 == "/v3/maintenance/status" { print $2 }' <<<"$counts")"
t_eq "--quiet: no per-request log line" 0 "$(grep -c ' #[0-9]' "$T_STUB_LOG")"

"$FLOOR" --each '1 PUT /x' http://127.0.0.1:1 >/dev/null 2>"$d/bad.err"
t_eq "a bad request spec: exit 2" 2 "$?"
t_assert "... with a one-line error naming it" grep -qx "bench-floor: METHOD must be GET or POST: 1 PUT /x" "$d/bad.err"
t_done
