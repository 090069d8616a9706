/* delivery.c — the one silence test (see delivery.h): the notify output uses
 * it to hold notifications back, the dashboard to show "silenced". */
#include "delivery.h"

#include <string.h>

double delivery_silenced_until(const delivery_status_t *d, const char *rule,
                               const char *member, double now)
{
    double until = 0;
    for (int i = 0; d && i < d->n_silences && i < DELIVERY_MAX_SILENCES; i++) {
        const delivery_silence_t *s = &d->silences[i];
        if (now < s->until && strcmp(s->rule, rule) == 0 &&
            (!s->member[0] || strcmp(s->member, member) == 0) && s->until > until)
            until = s->until;
    }
    return until;
}
