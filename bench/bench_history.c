/* bench_history.c — memory and CPU of the dashboard's figure histories
 * (history.c): 5 members fed one poll a second for 24 h (86,400 polls of
 * every figure), straight into history_push() as the stats engine does each
 * poll. Prints the bytes allocated (history_bytes), the process RSS before
 * and after, and the CPU per push and per 24 h graph read (history_range). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_proc.h"

#include "history.h"

#define MEMBERS 5

int main(void)
{
    const char *env = getenv("BENCH_HISTORY_HOURS");
    int hours = env ? atoi(env) : 24;
    long polls = (long)(hours > 0 ? hours : 24) * 3600;
    static history_set_t h;
    long rss0 = rss_kb();
    member_history_t *mh[MEMBERS];
    char name[MEMBERS][16];
    for (int m = 0; m < MEMBERS; m++) {
        snprintf(name[m], sizeof name[m], "member-%d", m);
        if (!(mh[m] = history_member(&h, name[m]))) {
            fprintf(stderr, "bench-history: out of memory\n");
            return 1;
        }
    }
    double t0 = 1700000000.0, v[HIST_COUNT], c0 = cpu_s();
    for (long k = 0; k < polls; k++)
        for (int m = 0; m < MEMBERS; m++) {
            for (int f = 0; f < HIST_COUNT; f++)
                v[f] = k % 97 == 0 ? NAN : 10.0 + sin((double)k * 0.01 + f + m) * 5.0;
            history_push(mh[m], t0 + (double)k, v);
        }
    double c1 = cpu_s();
    static hist_point_t p[HIST_COARSE_CAP + 1];
    int step = 0, n = 0;
    double now = t0 + (double)(polls - 1);
    for (int m = 0; m < MEMBERS; m++)
        for (int f = 0; f < HIST_COUNT; f++)
            n = history_range(&h, name[m], (history_fig_t)f, now - 86400, now, p,
                              HIST_COARSE_CAP + 1, &step);
    double c2 = cpu_s();
    long rss1 = rss_kb();
    printf("history: %d members x %ld polls (%d h at 1 s), %d figures each\n", MEMBERS, polls,
           (int)(polls / 3600), HIST_COUNT);
    printf("allocated: %.1f MiB (%.0f KiB per member), RSS %.1f MiB -> %.1f MiB (+%.1f MiB)\n",
           history_bytes(&h) / 1048576.0, history_bytes(&h) / 1024.0 / MEMBERS, rss0 / 1024.0,
           rss1 / 1024.0, (rss1 - rss0) / 1024.0);
    printf("cpu: %.2f us per member push, %.1f us per 24 h graph read (%d points of %d s)\n",
           (c1 - c0) * 1e6 / (double)(polls * MEMBERS), (c2 - c1) * 1e6 / (MEMBERS * HIST_COUNT),
           n, step);
    history_free(&h);
    return 0;
}
