/* fuzz_theme.c — libFuzzer target: theme files (theme.c: theme_parse and the
 * fitting of a parsed theme to 8/16/88/256-colour and colourless terminals) on
 * arbitrary bytes.
 *
 * The input is copied into an exactly-sized heap buffer (no NUL after it), so
 * a read past the text is an ASan report. Checks beyond "no crash": a failed
 * parse leaves the output untouched and gives one "NAME:LINE: ..." line; a
 * parsed theme holds only valid colours and attributes, and each fitted copy
 * only colours the terminal has, never a foreground equal to its background
 * unless the theme asked for it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALL_ATTRS 0x7Fu     /* THEME_ATTR_BOLD .. THEME_ATTR_ITALIC */

static void check_theme(const theme_t *t, int max_color)
{
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        const theme_style_t *s = &t->role[i];
        if (s->fg < THEME_DEFAULT_COLOR || s->fg > max_color ||
            s->bg < THEME_DEFAULT_COLOR || s->bg > max_color || (s->attr & ~ALL_ATTRS) != 0)
            abort();
    }
}

static void check_fit(const theme_t *parsed, int ncolors, bool no_color)
{
    theme_t t = *parsed;
    theme_degrade(&t, ncolors, no_color);
    int max = no_color || ncolors < 8 ? THEME_DEFAULT_COLOR
            : ncolors < 16           ? 7
            : ncolors < 256          ? 15
                                     : 255;
    check_theme(&t, max);
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        const theme_style_t *s = &t.role[i], *o = &parsed->role[i];
        if ((s->attr & o->attr) != o->attr)
            abort();     /* fitting only adds attributes */
        if (s->fg == s->bg && s->fg >= 0 && o->fg != o->bg)
            abort();     /* unreadable: fg on the same bg */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size > 0 ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);

    theme_t t, before;
    memset(&t, 0x5A, sizeof t);
    memcpy(&before, &t, sizeof t);
    char err[256];
    if (theme_parse(text, size, "fuzz.theme", &t, err, sizeof err) == 0) {
        check_theme(&t, 255);
        static const int ncolors[] = { 0, 8, 15, 16, 88, 255, 256 };
        for (size_t i = 0; i < sizeof ncolors / sizeof ncolors[0]; i++)
            check_fit(&t, ncolors[i], false);
        check_fit(&t, 256, true);
    } else {
        const char *nul = memchr(err, '\0', sizeof err);
        if (memcmp(&t, &before, sizeof t) != 0 || nul == NULL ||
            strncmp(err, "fuzz.theme:", 11) != 0 || memchr(err, '\n', (size_t)(nul - err)))
            abort();
    }

    /* One colour name, as --theme files and the built-in table spell them. */
    if (size < 32 && memchr(text, '\0', size) == NULL) {
        char name[32];
        memcpy(name, text, size);
        name[size] = '\0';
        int c = -7;
        if (theme_parse_color(name, &c) == 0 && (c < THEME_DEFAULT_COLOR || c > 255))
            abort();
        (void)theme_builtin(name);
    }
    free(text);
    return 0;
}
