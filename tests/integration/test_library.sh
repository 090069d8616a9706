#!/usr/bin/env bash
# The C library (libetcdmonitor.a, include/etcd_monitor.h): the example program
# built by `make` against a real 3-member cluster, and the installed library
# found through pkg-config and linked by a plain cc command line.
. "$(dirname "$0")/../lib/itest.sh"
it_cluster 3
EX=$T_ROOT/build/examples/cluster_status
t_assert "the example is built (make examples)" test -x "$EX"

"$EX" --endpoints "$M1_ENDPOINT" --interval 1 --polls 3 >"$T/out" 2>"$T/err"
t_eq "healthy cluster: exit 0" 0 "$?"
t_assert "3/3 members up with quorum" grep -q '3/3 members up, quorum yes' "$T/out"
t_eq "three member lines, discovered from one endpoint" 3 "$(grep -c '^member ' "$T/out")"
t_eq "exactly one leader" 1 "$(grep -c '^member .* up leader ' "$T/out")"
leader=$(cluster_leader)
t_assert "the leader is the cluster's (m$leader)" grep -q "^member m$leader .* up leader " "$T/out"
term=$(ETCDCTL_API=3 etcdctl --endpoints="$CLUSTER_ENDPOINTS" endpoint status -w json |
       python3 -c 'import json,sys; print(max(e["Status"]["header"]["raft_term"] for e in json.load(sys.stdin)))')
t_assert "the raft term is etcdctl's ($term)" grep -q "term $term, status 0" "$T/out"
t_eq "no member reports an error" 0 "$(grep -c 'error=' "$T/out")"
t_eq "every member has a read latency" 0 "$(grep -c 'read_ms=-1' "$T/out")"
t_eq "nothing on stderr" "" "$(cat "$T/err")"

"$EX" --endpoints "$M1_ENDPOINT" --interval nonsense >"$T/out2" 2>"$T/err2"
t_eq "a bad option: the example's error exit" 3 "$?"
t_assert "... with the library's one-line reason naming the flag" grep -q -- '--interval' "$T/err2"

# Installed: headers, archive and .pc; a plain cc line through pkg-config.
make -s -C "$T_ROOT" install DESTDIR="$T/inst" PREFIX=/usr >"$T/install.out" 2>&1
t_eq "make install DESTDIR=... succeeds" 0 "$?"
t_assert "etcd_monitor.h installed" test -f "$T/inst/usr/include/etcd_monitor.h"
t_assert "libetcdmonitor.a installed" test -f "$T/inst/usr/lib/libetcdmonitor.a"
flags=$(PKG_CONFIG_SYSROOT_DIR="$T/inst" PKG_CONFIG_PATH="$T/inst/usr/lib/pkgconfig" \
        pkg-config --cflags --libs etcd-monitor)
t_assert "pkg-config knows etcd-monitor" test -n "$flags"
# shellcheck disable=SC2086  # flags are words on purpose
cc -std=c11 -Wall -Werror -o "$T/ex" "$T_ROOT/examples/cluster_status.c" $flags 2>"$T/cc.err"
t_eq "the example builds against the installed library" 0 "$?"
cluster_kill 3
"$T/ex" --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --polls 2 >"$T/out3" 2>&1
t_eq "a member down: exit 1 (warning)" 1 "$?"
t_assert "2/3 members up" grep -q '2/3 members up, quorum yes' "$T/out3"
t_assert "the down member names its reason" grep -q '^member m3 .* down .*error=connection refused' "$T/out3"
t_assert "MemberUnreachable fires for it" grep -q '^alert firing MemberUnreachable warning m3' "$T/out3"
t_done
