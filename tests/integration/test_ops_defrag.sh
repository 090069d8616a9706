#!/usr/bin/env bash
# defrag and move-leader on a real 3-member cluster: after many keys written
# and deleted, --dry-run prints the plan (leader last) and changes nothing;
# the rolling defrag --cluster shrinks every member's db, followers first and
# the leader last; move-leader hands the leadership to a follower (by name,
# then back by id); with a member down defrag is refused unless --force.
. "$(dirname "$0")/../lib/itest.sh"

it_cluster 3
em() { "$EM" "$@" --endpoints "$CLUSTER_ENDPOINTS"; }
name_of() { echo "m$1"; }

"$EM" benchmark --endpoints "$CLUSTER_ENDPOINTS" --value-size 8k --key-space 1500 --ops 1500 \
    --clients 8 --yes >/dev/null 2>&1   # written, then deleted at its end
"$EM" compact --endpoints "$CLUSTER_ENDPOINTS" --yes --physical >/dev/null
t_eq "compact --physical: exit 0" 0 "$?"
ld=$(name_of "$(cluster_leader)")

em defrag --cluster --dry-run >"$T/o" 2>"$T/e"
t_eq "--dry-run: exit 0 (no --yes needed)" 0 "$?"
t_eq "--dry-run: the leader last" "$ld leader" "$(awk 'NR == 4 { print $2, $3 }' "$T/o")"
t_assert "--dry-run: the margin" grep -qx 'margin: 1 member to spare' "$T/o"

em defrag --cluster --yes -w json >"$T/j" 2>"$T/e"
t_eq "defrag --cluster: exit 0" 0 "$?" || cat "$T/e"
t_eq "defrag --cluster: three members" 3 "$(jq '.members | length' "$T/j")"
t_eq "defrag --cluster: the leader last" "$ld leader" "$(jq -r '.members[2] | "\(.member) \(.role)"' "$T/j")"
t_eq "defrag --cluster: followers first" "follower follower" "$(jq -r '[.members[0,1].role] | join(" ")' "$T/j")"
t_eq "every member's db shrank" "true" "$(jq '[.members[] | .result == "ok" and .dbSizeAfter < .dbSizeBefore] | all' "$T/j")"
t_eq "fragmentation down on every member" "true" "$(jq '[.members[] | .fragmentationAfter < .fragmentationBefore] | all' "$T/j")"
em defrag --cluster --yes >"$T/o"
t_eq "table: a line per member, the leader last" "$ld" "$(tail -1 "$T/o" | awk '{ print $1 }')"

# move-leader: to a follower by name, then back by its id.
l0=$(cluster_leader)
f=$((l0 % 3 + 1))
em move-leader "m$f" --yes >"$T/o" 2>"$T/e"
t_eq "move-leader: exit 0" 0 "$?" || cat "$T/e"
t_eq "move-leader: the line" "leadership moved from m$l0 to m$f" "$(sed 's/ (term [0-9]*)$//' "$T/o")"
t_eq "cluster_leader changed" "$f" "$(cluster_leader)"
id=$(etcdctl --endpoints "$CLUSTER_ENDPOINTS" member list | awk -F', ' -v n="m$l0" '$3 == n { print $1 }')
em move-leader "$id" --yes -w json >"$T/j"
t_eq "move-leader by hex id: back" "m$f m$l0" "$(jq -r '"\(.from) \(.to)"' "$T/j")"
t_eq "cluster_leader back" "$l0" "$(cluster_leader)"
em move-leader nobody --yes >/dev/null 2>&1
t_eq "move-leader to an unknown member: exit 1" 1 "$?"

# A member down: no margin.
down=$((l0 % 3 + 1))
cluster_kill "$down"
em defrag --cluster --yes >"$T/o" 2>"$T/e"
t_eq "member down: refused, exit 1" 1 "$?"
t_assert "member down: says why and --force" grep -q 'no member to spare.*--force' "$T/e"
t_eq "member down: nothing defragmented" "" "$(cat "$T/o")"
em defrag --cluster --yes --force >"$T/o" 2>"$T/e"
t_eq "member down, --force: exit 0" 0 "$?" || cat "$T/e"
t_eq "--force: the two up members" 2 "$(grep -c ' ok$' "$T/o")"
t_assert "--force: the down one skipped" grep -qE "^m$down +- +skipped: down$" "$T/o"
t_done
