/* text.c — escape control characters and invalid UTF-8 in untrusted text (see text.h). */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length of the valid UTF-8 sequence at p (1..4, n bytes available) and its code
 * point, or 0 when the bytes there are not valid UTF-8 (RFC 3629). */
static size_t text_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char b = p[0];
    size_t len;
    uint32_t c, min;
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2, c = b & 0x1f, min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3, c = b & 0x0f, min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4, c = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Code points shown as \uNNNN: C1 controls, line/paragraph separators, bidi controls. */
static bool text_escaped_cp(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || (c >= 0x2028 && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

/* What the byte(s) at p become: writes the replacement into rep (when not a
 * plain copy) and returns how many input bytes it consumes; *copy says the
 * input bytes are kept as they are. */
static size_t text_next(const unsigned char *p, size_t n, char rep[16], bool *copy)
{
    unsigned char b = p[0];
    *copy = false;
    if (b >= 0x20 && b < 0x7f) {
        *copy = true;
        return 1;
    }
    if (b < 0x80) {
        const char *named = b == '\n' ? "\\n" : b == '\r' ? "\\r" : b == '\t' ? "\\t" : NULL;
        if (named)
            memcpy(rep, named, 3);
        else
            snprintf(rep, 16, "\\x%02x", b);
        return 1;
    }
    uint32_t cp;
    size_t len = text_utf8(p, n, &cp);
    if (len == 0) {
        memcpy(rep, REPLACEMENT, sizeof REPLACEMENT);
        return 1;
    }
    if (text_escaped_cp(cp)) {
        snprintf(rep, 16, "\\u%04x", (unsigned)cp);
        return len;
    }
    *copy = true;
    return len;
}

size_t text_clean_n(char *out, size_t size, const char *s, size_t len)
{
    if (size == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    if (!s)
        len = 0;
    size_t o = 0, i = 0;
    while (i < len) {
        char rep[16];
        bool copy;
        size_t used = text_next(p + i, len - i, rep, &copy);
        const char *src = copy ? (const char *)p + i : rep;
        size_t k = copy ? used : strlen(rep);
        if (k >= size - o) /* no room for it and the NUL: stop whole */
            break;
        memcpy(out + o, src, k);
        o += k;
        i += used;
    }
    out[o] = '\0';
    return o;
}

size_t text_clean(char *out, size_t size, const char *s)
{
    return text_clean_n(out, size, s, s ? strlen(s) : 0);
}

bool text_is_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        char rep[16];
        bool copy;
        size_t used = text_next(p + i, n - i, rep, &copy);
        if (!copy)
            return false;
        i += used;
    }
    return true;
}
