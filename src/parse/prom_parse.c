/* prom_parse.c — allocation-free parser for the Prometheus text exposition format.
 *
 * One pass over the body, line by line. Every line is validated; samples whose
 * family the caller does not want skip float conversion and the callback. Labels
 * live in a fixed array on this file's stack frame; nothing is ever allocated.
 *
 * Accepted syntax follows Prometheus' own scraper (model/textparse/promparse.go):
 * free whitespace between tokens, optional trailing comma (and even a missing
 * comma) between labels, escapes resolved like its lvalue replacer, floats as Go's
 * strconv.ParseFloat without hex/underscores, values that overflow a double are
 * errors. Deliberately stricter: NUL bytes, raw newlines inside label values, and
 * a HELP/TYPE metric name glued to the following text are errors; timestamps may
 * carry a sign. */
#include "prom.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Byte classes. */
enum {
    C_MSTART = 1,   /* may start a metric name: [a-zA-Z_:] */
    C_MCHAR  = 2,   /* may continue a metric name: [a-zA-Z0-9_:] */
    C_LSTART = 4,   /* may start a label name: [a-zA-Z_] */
    C_LCHAR  = 8,   /* may continue a label name: [a-zA-Z0-9_] */
    C_VSTOP  = 16,  /* ends a value or timestamp token: space, tab, newline, '{', NUL */
    C_LVSPEC = 32,  /* needs attention inside a label value: '"' '\\' '\n' NUL, >= 0x80 */
};

#define LT 15       /* letter or '_' */
#define DG 10       /* digit */
#define HI C_LVSPEC /* byte >= 0x80 */
#define HI16 HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI
static const unsigned char cls[256] = {
    /* 0x00 */ C_VSTOP | C_LVSPEC, 0, 0, 0, 0, 0, 0, 0, 0, C_VSTOP, C_VSTOP | C_LVSPEC, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ C_VSTOP, 0, C_LVSPEC, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x30 */ DG, DG, DG, DG, DG, DG, DG, DG, DG, DG, C_MSTART | C_MCHAR, 0, 0, 0, 0, 0,
    /* 0x40 */ 0, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT,
    /* 0x50 */ LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, 0, C_LVSPEC, 0, 0, LT,
    /* 0x60 */ 0, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT,
    /* 0x70 */ LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, C_VSTOP, 0, 0, 0, 0,
    HI16, HI16, HI16, HI16, HI16, HI16, HI16, HI16,
};
#undef LT
#undef DG
#undef HI
#undef HI16

#define CL(c) cls[(unsigned char)(c)]

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- floats ------------------------------------------------------------ */

enum { FLT_DEC, FLT_INF, FLT_NAN };

/* What one pass over a float token learnt about it. For decimals the value is
 * D * 10^e10 where D is the digit string without its point; mag is the decimal
 * exponent of the leading non-zero digit (meaningless when zero is set). */
typedef struct {
    int         kind;
    bool        neg;
    bool        zero;
    const char *mant;       /* mantissa text: digits and at most one '.' */
    const char *mant_end;
    uint64_t    head;       /* D when nsig <= 19 */
    int64_t     nsig;       /* digits from the first non-zero one to the last */
    int64_t     e10;
    int64_t     mag;
} fscan_t;

#define EXP_SATURATE 100000000  /* exponents beyond this behave like infinity */

/* Case-insensitive compare of [p, p+n) with a lowercase literal of length n. */
static bool ci_equal(const char *p, size_t n, const char *lit)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != lit[i])
            return false;
    return true;
}

/* Validate a float token and gather what conversion needs; no arithmetic on
 * doubles. Accepts [+-]digits[.digits][e[+-]digits], [+-]Inf, [+-]Infinity and
 * NaN (case-insensitive), like Go's ParseFloat minus hex and underscores. */
static bool float_scan(const char *p, size_t len, fscan_t *fs)
{
    const char *end = p + len;
    fs->kind = FLT_DEC;
    fs->neg = false;
    if (p < end && (*p == '+' || *p == '-')) {
        fs->neg = *p == '-';
        p++;
    }
    if (p == end)
        return false;
    if ((*p | 0x20) == 'i') {
        size_t n = (size_t)(end - p);
        fs->kind = FLT_INF;
        return (n == 3 && ci_equal(p, 3, "inf")) || (n == 8 && ci_equal(p, 8, "infinity"));
    }
    if ((*p | 0x20) == 'n') {
        /* Go takes no sign on NaN: the whole token, not what follows a sign,
         * must be the three letters (p + 3 may lie past the token's end) */
        fs->kind = FLT_NAN;
        return (size_t)(end - p) == 3 && len == 3 && ci_equal(p, 3, "nan");
    }
    fs->mant = p;
    int64_t k = 0, n = 0, lz = 0, nsig = 0;
    uint64_t head = 0;
    bool point = false, nonzero = false;
    for (; p < end; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d < 10) {
            n++;
            k += !point;
            if (!nonzero) {
                if (d == 0) {
                    lz++;
                    continue;
                }
                nonzero = true;
            }
            if (++nsig <= 19)
                head = head * 10 + d;
        } else if (*p == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (n == 0)
        return false;
    fs->mant_end = p;
    int64_t exp = 0;
    if (p < end && (*p | 0x20) == 'e') {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == end)
            return false;
        for (; p < end; p++) {
            unsigned d = (unsigned)(unsigned char)*p - '0';
            if (d >= 10)
                return false;
            if (exp < EXP_SATURATE)
                exp = exp * 10 + d;
        }
        if (eneg)
            exp = -exp;
    }
    if (p != end)
        return false;
    fs->zero = !nonzero;
    fs->head = head;
    fs->nsig = nsig;
    fs->e10 = exp + k - n;
    fs->mag = exp + k - lz - 1;
    return true;
}

/* Write v in decimal at p; returns the number of bytes written. */
static int put_int64(char *p, int64_t v)
{
    char tmp[24];
    int n = 0, w = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        p[w++] = '-';
    while (n)
        p[w++] = tmp[--n];
    return w;
}

#define SLOW_DIGITS 780   /* more than the 767 significant digits a double can need */

/* Correctly rounded conversion of any decimal: rewrite it as "DIGITSeEXP" with no
 * radix character (so the C library's strtod cannot be misled by the locale),
 * keeping SLOW_DIGITS digits plus one sticky digit, which cannot change the
 * rounding. Returns |value|, possibly infinite. */
static double float_slow(const fscan_t *fs)
{
    char buf[SLOW_DIGITS + 1 + 2 + 24];
    int64_t m = 0;
    bool sticky = false, nonzero = false;
    for (const char *p = fs->mant; p < fs->mant_end; p++) {
        if (*p == '.')
            continue;
        if (!nonzero) {
            if (*p == '0')
                continue;
            nonzero = true;
        }
        if (m < SLOW_DIGITS)
            buf[m++] = *p;
        else if (*p != '0')
            sticky = true;
    }
    int64_t exp10;
    if (sticky) {
        buf[m++] = '1';
        exp10 = fs->mag - SLOW_DIGITS;
    } else {
        while (m > 1 && buf[m - 1] == '0')
            m--;
        exp10 = fs->mag - m + 1;
    }
    buf[m++] = 'e';
    m += put_int64(buf + m, exp10);
    buf[m] = '\0';
    int saved = errno;
    double v = strtod(buf, NULL);
    errno = saved;
    return v;
}

static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Turn a scanned token into a double. Returns -1 when it overflows a double. */
static int float_convert(const fscan_t *fs, double *out)
{
    double v;
    if (fs->kind == FLT_NAN) {
        *out = NAN;
        return 0;
    }
    if (fs->kind == FLT_INF) {
        v = INFINITY;
    } else if (fs->zero) {
        v = 0.0;
    } else if (fs->mag > DBL_MAX_10_EXP) {
        return -1;
    } else if (FLT_EVAL_METHOD == 0 && fs->nsig <= 19 && fs->head <= (UINT64_C(1) << 53) &&
               fs->e10 >= -22 && fs->e10 <= 22) {
        /* Clinger's fast path: both operands exact, one correctly rounded op. */
        v = (double)fs->head;
        v = fs->e10 < 0 ? v / pow10_exact[-fs->e10] : v * pow10_exact[fs->e10];
    } else {
        v = float_slow(fs);
        if (isinf(v))
            return -1;
    }
    *out = fs->neg ? -v : v;
    return 0;
}

int prom_parse_float(const char *p, size_t len, double *out)
{
    fscan_t fs;
    double v;
    if (!p || !float_scan(p, len, &fs) || float_convert(&fs, &v))
        return -1;
    *out = v;
    return 0;
}

/* ---- UTF-8 --------------------------------------------------------------- */

/* First byte of [p, end) that breaks UTF-8 (overlongs, surrogates and code
 * points above U+10FFFF included, as Go's utf8.Valid), or NULL when valid. */
static const char *utf8_invalid(const char *p, const char *end)
{
    const unsigned char *s = (const unsigned char *)p, *e = (const unsigned char *)end;
    while (s < e) {
        unsigned c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return (const char *)s;
        }
        if ((size_t)(e - s) <= need || s[1] < lo || s[1] > hi)
            return (const char *)s;
        for (size_t i = 2; i <= need; i++)
            if ((s[i] & 0xC0) != 0x80)
                return (const char *)s;
        s += need + 1;
    }
    return NULL;
}

/* Like utf8_invalid, with a word-at-a-time skip over plain ASCII. */
static const char *text_invalid(const char *p, const char *end)
{
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        p += 8;
    }
    return utf8_invalid(p, end);
}

/* ---- lines ---------------------------------------------------------------- */

typedef struct {
    const char   *p;           /* where the current line parser stands */
    const char   *end;
    const char   *line_start;
    int           line;        /* 1-based */
    prom_error_t *err;
} scan_t;

/* Record an error at byte `at` of the current line. A NUL byte there always
 * wins the message, so every NUL is reported as such. */
static int scan_fail(scan_t *s, const char *at, const char *msg)
{
    if (at < s->end && *at == '\0')
        msg = "unexpected NUL byte";
    ptrdiff_t col = at - s->line_start + 1;
    s->err->line = s->line;
    s->err->col = col > INT_MAX ? INT_MAX : (int)col;
    snprintf(s->err->msg, sizeof s->err->msg, "%s", msg);
    return -1;
}

static inline const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    return p;
}

/* A '#' line: HELP and TYPE are checked, anything else is a comment.
 * s->p is at '#'; leaves it at the newline (or end). */
static int parse_comment(scan_t *s)
{
    const char *end = s->end, *p = s->p + 1;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        nl = end;
    const char *z = memchr(p, '\0', (size_t)(nl - p));
    if (z)
        return scan_fail(s, z, "unexpected NUL byte");
    s->p = nl;
    if (p == nl || !is_blank(*p))
        return 0;
    p = skip_blanks(p, nl);
    if (nl - p < 5 || !is_blank(p[4]))
        return 0;
    bool help = memcmp(p, "HELP", 4) == 0;
    if (!help && memcmp(p, "TYPE", 4) != 0)
        return 0;
    p = skip_blanks(p + 4, nl);
    if (p == nl || !(CL(*p) & C_MSTART))
        return scan_fail(s, p, help ? "expected metric name after HELP"
                                    : "expected metric name after TYPE");
    while (++p < nl && (CL(*p) & C_MCHAR))
        ;
    if (p < nl && !is_blank(*p))
        return scan_fail(s, p, "invalid character in metric name");
    if (help) {
        const char *bad = p < nl ? text_invalid(p + 1, nl) : NULL;
        return bad ? scan_fail(s, bad, "invalid UTF-8 in HELP text") : 0;
    }
    p = skip_blanks(p, nl);
    if (p == nl)
        return scan_fail(s, p, "missing metric type");
    const char *kw = p;
    while (p < nl && !is_blank(*p))
        p++;
    size_t n = (size_t)(p - kw);
    bool known = (n == 7 && (!memcmp(kw, "counter", 7) || !memcmp(kw, "summary", 7) ||
                             !memcmp(kw, "untyped", 7))) ||
                 (n == 5 && !memcmp(kw, "gauge", 5)) ||
                 (n == 9 && !memcmp(kw, "histogram", 9));
    if (!known)
        return scan_fail(s, kw, "unknown metric type");
    p = skip_blanks(p, nl);
    if (p != nl)
        return scan_fail(s, p, "junk after metric type");
    return 0;
}

/* memcmp(a, b, n) == 0 for a metric name's few dozen bytes, inline: eight
 * bytes at a time, no call. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
    }
    while (n--)
        if (*a++ != *b++)
            return false;
    return true;
}

/* The first byte from p that needs attention inside a label value ('"', '\\',
 * newline, NUL, or >= 0x80), or end: sixteen bytes at a time where it can. */
static inline const char *value_special(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n'),
                  zero = _mm_setzero_si128();
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, zero)));
        int m = _mm_movemask_epi8(hit) | _mm_movemask_epi8(v);   /* the sign bit: >= 0x80 */
        if (m)
            return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
    while (p < end && !(CL(*p) & C_LVSPEC))
        p++;
    return p;
}

/* The brace-enclosed label set; *pp is just past '{', left just past '}'. */
static int parse_labels(scan_t *s, const char **pp, prom_label_t *labels, int *nlabels)
{
    const char *p = skip_blanks(*pp, s->end), *end = s->end;
    int n = 0;
    for (;;) {
        if (p < end && *p == '}')
            break;
        if (p == end || !(CL(*p) & C_LSTART))
            return scan_fail(s, p, p == end ? "unterminated label set" : "expected label name");
        const char *name = p;
        while (++p < end && (CL(*p) & C_LCHAR))
            ;
        size_t name_len = (size_t)(p - name);
        p = skip_blanks(p, end);
        if (p == end || *p != '=')
            return scan_fail(s, p, "expected '=' after label name");
        p = skip_blanks(p + 1, end);
        if (p == end || *p != '"')
            return scan_fail(s, p, "expected '\"' to open label value");
        const char *quote = p++, *value = p;
        bool escaped = false;
        unsigned hi = 0;
        for (;;) {
            p = value_special(p, end);
            if (p == end || *p == '\n')
                return scan_fail(s, quote, "unterminated label value");
            unsigned char c = (unsigned char)*p;
            if (c == '"')
                break;
            if (c == '\\') {
                if (p + 1 == end || p[1] == '\n')
                    return scan_fail(s, quote, "unterminated label value");
                if (p[1] == '\0')
                    return scan_fail(s, p + 1, "unexpected NUL byte");
                escaped = true;
                hi |= (unsigned char)p[1];
                p += 2;
                continue;
            }
            if (c == '\0')
                return scan_fail(s, p, "unexpected NUL byte");
            hi |= c;   /* >= 0x80 */
            p++;
        }
        size_t value_len = (size_t)(p - value);
        p++;
        if (hi & 0x80) {
            const char *bad = utf8_invalid(value, value + value_len);
            if (bad)
                return scan_fail(s, bad, "invalid UTF-8 in label value");
        }
        for (int i = 0; i < n; i++)
            if (labels[i].name_len == name_len && same_bytes(labels[i].name, name, name_len))
                return scan_fail(s, name, "duplicate label name");
        if (n == PROM_MAX_LABELS)
            return scan_fail(s, name, "too many labels");
        labels[n].name = name;
        labels[n].name_len = name_len;
        labels[n].value = value;
        labels[n].value_len = value_len;
        labels[n].escaped = escaped;
        n++;
        p = skip_blanks(p, end);
        if (p < end && *p == ',') {
            p = skip_blanks(p + 1, end);
        } else if (p < end && *p != '}' && !(CL(*p) & C_LSTART)) {
            /* Prometheus tolerates a missing comma before the next label name. */
            return scan_fail(s, p, "expected ',' or '}' after label value");
        }
    }
    *pp = p + 1;
    *nlabels = n;
    return 0;
}

/* Parse an integer timestamp in milliseconds: [+-]digits fitting int64. */
static int parse_timestamp(const char *p, size_t len, int64_t *out, const char **why)
{
    const char *end = p + len;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    *why = "invalid timestamp";
    if (p == end)
        return -1;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d >= 10)
            return -1;
        if (v > (limit - d) / 10) {
            *why = "timestamp out of range";
            return -1;
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

typedef struct {
    prom_want_fn   want;
    prom_sample_fn on_sample;
    void          *ctx;
    prom_pick_fn   pick;       /* prom_scan: unwanted lines are only checked for NUL */
    const char    *last;       /* prom_scan: the previous line's metric name ... */
    size_t         last_len;   /* ... its length (0: none yet) ... */
    int            last_pick;  /* ... and pick's answer for it */
    prom_label_t   labels[PROM_MAX_LABELS];
} sink_t;

/* The first newline or NUL byte from p (or end): one pass finds the end of a
 * line prom_scan skips and any NUL in it, which is an error there too. */
static const char *nl_or_nul(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, zero)));
        if (m)
            return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
    while (p < end && *p != '\n' && *p != '\0')
        p++;
    return p;
#else
    const char *e = memchr(p, '\n', (size_t)(end - p));
    const char *z = memchr(p, '\0', (size_t)((e ? e : end) - p));
    return z ? z : e ? e : end;
#endif
}

/* prom_scan's fast path: move s->p to the end of the line from p, refusing a
 * NUL byte on the way. */
static int skip_line(scan_t *s, const char *p)
{
    const char *q = nl_or_nul(p, s->end);
    if (q < s->end && *q == '\0')
        return scan_fail(s, q, "unexpected NUL byte");
    s->p = q;
    return 0;
}

/* Does the line [p, nl) end in "} 0" (labels, then a plain zero value and no
 * timestamp)? The sample then adds nothing to a sum. */
static bool line_ends_zero(const char *p, const char *nl)
{
    const char *q = nl;
    while (q > p && is_blank(q[-1]))
        q--;
    if (q - p < 3 || q[-1] != '0' || !is_blank(q[-2]))
        return false;
    q -= 2;
    while (q > p && is_blank(q[-1]))
        q--;
    return q > p && q[-1] == '}';
}

/* prom_scan: does the line from p start with the previous line's metric name,
 * whole (a family's series come one after the other)? One memcmp instead of a
 * byte-by-byte scan and a pick (pick answers by the name alone). */
static bool name_repeats(const sink_t *k, const char *p, const char *end)
{
    size_t n = k->last_len;
    return n > 0 && (size_t)(end - p) >= n && same_bytes(p, k->last, n) &&
           (p + n == end || !(CL(p[n]) & C_MCHAR));
}

/* One sample line; s->p is at the first byte of the metric name. */
static int parse_sample(scan_t *s, sink_t *k)
{
    const char *p = s->p, *end = s->end;
    if (!(CL(*p) & C_MSTART))
        return scan_fail(s, p, *p == '{' ? "expected metric name before '{'" : "invalid metric name");
    const char *name = p;
    size_t name_len;
    int pick = PROM_TAKE;
    if (k->pick && name_repeats(k, p, end)) {
        name_len = k->last_len;   /* the same name as the line before: the same pick */
        p += name_len;
        pick = k->last_pick;
    } else {
        while (++p < end && (CL(*p) & C_MCHAR))
            ;
        name_len = (size_t)(p - name);
        if (k->pick) {
            pick = k->pick(name, name_len, k->ctx);
            k->last = name;
            k->last_len = name_len;
            k->last_pick = pick;
        }
    }
    if (pick == PROM_SKIP)
        return skip_line(s, p);
    if (pick == PROM_TAKE_NONZERO) {
        const char *q = nl_or_nul(p, end);
        if (q < end && *q == '\0') {           /* a NUL: where the zero test ends is the newline */
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            if (line_ends_zero(p, nl ? nl : end))
                return scan_fail(s, q, "unexpected NUL byte");
        } else if (line_ends_zero(p, q)) {
            s->p = q;
            return 0;
        }
    }
    bool wanted = !k->want || k->want(name, name_len, k->ctx);
    const char *after = p;
    p = skip_blanks(p, end);
    int nlabels = 0;
    if (p < end && *p == '{') {
        p++;
        if (parse_labels(s, &p, k->labels, &nlabels))
            return -1;
        p = skip_blanks(p, end);
    } else if (p == after && p < end && *p != '\n') {
        return scan_fail(s, p, "invalid character in metric name");
    }
    const char *v = p;
    while (p < end && !(CL(*p) & C_VSTOP))
        p++;
    if (p == v)
        return scan_fail(s, p, "missing value");
    fscan_t fs;
    double value = 0;
    if (!float_scan(v, (size_t)(p - v), &fs))
        return scan_fail(s, v, "invalid value");
    /* Overflow is an error whether wanted or not; only a leading digit at
     * 10^308 needs the conversion to tell. */
    bool huge = fs.kind == FLT_DEC && !fs.zero && fs.mag >= DBL_MAX_10_EXP;
    if ((wanted || huge) && float_convert(&fs, &value))
        return scan_fail(s, v, "value out of range");
    if (p < end && *p != '\n' && !is_blank(*p))
        return scan_fail(s, p, "expected space or newline after value");
    p = skip_blanks(p, end);
    bool has_ts = false;
    int64_t ts = 0;
    if (p < end && *p != '\n') {
        const char *t = p, *why;
        while (p < end && !(CL(*p) & C_VSTOP))
            p++;
        if (p == t || parse_timestamp(t, (size_t)(p - t), &ts, &why))
            return scan_fail(s, t, p == t ? "invalid timestamp" : why);
        has_ts = true;
        p = skip_blanks(p, end);
        if (p < end && *p != '\n')
            return scan_fail(s, p, "junk after timestamp");
    }
    s->p = p;
    if (wanted && k->on_sample) {
        prom_sample_t smp = {
            .name = name, .name_len = name_len, .labels = k->labels, .nlabels = nlabels,
            .value = value, .has_timestamp = has_ts, .timestamp_ms = ts,
        };
        k->on_sample(&smp, k->ctx);
    }
    return 0;
}

/* Walk the lines of [s->p, s->end) (prom_parse, prom_scan and the parts of a
 * stream): 0, or -1 at the first error (s->err says where). */
static int walk_lines(scan_t *s, sink_t *k)
{
    while (s->p < s->end) {
        s->line_start = s->p;
        s->p = skip_blanks(s->p, s->end);
        if (s->p < s->end && *s->p != '\n') {
            int rc = *s->p != '#' ? parse_sample(s, k)
                     : k->pick    ? skip_line(s, s->p)
                                  : parse_comment(s);
            if (rc)
                return -1;
        }
        if (s->p < s->end) {   /* at the newline */
            s->p++;
            if (s->line < INT_MAX)
                s->line++;
        }
    }
    return 0;
}

/* prom_parse (want) and prom_scan (pick: lines are skipped). */
static int prom_walk(const char *buf, size_t len, prom_want_fn want, prom_pick_fn pick,
                     prom_sample_fn on_sample, void *ctx, prom_error_t *err)
{
    prom_error_t scratch;
    if (!err)
        err = &scratch;
    err->line = 0;
    err->col = 0;
    err->msg[0] = '\0';
    if (len == 0)
        return 0;
    if (!buf) {
        snprintf(err->msg, sizeof err->msg, "no input");
        return -1;
    }
    sink_t k = { .want = want, .pick = pick, .on_sample = on_sample, .ctx = ctx };
    scan_t s = { .p = buf, .end = buf + len, .line_start = buf, .line = 1, .err = err };
    return walk_lines(&s, &k);
}

int prom_parse(const char *buf, size_t len, prom_want_fn want, prom_sample_fn on_sample,
               void *ctx, prom_error_t *err)
{
    return prom_walk(buf, len, want, NULL, on_sample, ctx, err);
}

int prom_scan(const char *buf, size_t len, prom_pick_fn pick, prom_sample_fn on_sample,
              void *ctx, prom_error_t *err)
{
    return prom_walk(buf, len, NULL, pick, on_sample, ctx, err);
}

int prom_scan_part(prom_part_t *pt, const char *buf, size_t len, prom_pick_fn pick,
                   prom_sample_fn on_sample, void *ctx, prom_error_t *err)
{
    if (len == 0)
        return 0;
    sink_t k = { .pick = pick, .on_sample = on_sample, .ctx = ctx,
                 .last = pt->last, .last_len = pt->last_len, .last_pick = pt->last_pick };
    scan_t s = { .p = buf, .end = buf + len, .line_start = buf, .line = pt->line, .err = err };
    int rc = walk_lines(&s, &k);
    pt->line = s.line;
    /* The name cache outlives buf only as a copy (too long a name: no cache). */
    if (k.last != pt->last) {
        if (k.last_len <= sizeof pt->name) {
            memcpy(pt->name, k.last, k.last_len);
            pt->last_len = k.last_len;
            pt->last_pick = k.last_pick;
        } else {
            pt->last_len = 0;
        }
    }
    pt->last = pt->name;
    return rc;
}
