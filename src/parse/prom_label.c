/* prom_label.c — label lookup and comparison on parsed samples (see prom.h):
 * values stay slices of the body, their escapes resolved while comparing. */
#include "prom.h"

#include <string.h>

const prom_label_t *prom_label_find(const prom_sample_t *s, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < s->nlabels; i++)
        if (s->labels[i].name_len == n && !memcmp(s->labels[i].name, name, n))
            return &s->labels[i];
    return NULL;
}

bool prom_label_equals(const prom_label_t *l, const char *s)
{
    const char *p = l->value, *end = l->value + l->value_len;
    if (!l->escaped) {
        size_t n = strlen(s);
        return n == l->value_len && !memcmp(p, s, n);
    }
    while (p < end) {
        char c = *p++;
        if (c == '\\' && p < end) {
            if (*p == '\\' || *p == '"') {
                c = *p++;
            } else if (*p == 'n') {
                c = '\n';
                p++;
            }
            /* any other escape keeps its backslash; the next char follows */
        }
        if (*s++ != c)
            return false;
    }
    return *s == '\0';
}
