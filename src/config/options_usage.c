/* options_usage.c — the usage text generated from the option table: every
 * flag with its help, default, environment variable and file key, word-wrapped
 * to 79 columns. */
#include "config.h"
#include "config_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Print left, then text word-wrapped into a column starting at COL. */
static void usage_item(FILE *f, const char *left, const char *text)
{
    enum { COL = 30, WIDTH = 79 };
    int col = fprintf(f, "%s", left);
    if (col > COL - 2) {
        fputc('\n', f);
        col = 0;
    }
    fprintf(f, "%*s", COL - col, "");
    col = COL;
    bool line_start = true;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int w = (int)strcspn(p, " ");
        if (!line_start && col + 1 + w > WIDTH) {
            fprintf(f, "\n%*s", COL, "");
            col = COL;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, (size_t)w, f);
        col += w;
        p += w;
        line_start = false;
    }
    fputc('\n', f);
}

/* The help text of a row followed by its default, environment and file key. */
static void usage_text(const option_t *o, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "%s", o->help);
    const char *sep = " (";
#define ADD(...) do { if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__); } while (0)
    if (o->def) { ADD("%sdefault %s", sep, o->def); sep = "; "; }
    if (o->env[0]) {
        ADD("%senv %s", sep, o->env[0]);
        if (o->env[1])
            ADD(", then %s", o->env[1]);
        sep = "; ";
    }
    if (o->key && o->flag) { ADD("%sfile key %s", sep, o->key); sep = "; "; }
    if ((o->attrs & OPT_UNUSED) && o->kind != OPT_BLOCK) { ADD("%snot used yet", sep); sep = "; "; }
    if (sep[0] == ';')
        ADD(")");
#undef ADD
}

void config_usage(FILE *f, unsigned cmds)
{
    size_t n;
    const option_t *tab = config_options(&n);
    char left[96], text[512];

    for (size_t k = 0; k < n; k++) {
        const option_t *o = &tab[k];
        if (!o->flag || !(o->cmds & cmds))
            continue;
        int l = o->short_name ? snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->flag)
                              : snprintf(left, sizeof left, "  --%s", o->flag);
        if (o->kind == OPT_VALUE)
            snprintf(left + l, sizeof left - (size_t)l, " %s", o->metavar);
        usage_text(o, text, sizeof text);
        usage_item(f, left, text);
    }
    fprintf(f, "\nConfig file keys without a flag:\n");
    for (size_t k = 0; k < n; k++) {
        const option_t *o = &tab[k];
        if (o->flag || (o->kind == OPT_BLOCK && (o->attrs & OPT_UNUSED)))
            continue;
        snprintf(left, sizeof left, "  %s", o->key);
        usage_text(o, text, sizeof text);
        usage_item(f, left, text);
    }
    /* Said only while some block is accepted and not used yet. */
    bool any = false;
    for (size_t k = 0; k < n; k++)
        if (tab[k].kind == OPT_BLOCK && (tab[k].attrs & OPT_UNUSED)) {
            fprintf(f, "%s %s", any ? "," : "\nAccepted but not used yet, whole blocks:",
                    tab[k].key);
            any = true;
        }
    fprintf(f, "%s\nPrecedence: flags > environment > config file > defaults.\n"
               "Durations: 500ms, 5s, 2m, 1h, 1.5s, 1h30m.\n", any ? ".\n" : "");
}
