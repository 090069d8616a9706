/* options_scrub.c — hide the secrets of the command line (--password VALUE,
 * --password=VALUE, --user NAME:PASSWORD) from the process title that ps and
 * /proc/PID/cmdline show: the bytes are wiped and each secret reads as the
 * same fixed mask, so neither it nor its length shows. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SCRUB_MASK "********"

/* The secret inside argument a (after "--password=" or "NAME:"), given the
 * argument before it; NULL when a holds none. */
static char *secret_in(const char *prev, char *a)
{
    char *colon = strchr(a, ':');
    if (prev && strcmp(prev, "--password") == 0)
        return a;
    if (strncmp(a, "--password=", 11) == 0)
        return a + 11;
    if (colon && ((prev && strcmp(prev, "--user") == 0) || strncmp(a, "--user=", 7) == 0))
        return colon + 1;
    return NULL;
}

/* Write the title's arguments from text (n NUL-terminated strings, one after
 * the other) over the storage [area, area + len): whole arguments only, as many
 * as fit; argv[0..n) then point at them, and one that did not fit at an empty
 * string. The rest of the storage is zeroed. */
static void title_write(char **argv, int n, const char *text, char *area, size_t len)
{
    size_t used = 0;
    bool full = false;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(text) + 1;
        full = full || used + l > len;
        if (!full) {
            memmove(area + used, text, l);
            argv[i] = area + used;
            used += l;
        } else {
            argv[i] = area + len - 1;               /* zeroed below: "" */
        }
        text += l;
    }
    explicit_bzero(area + used, len - used);
}

void config_scrub_argv(int argc, char **argv)
{
    bool contiguous = true, any = false;
    size_t total = 0;
    const char *prev = NULL;

    if (argc < 1)
        return;
    char **secret = calloc((size_t)argc, sizeof *secret);
    size_t *len = calloc((size_t)argc, sizeof *len);
    for (int i = 0; i < argc && len; i++) {
        len[i] = strlen(argv[i]);
        total += len[i] + 1;
        /* The kernel lays the arguments out one after the other: one area. */
        if (i > 0 && argv[i] != argv[i - 1] + len[i - 1] + 1)
            contiguous = false;
    }
    for (int i = 1; i < argc && secret; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        secret[i] = secret_in(prev, argv[i]);
        any = any || secret[i];
        prev = secret[i] == argv[i] ? NULL : argv[i];   /* a value is no flag */
    }
    char *text = any && len ? malloc(total + (size_t)argc * sizeof SCRUB_MASK) : NULL;
    /* The title's arguments, each secret replaced by the mask; then the
     * secrets wiped (also when out of memory). */
    size_t o = 0;
    for (int i = 0; i < argc && text; i++) {
        size_t keep = secret[i] ? (size_t)(secret[i] - argv[i]) : len[i];
        memcpy(text + o, argv[i], keep);
        o += keep;
        if (secret[i]) {
            memcpy(text + o, SCRUB_MASK, sizeof SCRUB_MASK - 1);
            o += sizeof SCRUB_MASK - 1;
        }
        text[o++] = '\0';
    }
    for (int i = 1; i < argc && secret; i++)
        if (secret[i])
            explicit_bzero(secret[i], strlen(secret[i]));
    if (text && contiguous) {
        title_write(argv, argc, text, argv[0], total);
    } else if (text) {
        /* Each argument in its own storage (argv was rearranged before us). */
        const char *t = text;
        for (int i = 0; i < argc; i++) {
            size_t l = strlen(t) + 1;
            title_write(argv + i, 1, t, argv[i], len[i] + 1);
            t += l;
        }
    }
    free(text);
    free(len);
    free(secret);
}
