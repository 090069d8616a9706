/* fuzz_session.c — libFuzzer target: a recorded session read back for replay
 * (session_read.c, session_rows.c) from arbitrary bytes.
 *
 * The input is cut at the first three "\n====\n" separators into the bodies
 * of metrics.csv, members.csv, alerts.log and monitoring.log, written into a
 * private directory. The first byte's low bits say whether each CSV gets the
 * real header in front (so most inputs reach the rows, some test the header
 * check). The session is then opened and every poll (up to a cap) read back:
 * snapshot, history, active alerts and events, plus session_find around each
 * poll's time. Nothing may crash, leak or read past a buffer; the invariants
 * checked: polls in time order, counts within their bounds, every event
 * NUL-terminated and at or before its poll. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvrow.h"
#include "session_read.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_FILES 4
#define MAX_POLLS 64          /* polls read back per input */
#define MAX_EVENTS 32

static const char *const names[N_FILES] = { "metrics.csv", "members.csv", "alerts.log",
                                            "monitoring.log" };
static char dir[512], paths[N_FILES][600];

static void remove_files(void)
{
    for (int i = 0; i < N_FILES; i++)
        unlink(paths[i]);
}

static void cleanup(void)
{
    remove_files();
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_session.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("fuzz_session: mkdtemp");
        abort();
    }
    for (int i = 0; i < N_FILES; i++)
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
    atexit(cleanup);
    return 0;
}

static void write_file(const char *path, const char *header, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (header && fputs(header, f) == EOF)
        abort();
    if (n > 0 && fwrite(p, 1, n, f) != n)
        abort();
    if (fclose(f) != 0)
        abort();
}

/* The start of the next "\n====\n" at or after p, or NULL. */
static const uint8_t *find_sep(const uint8_t *p, const uint8_t *end)
{
    static const char sep[] = "\n====\n";
    size_t k = sizeof sep - 1;
    for (; p + k <= end; p++)
        if (memcmp(p, sep, k) == 0)
            return p;
    return NULL;
}

static void read_back(session_t *s)
{
    static cluster_snapshot_t snap;
    static history_set_t hist;
    static alert_t alerts[RULES_MAX_ALERTS];
    static session_event_t ev[MAX_EVENTS];
    long n = session_polls(s);
    if (n < 1)
        abort();                 /* session_open refuses an empty session */
    if (session_skipped_total(s) < 0)
        abort();
    for (long i = 0; i < n; i++) {
        if (i > 0 && session_time(s, i) < session_time(s, i - 1))
            abort();             /* the index is in time order */
        if (i >= MAX_POLLS)
            continue;
        double t = session_time(s, i);
        long at = session_find(s, t);
        if (at < 0 || at >= n || session_time(s, at) != t)
            abort();
        long before = session_find(s, t - 0.5);
        if (before < 0 || before > at)
            abort();
        if (session_snapshot(s, i, &snap) == 0) {
            if (snap.n_members < 0 || snap.n_members > CLUSTER_MAX_MEMBERS ||
                snap.n_alarms < 0 || snap.n_alarms > CLUSTER_MAX_ALARMS)
                abort();
            if (strnlen(snap.leader_name, sizeof snap.leader_name) == sizeof snap.leader_name)
                abort();
        }
        (void)session_history(s, i, &hist);
        int na = session_alerts(s, i, alerts, RULES_MAX_ALERTS);
        if (na < 0 || na > RULES_MAX_ALERTS)
            abort();
        for (int k = 0; k < na; k++)
            if (strnlen(alerts[k].rule, sizeof alerts[k].rule) == sizeof alerts[k].rule ||
                strnlen(alerts[k].member, sizeof alerts[k].member) == sizeof alerts[k].member)
                abort();
        int ne = session_events(s, i, ev, MAX_EVENTS);
        if (ne < 0 || ne > MAX_EVENTS)
            abort();
        for (int k = 0; k < ne; k++) {
            if (ev[k].line == NULL || ev[k].t > t || (k > 0 && ev[k].t < ev[k - 1].t))
                abort();
            (void)strlen(ev[k].line);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t flags = data[0];
    const uint8_t *p = data + 1, *end = data + size;
    /* the time parser alone, on the raw text */
    double t;
    (void)session_parse_time((const char *)p, (size_t)(end - p), &t);
    remove_files();
    for (int i = 0; i < N_FILES; i++) {
        const uint8_t *sep = i < N_FILES - 1 ? find_sep(p, end) : NULL;
        const uint8_t *stop = sep ? sep + 1 : end;       /* keep the newline */
        const char *header = i == 0 && !(flags & 1)   ? CSVROW_METRICS_HEADER
                             : i == 1 && !(flags & 2) ? CSVROW_MEMBERS_HEADER
                                                      : NULL;
        if (i < 2 || stop > p)
            write_file(paths[i], header, p, (size_t)(stop - p));
        p = sep ? sep + 6 : end;
    }
    char err[512];
    session_t *s = session_open(dir, err, sizeof err);
    if (s == NULL) {
        if (strnlen(err, sizeof err) == 0 || strnlen(err, sizeof err) == sizeof err)
            abort();
        return 0;
    }
    read_back(s);
    session_close(s);
    return 0;
}
