/* session_read.c — a recorded session indexed for replay: one pass over each
 * CSV (stdio, so memory stays the index, not the file) keeping per row its
 * time, offset and length; alerts.log and monitoring.log read whole as lines
 * with their times, merged into one timeline. Bad rows are counted, skipped. */
#include "session_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "csvrow.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *p, int n, long *out)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

bool session_parse_time(const char *p, size_t n, double *out)
{
    long y, mo, d, h, mi, s, ms = 0;
    if (n < 20 || !digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
        !digits(p + 8, 2, &d) || p[10] != 'T' || !digits(p + 11, 2, &h) || p[13] != ':' ||
        !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &s))
        return false;
    size_t k = 19;
    if (p[k] == '.') {
        if (n < 24 || !digits(p + 20, 3, &ms))
            return false;
        k = 23;
    }
    if (k >= n || p[k] != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        s > 60)
        return false;
    *out = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) + ms / 1000.0;
    return true;
}

/* Fields of a CSV line (quotes respected), -1 when a quote is left open. */
static int count_fields(const char *p, size_t n)
{
    int f = 1;
    bool q = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            q = !q;
        else if (p[i] == ',' && !q)
            f++;
    }
    return q ? -1 : f;
}

static bool grow(void **p, long *cap, long need, size_t size)
{
    if (need <= *cap)
        return true;
    long c = *cap ? *cap * 2 : 4096;
    while (c < need)
        c *= 2;
    void *np = realloc(*p, (size_t)c * size);
    if (!np)
        return false;
    *p = np;
    *cap = c;
    return true;
}

/* Index one CSV: rows whose field count matches the header, whose timestamp
 * reads and does not go back. -1 with err when the file cannot be used. */
static int index_csv(const char *path, const char *header, int *fields, session_row_t **rows,
                     long *n, long *skipped, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len = getline(&line, &lcap, f);
    size_t hlen = strlen(header);
    if (len != (ssize_t)hlen || memcmp(line, header, hlen) != 0) {
        snprintf(err, errlen, "%s: not an etcd-monitor session file (unexpected header)", path);
        free(line);
        fclose(f);
        return -1;
    }
    *fields = count_fields(header, hlen - 1);
    uint64_t off = (uint64_t)len;
    long cap = 0;
    double last = -1e300;
    while ((len = getline(&line, &lcap, f)) > 0) {
        uint64_t at = off;
        off += (uint64_t)len;
        double t;
        bool whole = line[len - 1] == '\n';
        size_t body = (size_t)len - (whole ? 1 : 0);
        if (!whole || body > CSVROW_MAX || count_fields(line, body) != *fields ||
            !session_parse_time(line, body, &t) || t < last) {
            (*skipped)++;
            continue;
        }
        if (!grow((void **)rows, &cap, *n + 1, sizeof **rows)) {
            snprintf(err, errlen, "out of memory indexing %s", path);
            free(line);
            fclose(f);
            return -1;
        }
        (*rows)[(*n)++] = (session_row_t){ t, at, (uint32_t)body };
        last = t;
    }
    bool bad = ferror(f);
    free(line);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    return 0;
}

/* A whole small file, NUL-terminated; NULL (and *n = 0) when absent. */
static char *slurp(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 65536, len = 0;
    char *b = malloc(cap);
    while (b) {
        size_t r = fread(b + len, 1, cap - len - 1, f);
        len += r;
        if (len + 1 < cap)
            break;
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    if (b) {
        b[len] = '\0';
        *n = len;
    }
    return b;
}

/* "TS rest": the time, the rest's start; false when the line has no time. */
static bool line_time(const char *l, double *t, const char **rest)
{
    size_t n = strcspn(l, " ");
    if (!session_parse_time(l, n, t) || l[n] != ' ')
        return false;
    *rest = l + n + 1;
    return true;
}

static int event_cmp(const void *a, const void *b)
{
    const session_event_t *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;   /* stable: log text first */
}

/* alerts.log and monitoring.log into s->alerts and one timeline s->events. */
static int load_logs(session_t *s, const char *dir)
{
    char path[4096];
    size_t na, nl;
    snprintf(path, sizeof path, "%s/alerts.log", dir);
    s->alerts_text = slurp(path, &na);
    snprintf(path, sizeof path, "%s/monitoring.log", dir);
    s->log_text = slurp(path, &nl);
    long lines = 0;
    for (size_t i = 0; i < na; i++)
        lines += s->alerts_text[i] == '\n';
    for (size_t i = 0; i < nl; i++)
        lines += s->log_text[i] == '\n';
    lines += 2;
    s->alerts = calloc((size_t)lines, sizeof *s->alerts);
    s->events = calloc((size_t)lines, sizeof *s->events);
    /* log text first in memory (so it sorts first at equal times) */
    s->event_text = malloc(nl + na + 40 * (size_t)lines + 1);
    if (!s->alerts || !s->events || !s->event_text)
        return -1;
    size_t eo = 0;
    char *p = s->log_text;
    while (p && *p) {
        char *nlp = strchr(p, '\n');
        size_t n = nlp ? (size_t)(nlp - p) : strlen(p);
        if (nlp)
            *nlp = '\0';
        double t;
        const char *rest;
        if (line_time(p, &t, &rest)) {
            size_t rn = strlen(rest);
            memcpy(s->event_text + eo, rest, rn + 1);
            s->events[s->n_events++] = (session_event_t){ t, s->event_text + eo };
            eo += rn + 1;
        } else if (n > 0) {
            s->skipped.log++;
        }
        p = nlp ? nlp + 1 : p + n;
    }
    p = s->alerts_text;
    while (p && *p) {
        char *nlp = strchr(p, '\n');
        size_t n = nlp ? (size_t)(nlp - p) : strlen(p);
        if (nlp)
            *nlp = '\0';
        double t;
        const char *rest;
        char kind[16], sev[16], rule[48], member[72];
        if (line_time(p, &t, &rest) &&
            sscanf(rest, "%15s %15s %47s member=%71s", kind, sev, rule, member) == 4 &&
            (strcmp(kind, "PENDING") == 0 || strcmp(kind, "FIRING") == 0 ||
             strcmp(kind, "RESOLVED") == 0)) {
            s->alerts[s->n_alerts++] = (session_line_t){ t, (size_t)(p - s->alerts_text),
                                                         kind[0] };
            for (char *k = kind; *k; k++)
                *k = (char)(*k - 'A' + 'a');
            bool cw = strcmp(member, "-") == 0;
            int w = snprintf(s->event_text + eo, 40 + n, "alert %s: %s%s%s", kind, rule,
                             cw ? "" : " on ", cw ? "" : member);
            s->events[s->n_events++] = (session_event_t){ t, s->event_text + eo };
            eo += (size_t)w + 1;
        } else if (n > 0) {
            s->skipped.alerts++;
        }
        p = nlp ? nlp + 1 : p + n;
    }
    qsort(s->events, (size_t)s->n_events, sizeof *s->events, event_cmp);
    return 0;
}

/* Each poll's members rows: those with its exact time (both files are
 * written from the same snapshot time, in order). */
static int match_members(session_t *s)
{
    long j = 0;
    for (long i = 0; i < s->n_polls; i++) {
        session_poll_t *p = &s->polls[i];
        while (j < s->n_mem && s->mem[j].t < p->row.t)
            j++;
        p->mem_first = (uint32_t)j;
        while (j < s->n_mem && s->mem[j].t == p->row.t && p->mem_n < CLUSTER_MAX_MEMBERS)
            p->mem_n++, j++;
    }
    return 0;
}

session_t *session_open(const char *dir, char *err, size_t errlen)
{
    session_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->fd_metrics = s->fd_members = -1;
    char path[4096];
    session_row_t *rows = NULL;
    long n = 0;
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    if (index_csv(path, CSVROW_METRICS_HEADER, &s->metrics_fields, &rows, &n,
                  &s->skipped.metrics, err, errlen) != 0)
        goto fail;
    s->fd_metrics = open(path, O_RDONLY | O_CLOEXEC);
    s->polls = calloc((size_t)(n ? n : 1), sizeof *s->polls);
    if (!s->polls || s->fd_metrics < 0) {
        snprintf(err, errlen, "%s: cannot open again", path);
        goto fail;
    }
    for (long i = 0; i < n; i++)
        s->polls[i].row = rows[i];
    s->n_polls = n;
    free(rows);
    rows = NULL;
    snprintf(path, sizeof path, "%s/members.csv", dir);
    char merr[512];
    if (index_csv(path, CSVROW_MEMBERS_HEADER, &s->members_fields, &s->mem, &s->n_mem,
                  &s->skipped.members, merr, sizeof merr) == 0)
        s->fd_members = open(path, O_RDONLY | O_CLOEXEC);
    else
        s->n_mem = 0;               /* cluster figures only */
    if (s->n_mem > 0 && s->fd_members < 0)
        s->n_mem = 0;
    (void)match_members(s);
    if (load_logs(s, dir) != 0) {
        snprintf(err, errlen, "out of memory reading the logs");
        goto fail;
    }
    if (s->n_polls == 0) {
        snprintf(err, errlen, "%s: no polls recorded", dir);
        goto fail;
    }
    return s;
fail:
    free(rows);
    session_close(s);
    return NULL;
}

void session_close(session_t *s)
{
    if (!s)
        return;
    if (s->fd_metrics >= 0)
        close(s->fd_metrics);
    if (s->fd_members >= 0)
        close(s->fd_members);
    free(s->polls);
    free(s->mem);
    free(s->alerts_text);
    free(s->log_text);
    free(s->event_text);
    free(s->alerts);
    free(s->events);
    free(s);
}

long session_polls(const session_t *s)
{
    return s->n_polls;
}

double session_time(const session_t *s, long i)
{
    if (i < 0)
        i = 0;
    if (i >= s->n_polls)
        i = s->n_polls - 1;
    return s->polls[i].row.t;
}

session_skipped_t session_skipped(const session_t *s)
{
    return s->skipped;
}

long session_skipped_total(const session_t *s)
{
    return s->skipped.metrics + s->skipped.members + s->skipped.alerts + s->skipped.log;
}

long session_find(const session_t *s, double t)
{
    long lo = 0, hi = s->n_polls - 1;
    if (hi < 0 || t < s->polls[0].row.t)
        return 0;
    while (lo < hi) {
        long mid = lo + (hi - lo + 1) / 2;
        if (s->polls[mid].row.t <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int session_events(const session_t *s, long i, session_event_t *out, int max)
{
    double t = session_time(s, i);
    long lo = 0, hi = s->n_events;           /* first event after t */
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (s->events[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    long from = lo - max > 0 ? lo - max : 0;
    int k = 0;
    for (long e = from; e < lo && k < max; e++)
        out[k++] = s->events[e];
    return k;
}

/* An alerts.log field "key=value" of the line at text (value copied). */
static void alert_field(const char *line, const char *key, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(line, key);
    if (!p)
        return;
    p += strlen(key);
    snprintf(out, n, "%.*s", (int)strcspn(p, " \n"), p);
    if (strcmp(out, "-") == 0)
        out[0] = '\0';
}

int session_alerts(const session_t *s, long i, alert_t *out, int max)
{
    double t = session_time(s, i);
    int n = 0;
    for (long k = 0; k < s->n_alerts && s->alerts[k].t <= t; k++) {
        const session_line_t *l = &s->alerts[k];
        const char *line = s->alerts_text + l->off;
        char kind[16], sev[16], rule[48], member[72], v[48];
        if (sscanf(line + strcspn(line, " ") + 1, "%15s %15s %47s", kind, sev, rule) != 3)
            continue;
        alert_field(line, " member=", member, sizeof member);
        int at = -1;
        for (int j = 0; j < n; j++)
            if (strcmp(out[j].rule, rule) == 0 && strcmp(out[j].member, member) == 0)
                at = j;
        if (l->kind == 'R') {
            if (at >= 0)
                out[at] = out[--n];
            continue;
        }
        if (at < 0) {
            if (n >= max)
                continue;
            at = n++;
            memset(&out[at], 0, sizeof out[at]);
            snprintf(out[at].rule, sizeof out[at].rule, "%.47s", rule);
            snprintf(out[at].member, sizeof out[at].member, "%.63s", member);
            out[at].active_since = l->t;
            out[at].observations = NAN;
        }
        alert_t *a = &out[at];
        a->severity = strcmp(sev, "critical") == 0 ? SEV_CRITICAL : SEV_WARNING;
        a->state = l->kind == 'F' ? ALERT_FIRING : ALERT_PENDING;
        if (l->kind == 'F' && a->firing_since == 0)
            a->firing_since = l->t;
        alert_field(line, " value=", v, sizeof v);
        a->value = v[0] ? strtod(v, NULL) : NAN;
        alert_field(line, " threshold=", v, sizeof v);
        a->threshold = v[0] ? strtod(v, NULL) : NAN;
        alert_field(line, " unit=", a->unit, sizeof a->unit);
    }
    return n;
}
