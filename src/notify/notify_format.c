/* notify_format.c — the text every channel builds its message from: times,
 * values with their unit, a title, the details block (value, threshold, since
 * when, cluster, description, troubleshooting hint), header-safe strings and
 * the stable dedup key (pure). */
#include "notify_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void notify_fmt_time(double wall, char *out, size_t n)
{
    time_t s = (time_t)floor(wall);
    int ms = (int)((wall - floor(wall)) * 1000.0);
    if (ms > 999)
        ms = 999;
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", base, ms);
}

void notify_fmt_value(const alert_t *a, double v, char *out, size_t n)
{
    char num[48];
    if (isnan(v))
        snprintf(num, sizeof num, "unknown");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(num, sizeof num, "%.0f", v);
    else
        snprintf(num, sizeof num, "%.3g", v);
    const char *u = a->unit;
    bool glue = u[0] == '%' || u[0] == '/';
    snprintf(out, n, "%s%s%s", num, u[0] && !glue ? " " : "", u);
}

const char *notify_kind_name(transition_kind_t k)
{
    return k == TRANS_FIRING ? "FIRING" : k == TRANS_RESOLVED ? "RESOLVED" : "PENDING";
}

const char *notify_sev_name(severity_t s)
{
    return s == SEV_CRITICAL ? "critical" : "warning";
}

void notify_fmt_title(const notify_event_t *e, char *out, size_t n)
{
    char v[64], t[64];
    notify_fmt_value(&e->alert, e->alert.value, v, sizeof v);
    notify_fmt_value(&e->alert, e->alert.threshold, t, sizeof t);
    snprintf(out, n, "%s on %s: value %s, threshold %s", e->alert.rule,
             e->alert.member[0] ? e->alert.member : "the cluster", v, t);
}

void notify_fmt_details(const notify_event_t *e, char *out, size_t n)
{
    char v[64], t[64], since[40], at[40];
    notify_fmt_value(&e->alert, e->alert.value, v, sizeof v);
    notify_fmt_value(&e->alert, e->alert.threshold, t, sizeof t);
    double s = e->alert.firing_since > 0 ? e->alert.firing_since : e->alert.active_since;
    notify_fmt_time(s > 0 ? s : e->t, since, sizeof since);
    notify_fmt_time(e->t, at, sizeof at);
    int w = snprintf(out, n,
                     "Rule: %s (%s)\nMember: %s\nValue: %s\nThreshold: %s\nSince: %s\n%s%s%s"
                     "Cluster: %s\n",
                     e->alert.rule, notify_sev_name(e->alert.severity),
                     e->alert.member[0] ? e->alert.member : "(cluster-wide)", v, t, since,
                     e->kind == TRANS_RESOLVED ? "Resolved: " : "",
                     e->kind == TRANS_RESOLVED ? at : "", e->kind == TRANS_RESOLVED ? "\n" : "",
                     e->cluster_id[0] ? e->cluster_id : "unknown");
    if (w < 0 || (size_t)w >= n)
        return;
    size_t used = (size_t)w;
    if (e->summary)
        used += (size_t)snprintf(out + used, n - used, "What: %s\n", e->summary);
    if (used < n && e->hint)
        snprintf(out + used, n - used, "Troubleshooting: %s\n", e->hint);
}

void notify_clean(const char *s, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return;
    for (; s && *s && o + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            out[o++] = ' ';
        else
            out[o++] = (char)c;
    }
    /* Do not end inside a UTF-8 sequence. */
    if (s && *s) {
        while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
            o--;
        if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
            o--;
    }
    out[o] = '\0';
}

void notify_dedup_key(const notify_event_t *e, char *out, size_t n)
{
    snprintf(out, n, "etcd-monitor/%s/%s/%s", e->cluster_id[0] ? e->cluster_id : "cluster",
             e->alert.rule, e->alert.member[0] ? e->alert.member : "-");
}
