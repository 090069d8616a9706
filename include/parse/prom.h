/* prom.h — Prometheus text exposition format parser (pure, allocation-free).
 *
 * prom_parse() walks a whole body, validating every line, and hands each sample
 * of a wanted family to a callback. Labels and names are slices into the body;
 * nothing is copied or allocated. The caller makes the result all-or-nothing by
 * writing into a scratch value and keeping it only when prom_parse() returns 0. */
#ifndef EM_PROM_H
#define EM_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "util.h"

#define PROM_MAX_LABELS 32

typedef struct {
    const char *name;
    size_t      name_len;
    const char *value;     /* raw text between the quotes, escapes not resolved */
    size_t      value_len;
    bool        escaped;   /* value contains a backslash escape */
} prom_label_t;

typedef struct {
    const char         *name;
    size_t              name_len;
    const prom_label_t *labels;
    int                 nlabels;
    double              value;
    bool                has_timestamp;
    int64_t             timestamp_ms;
} prom_sample_t;

typedef struct {
    int  line;             /* 1-based */
    int  col;              /* 1-based */
    char msg[96];
} prom_error_t;

/* Decide from the metric name whether a sample is wanted; unwanted samples are
 * still validated but their value is not converted and no callback is made. */
typedef bool (*prom_want_fn)(const char *name, size_t len, void *ctx);
typedef void (*prom_sample_fn)(const prom_sample_t *s, void *ctx);

/* Parse a whole exposition. Returns 0 on success, -1 on the first syntax error
 * (err filled with line, column and message). want may be NULL (all wanted). */
int prom_parse(const char *buf, size_t len, prom_want_fn want, prom_sample_fn on_sample,
               void *ctx, prom_error_t *err) WARN_UNUSED_RESULT;

/* prom_scan's choice for one metric name: skip its line, take it, or take it
 * unless it reads "NAME{...} 0" (a zero that adds nothing to a sum). */
enum { PROM_SKIP, PROM_TAKE, PROM_TAKE_NONZERO };
typedef int (*prom_pick_fn)(const char *name, size_t len, void *ctx);

/* prom_parse for a scrape where few families matter: a line pick skips (and
 * every '#' line) is passed over up to its newline in one pass that also finds any NUL
 * byte (an error there); taken lines are validated as above. The metric
 * name at the start of every line is still checked. pick must not be NULL and
 * must answer by the name alone: it is asked once for a run of lines with the
 * same name. */
int prom_scan(const char *buf, size_t len, prom_pick_fn pick, prom_sample_fn on_sample,
              void *ctx, prom_error_t *err) WARN_UNUSED_RESULT;

/* prom_scan over a body that arrives in parts (prom_stream.c): complete lines
 * only, one part after the other. Each part's line numbers follow the last
 * one's, and the previous line's name is remembered (a copy) across parts, so
 * the samples, picks and errors are exactly prom_scan's over the whole body. */
#define PROM_PART_NAME_MAX 128
typedef struct {
    int         line;                  /* of the next part's first line (1 at the start) */
    const char *last;                  /* = name (NULL at the start) */
    size_t      last_len;              /* 0: no previous name */
    int         last_pick;
    char        name[PROM_PART_NAME_MAX];
} prom_part_t;

/* Scan [buf, buf+len), which ends just after a newline (or is the body's last,
 * unterminated line), as part of the body pt follows. 0, or -1 at the first
 * error (err filled as prom_scan would). */
int prom_scan_part(prom_part_t *pt, const char *buf, size_t len, prom_pick_fn pick,
                   prom_sample_fn on_sample, void *ctx, prom_error_t *err) WARN_UNUSED_RESULT;

/* A body scanned as it arrives (prom_stream.c): prom_scan's result, exactly,
 * from the pieces a transfer hands over, without keeping the body. Only the
 * unfinished last line of the pieces so far is copied (carry). */
typedef struct {
    prom_part_t    part;
    buf_t          carry;              /* owned; keeps its allocation across bodies */
    bool           failed;
    prom_error_t   err;                /* the first error, when failed */
    prom_pick_fn   pick;
    prom_sample_fn on_sample;
    void          *ctx;
} prom_stream_t;

/* Set up (no allocation yet): a line longer than max_line bytes is an error. */
void prom_stream_init(prom_stream_t *st, size_t max_line, prom_pick_fn pick,
                      prom_sample_fn on_sample, void *ctx);
void prom_stream_free(prom_stream_t *st);
/* A new body starts. */
void prom_stream_begin(prom_stream_t *st);
/* The next n bytes of the body; after an error the rest is ignored. */
void prom_stream_feed(prom_stream_t *st, const char *p, size_t n);
/* The body ended: 0, or -1 with err filled (the first error). */
int  prom_stream_end(prom_stream_t *st, prom_error_t *err) WARN_UNUSED_RESULT;

/* Label lookup and comparison that resolve \\, \" and \n escapes. */
const prom_label_t *prom_label_find(const prom_sample_t *s, const char *name);
bool prom_label_equals(const prom_label_t *l, const char *s);

/* Parse a Prometheus float ("1.5e-3", "+Inf", "-Inf", "NaN") from exactly
 * [p, p+len); locale-independent. Returns 0 on success. */
int prom_parse_float(const char *p, size_t len, double *out) WARN_UNUSED_RESULT;

#endif
