/* cluster_status.c — an example of the etcd-monitor C library: poll a cluster
 * (a few times, so the windowed figures have data), then print one line per
 * member and the alerts. Takes etcd-monitor's own options, e.g.
 *
 *   cluster_status --endpoints http://127.0.0.1:2379 --interval 1 --polls 3
 *
 * Build: cc cluster_status.c $(pkg-config --cflags --libs etcd-monitor)
 * Exit status: the cluster's (0 healthy, 1 warning, 2 critical), 3 on error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <etcd_monitor.h>

static void on_poll(em_monitor_t *m, void *ctx)
{
    int *left = ctx;
    if (--*left <= 0)
        em_stop(m);
}

int main(int argc, char **argv)
{
    int polls = 1;
    /* --polls N is ours; every other argument goes to the library as is. */
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--polls") == 0) {
            polls = atoi(argv[i + 1]);
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 2) * sizeof(argv[0]));
            argc -= 2;
            break;
        }
    char err[512];
    em_monitor_t *m = em_open(argc, argv, err, sizeof err);
    if (!m) {
        fprintf(stderr, "cluster_status: %s\n", err);
        return 3;
    }
    int left = polls > 0 ? polls : 1;
    em_run(m, 0, on_poll, &left);
    em_cluster_t c;
    if (em_cluster(m, &c) != 0) {
        fprintf(stderr, "cluster_status: no poll completed\n");
        em_close(m);
        return 3;
    }
    printf("%s: %d/%d members up, quorum %s, leader %s, term %llu, status %d\n", em_version(),
           c.members_up, c.members_total, c.has_quorum ? "yes" : "no",
           c.leader_name[0] ? c.leader_name : "none", (unsigned long long)c.raft_term, c.status);
    for (int i = 0; i < em_member_count(m); i++) {
        em_member_t mb;
        if (em_member(m, i, &mb) != 0)
            continue;
        printf("member %s %s %s%s db=%.0f raft_index=%llu read_ms=%.3f%s%s\n", mb.name,
               mb.endpoint, mb.up ? "up" : "down", mb.is_leader ? " leader" : "",
               isnan(mb.db_size_bytes) ? -1.0 : mb.db_size_bytes,
               (unsigned long long)mb.raft_index, isnan(mb.read_probe_ms) ? -1.0 : mb.read_probe_ms,
               mb.error[0] ? " error=" : "", mb.error);
    }
    em_alert_t alerts[64];
    int n = em_alerts(m, alerts, 64);
    for (int i = 0; i < n; i++)
        printf("alert %s %s %s%s%s\n", alerts[i].firing ? "firing" : "pending", alerts[i].rule,
               alerts[i].severity == 2 ? "critical" : "warning", alerts[i].member[0] ? " " : "",
               alerts[i].member);
    em_close(m);
    return c.status;
}
