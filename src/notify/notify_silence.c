/* notify_silence.c — the silence table of the live status (delivery.h): the
 * dashboard's toggle adds a silence for one alert, or lifts the silences that
 * cover it (its own and --silence ones alike). Pure: no logging, no clock. */
#include "notify_internal.h"

#include <stdio.h>
#include <string.h>

/* Does silence s cover rule@member at now? */
static bool silence_covers(const delivery_silence_t *s, const char *rule, const char *member,
                           double now)
{
    return now < s->until && strcmp(s->rule, rule) == 0 &&
           (!s->member[0] || strcmp(s->member, member) == 0);
}

int notify_silence_toggle(delivery_status_t *d, const output_ctl_t *ctl, double now,
                          char *reply, size_t n)
{
    const char *at = ctl->member[0] ? "@" : "";
    int lifted = 0;
    for (int i = 0; i < d->n_silences; i++)
        if (silence_covers(&d->silences[i], ctl->rule, ctl->member, now)) {
            d->silences[i].until = now;          /* ended: kept until its slot is reused */
            lifted++;
        }
    if (lifted) {
        snprintf(reply, n, "silence of %s%s%s lifted", ctl->rule, at, ctl->member);
        d->gen++;
        return 1;
    }
    int slot = -1;
    for (int i = 0; i < d->n_silences && slot < 0; i++)
        if (d->silences[i].until <= now)
            slot = i;
    if (slot < 0 && d->n_silences < DELIVERY_MAX_SILENCES)
        slot = d->n_silences++;
    if (slot < 0) {
        snprintf(reply, n, "too many silences (%d): %s%s%s not silenced",
                 DELIVERY_MAX_SILENCES, ctl->rule, at, ctl->member);
        return -1;
    }
    delivery_silence_t *s = &d->silences[slot];
    memset(s, 0, sizeof *s);
    snprintf(s->rule, sizeof s->rule, "%s", ctl->rule);
    snprintf(s->member, sizeof s->member, "%s", ctl->member);
    s->until = now + ctl->seconds;
    s->from_ui = true;
    snprintf(reply, n, "%s%s%s silenced for %.0f s", ctl->rule, at, ctl->member, ctl->seconds);
    d->gen++;
    return 1;
}
