/* history.c — the multi-resolution figure histories (see history.h): a ring
 * of every poll, and rings of 10 s and 60 s min/avg/max aggregates. */
#include "history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int tier_step[HIST_TIERS - 1] = { HIST_MID_STEP_S, HIST_COARSE_STEP_S };
static const int tier_cap[HIST_TIERS - 1] = { HIST_MID_CAP, HIST_COARSE_CAP };

static void acc_reset(hist_acc_t *a)
{
    a->sum = 0;
    a->n = 0;
    a->min = INFINITY;
    a->max = -INFINITY;
}

static void tier_free(hist_tier_t *t)
{
    free(t->t);
    free(t->v);
    t->t = NULL;
    t->v = NULL;
}

static void member_free(member_history_t *mh)
{
    if (!mh)
        return;
    for (int i = 0; i < HIST_TIERS - 1; i++)
        tier_free(&mh->tier[i]);
    free(mh);
}

member_history_t *history_member(history_set_t *h, const char *name)
{
    member_history_t **free_slot = NULL;
    for (int i = 0; i < CLUSTER_MAX_MEMBERS; i++) {
        if (h->m[i] && strcmp(h->m[i]->name, name) == 0)
            return h->m[i];
        if (!h->m[i] && !free_slot)
            free_slot = &h->m[i];
    }
    if (!free_slot)
        return NULL;
    member_history_t *mh = calloc(1, sizeof *mh);
    if (!mh)
        return NULL;
    size_t len = strlen(name);
    if (len >= sizeof mh->name)
        len = sizeof mh->name - 1;
    memcpy(mh->name, name, len);
    for (int i = 0; i < HIST_TIERS - 1; i++) {
        hist_tier_t *t = &mh->tier[i];
        t->step_s = tier_step[i];
        t->cap = tier_cap[i];
        t->acc_t = NAN;
        t->t = calloc((size_t)t->cap, sizeof *t->t);
        t->v = calloc((size_t)t->cap * HIST_COUNT * 3, sizeof *t->v);
        if (!t->t || !t->v) {
            member_free(mh);
            return NULL;
        }
        for (int f = 0; f < HIST_COUNT; f++)
            acc_reset(&t->acc[f]);
    }
    *free_slot = mh;
    return mh;
}

void history_release(history_set_t *h, const char *name)
{
    for (int i = 0; i < CLUSTER_MAX_MEMBERS; i++)
        if (h->m[i] && strcmp(h->m[i]->name, name) == 0) {
            member_free(h->m[i]);
            h->m[i] = NULL;
        }
}

void history_free(history_set_t *h)
{
    for (int i = 0; i < CLUSTER_MAX_MEMBERS; i++) {
        member_free(h->m[i]);
        h->m[i] = NULL;
    }
}

static float *tier_slot(const hist_tier_t *t, int fig, int slot)
{
    return &t->v[((size_t)fig * (size_t)t->cap + (size_t)slot) * 3];
}

/* Close the step being filled: its aggregates become the ring's newest slot. */
static void tier_seal(hist_tier_t *t)
{
    if (isnan(t->acc_t))
        return;
    t->t[t->head] = t->acc_t;
    for (int f = 0; f < HIST_COUNT; f++) {
        hist_acc_t *a = &t->acc[f];
        float *s = tier_slot(t, f, t->head);
        s[0] = a->n ? (float)a->min : NAN;
        s[1] = a->n ? (float)(a->sum / a->n) : NAN;
        s[2] = a->n ? (float)a->max : NAN;
        acc_reset(a);
    }
    t->head = (t->head + 1) % t->cap;
    if (t->n < t->cap)
        t->n++;
    t->acc_t = NAN;
}

/* Add one poll to a tier's current step (sealing the previous one first). */
static void tier_add(hist_tier_t *t, double at, const double v[HIST_COUNT])
{
    double start = floor(at / t->step_s) * t->step_s;
    if (!isnan(t->acc_t) && start != t->acc_t)
        tier_seal(t);
    t->acc_t = start;
    for (int f = 0; f < HIST_COUNT; f++) {
        if (!isfinite(v[f]))
            continue;
        hist_acc_t *a = &t->acc[f];
        a->sum += v[f];
        a->min = v[f] < a->min ? v[f] : a->min;
        a->max = v[f] > a->max ? v[f] : a->max;
        a->n++;
    }
}

void history_push(member_history_t *mh, double t, const double v[HIST_COUNT])
{
    mh->t[mh->head] = t;
    for (int f = 0; f < HIST_COUNT; f++)
        mh->v[f][mh->head] = (float)v[f];
    mh->head = (mh->head + 1) % HIST_FINE_CAP;
    if (mh->n < HIST_FINE_CAP)
        mh->n++;
    for (int i = 0; i < HIST_TIERS - 1; i++)
        tier_add(&mh->tier[i], t, v);
}

static const member_history_t *find(const history_set_t *h, const char *member)
{
    if (!h || !member)
        return NULL;
    for (int i = 0; i < CLUSTER_MAX_MEMBERS; i++)
        if (h->m[i] && strcmp(h->m[i]->name, member) == 0)
            return h->m[i];
    return NULL;
}

int history_copy(const history_set_t *h, const char *member, history_fig_t fig, double *out,
                 int max)
{
    return history_copy_until(h, member, fig, INFINITY, out, max);
}

int history_copy_until(const history_set_t *h, const char *member, history_fig_t fig,
                       double until, double *out, int max)
{
    const member_history_t *mh = find(h, member);
    if (!mh || fig < 0 || fig >= HIST_COUNT || max <= 0)
        return 0;
    int skip = 0;                      /* the newest polls after until */
    while (skip < mh->n && mh->t[(mh->head - 1 - skip + HIST_FINE_CAP) % HIST_FINE_CAP] > until)
        skip++;
    int n = mh->n - skip < max ? mh->n - skip : max;
    int start = (mh->head - skip - n + 2 * HIST_FINE_CAP) % HIST_FINE_CAP;
    for (int k = 0; k < n; k++)
        out[k] = mh->v[fig][(start + k) % HIST_FINE_CAP];
    return n;
}

/* Points are gathered newest first into the tail of out (at most max); this
 * moves the n gathered to the front, oldest first. */
static int gather_done(hist_point_t *out, int n, int max)
{
    memmove(out, out + (max - n), (size_t)n * sizeof *out);
    return n;
}

/* The oldest time a tier holds (its step being filled when the ring is empty). */
static double tier_oldest(const hist_tier_t *t)
{
    if (t->n == 0)
        return t->acc_t;
    return t->t[(t->head - t->n + t->cap) % t->cap];
}

static int range_tier(const hist_tier_t *t, int fig, double from, double to, hist_point_t *out,
                      int max)
{
    int n = 0;
    const hist_acc_t *a = &t->acc[fig];
    if (!isnan(t->acc_t) && t->acc_t + t->step_s > from && t->acc_t <= to) {
        hist_point_t p = { t->acc_t, NAN, NAN, NAN };
        if (a->n)
            p = (hist_point_t){ t->acc_t, a->min, a->sum / a->n, a->max };
        out[max - ++n] = p;
    }
    for (int k = t->n - 1; k >= 0 && n < max; k--) {
        int slot = (t->head - t->n + k + t->cap) % t->cap;
        double at = t->t[slot];
        if (at + t->step_s <= from)
            break;
        if (at > to)
            continue;
        const float *s = tier_slot(t, fig, slot);
        out[max - ++n] = (hist_point_t){ at, s[0], s[1], s[2] };
    }
    return gather_done(out, n, max);
}

int history_range(const history_set_t *h, const char *member, history_fig_t fig, double from,
                  double to, hist_point_t *out, int max, int *step_s)
{
    const member_history_t *mh = find(h, member);
    *step_s = 0;
    if (!mh || fig < 0 || fig >= HIST_COUNT || max <= 0 || mh->n == 0)
        return 0;
    double fine_oldest = mh->t[(mh->head - mh->n + HIST_FINE_CAP) % HIST_FINE_CAP];
    if (fine_oldest <= from || mh->n < HIST_FINE_CAP) {
        int n = 0;
        for (int k = mh->n - 1; k >= 0 && n < max; k--) {
            int slot = (mh->head - mh->n + k + HIST_FINE_CAP) % HIST_FINE_CAP;
            double at = mh->t[slot], v = mh->v[fig][slot];
            if (at < from)
                break;
            if (at <= to)
                out[max - ++n] = (hist_point_t){ at, v, v, v };
        }
        return gather_done(out, n, max);
    }
    int i = 0;
    while (i < HIST_TIERS - 2 && !(tier_oldest(&mh->tier[i]) <= from))
        i++;
    *step_s = mh->tier[i].step_s;
    return range_tier(&mh->tier[i], fig, from, to, out, max);
}

size_t history_bytes(const history_set_t *h)
{
    size_t b = 0;
    for (int i = 0; i < CLUSTER_MAX_MEMBERS; i++) {
        if (!h->m[i])
            continue;
        b += sizeof *h->m[i];
        for (int k = 0; k < HIST_TIERS - 1; k++)
            b += (size_t)h->m[i]->tier[k].cap * (sizeof(double) + HIST_COUNT * 3 * sizeof(float));
    }
    return b;
}
