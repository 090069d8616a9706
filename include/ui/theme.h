/* theme.h — colour themes: roles -> (fg, bg, attributes), no curses.
 *
 * A theme file has one `role = fg[,bg] [attr...]` per line and `#` comments;
 * the format is documented at the top of themes/default.theme. Colours are
 * ints: -1 terminal default, 0..7 the basic eight, 8..15 their bright
 * variants, 16..255 the xterm palette. Attributes are THEME_ATTR_* bits of our
 * own; the curses layer maps them to A_* when it draws.
 *
 * The built-in themes (default, light, solarized, mono) are compiled in and
 * equal what themes/NAME.theme parse to. */
#ifndef EM_THEME_H
#define EM_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef enum {
    THEME_NORMAL = 0,     /* body text */
    THEME_HEADER,         /* top header bar */
    THEME_TITLE,          /* panel titles */
    THEME_BORDER,         /* panel borders */
    THEME_OK,             /* healthy values, "up" */
    THEME_WARNING,        /* values past the warning threshold */
    THEME_CRITICAL,       /* values past the critical threshold */
    THEME_INFO,           /* informational alerts */
    THEME_MUTED,          /* unknown values, secondary text */
    THEME_SELECTION,      /* the selected members-table row */
    THEME_SPARKLINE,      /* trend glyphs */
    THEME_SPARK_WARNING,  /* trend cells past the warning threshold */
    THEME_SPARK_CRITICAL, /* trend cells past the critical threshold */
    THEME_LEADER,         /* the leader's row marker */
    THEME_LEARNER,        /* learner members */
    THEME_DOWN,           /* unreachable members */
    THEME_HELP,           /* help screen text */
    THEME_KEY,            /* key names on the help screen and footer */
    THEME_FOOTER,         /* bottom status line */
    THEME_ROLE_COUNT
} theme_role_t;

enum {
    THEME_ATTR_BOLD = 1u << 0,
    THEME_ATTR_DIM = 1u << 1,
    THEME_ATTR_UNDERLINE = 1u << 2,
    THEME_ATTR_REVERSE = 1u << 3,
    THEME_ATTR_STANDOUT = 1u << 4,
    THEME_ATTR_BLINK = 1u << 5,
    THEME_ATTR_ITALIC = 1u << 6
};

#define THEME_DEFAULT_COLOR (-1)

typedef struct {
    int      fg, bg;  /* THEME_DEFAULT_COLOR or 0..255 */
    unsigned attr;    /* THEME_ATTR_* bits */
} theme_style_t;

typedef struct {
    theme_style_t role[THEME_ROLE_COUNT];
} theme_t;

/* Load a theme file into *out. Roles the file does not name are plain
 * (default colours, no attributes), unless a first `base = NAME` line starts
 * from a built-in theme. Returns 0, or -1 with one line in err such as
 * `FILE:LINE: unknown color "redd"` (*out is then unchanged). */
int theme_load(const char *path, theme_t *out, char *err, size_t errlen) WARN_UNUSED_RESULT;

/* The same for text already in memory; name is used in error messages. */
int theme_parse(const char *text, size_t len, const char *name, theme_t *out, char *err,
                size_t errlen) WARN_UNUSED_RESULT;

/* A built-in theme by name, or NULL. The table is constant. */
const theme_t *theme_builtin(const char *name);

/* Names of the built-in themes, NULL-terminated. */
const char *const *theme_builtin_names(void);

/* Fit a theme to the terminal. ncolors >= 256: unchanged; 16..255: palette
 * colours (>= 16) become the nearest basic colour by hue (greys: black or
 * white by brightness); 8..15: bright colours too
 * (a bright foreground becomes its basic colour plus bold); no_color (the
 * NO_COLOR variable is set) or ncolors < 8: no colours at all, each role gets
 * the mono theme's attributes added to its own. A foreground that would end
 * up the same as its background is switched to black or white for contrast. */
void theme_degrade(theme_t *t, int ncolors, bool no_color);

/* Role and attribute names as written in theme files ("spark_warning",
 * "bold"), or NULL when out of range. */
const char *theme_role_name(theme_role_t role);
const char *theme_attr_name(unsigned attr_bit);

/* Parse one colour name ("red", "brightred", "color208", "default"); returns
 * 0 and sets *color, or -1. */
int theme_parse_color(const char *name, int *color) WARN_UNUSED_RESULT;

#endif
