#!/usr/bin/env bash
# etcd-monitor snapshot against a real 3-member cluster: save (from the leader
# by default, or the member --endpoints names) then status gives what etcdctl
# snapshot status -w json gives on the same file, for our snapshot and for
# etcdctl's; a truncated or damaged file is refused with one line; a save cut
# short by killing the member leaves neither FILE nor FILE.part.
. "$(dirname "$0")/../lib/itest.sh"

"$EM" snapshot status >"$T/o" 2>"$T/e"
t_eq "no FILE: exit 64" 64 "$?"
t_assert "no FILE: one line of usage" grep -q 'usage: etcd-monitor snapshot status|save FILE' "$T/e"
"$EM" snapshot status "$T/none.db" 2>"$T/e"
t_eq "missing file: exit 1" 1 "$?"
t_eq "missing file: one line" 1 "$(wc -l <"$T/e")"

it_cluster 3
for i in $(seq 1 40); do etcdctl --endpoints "$M1_ENDPOINT" put "/snap/$i" "value $i" >/dev/null; done
etcdctl --endpoints "$M1_ENDPOINT" del /snap/7 >/dev/null

# Ours, from the leader.
"$EM" snapshot save "$T/ours.db" --endpoints "$CLUSTER_ENDPOINTS" >"$T/o" 2>"$T/e"
t_eq "save: exit 0" 0 "$?"
t_eq "save: nothing on stderr" "" "$(cat "$T/e")"
t_assert "save: says size, revision and duration" \
    grep -qE '^Snapshot saved at .*ours.db from m[0-9]: [0-9]+ bytes, revision [0-9]+, [0-9.]+s$' "$T/o"
t_assert "save: from the leader" grep -q "from m$(cluster_leader):" "$T/o"
t_assert "save: no part file left" test ! -e "$T/ours.db.part"
"$EM" snapshot status -w json "$T/ours.db" >"$T/mine.json"
t_eq "status of ours: exit 0" 0 "$?"
t_eq "status of ours = etcdctl's" "$(etcdctl snapshot status -w json "$T/ours.db" 2>/dev/null)" \
    "$(cat "$T/mine.json")"
t_eq "revision = the cluster's" \
    "$(etcdctl --endpoints "$M1_ENDPOINT" endpoint status -w json | jq '.[0].Status.header.revision')" \
    "$(jq .revision "$T/mine.json")"

# etcdctl's, from a follower named by --endpoints (ours too).
f=1; [[ $(cluster_leader) == 1 ]] && f=2
fep=M${f}_ENDPOINT fep=${!fep}
etcdctl --endpoints "$fep" snapshot save "$T/theirs.db" >/dev/null 2>&1
t_eq "status of etcdctl's = etcdctl's" "$(etcdctl snapshot status -w json "$T/theirs.db" 2>/dev/null)" \
    "$("$EM" snapshot status -w json "$T/theirs.db")"
"$EM" snapshot save "$T/f.db" --endpoints "$fep" >"$T/o" 2>&1
t_assert "save from the member --endpoints names" grep -q "from m$f:" "$T/o"
t_eq "follower's snapshot: same hash as etcdctl's" "$(jq .hash <(etcdctl snapshot status -w json "$T/theirs.db" 2>/dev/null))" \
    "$("$EM" snapshot status -w json "$T/f.db" | jq .hash)"
"$EM" snapshot status "$T/ours.db" >"$T/table"
t_eq "table: etcdctl's heading" "|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |" "$(sed -n 2p "$T/table")"

# Damaged files are refused.
head -c 20000 "$T/ours.db" >"$T/cut.db"
"$EM" snapshot status "$T/cut.db" >"$T/o" 2>"$T/e"
t_eq "truncated: exit 1" 1 "$?"
t_assert "truncated: says so" grep -q 'truncated' "$T/e"
t_eq "truncated: nothing on stdout" "" "$(cat "$T/o")"
cp "$T/ours.db" "$T/bad.db"
printf '\x5a\x5a\x5a\x5a' | dd of="$T/bad.db" bs=1 seek=9000 conv=notrunc 2>/dev/null
"$EM" snapshot status "$T/bad.db" >"$T/o" 2>"$T/e"
t_eq "corrupted: exit 1" 1 "$?"
t_eq "corrupted: one line with the reason" 1 "$(grep -c 'bad.db: ' "$T/e")"

# A save cut short: a big database, the member killed during the stream.
for i in $(seq 1 24); do
    head -c 700000 /dev/urandom | base64 -w0 | etcdctl --endpoints "$fep" put "/big/$i" >/dev/null
done
it_em_start "$T/o" "$T/e" snapshot save "$T/cut-short.db" --endpoints "$fep"
t_wait_for "the part file appears" 10 test -s "$T/cut-short.db.part"
cluster_pause "$f"
cluster_kill "$f"
wait "$EM_PID"
t_eq "killed member: exit 1" 1 "$?"
t_eq "killed member: one line" 1 "$(wc -l <"$T/e")"
t_assert "killed member: no FILE" test ! -e "$T/cut-short.db"
t_assert "killed member: no FILE.part" test ! -e "$T/cut-short.db.part"
t_done
