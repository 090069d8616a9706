/* delivery.h — alert delivery's live state as plain data (no pointers), for
 * the outputs that show it (the dashboard): each channel's queue depth,
 * failures and drops, and the silences in force. The notify output fills it;
 * the monitor hands it to the other outputs as const (poll_view_t.delivery).
 * Silences are asked for through output_ctl_t (output.h), never by writing
 * here. */
#ifndef EM_DELIVERY_H
#define EM_DELIVERY_H

#include <stdbool.h>

#define DELIVERY_MAX_CHANNELS 16
#define DELIVERY_MAX_SILENCES 64
#define DELIVERY_UI_SILENCE_S 3600.0     /* a silence from the dashboard: 1 h */

typedef struct {
    char label[160];               /* "webhook (127.0.0.1:9093)": type and host only */
    int  queued;                   /* waiting or in flight */
    int  cap;                      /* queue size */
    long sent, retried, failed, dropped, suppressed;
} delivery_chan_t;

typedef struct {
    char   rule[48];
    char   member[64];             /* "" = every member */
    double until;                  /* wall time it ends */
    bool   from_ui;                /* set from the dashboard (else --silence) */
} delivery_silence_t;

typedef struct {
    unsigned long      gen;        /* changes whenever anything below does */
    int                n;
    delivery_chan_t    ch[DELIVERY_MAX_CHANNELS];
    int                n_silences;
    delivery_silence_t silences[DELIVERY_MAX_SILENCES];
    long               silenced;   /* transitions not delivered because of a silence */
} delivery_status_t;

/* The latest end (wall) of the silences covering rule@member at now, or 0 when
 * none does (member "" = a cluster-wide alert). */
double delivery_silenced_until(const delivery_status_t *d, const char *rule,
                               const char *member, double now);

#endif
