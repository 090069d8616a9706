/* metrics.h — turn one /metrics body into a metrics_sample_t.
 *
 * Only the families listed in sample.h are converted and validated; every
 * other line, comments included, is skipped with memchr (prom_scan: only a NUL
 * byte or a bad metric name there is an error). All-or-nothing: on a parse error *out is untouched. */
#ifndef EM_METRICS_H
#define EM_METRICS_H

#include <stddef.h>
#include "prom.h"
#include "sample.h"
#include "util.h"

/* Parse body into *out. Returns 0, or -1 with err filled (out unchanged). */
int metrics_extract(const char *body, size_t len, metrics_sample_t *out, prom_error_t *err) WARN_UNUSED_RESULT;

/* The same, for a body read as it arrives (the collector's /metrics): feed
 * the pieces between begin and end; end gives metrics_extract's result over
 * their concatenation, exactly. Owned by the caller: new, then free. */
typedef struct metrics_stream metrics_stream_t;
/* NULL when out of memory; a line longer than max_line bytes is an error. */
metrics_stream_t *metrics_stream_new(size_t max_line) WARN_UNUSED_RESULT;
void metrics_stream_free(metrics_stream_t *ms);
void metrics_stream_begin(metrics_stream_t *ms);
void metrics_stream_feed(metrics_stream_t *ms, const char *p, size_t n);
/* Returns 0, or -1 with err filled (out unchanged). */
int  metrics_stream_end(metrics_stream_t *ms, metrics_sample_t *out, prom_error_t *err) WARN_UNUSED_RESULT;

#endif
