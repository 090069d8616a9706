/* options_number.c — the value parsers of the option setters: whole numbers,
 * plain decimals, durations ("1h30m", "1.5s", "500ms") and booleans, all
 * independent of the locale, with range checks that say what is allowed. */
#include "config.h"
#include "config_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Parse a string of decimal digits (nothing else) into *out. */
option_num_t option_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    bool overflow = false;
    if (!isdigit((unsigned char)*s))
        return NUM_BAD;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (*s != '\0')
        return NUM_BAD;
    if (overflow)
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

/* Parse a plain decimal "12", "0.05", "10.0" (no sign, exponent, hex, inf),
 * independent of the locale. Digits past the 19th significant one are dropped. */
static option_num_t parse_decimal(const char *s, double *out)
{
    const char *p = s;
    uint64_t mant = 0;
    size_t int_digits = 0, frac_digits = 0, kept = 0;
    int scale = 0;               /* decimal exponent applied to mant */

    for (; isdigit((unsigned char)*p); p++, int_digits++) {
        if (kept < 19) {
            mant = mant * 10 + (uint64_t)(*p - '0');
            kept += mant != 0;
        } else {
            scale++;
        }
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++, frac_digits++) {
            if (kept < 19) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                kept += mant != 0;
                scale--;
            }
        }
        if (frac_digits == 0)
            return NUM_BAD;
    }
    if (int_digits == 0 || *p != '\0')
        return NUM_BAD;
    if (scale > 290)
        return NUM_RANGE;
    double v = (double)mant;
    double ten = 1;
    for (int i = 0; i < (scale < 0 ? -scale : scale); i++)
        ten *= 10;
    v = scale < 0 ? v / ten : v * ten;
    if (!isfinite(v))
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

/* Parse a duration: one or more <number><unit> parts ("1h30m", "1.5s", "500ms")
 * or a bare number in unit_ms (when unit_ms > 0). Fractions of a millisecond
 * are dropped. NUM_RANGE when the result does not fit an int64. */
option_num_t option_parse_duration(const char *s, int64_t unit_ms, int64_t *ms)
{
    const char *p = s;
    uint64_t total = 0;
    bool overflow = false;

    if (!s || *s == '\0')
        return NUM_BAD;
    while (*p) {
        const char *seg = p;    /* a bare number must be the whole string */
        uint64_t ip = 0, frac = 0, frac_den = 1;
        size_t nd = 0;
        for (; isdigit((unsigned char)*p); p++, nd++) {
            unsigned d = (unsigned)(*p - '0');
            if (ip > (UINT64_MAX - d) / 10)
                overflow = true;
            else
                ip = ip * 10 + d;
        }
        if (*p == '.') {
            p++;
            for (; isdigit((unsigned char)*p); p++, nd++) {
                if (frac_den < 1000000) {   /* keep six digits: far below 1 ms */
                    frac = frac * 10 + (uint64_t)(*p - '0');
                    frac_den *= 10;
                }
            }
        }
        if (nd == 0)
            return NUM_BAD;

        uint64_t unit;
        if (p[0] == 'm' && p[1] == 's') { unit = 1; p += 2; }
        else if (*p == 's') { unit = 1000; p++; }
        else if (*p == 'm') { unit = 60 * 1000; p++; }
        else if (*p == 'h') { unit = 3600 * 1000; p++; }
        else if (*p == '\0' && seg == s && unit_ms > 0) unit = (uint64_t)unit_ms;
        else
            return NUM_BAD;

        if (ip != 0 && unit > UINT64_MAX / ip)
            overflow = true;
        else {
            uint64_t part = ip * unit;
            uint64_t fpart = unit <= UINT64_MAX / 1000000 ? frac * unit / frac_den : 0;
            if (part > UINT64_MAX - fpart || total > UINT64_MAX - part - fpart)
                overflow = true;
            else
                total += part + fpart;
        }
    }
    if (overflow || total > (uint64_t)INT64_MAX)
        return NUM_RANGE;
    *ms = (int64_t)total;
    return NUM_OK;
}

int config_parse_duration(const char *s, int64_t default_unit_ms, int64_t *ms)
{
    int64_t v;
    if (!ms || option_parse_duration(s, default_unit_ms, &v) != NUM_OK)
        return -1;
    *ms = v;
    return 0;
}

/* Parse a duration and check lo <= ms <= hi; range names the range for why. */
int option_duration_in_range(const char *v, int64_t unit_ms, int64_t lo, int64_t hi,
                             const char *range, int64_t *out, char *why, size_t whylen)
{
    int64_t ms = 0;
    option_num_t st = option_parse_duration(v, unit_ms, &ms);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a duration");
        return SET_BAD;
    }
    if (st == NUM_RANGE || ms < lo || ms > hi) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    *out = ms;
    return SET_OK;
}

/* Parse a plain decimal and check lo <= v <= hi (lo excluded when lo_open). */
int option_number_in_range(const char *v, double lo, bool lo_open, double hi,
                           const char *range, double *out, char *why, size_t whylen)
{
    double d = 0;
    option_num_t st = parse_decimal(v, &d);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a number");
        return SET_BAD;
    }
    if (st == NUM_RANGE || d < lo || (lo_open && d <= lo) || d > hi) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    *out = d;
    return SET_OK;
}

/* true|false (also yes/no, on/off; NULL = a switch given as a flag = true). */
int option_parse_bool(const char *v, bool *out, char *why, size_t whylen)
{
    if (!v || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
        strcasecmp(v, "on") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
             strcasecmp(v, "off") == 0)
        *out = false;
    else {
        snprintf(why, whylen, "is not a boolean (true or false)");
        return SET_BAD;
    }
    return SET_OK;
}
