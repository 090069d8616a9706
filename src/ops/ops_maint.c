/* ops_maint.c — pure pieces of the maintenance commands (ops_maint.h). */
#include "ops_maint.h"

#include <stdlib.h>
#include <string.h>

bool ops_printable(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (!len || c > 0xf4 || i + len > n)
            return false;
        unsigned cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f))
            return false;
        i += len;
    }
    return true;
}

char *ops_show_bytes(const unsigned char *p, size_t n)
{
    if (ops_printable(p, n)) {
        char *s = malloc(n + 1);
        if (s) {
            memcpy(s, p, n);
            s[n] = '\0';
        }
        return s;
    }
    char *b = ops_b64(p, n);
    if (!b)
        return NULL;
    size_t ml = strlen(OPS_B64_MARK), bl = strlen(b);
    char *s = malloc(ml + bl + 1);
    if (s) {
        memcpy(s, OPS_B64_MARK, ml);
        memcpy(s + ml, b, bl + 1);
    }
    free(b);
    return s;
}

void ops_prefix_end(const unsigned char *key, size_t n, unsigned char *out, size_t *outn)
{
    while (n > 0 && key[n - 1] == 0xff)
        n--;
    if (n == 0) {
        out[0] = 0;
        *outn = 1;
        return;
    }
    memcpy(out, key, n);
    out[n - 1]++;
    *outn = n;
}

double ops_frag_pct(int64_t db_size, int64_t in_use)
{
    if (db_size <= 0 || in_use <= 0 || in_use > db_size)
        return 0;
    return 100.0 * (double)(db_size - in_use) / (double)db_size;
}

int ops_margin(const ops_client_t *c)
{
    int voters = 0, up = 0;
    for (int i = 0; i < c->n; i++) {
        if (c->m[i].learner)
            continue;
        voters++;
        up += c->m[i].up;
    }
    return up - (voters / 2 + 1);
}

int ops_defrag_order(const ops_client_t *c, int *order)
{
    int k = 0;
    for (int i = 0; i < c->n; i++)
        if (c->m[i].up && i != c->leader)
            order[k++] = i;
    if (c->leader >= 0 && c->m[c->leader].up)
        order[k++] = c->leader;
    return k;
}
