/* metrics_extract.c — pick the etcd families listed in sample.h out of one
 * /metrics body and fold them into a metrics_sample_t.
 *
 * Everything happens in a scratch value (on the stack, or the stream's for a
 * body read as it arrives); *out is written only when the whole body parsed.
 * No allocation per body. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum fam {
    F_NONE,
    F_DB_SIZE, F_DB_SIZE_DEBUG, F_DB_INUSE, F_DB_INUSE_DEBUG,
    F_QUOTA, F_HAS_LEADER, F_IS_LEADER, F_LEADER_CHANGES,
    F_PROP_COMMITTED, F_PROP_APPLIED, F_PROP_PENDING, F_PROP_FAILED,
    F_SLOW_APPLIES, F_SLOW_READ_INDEXES, F_HEARTBEAT_FAILURES,
    F_WATCH_STREAMS, F_WATCHERS, F_RSS, F_CPU, F_OPEN_FDS,
    F_GRPC_HANDLED, F_VERSION,
    F_WAL_BUCKET, F_WAL_SUM, F_WAL_COUNT,
    F_COMMIT_BUCKET, F_COMMIT_SUM, F_COMMIT_COUNT,
    F_RTT_BUCKET, F_RTT_SUM, F_RTT_COUNT,
};

/* Map a metric name to its family: a switch on the length, then at most two
 * memcmp()s. Names filed under the wrong length simply never match. */
static enum fam family_lookup(const char *name, size_t len)
{
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, sizeof(lit) - 1) == 0)
    switch (len) {
    case 16:
        if (IS("process_open_fds")) return F_OPEN_FDS;
        break;
    case 19:
        if (IS("etcd_server_version")) return F_VERSION;
        break;
    case 21:
        if (IS("etcd_server_is_leader")) return F_IS_LEADER;
        break;
    case 22:
        if (IS("etcd_server_has_leader")) return F_HAS_LEADER;
        break;
    case 25:
        if (IS("grpc_server_handled_total")) return F_GRPC_HANDLED;
        if (IS("process_cpu_seconds_total")) return F_CPU;
        break;
    case 28:
        if (IS("etcd_server_slow_apply_total")) return F_SLOW_APPLIES;
        break;
    case 29:
        if (IS("etcd_server_proposals_pending")) return F_PROP_PENDING;
        if (IS("process_resident_memory_bytes")) return F_RSS;
        break;
    case 31:
        if (IS("etcd_server_quota_backend_bytes")) return F_QUOTA;
        break;
    case 32:
        if (IS("etcd_mvcc_db_total_size_in_bytes")) return F_DB_SIZE;
        break;
    case 33:
        if (IS("etcd_debugging_mvcc_watcher_total")) return F_WATCHERS;
        break;
    case 34:
        if (IS("etcd_server_proposals_failed_total")) return F_PROP_FAILED;
        break;
    case 35:
        if (IS("etcd_server_proposals_applied_total")) return F_PROP_APPLIED;
        if (IS("etcd_server_slow_read_indexes_total")) return F_SLOW_READ_INDEXES;
        break;
    case 37:
        if (IS("etcd_server_leader_changes_seen_total")) return F_LEADER_CHANGES;
        if (IS("etcd_server_proposals_committed_total")) return F_PROP_COMMITTED;
        break;
    case 38:
        if (IS("etcd_debugging_mvcc_watch_stream_total")) return F_WATCH_STREAMS;
        break;
    case 39:
        if (IS("etcd_mvcc_db_total_size_in_use_in_bytes")) return F_DB_INUSE;
        break;
    case 40:
        if (IS("etcd_disk_wal_fsync_duration_seconds_sum")) return F_WAL_SUM;
        break;
    case 41:
        if (IS("etcd_server_heartbeat_send_failures_total")) return F_HEARTBEAT_FAILURES;
        break;
    case 42:
        if (IS("etcd_debugging_mvcc_db_total_size_in_bytes")) return F_DB_SIZE_DEBUG;
        if (IS("etcd_disk_wal_fsync_duration_seconds_count")) return F_WAL_COUNT;
        break;
    case 43:
        if (IS("etcd_disk_wal_fsync_duration_seconds_bucket")) return F_WAL_BUCKET;
        break;
    case 45:
        if (IS("etcd_disk_backend_commit_duration_seconds_sum")) return F_COMMIT_SUM;
        if (IS("etcd_network_peer_round_trip_time_seconds_sum")) return F_RTT_SUM;
        break;
    case 47:
        if (IS("etcd_disk_backend_commit_duration_seconds_count")) return F_COMMIT_COUNT;
        if (IS("etcd_network_peer_round_trip_time_seconds_count")) return F_RTT_COUNT;
        break;
    case 48:
        if (IS("etcd_disk_backend_commit_duration_seconds_bucket")) return F_COMMIT_BUCKET;
        if (IS("etcd_network_peer_round_trip_time_seconds_bucket")) return F_RTT_BUCKET;
        break;
    case 49:
        if (IS("etcd_debugging_mvcc_db_total_size_in_use_in_bytes")) return F_DB_INUSE_DEBUG;
        break;
    default:
        break;
    }
    return F_NONE;
#undef IS
}

/* A histogram being summed up; h.ok means "a bucket was seen". */
typedef struct {
    hist_t h;
    bool   bad;      /* too many distinct bounds, or an unusable le */
} hist_acc_t;

typedef struct {
    metrics_sample_t m;
    mval_t           db_size_debug;
    mval_t           db_inuse_debug;
    hist_acc_t       wal, commit, rtt;
} extract_t;

/* Copy a label value with its escapes resolved into dst (NUL-terminated).
 * Returns false, with dst holding the longest prefix that fits, when the value
 * is longer than cap - 1 bytes. */
static bool label_copy(const prom_label_t *l, char *dst, size_t cap)
{
    const char *p = l->value, *end = l->value + l->value_len;
    size_t n = 0;
    while (p < end) {
        char c = *p++;
        if (c == '\\' && l->escaped && p < end) {
            if (*p == '\\' || *p == '"')
                c = *p++;
            else if (*p == 'n') {
                c = '\n';
                p++;
            }
        }
        if (n + 1 >= cap) {
            dst[n] = '\0';
            return false;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
    return true;
}

static const struct {
    const char *name;
    size_t      len;
} grpc_codes[GRPC_CODE_COUNT] = {
#define C(s) { s, sizeof(s) - 1 }
    [GRPC_OK] = C("OK"),
    [GRPC_CANCELED] = C("Canceled"),
    [GRPC_UNKNOWN] = C("Unknown"),
    [GRPC_INVALID_ARGUMENT] = C("InvalidArgument"),
    [GRPC_DEADLINE_EXCEEDED] = C("DeadlineExceeded"),
    [GRPC_NOT_FOUND] = C("NotFound"),
    [GRPC_ALREADY_EXISTS] = C("AlreadyExists"),
    [GRPC_PERMISSION_DENIED] = C("PermissionDenied"),
    [GRPC_RESOURCE_EXHAUSTED] = C("ResourceExhausted"),
    [GRPC_FAILED_PRECONDITION] = C("FailedPrecondition"),
    [GRPC_ABORTED] = C("Aborted"),
    [GRPC_OUT_OF_RANGE] = C("OutOfRange"),
    [GRPC_UNIMPLEMENTED] = C("Unimplemented"),
    [GRPC_INTERNAL] = C("Internal"),
    [GRPC_UNAVAILABLE] = C("Unavailable"),
    [GRPC_DATA_LOSS] = C("DataLoss"),
    [GRPC_UNAUTHENTICATED] = C("Unauthenticated"),
#undef C
};

/* Add one grpc_server_handled_total series to its code's total; series with
 * an unknown or missing grpc_code still mark the family as reported. */
static void grpc_add(extract_t *x, const prom_sample_t *s)
{
    x->m.grpc_ok = true;
    const prom_label_t *l = prom_label_find(s, "grpc_code");
    if (!l)
        return;
    char buf[32];
    const char *v = l->value;
    size_t n = l->value_len;
    if (l->escaped) {
        if (!label_copy(l, buf, sizeof buf))
            return;
        v = buf;
        n = strlen(buf);
    }
    for (int i = 0; i < GRPC_CODE_COUNT; i++) {
        if (grpc_codes[i].len == n && !memcmp(grpc_codes[i].name, v, n)) {
            x->m.grpc_handled[i] += s->value;
            return;
        }
    }
}

/* Fold one _bucket series into the histogram: keep bounds sorted ascending,
 * sum counts of equal bounds (e.g. one series per peer). */
static void hist_bucket(hist_acc_t *a, const prom_sample_t *s)
{
    const prom_label_t *l = prom_label_find(s, "le");
    char buf[64];
    double le;
    if (!l || !label_copy(l, buf, sizeof buf) || prom_parse_float(buf, strlen(buf), &le) ||
        isnan(le)) {
        a->bad = true;
        return;
    }
    hist_t *h = &a->h;
    h->ok = true;
    int i = h->n;
    while (i > 0 && le < h->le[i - 1])
        i--;
    if (i > 0 && h->le[i - 1] == le) {
        h->cum[i - 1] += s->value;
        return;
    }
    if (h->n == HIST_MAX_BUCKETS) {
        a->bad = true;
        return;
    }
    memmove(&h->le[i + 1], &h->le[i], (size_t)(h->n - i) * sizeof h->le[0]);
    memmove(&h->cum[i + 1], &h->cum[i], (size_t)(h->n - i) * sizeof h->cum[0]);
    h->le[i] = le;
    h->cum[i] = s->value;
    h->n++;
}

/* A histogram is reported only when it had buckets and all of them fit. */
static void hist_finish(const hist_acc_t *a, hist_t *out)
{
    if (a->bad || !a->h.ok)
        memset(out, 0, sizeof *out);
    else
        *out = a->h;
}

/* Keep server_version printable: control bytes become '?', and a cut never
 * splits a UTF-8 sequence. */
static void version_set(extract_t *x, const prom_sample_t *s)
{
    const prom_label_t *l = prom_label_find(s, "server_version");
    if (!l)
        return;
    char *v = x->m.server_version;
    size_t cap = sizeof x->m.server_version;
    if (!label_copy(l, v, cap)) {
        size_t n = strlen(v), start = n;
        while (start > 0 && ((unsigned char)v[start - 1] & 0xC0) == 0x80)
            start--;
        if (start > 0 && (unsigned char)v[start - 1] >= 0xC0) {
            unsigned lead = (unsigned char)v[start - 1];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (n - (start - 1) < want)
                v[start - 1] = '\0';
        }
    }
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f)
            *v = '?';
}

/* prom_scan's pick: our families only; the many zero series of the gRPC
 * counter (one per method and code) add nothing but "reported". */
static int pick_sample(const char *name, size_t len, void *ctx)
{
    extract_t *x = ctx;
    enum fam f = family_lookup(name, len);
    if (f == F_GRPC_HANDLED) {
        x->m.grpc_ok = true;
        return PROM_TAKE_NONZERO;
    }
    return f == F_NONE ? PROM_SKIP : PROM_TAKE;
}

static void set_val(mval_t *m, double v)
{
    m->v = v;
    m->ok = true;
}

static void take_sample(const prom_sample_t *s, void *ctx)
{
    extract_t *x = ctx;
    metrics_sample_t *m = &x->m;
    double v = s->value;
    switch (family_lookup(s->name, s->name_len)) {
    case F_NONE: break;
    case F_DB_SIZE: set_val(&m->db_size, v); break;
    case F_DB_SIZE_DEBUG: set_val(&x->db_size_debug, v); break;
    case F_DB_INUSE: set_val(&m->db_size_in_use, v); break;
    case F_DB_INUSE_DEBUG: set_val(&x->db_inuse_debug, v); break;
    case F_QUOTA: set_val(&m->quota, v); break;
    case F_HAS_LEADER: set_val(&m->has_leader, v); break;
    case F_IS_LEADER: set_val(&m->is_leader, v); break;
    case F_LEADER_CHANGES: set_val(&m->leader_changes, v); break;
    case F_PROP_COMMITTED: set_val(&m->proposals_committed, v); break;
    case F_PROP_APPLIED: set_val(&m->proposals_applied, v); break;
    case F_PROP_PENDING: set_val(&m->proposals_pending, v); break;
    case F_PROP_FAILED: set_val(&m->proposals_failed, v); break;
    case F_SLOW_APPLIES: set_val(&m->slow_applies, v); break;
    case F_SLOW_READ_INDEXES: set_val(&m->slow_read_indexes, v); break;
    case F_HEARTBEAT_FAILURES: set_val(&m->heartbeat_failures, v); break;
    case F_WATCH_STREAMS: set_val(&m->watch_streams, v); break;
    case F_WATCHERS: set_val(&m->watchers, v); break;
    case F_RSS: set_val(&m->rss, v); break;
    case F_CPU: set_val(&m->cpu_seconds, v); break;
    case F_OPEN_FDS: set_val(&m->open_fds, v); break;
    case F_GRPC_HANDLED: grpc_add(x, s); break;
    case F_VERSION: version_set(x, s); break;
    case F_WAL_BUCKET: hist_bucket(&x->wal, s); break;
    case F_WAL_SUM: x->wal.h.sum += v; break;
    case F_WAL_COUNT: x->wal.h.count += v; break;
    case F_COMMIT_BUCKET: hist_bucket(&x->commit, s); break;
    case F_COMMIT_SUM: x->commit.h.sum += v; break;
    case F_COMMIT_COUNT: x->commit.h.count += v; break;
    case F_RTT_BUCKET: hist_bucket(&x->rtt, s); break;
    case F_RTT_SUM: x->rtt.h.sum += v; break;
    case F_RTT_COUNT: x->rtt.h.count += v; break;
    }
}

/* The families' last word: stable names over debugging ones, histograms
 * reported only when whole. */
static void extract_finish(extract_t *x, metrics_sample_t *out)
{
    /* etcd 3.4 still exports the debugging names; the stable ones win. */
    if (!x->m.db_size.ok)
        x->m.db_size = x->db_size_debug;
    if (!x->m.db_size_in_use.ok)
        x->m.db_size_in_use = x->db_inuse_debug;
    hist_finish(&x->wal, &x->m.wal_fsync);
    hist_finish(&x->commit, &x->m.backend_commit);
    hist_finish(&x->rtt, &x->m.peer_rtt);
    *out = x->m;
}

int metrics_extract(const char *body, size_t len, metrics_sample_t *out, prom_error_t *err)
{
    extract_t x;
    memset(&x, 0, sizeof x);
    if (prom_scan(body, len, pick_sample, take_sample, &x, err))
        return -1;
    extract_finish(&x, out);
    return 0;
}

struct metrics_stream {
    extract_t     x;                 /* the scratch value of the body in flight */
    prom_stream_t ps;
};

metrics_stream_t *metrics_stream_new(size_t max_line)
{
    metrics_stream_t *ms = calloc(1, sizeof *ms);
    if (ms)
        prom_stream_init(&ms->ps, max_line, pick_sample, take_sample, &ms->x);
    return ms;
}

void metrics_stream_free(metrics_stream_t *ms)
{
    if (!ms)
        return;
    prom_stream_free(&ms->ps);
    free(ms);
}

void metrics_stream_begin(metrics_stream_t *ms)
{
    memset(&ms->x, 0, sizeof ms->x);
    prom_stream_begin(&ms->ps);
}

void metrics_stream_feed(metrics_stream_t *ms, const char *p, size_t n)
{
    prom_stream_feed(&ms->ps, p, n);
}

int metrics_stream_end(metrics_stream_t *ms, metrics_sample_t *out, prom_error_t *err)
{
    if (prom_stream_end(&ms->ps, err))
        return -1;
    extract_finish(&ms->x, out);
    return 0;
}
