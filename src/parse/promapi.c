/* promapi.c — Prometheus' query API answers and label selectors (see promapi.h). */
#include "promapi.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "prom.h"

__attribute__((format(printf, 3, 4)))
static int promapi_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Copy a JSON string into dst (cap bytes); false when it does not fit or
 * holds a NUL or a control byte (nothing Prometheus sends in a label). */
static bool promapi_copy(json_t *s, char *dst, size_t cap)
{
    const char *v = json_string_value(s);
    size_t n = json_string_length(s);
    if (!v || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return true;
}

/* A [time, "value"] pair: 0 with *t and *v, or -1. */
static int promapi_point(json_t *p, double *t, double *v)
{
    if (!json_is_array(p) || json_array_size(p) != 2)
        return -1;
    json_t *jt = json_array_get(p, 0), *jv = json_array_get(p, 1);
    if (!json_is_number(jt) || !json_is_string(jv))
        return -1;
    *t = json_number_value(jt);
    const char *s = json_string_value(jv);
    return prom_parse_float(s, json_string_length(jv), v) == 0 ? 0 : -1;
}

/* One series of a vector ("value") or matrix ("values") into *out. */
static int promapi_series(json_t *js, bool matrix, const char *const *keys, int n_keys,
                          promapi_series_t *out, char *err, size_t errlen, int idx)
{
    memset(out, 0, sizeof *out);
    json_t *metric = json_object_get(js, "metric");
    if (!json_is_object(js) || !json_is_object(metric))
        return promapi_fail(err, errlen, "prometheus: result %d has no metric object", idx + 1);
    json_t *name = json_object_get(metric, "__name__");
    if (name && (!json_is_string(name) || !promapi_copy(name, out->name, sizeof out->name)))
        return promapi_fail(err, errlen, "prometheus: result %d: bad or too long __name__",
                            idx + 1);
    for (int k = 0; k < n_keys; k++) {
        json_t *l = json_object_get(metric, keys[k]);
        if (!l)
            continue;
        if (!json_is_string(l) || !promapi_copy(l, out->label[k], sizeof out->label[k]))
            return promapi_fail(err, errlen,
                                "prometheus: result %d: label %s is not a string of at most "
                                "%d bytes", idx + 1, keys[k], PROMAPI_LABEL_LEN - 1);
    }
    if (!matrix) {
        if (promapi_point(json_object_get(js, "value"), &out->t, &out->v) != 0)
            return promapi_fail(err, errlen, "prometheus: result %d: bad value", idx + 1);
        out->points = 1;
        return 0;
    }
    json_t *values = json_object_get(js, "values");
    if (!json_is_array(values))
        return promapi_fail(err, errlen, "prometheus: result %d: no values array", idx + 1);
    size_t i;
    json_t *p;
    out->v = out->t = NAN;
    json_array_foreach(values, i, p) {
        if (promapi_point(p, &out->t, &out->v) != 0)
            return promapi_fail(err, errlen, "prometheus: result %d: bad point %zu", idx + 1,
                                i + 1);
    }
    out->points = (int)(json_array_size(values) > 1000000000 ? 1000000000
                                                              : json_array_size(values));
    return 0;
}

static void promapi_one_line(char *err, size_t errlen);

/* Prometheus' own error answer into err. */
static int promapi_error(json_t *root, char *err, size_t errlen)
{
    json_t *type = json_object_get(root, "errorType"), *msg = json_object_get(root, "error");
    char t[64] = "error", m[200] = "";
    if (json_is_string(type))
        snprintf(t, sizeof t, "%s", json_string_value(type));
    if (json_is_string(msg))
        snprintf(m, sizeof m, "%s", json_string_value(msg));
    promapi_fail(err, errlen, "prometheus: %s: %s", t, m[0] ? m : "(no message)");
    promapi_one_line(err, errlen);
    return -1;
}

static int promapi_data(json_t *root, const char *const *keys, int n_keys,
                        promapi_result_t *out, char *err, size_t errlen)
{
    json_t *status = json_object_get(root, "status");
    if (!json_is_string(status))
        return promapi_fail(err, errlen, "prometheus: answer without a status");
    if (strcmp(json_string_value(status), "success") != 0)
        return promapi_error(root, err, errlen);
    json_t *data = json_object_get(root, "data");
    json_t *rtype = json_object_get(data, "resultType");
    json_t *result = json_object_get(data, "result");
    if (!json_is_object(data) || !json_is_string(rtype) || !result)
        return promapi_fail(err, errlen, "prometheus: answer without data.resultType/result");
    const char *type = json_string_value(rtype);
    if (strcmp(type, "scalar") == 0) {
        out->type = PROMAPI_SCALAR;
        if (out->cap < 1)
            return promapi_fail(err, errlen, "prometheus: no room for a scalar");
        memset(&out->s[0], 0, sizeof out->s[0]);
        if (promapi_point(result, &out->s[0].t, &out->s[0].v) != 0)
            return promapi_fail(err, errlen, "prometheus: bad scalar");
        out->s[0].points = 1;
        out->n = 1;
        return 0;
    }
    bool matrix = strcmp(type, "matrix") == 0;
    if (!matrix && strcmp(type, "vector") != 0)
        return promapi_fail(err, errlen, "prometheus: result type %.32s not handled", type);
    out->type = matrix ? PROMAPI_MATRIX : PROMAPI_VECTOR;
    if (!json_is_array(result))
        return promapi_fail(err, errlen, "prometheus: result is not an array");
    size_t total = json_array_size(result);
    if (total > (size_t)out->cap)
        return promapi_fail(err, errlen, "prometheus: %zu series in the answer, at most %d kept",
                            total, out->cap);
    size_t i;
    json_t *js;
    json_array_foreach(result, i, js) {
        if (promapi_series(js, matrix, keys, n_keys, &out->s[i], err, errlen, (int)i) != 0)
            return -1;
        out->n = (int)i + 1;
    }
    return 0;
}

int promapi_parse(const char *body, size_t len, const char *const *keys, int n_keys,
                  promapi_result_t *out, char *err, size_t errlen)
{
    out->n = 0;
    if (n_keys < 0 || n_keys > PROMAPI_MAX_KEYS)
        return promapi_fail(err, errlen, "promapi: %d label names (at most %d)", n_keys,
                            PROMAPI_MAX_KEYS);
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        promapi_fail(err, errlen, "prometheus: bad JSON at line %d column %d: %.80s", je.line,
                     je.column, je.text);
        promapi_one_line(err, errlen);
        return -1;
    }
    int rc = json_is_object(root) ? promapi_data(root, keys, n_keys, out, err, errlen)
                                  : promapi_fail(err, errlen, "prometheus: answer is not a "
                                                 "JSON object");
    json_decref(root);
    if (rc != 0) {
        out->n = 0;
        promapi_one_line(err, errlen);
    }
    return rc;
}

/* Control bytes of a message taken from the answer become spaces: one line. */
static void promapi_one_line(char *err, size_t errlen)
{
    for (size_t i = 0; i < errlen && err[i]; i++)
        if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
            err[i] = ' ';
}

/* Skip a quoted string at p (", ' or `); the byte after it, or NULL. */
static const char *promapi_skip_string(const char *p)
{
    char q = *p++;
    while (*p && *p != q) {
        if (q != '`' && *p == '\\') {
            if (!p[1])
                return NULL;
            p++;
        }
        p++;
    }
    return *p ? p + 1 : NULL;
}

int promapi_selector_inner(const char *sel, char *inner, size_t cap, char *why, size_t whylen)
{
    size_t n = strlen(sel);
    if (n >= PROMAPI_SELECTOR_LEN || n + 1 > cap)
        return promapi_fail(why, whylen, "longer than %d characters", PROMAPI_SELECTOR_LEN - 1);
    const char *p = sel;
    while (isspace((unsigned char)*p))
        p++;
    if (*p++ != '{')
        return promapi_fail(why, whylen, "must be a label selector in braces, e.g. "
                            "{job=\"etcd\"}");
    const char *start = p;
    const char *end = NULL;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '}') {
            end = p;
            break;
        }
        if (!isalpha((unsigned char)*p) && *p != '_')
            return promapi_fail(why, whylen, "expected a label name at character %d",
                                (int)(p - sel) + 1);
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '=' && p[1] == '~')
            p += 2;
        else if (p[0] == '!' && (p[1] == '=' || p[1] == '~'))
            p += 2;
        else if (p[0] == '=')
            p++;
        else
            return promapi_fail(why, whylen, "expected =, !=, =~ or !~ at character %d",
                                (int)(p - sel) + 1);
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '"' && *p != '\'' && *p != '`')
            return promapi_fail(why, whylen, "expected a quoted value at character %d",
                                (int)(p - sel) + 1);
        if (!(p = promapi_skip_string(p)))
            return promapi_fail(why, whylen, "unterminated quoted value");
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            return promapi_fail(why, whylen, "expected , or } at character %d",
                                (int)(p - sel) + 1);
    }
    for (const char *q = end + 1; *q; q++)
        if (!isspace((unsigned char)*q))
            return promapi_fail(why, whylen, "text after the closing brace");
    /* Inner text without a trailing comma, so callers can append ",m". */
    const char *e = end;
    while (e > start && (isspace((unsigned char)e[-1]) || e[-1] == ','))
        e--;
    snprintf(inner, cap, "%.*s", (int)(e - start), start);
    return 0;
}
