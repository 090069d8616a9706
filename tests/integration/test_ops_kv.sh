#!/usr/bin/env bash
# get / put / del on a real 3-member cluster: a round trip of a text and a
# binary value (checked with etcdctl), --prefix and --limit, -w json; and every
# command that changes the cluster refused off a terminal without --yes (exit
# 64, one line, nothing written: the revision and the leader unchanged).
. "$(dirname "$0")/../lib/itest.sh"

it_cluster 3
rev() { etcdctl --endpoints "$M1_ENDPOINT" endpoint status -w json | jq '.[0].Status.header.revision'; }
em() { "$EM" "$@" --endpoints "$CLUSTER_ENDPOINTS"; }

em put /t/a hello --yes >"$T/o" 2>"$T/e"
t_eq "put: exit 0" 0 "$?"
t_assert "put: the revision" grep -qE '^OK: put at revision [0-9]+$' "$T/o"
t_eq "put: etcdctl reads it" "hello" "$(etcdctl --endpoints "$M2_ENDPOINT" get /t/a --print-value-only)"
em get /t/a >"$T/o"
t_eq "get: text value" "hello" "$(sed -n 2p "$T/o" | sed 's/^[0-9]* *//; s/^\/t\/a = //')"
bin=$'\x01\xff\xfe bin'
em put /t/b "$bin" --yes >/dev/null
t_eq "put binary: etcdctl sees the same bytes" "$(printf '%s' "$bin" | base64)" \
    "$(etcdctl --endpoints "$M1_ENDPOINT" get /t/b -w json | jq -r '.kvs[0].value')"
em get /t/b >"$T/o"
t_assert "get binary: shown as base64 with the marker" grep -qF "/t/b = (base64) $(printf '%s' "$bin" | base64)" "$T/o"
em get /t/b -w json >"$T/j"
t_eq "get -w json: key and value base64" "$(printf /t/b | base64) $(printf '%s' "$bin" | base64)" \
    "$(jq -r '.kvs[0] | "\(.key) \(.value)"' "$T/j")"
t_assert "get -w json: revisions" jq -e '.kvs[0].modRevision > 0 and .kvs[0].createRevision > 0 and .kvs[0].version == 1 and .revision > 0' "$T/j"
em get /t/ --prefix >"$T/o"
t_eq "get --prefix: both keys" 2 "$(grep -c '^[0-9]' "$T/o")"
em get /t/ --prefix --limit 1 -w json >"$T/j"
t_eq "get --limit 1: one key, more" "1 true" "$(jq -r '"\(.kvs | length) \(.more)"' "$T/j")"
em get /t/none >/dev/null 2>"$T/e"
t_eq "get of a missing key: exit 1" 1 "$?"

r0=$(rev)
l0=$(cluster_leader)
refused() {   # NAME ARGS...: off a terminal, no --yes
    local name=$1
    shift
    em "$@" </dev/null >"$T/o" 2>"$T/e"
    t_eq "$name without --yes off a terminal: exit 64" 64 "$?"
    t_eq "$name without --yes: one line on stderr" 1 "$(wc -l <"$T/e")"
}
refused put put /t/a other
refused del del /t/ --prefix
refused compact compact
refused defrag defrag --cluster
refused move-leader move-leader m1
refused "alarm disarm" alarm disarm
t_eq "refused: nothing written (same revision)" "$r0" "$(rev)"
t_eq "refused: the leader unchanged" "$l0" "$(cluster_leader)"
t_eq "refused: the value unchanged" "hello" "$(etcdctl --endpoints "$M2_ENDPOINT" get /t/a --print-value-only)"

em del /t/a --yes >"$T/o"
t_assert "del: one key" grep -qE '^deleted 1 key \(revision [0-9]+\)$' "$T/o"
em del /t/ --prefix --yes -w json >"$T/j"
t_eq "del --prefix -w json: the rest" 1 "$(jq .deleted "$T/j")"
t_eq "del: nothing left" "" "$(etcdctl --endpoints "$M1_ENDPOINT" get --prefix /t/ --keys-only)"
t_done
