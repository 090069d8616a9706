/* sparkline.c — trend glyphs from an array of doubles (see sparkline.h). */
#include "sparkline.h"

#include <math.h>
#include <string.h>

static const char *const block_glyph[8] = {
    "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char ascii_glyph[] = "_.-=^#";

/* Braille dots per column, bottom to top (dots 7,3,2,1 and 8,6,5,4). */
static const unsigned braille_left[4] = { 0x40, 0x04, 0x02, 0x01 };
static const unsigned braille_right[4] = { 0x80, 0x20, 0x10, 0x08 };

/* What to draw: the visible points and their scale. */
typedef struct {
    const double *v;     /* first visible point */
    size_t        count; /* visible points */
    int           ppc;   /* points per cell */
    int           lead;  /* empty point slots before v[0] in the first cell */
    int           ncells;
    int           levels;
    double        lo, hi;
    spark_style_t style;
} plan_t;

static int style_levels(spark_style_t s)
{
    return s == SPARK_BRAILLE ? 4 : s == SPARK_ASCII ? (int)sizeof ascii_glyph - 1 : 8;
}

/* Choose the most recent points that fit in width cells and their scale. */
static void plan_make(plan_t *p, const double *values, size_t n, int width, spark_opts_t o)
{
    memset(p, 0, sizeof *p);
    p->style = o.style;
    p->ppc = o.style == SPARK_BRAILLE ? 2 : 1;
    p->levels = style_levels(o.style);
    if (width <= 0 || n == 0 || values == NULL)
        return;
    size_t room = (size_t)width * (size_t)p->ppc;
    p->count = n < room ? n : room;
    p->v = values + (n - p->count);
    p->ncells = (int)((p->count + (size_t)p->ppc - 1) / (size_t)p->ppc);
    p->lead = p->ncells * p->ppc - (int)p->count;

    bool any = false;
    for (size_t i = 0; i < p->count; i++) {
        double x = p->v[i];
        if (!isfinite(x))
            continue;
        if (!any || x < p->lo)
            p->lo = x;
        if (!any || x > p->hi)
            p->hi = x;
        any = true;
    }
    if (o.floor_zero && p->lo > 0)
        p->lo = 0;
    if (isfinite(o.min_span) && o.min_span > 0 && p->hi - p->lo < o.min_span)
        p->hi = p->lo + o.min_span;
}

/* Level 0..levels-1 of point slot k (counting the lead), or -1 for a gap. */
static int plan_level(const plan_t *p, int k, double *value)
{
    if (k < p->lead)
        return -1;
    double x = p->v[k - p->lead];
    if (!isfinite(x))
        return -1;
    if (isnan(*value) || x > *value)
        *value = x;
    /* halves keep the span finite even for values near ±DBL_MAX */
    double span = p->hi * 0.5 - p->lo * 0.5;
    if (!(span > 0))
        return 0;
    double frac = (x * 0.5 - p->lo * 0.5) / span;
    int lv = (int)floor(frac * p->levels);
    return lv < 0 ? 0 : lv >= p->levels ? p->levels - 1 : lv;
}

static void braille_utf8(char out[5], unsigned bits)
{
    unsigned cp = 0x2800u + bits;
    out[0] = (char)0xE2;
    out[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[2] = (char)(0x80u | (cp & 0x3Fu));
    out[3] = '\0';
}

/* Fill cell i (0..ncells) of the plan. */
static void plan_cell(const plan_t *p, int i, spark_cell_t *c)
{
    c->value = NAN;
    strcpy(c->glyph, " ");
    if (p->style == SPARK_BRAILLE) {
        int a = plan_level(p, 2 * i, &c->value);
        int b = plan_level(p, 2 * i + 1, &c->value);
        if (a < 0 && b < 0)
            return;
        unsigned bits = 0;
        for (int k = 0; k <= a; k++)
            bits |= braille_left[k];
        for (int k = 0; k <= b; k++)
            bits |= braille_right[k];
        braille_utf8(c->glyph, bits);
        return;
    }
    int lv = plan_level(p, i, &c->value);
    if (lv < 0)
        return;
    if (p->style == SPARK_ASCII) {
        c->glyph[0] = ascii_glyph[lv];
        c->glyph[1] = '\0';
    } else {
        strcpy(c->glyph, block_glyph[lv]);
    }
}

int sparkline_cells(const double *values, size_t n, int width, spark_opts_t opts,
                    spark_cell_t *cells, int max_cells)
{
    plan_t p;
    plan_make(&p, values, n, width, opts);
    int pad = (opts.pad && width > p.ncells) ? width - p.ncells : 0;
    if (pad + p.ncells > max_cells)
        return -1;
    for (int i = 0; i < pad; i++) {
        strcpy(cells[i].glyph, " ");
        cells[i].value = NAN;
    }
    for (int i = 0; i < p.ncells; i++)
        plan_cell(&p, i, &cells[pad + i]);
    return pad + p.ncells;
}

int sparkline_render(const double *values, size_t n, int width, spark_opts_t opts,
                     char *out, size_t size)
{
    plan_t p;
    plan_make(&p, values, n, width, opts);
    int pad = (opts.pad && width > p.ncells) ? width - p.ncells : 0;
    if (size == 0)
        return -1;
    size_t len = 0;
    for (int i = 0; i < pad + p.ncells; i++) {
        spark_cell_t c = { " ", NAN };
        if (i >= pad)
            plan_cell(&p, i - pad, &c);
        size_t g = strlen(c.glyph);
        if (len + g + 1 > size) {
            out[0] = '\0';
            return -1;
        }
        memcpy(out + len, c.glyph, g);
        len += g;
    }
    out[len] = '\0';
    return pad + p.ncells;
}

spark_class_t sparkline_class(double value, double warning, double critical)
{
    if (isnan(value))
        return SPARK_UNKNOWN;
    if (!isnan(warning) && !isnan(critical) && warning > critical) {
        if (value <= critical)
            return SPARK_CRITICAL;
        return value <= warning ? SPARK_WARNING : SPARK_OK;
    }
    if (!isnan(critical) && value >= critical)
        return SPARK_CRITICAL;
    if (!isnan(warning) && value >= warning)
        return SPARK_WARNING;
    return SPARK_OK;
}

spark_style_t sparkline_pick_style(bool utf8, bool prefer_braille)
{
    if (!utf8)
        return SPARK_ASCII;
    return prefer_braille ? SPARK_BRAILLE : SPARK_BLOCKS;
}
