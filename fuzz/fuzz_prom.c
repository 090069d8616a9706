/* fuzz_prom.c — libFuzzer target: the Prometheus text parser and the etcd
 * extractor on arbitrary bytes.
 *
 * Checks beyond "no crash": a failed extract leaves the output untouched, a
 * successful one reports no error, errors carry a 1-based position, and the
 * label helpers agree with each other on every parsed label.
 *
 * The same body read as it arrives (metrics_stream_*), in pieces of sizes drawn
 * from the input itself, must give exactly metrics_extract's result: the same
 * sample, or the same error at the same line and column.
 *
 * The input is copied into an exactly-sized heap buffer (no NUL after it), so
 * a read past the body (like "n +na" once did) is an ASan report. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every parsed label through the public helpers. */
static void check_sample(const prom_sample_t *s, void *ctx)
{
    size_t *count = ctx;
    (*count)++;
    if (s->name_len == 0 || s->nlabels < 0 || s->nlabels > PROM_MAX_LABELS)
        abort();
    for (int i = 0; i < s->nlabels; i++) {
        const prom_label_t *l = &s->labels[i];
        char name[256];
        if (l->name_len == 0 || l->name_len >= sizeof name)
            continue;
        memcpy(name, l->name, l->name_len);
        name[l->name_len] = '\0';
        /* labels are unique, so find() must return this very label */
        if (prom_label_find(s, name) != l)
            abort();
        if (!l->escaped) {
            char v[256];
            if (l->value_len < sizeof v) {
                memcpy(v, l->value, l->value_len);
                v[l->value_len] = '\0';
                if (!prom_label_equals(l, v))
                    abort();
            }
        }
        double d;
        (void)prom_parse_float(l->value, l->value_len, &d);
    }
}

/* metrics_stream over body in pieces (each copied into an exactly-sized heap
 * block, so a read past a piece is an ASan report); sizes from a tiny PRNG
 * seeded by the body, 1 to 64 bytes, or the whole body at once. */
static int stream_pieces(const char *body, size_t size, metrics_sample_t *m, prom_error_t *err)
{
    static metrics_stream_t *ms;
    if (!ms && !(ms = metrics_stream_new(1 << 20)))
        abort();
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size && i < 16; i++)
        seed = (seed ^ (uint8_t)body[i]) * 16777619u;
    bool whole = (seed & 7) == 0;
    metrics_stream_begin(ms);
    for (size_t at = 0; at < size;) {
        seed = seed * 1103515245u + 12345u;
        size_t n = whole ? size : 1 + (seed >> 16) % 64;
        if (n > size - at)
            n = size - at;
        char *piece = malloc(n);
        if (!piece)
            abort();
        memcpy(piece, body + at, n);
        metrics_stream_feed(ms, piece, n);
        free(piece);
        at += n;
    }
    return metrics_stream_end(ms, m, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size > 0 ? size : 1);
    if (body == NULL)
        return 0;
    memcpy(body, data, size);
    metrics_sample_t m, before;
    memset(&m, 0x5A, sizeof m);
    memcpy(&before, &m, sizeof m);
    prom_error_t err;
    int rc = metrics_extract(body, size, &m, &err);
    if (rc != 0) {
        if (memcmp(&m, &before, sizeof m) != 0 || err.line < 1 || err.col < 1 ||
            err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof err.msg) == NULL)
            abort();
    } else {
        const hist_t *hs[3] = { &m.wal_fsync, &m.backend_commit, &m.peer_rtt };
        for (int k = 0; k < 3; k++) {
            const hist_t *h = hs[k];
            if (h->n < 0 || h->n > HIST_MAX_BUCKETS || (!h->ok && h->n != 0))
                abort();
            for (int i = 1; i < h->n; i++)
                if (!(h->le[i - 1] < h->le[i]))
                    abort();
        }
        if (memchr(m.server_version, '\0', sizeof m.server_version) == NULL)
            abort();
    }

    metrics_sample_t ms;
    memcpy(&ms, &before, sizeof ms);
    prom_error_t errs;
    int rcs = stream_pieces(body, size, &ms, &errs);
    if (rcs != rc || memcmp(&ms, &m, sizeof m) != 0 ||
        (rc != 0 && (errs.line != err.line || errs.col != err.col || strcmp(errs.msg, err.msg))))
        abort();

    /* want=NULL parses and validates every line. metrics_extract (prom_scan)
     * skips what it does not use, so it may accept more, never less, and when
     * it refuses, the full parse refuses too, at the same place or earlier. */
    size_t count = 0;
    prom_error_t err2;
    int rc2 = prom_parse(body, size, NULL, check_sample, &count, &err2);
    if ((rc2 == 0 && rc != 0) ||
        (rc != 0 && (err2.line > err.line || (err2.line == err.line && err2.col > err.col))))
        abort();

    double d;
    if (size <= 64 && prom_parse_float(body, size, &d) == 0 && isinf(d) &&
        !memchr(body, 'n', size) && !memchr(body, 'N', size))
        abort();   /* only a literal Inf/Infinity may give an infinity: overflow is an error */
    free(body);
    return 0;
}
