#!/usr/bin/env bash
# Scheduled backups in monitor mode against a real 3-member cluster:
# --backup-interval 2s --backup-keep 2 over about 9 s leaves exactly 2
# etcd-snapshot-*.db files (no .part), each read by etcdctl snapshot status,
# with a monitoring.log line per backup; a backup directory that cannot be
# written makes BackupFailed fire (alerts.log).
. "$(dirname "$0")/../lib/itest.sh"

it_cluster 3
for i in $(seq 1 20); do etcdctl --endpoints "$M1_ENDPOINT" put "/bk/$i" "value $i" >/dev/null; done

mkdir -p "$T/bk"
touch "$T/bk/etcd-snapshot-notes.txt" "$T/bk/other.db"     # not ours: left alone
touch "$T/afile"
it_em_start "$T/good.out" "$T/good.err" --headless --workdir "$T/good" --interval 1 \
    --duration 9s --endpoints "$CLUSTER_ENDPOINTS" \
    --backup-dir "$T/bk" --backup-interval 2s --backup-keep 2
good=$EM_PID
it_em_start "$T/bad.out" "$T/bad.err" --headless --workdir "$T/bad" --interval 1 \
    --duration 5s --endpoints "$CLUSTER_ENDPOINTS" \
    --backup-dir "$T/afile/sub" --backup-interval 2s
bad=$EM_PID
wait "$good"
wait "$bad"

mapfile -t files < <(cd "$T/bk" && ls etcd-snapshot-*.db 2>/dev/null)
t_eq "exactly 2 backups kept" 2 "${#files[@]}"
for f in "${files[@]}"; do
    t_assert "$f: named by its RFC 3339 time" \
        bash -c "[[ '$f' =~ ^etcd-snapshot-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\.db$ ]]"
    t_assert "$f: etcdctl snapshot status reads it" \
        etcdctl snapshot status -w json "$T/bk/$f"
done
t_eq "no .part left" "" "$(ls "$T/bk" | grep '\.part$')"
t_assert "other files left alone" test -e "$T/bk/other.db" -a -e "$T/bk/etcd-snapshot-notes.txt"
saved=$(grep -c 'backup saved: .*etcd-snapshot-.*\.db ([0-9]* bytes, revision [0-9]*, [0-9.]* s' \
    "$T/good/monitoring.log")
t_assert "a monitoring.log line per backup (4 or 5 in 9 s: $saved)" test "$saved" -ge 4 -a "$saved" -le 5
t_eq "older backups deleted (logged)" "$((saved - 2))" \
    "$(grep -o '; [0-9]* older deleted' "$T/good/monitoring.log" | awk '{s+=$2} END {print s+0}')"
t_assert "no BackupFailed while backups work" bash -c "! grep -q BackupFailed '$T/good/alerts.log'"

t_assert "unwritable dir: backup failed in monitoring.log" \
    grep -q 'backup failed: cannot create .*afile/sub' "$T/bad/monitoring.log"
t_assert "unwritable dir: BackupFailed fires (critical)" \
    grep -q ' FIRING critical BackupFailed ' "$T/bad/alerts.log"
t_done
