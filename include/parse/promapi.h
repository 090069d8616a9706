/* promapi.h — Prometheus' HTTP API answers (/api/v1/query, /api/v1/query_range)
 * into plain values (pure; jansson). All-or-nothing and capped: at most the
 * caller's number of series, label values of at most PROMAPI_LABEL_LEN - 1
 * bytes; anything larger is an error that says so, never a cut value. Also
 * the PromQL selector check behind --prometheus-selector. */
#ifndef EM_PROMAPI_H
#define EM_PROMAPI_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

#define PROMAPI_MAX_KEYS  4            /* label names kept per series */
#define PROMAPI_LABEL_LEN 128          /* a kept label value and __name__, with the NUL */
#define PROMAPI_SELECTOR_LEN 512       /* longest --prometheus-selector */

typedef enum { PROMAPI_VECTOR, PROMAPI_MATRIX, PROMAPI_SCALAR } promapi_type_t;

/* One series of the answer: its name, the kept labels (in the caller's key
 * order, "" when absent) and its value; for a matrix, the last point. */
typedef struct {
    char   name[PROMAPI_LABEL_LEN];
    char   label[PROMAPI_MAX_KEYS][PROMAPI_LABEL_LEN];
    double v;                          /* "NaN", "+Inf", "-Inf" as such */
    double t;                          /* its timestamp, Unix seconds */
    int    points;                     /* 1 in a vector; a matrix series' points */
} promapi_series_t;

typedef struct {
    promapi_type_t    type;
    int               n;               /* series in s */
    int               cap;             /* room in s (the caller's) */
    promapi_series_t *s;               /* borrowed: cap entries, owned by the caller */
} promapi_result_t;

/* Parse body (len bytes, no NUL needed) into out, keeping the labels named in
 * keys (n_keys <= PROMAPI_MAX_KEYS). 0, or -1 with a one-line err: Prometheus'
 * own error ("prometheus: bad_data: 1:5: parse error ..."), bad JSON, or an
 * answer over the caps; out->n is then 0. */
int promapi_parse(const char *body, size_t len, const char *const *keys, int n_keys,
                  promapi_result_t *out, char *err, size_t errlen) WARN_UNUSED_RESULT;

/* Check a label selector "{job=\"etcd\"}" (braces, matchers name op "value",
 * comma-separated) and copy what is between the braces into inner. 0, or -1
 * with a one-line why. */
int promapi_selector_inner(const char *sel, char *inner, size_t cap, char *why, size_t whylen)
    WARN_UNUSED_RESULT;

#endif
