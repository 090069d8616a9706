#!/usr/bin/env bash
# alarm list / alarm disarm on a real 3-member cluster with a small backend
# quota: overwrites of 10 keys until etcd raises a real NOSPACE alarm; alarm
# list shows it (table and -w json); disarm off a terminal without --yes is
# refused (exit 64, the alarm stays); then compact, defrag --cluster and alarm
# disarm clear it: one line per member each, the list empty, a put works.
. "$(dirname "$0")/../lib/itest.sh"

CLUSTER_ETCD_ARGS="--quota-backend-bytes=$((3 * 1024 * 1024))" it_cluster 3
ectl() { etcdctl --endpoints "$CLUSTER_ENDPOINTS" "$@"; }

"$EM" alarm list --endpoints "$M1_ENDPOINT" >"$T/o" 2>"$T/e"
t_eq "alarm list, none raised: exit 0" 0 "$?"
t_eq "alarm list, none raised" "no alarms" "$(cat "$T/o")"

# Fill the backend until etcd refuses with NOSPACE.
"$EM" benchmark --endpoints "$CLUSTER_ENDPOINTS" --value-size 64k --key-space 10 \
    --ops 200 --clients 4 --yes >/dev/null 2>"$T/e"
t_assert "the fill ran into NOSPACE (429, or etcd's message)" grep -qiE 'space exceeded|HTTP 429' "$T/e"

"$EM" alarm list --endpoints "$M2_ENDPOINT" >"$T/o" 2>"$T/e"
t_eq "alarm list: exit 0" 0 "$?"
t_eq "alarm list: header" "MEMBER ID ALARM" "$(head -1 "$T/o" | xargs)"
t_assert "alarm list: NOSPACE on a named member" grep -qE '^m[123] +[0-9a-f]{16} +NOSPACE$' "$T/o"
"$EM" alarm list --endpoints "$M2_ENDPOINT" -w json >"$T/j"
t_assert "alarm list -w json: NOSPACE" jq -e 'length >= 1 and all(.alarm == "NOSPACE") and all(.member | test("^m[123]$"))' "$T/j"
n=$(jq length "$T/j")

"$EM" alarm disarm --endpoints "$M1_ENDPOINT" </dev/null >"$T/o" 2>"$T/e"
t_eq "disarm without --yes off a terminal: exit 64" 64 "$?"
t_eq "disarm without --yes: one line" 1 "$(wc -l <"$T/e")"
t_eq "disarm without --yes: the alarm stays" "$n" "$("$EM" alarm list --endpoints "$M1_ENDPOINT" -w json | jq length)"
etcdctl --endpoints "$M1_ENDPOINT" put /t/x y >/dev/null 2>&1
t_eq "under NOSPACE a put is refused" 1 "$?"
"$EM" compact --endpoints "$CLUSTER_ENDPOINTS" --yes >"$T/o" 2>"$T/e"
t_eq "compact: exit 0" 0 "$?"
t_eq "compact: one line per member" 3 "$(grep -cE '^m[123]: compacted to revision [0-9]+, db ' "$T/o")"
"$EM" defrag --cluster --endpoints "$CLUSTER_ENDPOINTS" --yes >"$T/o" 2>"$T/e"
t_eq "defrag --cluster: exit 0" 0 "$?" || cat "$T/o" "$T/e"
t_eq "defrag --cluster: three members ok" 3 "$(grep -cE '^m[123] .* ok$' "$T/o")"
# Counted again now: a member that applied the fill's last writes late may have
# raised its own NOSPACE after the first count.
n=$("$EM" alarm list --endpoints "$M1_ENDPOINT" -w json | jq length)
"$EM" alarm disarm --endpoints "$M1_ENDPOINT" --yes >"$T/o" 2>"$T/e"
t_eq "disarm --yes: exit 0" 0 "$?"
t_eq "disarm: one line per alarm" "$n" "$(grep -cE '^m[123]: NOSPACE alarm disarmed$' "$T/o")"
t_eq "after disarm: alarm list empty" "no alarms" "$("$EM" alarm list --endpoints "$M3_ENDPOINT")"
etcdctl --endpoints "$M1_ENDPOINT" put /t/x y >/dev/null
t_eq "after compact, defrag and disarm a put works" 0 "$?"
t_eq "and the alarm does not come back" "no alarms" "$("$EM" alarm list --endpoints "$M2_ENDPOINT")"
"$EM" alarm bogus --endpoints "$M1_ENDPOINT" >/dev/null 2>&1
t_eq "alarm bogus: exit 64" 64 "$?"
t_done
