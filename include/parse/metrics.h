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

#endif
