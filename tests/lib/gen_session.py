#!/usr/bin/env python3
"""gen_session.py DIR [POLLS] [MEMBERS] — write a synthetic recorded session
(metrics.csv, members.csv, alerts.log, monitoring.log) with the columns of
src/out/csvrow.c: POLLS polls at 1 s (default 86,400 = 24 h) of MEMBERS members."""
import os, sys, time

METRICS = ("timestamp,db_size_mb,fragmentation_pct,leader_changes,slow_ops,wal_latency_ms,"
           "backend_latency_ms,status,members_up,members_total,leader_id,leader_name,raft_term,"
           "alarms,alerts,alert_events,poll_ms,bench_ops_per_s,bench_p99_ms\n")
MEMBERS_COLS = 56

def ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t))) + ".%03dZ" % int(round((t % 1) * 1000))

def main():
    d = sys.argv[1]
    polls = int(sys.argv[2]) if len(sys.argv) > 2 else 86400
    nm = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    os.makedirs(d, exist_ok=True)
    hdr = open(os.path.join(os.path.dirname(__file__), "../../src/out/csvrow.c")).read()
    start = hdr.index("CSVROW_MEMBERS_HEADER[] =")
    body = hdr[start:hdr.index(";", start)]
    members_hdr = "".join(p.split('"')[1] for p in body.split("\n")[1:]).replace("\\n", "\n")
    t0 = 1765000000.0
    with open(os.path.join(d, "metrics.csv"), "w") as fm, open(os.path.join(d, "members.csv"), "w") as fb:
        fm.write(METRICS)
        fb.write(members_hdr)
        for i in range(polls):
            s = ts(t0 + i + 0.044)
            fm.write("%s,%.2f,1.50,0,0,2.100,5.300,HEALTHY,%d,%d,000000000000b5d5,m1,2,,,,9.3,,\n"
                     % (s, 20 + i / 10000.0, nm, nm))
            for m in range(nm):
                f = [s, "m%d" % (m + 1), "http://127.0.0.1:%d" % (2379 + m), "1", "",
                     "1" if m == 0 else "0", "000000000000b5d5", "2", str(1000 + i), str(1000 + i),
                     str(20000000 + i), str(19000000 + i), "1.50", "2147483648", "1",
                     str(500 + i), str(500 + i), "0", "0", "1.000", "2.000", "2.100", "3.000",
                     "4.000", "5.300", "0.800", "52428800", "80", "%016x" % (0xb5d5 + m), "0",
                     "1", "3.5.0", "0", "0", "0", "%.2f" % (i / 100.0), "0", "1.000", "1.200",
                     "", "0", "0", "0.930", "2.100", "5.300", "0.800", "1.200", "", "0.000",
                     "0.000000", "0.000000", "3600", "inf", "", "", ""]
                assert len(f) == MEMBERS_COLS
                fb.write(",".join(f) + "\n")
    with open(os.path.join(d, "alerts.log"), "w") as fa:
        fa.write("%s FIRING warning MemberUnreachable member=m3 value=1 threshold=0 unit=-\n" % ts(t0 + 100.044))
        fa.write("%s RESOLVED warning MemberUnreachable member=m3 value=0 threshold=0 unit=-\n" % ts(t0 + 200.044))
    with open(os.path.join(d, "monitoring.log"), "w") as fl:
        fl.write("%s etcd-monitor started: %d endpoint(s), interval 1s\n" % (ts(t0 + 0.044), nm))

main()
