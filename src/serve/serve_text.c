/* serve_text.c — text helpers of the serve layer: formatted appends to a
 * buf_t, label and JSON escaping, window names, timestamps, base64 and a
 * constant-time secret comparison (pure). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "serve_internal.h"
#include "serve_json.h"

void sbuf_printf(buf_t *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof tmp)
        n = (int)sizeof tmp - 1;      /* callers print short fields only */
    (void)buf_append(b, tmp, (size_t)n);
}

void sbuf_puts(buf_t *b, const char *s)
{
    (void)buf_append(b, s, strlen(s));
}

/* Prometheus label values: backslash, double quote and line feed escaped. */
void sbuf_escape_label(buf_t *b, const char *s)
{
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : NULL;
        if (!esc)
            continue;
        (void)buf_append(b, run, (size_t)(p - run));
        sbuf_puts(b, esc);
        run = p + 1;
    }
    sbuf_puts(b, run);
}

void js_str(buf_t *b, const char *s)
{
    if (!s) {
        sbuf_puts(b, "null");
        return;
    }
    sbuf_puts(b, "\"");
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\')
            snprintf(esc, sizeof esc, "\\%c", *p);
        else if (*p == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        else
            continue;
        (void)buf_append(b, run, (size_t)((const char *)p - run));
        sbuf_puts(b, esc);
        run = (const char *)p + 1;
    }
    sbuf_puts(b, run);
    sbuf_puts(b, "\"");
}

/* A string, or null when it is empty. */
void js_str_or_null(buf_t *b, const char *s)
{
    js_str(b, s && *s ? s : NULL);
}

/* A number, null when unknown (NAN, ±Inf): never 0 for unknown. */
void js_num(buf_t *b, double v)
{
    if (!isfinite(v))
        sbuf_puts(b, "null");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        sbuf_printf(b, "%.0f", v);
    else
        sbuf_printf(b, "%.9g", v);
}

void js_mval(buf_t *b, mval_t m)
{
    js_num(b, m.ok ? m.v : NAN);
}

void js_bool(buf_t *b, int v)
{
    sbuf_puts(b, v < 0 ? "null" : v ? "true" : "false");
}

/* An etcd id as etcdctl's table prints it (hex), null when unknown. */
void js_id(buf_t *b, uint64_t id)
{
    if (!id)
        sbuf_puts(b, "null");
    else
        sbuf_printf(b, "\"%016llx\"", (unsigned long long)id);
}

void js_time(buf_t *b, double wall)
{
    char t[40];
    if (!isfinite(wall) || wall <= 0) {
        sbuf_puts(b, "null");
        return;
    }
    serve_time(wall, t, sizeof t);
    js_str(b, t);
}

void js_key(buf_t *b, bool *first, const char *key)
{
    if (!*first)
        sbuf_puts(b, ",");
    *first = false;
    js_str(b, key);
    sbuf_puts(b, ":");
}

void serve_window_name(int64_t ms, char *out, size_t n)
{
    if (ms % 3600000 == 0)
        snprintf(out, n, "%lldh", (long long)(ms / 3600000));
    else if (ms % 60000 == 0)
        snprintf(out, n, "%lldm", (long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(out, n, "%llds", (long long)(ms / 1000));
    else
        snprintf(out, n, "%lldms", (long long)ms);
}

void serve_time(double wall, char *out, size_t n)
{
    time_t s = (time_t)floor(wall);
    int ms = (int)((wall - floor(wall)) * 1000.0);
    if (ms > 999)
        ms = 999;
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void serve_b64_encode(buf_t *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = { b64_alpha[(v >> 18) & 63], b64_alpha[(v >> 12) & 63],
                      i + 1 < n ? b64_alpha[(v >> 6) & 63] : '=',
                      i + 2 < n ? b64_alpha[v & 63] : '=' };
        (void)buf_append(out, q, 4);
    }
}

static int b64_val(char c)
{
    const char *p = c ? strchr(b64_alpha, c) : NULL;
    return p ? (int)(p - b64_alpha) : -1;
}

long serve_b64_decode(const char *s, size_t n, unsigned char *out)
{
    long o = 0;
    if (n % 4)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64_val(s[i + k])) < 0) {
                return -1;
            }
        }
        unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
                     (unsigned)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(w >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)w;
    }
    return o;
}

bool serve_secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    /* Every byte of the longer one is looked at, whatever differs first. */
    size_t n = alen > blen ? alen : blen;
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < alen ? (unsigned char)a[i] : 0;
        unsigned char y = i < blen ? (unsigned char)b[i] : 0;
        diff |= (unsigned char)(x ^ y);
    }
    return n > 0 && diff == 0;
}
