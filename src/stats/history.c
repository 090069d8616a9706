/* history.c — reading the sparkline histories (see history.h). */
#include "history.h"

#include <string.h>

int history_copy(const history_set_t *h, const char *member, history_fig_t fig, double *out,
                 int max)
{
    if (!h || fig < 0 || fig >= HIST_COUNT)
        return 0;
    for (int i = 0; i < CLUSTER_MAX_MEMBERS; i++) {
        const member_history_t *mh = &h->m[i];
        if (!mh->used || strcmp(mh->name, member) != 0)
            continue;
        int n = mh->n < max ? mh->n : max;
        int start = (mh->head - n + STATS_HISTORY) % STATS_HISTORY;
        for (int k = 0; k < n; k++)
            out[k] = mh->v[fig][(start + k) % STATS_HISTORY];
        return n;
    }
    return 0;
}
