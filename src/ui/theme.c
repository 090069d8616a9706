/* theme.c — theme files, built-in themes, fitting a theme to the terminal
 * (see theme.h). */
#include "theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN 512
#define FILE_MAX_LEN (1u << 20)

static const char *const role_names[THEME_ROLE_COUNT] = {
    [THEME_NORMAL] = "normal",
    [THEME_HEADER] = "header",
    [THEME_TITLE] = "title",
    [THEME_BORDER] = "border",
    [THEME_OK] = "ok",
    [THEME_WARNING] = "warning",
    [THEME_CRITICAL] = "critical",
    [THEME_INFO] = "info",
    [THEME_MUTED] = "muted",
    [THEME_SELECTION] = "selection",
    [THEME_SPARKLINE] = "sparkline",
    [THEME_SPARK_WARNING] = "spark_warning",
    [THEME_SPARK_CRITICAL] = "spark_critical",
    [THEME_LEADER] = "leader",
    [THEME_LEARNER] = "learner",
    [THEME_DOWN] = "down",
    [THEME_HELP] = "help",
    [THEME_KEY] = "key",
    [THEME_FOOTER] = "footer",
};

static const struct {
    const char *name;
    unsigned    bit;
} attr_names[] = {
    { "bold", THEME_ATTR_BOLD },         { "dim", THEME_ATTR_DIM },
    { "underline", THEME_ATTR_UNDERLINE }, { "reverse", THEME_ATTR_REVERSE },
    { "standout", THEME_ATTR_STANDOUT }, { "blink", THEME_ATTR_BLINK },
    { "italic", THEME_ATTR_ITALIC },
};

static const char *const basic_names[8] = { "black", "red",     "green", "yellow",
                                            "blue",  "magenta", "cyan",  "white" };

/* ---- built-in themes ---- */

enum { DEF = -1, BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };
enum { BOLD = THEME_ATTR_BOLD, DIM = THEME_ATTR_DIM, UNDERLINE = THEME_ATTR_UNDERLINE,
       REVERSE = THEME_ATTR_REVERSE };

#define S(f, b, a) { (f), (b), (a) }

static const theme_t theme_default = { {
    [THEME_NORMAL] = S(DEF, DEF, 0),
    [THEME_HEADER] = S(WHITE, BLUE, BOLD),
    [THEME_TITLE] = S(CYAN, DEF, BOLD),
    [THEME_BORDER] = S(BLUE, DEF, 0),
    [THEME_OK] = S(GREEN, DEF, 0),
    [THEME_WARNING] = S(YELLOW, DEF, BOLD),
    [THEME_CRITICAL] = S(RED, DEF, BOLD),
    [THEME_INFO] = S(CYAN, DEF, 0),
    [THEME_MUTED] = S(244, DEF, 0),
    [THEME_SELECTION] = S(BLACK, CYAN, 0),
    [THEME_SPARKLINE] = S(CYAN, DEF, 0),
    [THEME_SPARK_WARNING] = S(YELLOW, DEF, 0),
    [THEME_SPARK_CRITICAL] = S(RED, DEF, BOLD),
    [THEME_LEADER] = S(YELLOW, DEF, BOLD),
    [THEME_LEARNER] = S(MAGENTA, DEF, 0),
    [THEME_DOWN] = S(RED, DEF, BOLD),
    [THEME_HELP] = S(DEF, DEF, 0),
    [THEME_KEY] = S(YELLOW, DEF, BOLD),
    [THEME_FOOTER] = S(BLACK, WHITE, 0),
} };

static const theme_t theme_light = { {
    [THEME_NORMAL] = S(DEF, DEF, 0),
    [THEME_HEADER] = S(WHITE, BLUE, BOLD),
    [THEME_TITLE] = S(BLUE, DEF, BOLD),
    [THEME_BORDER] = S(245, DEF, 0),
    [THEME_OK] = S(28, DEF, 0),
    [THEME_WARNING] = S(130, DEF, BOLD),
    [THEME_CRITICAL] = S(160, DEF, BOLD),
    [THEME_INFO] = S(25, DEF, 0),
    [THEME_MUTED] = S(243, DEF, 0),
    [THEME_SELECTION] = S(WHITE, 25, 0),
    [THEME_SPARKLINE] = S(25, DEF, 0),
    [THEME_SPARK_WARNING] = S(130, DEF, 0),
    [THEME_SPARK_CRITICAL] = S(160, DEF, BOLD),
    [THEME_LEADER] = S(130, DEF, BOLD),
    [THEME_LEARNER] = S(91, DEF, 0),
    [THEME_DOWN] = S(160, DEF, BOLD),
    [THEME_HELP] = S(DEF, DEF, 0),
    [THEME_KEY] = S(25, DEF, BOLD),
    [THEME_FOOTER] = S(WHITE, 240, 0),
} };

/* Solarized dark on the xterm palette: base03 234, base02 235, base01 240,
 * base0 244, base1 245, base3 230, yellow 136, orange 166, red 160,
 * magenta 125, violet 61, blue 33, cyan 37, green 64. */
static const theme_t theme_solarized = { {
    [THEME_NORMAL] = S(244, 234, 0),
    [THEME_HEADER] = S(230, 235, BOLD),
    [THEME_TITLE] = S(33, 234, BOLD),
    [THEME_BORDER] = S(240, 234, 0),
    [THEME_OK] = S(64, 234, 0),
    [THEME_WARNING] = S(136, 234, BOLD),
    [THEME_CRITICAL] = S(160, 234, BOLD),
    [THEME_INFO] = S(37, 234, 0),
    [THEME_MUTED] = S(240, 234, 0),
    [THEME_SELECTION] = S(230, 33, 0),
    [THEME_SPARKLINE] = S(37, 234, 0),
    [THEME_SPARK_WARNING] = S(166, 234, 0),
    [THEME_SPARK_CRITICAL] = S(160, 234, BOLD),
    [THEME_LEADER] = S(136, 234, BOLD),
    [THEME_LEARNER] = S(61, 234, 0),
    [THEME_DOWN] = S(160, 234, BOLD),
    [THEME_HELP] = S(245, 234, 0),
    [THEME_KEY] = S(33, 234, BOLD),
    [THEME_FOOTER] = S(234, 245, 0),
} };

static const theme_t theme_mono = { {
    [THEME_NORMAL] = S(DEF, DEF, 0),
    [THEME_HEADER] = S(DEF, DEF, BOLD | REVERSE),
    [THEME_TITLE] = S(DEF, DEF, BOLD),
    [THEME_BORDER] = S(DEF, DEF, DIM),
    [THEME_OK] = S(DEF, DEF, 0),
    [THEME_WARNING] = S(DEF, DEF, BOLD),
    [THEME_CRITICAL] = S(DEF, DEF, BOLD | REVERSE),
    [THEME_INFO] = S(DEF, DEF, 0),
    [THEME_MUTED] = S(DEF, DEF, DIM),
    [THEME_SELECTION] = S(DEF, DEF, REVERSE),
    [THEME_SPARKLINE] = S(DEF, DEF, 0),
    [THEME_SPARK_WARNING] = S(DEF, DEF, 0),
    [THEME_SPARK_CRITICAL] = S(DEF, DEF, BOLD),
    [THEME_LEADER] = S(DEF, DEF, BOLD),
    [THEME_LEARNER] = S(DEF, DEF, UNDERLINE),
    [THEME_DOWN] = S(DEF, DEF, BOLD | REVERSE),
    [THEME_HELP] = S(DEF, DEF, 0),
    [THEME_KEY] = S(DEF, DEF, BOLD),
    [THEME_FOOTER] = S(DEF, DEF, REVERSE),
} };

static const char *const builtin_names[] = { "default", "light", "solarized", "mono", NULL };
static const theme_t *const builtin_themes[] = { &theme_default, &theme_light,
                                                 &theme_solarized, &theme_mono };

const theme_t *theme_builtin(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; builtin_names[i]; i++)
        if (strcasecmp(name, builtin_names[i]) == 0)
            return builtin_themes[i];
    return NULL;
}

const char *const *theme_builtin_names(void)
{
    return builtin_names;
}

const char *theme_role_name(theme_role_t role)
{
    return (role >= 0 && role < THEME_ROLE_COUNT) ? role_names[role] : NULL;
}

const char *theme_attr_name(unsigned attr_bit)
{
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
        if (attr_names[i].bit == attr_bit)
            return attr_names[i].name;
    return NULL;
}

/* ---- parsing ---- */

int theme_parse_color(const char *name, int *color)
{
    if (strcasecmp(name, "default") == 0) {
        *color = THEME_DEFAULT_COLOR;
        return 0;
    }
    if (strcasecmp(name, "gray") == 0 || strcasecmp(name, "grey") == 0) {
        *color = 8;
        return 0;
    }
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(name, basic_names[i]) == 0) {
            *color = i;
            return 0;
        }
        if (strncasecmp(name, "bright", 6) == 0 && strcasecmp(name + 6, basic_names[i]) == 0) {
            *color = 8 + i;
            return 0;
        }
    }
    if (strncasecmp(name, "color", 5) == 0) {
        const char *d = name + 5;
        size_t n = strlen(d);
        if (n < 1 || n > 3 || strspn(d, "0123456789") != n)
            return -1;
        int v = atoi(d);
        if (v > 255)
            return -1;
        *color = v;
        return 0;
    }
    return -1;
}

static int parse_attr(const char *name, unsigned *bit)
{
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
        if (strcasecmp(name, attr_names[i].name) == 0) {
            *bit = attr_names[i].bit;
            return 0;
        }
    }
    return -1;
}

static int role_by_name(const char *name)
{
    for (int i = 0; i < THEME_ROLE_COUNT; i++)
        if (strcasecmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Next word of *p (a run of characters other than blanks and ','): copied to
 * word (wordlen bytes); returns its length, 0 at the end of the text. */
static size_t next_word(const char **p, char *word, size_t wordlen)
{
    const char *s = *p;
    while (is_space(*s))
        s++;
    size_t n = 0;
    while (s[n] && !is_space(s[n]) && s[n] != ',')
        n++;
    size_t k = n < wordlen - 1 ? n : wordlen - 1;
    memcpy(word, s, k);
    word[k] = '\0';
    *p = s + n;
    return n;
}

/* Parse the right-hand side "fg[,bg] [attr...]" (or attributes alone) into *st;
 * on error writes the reason (without location) to why. */
static int parse_style(const char *v, theme_style_t *st, char *why, size_t whylen)
{
    char word[LINE_MAX_LEN];
    const char *p = v;
    theme_style_t s = { THEME_DEFAULT_COLOR, THEME_DEFAULT_COLOR, 0 };
    unsigned bit;

    if (next_word(&p, word, sizeof word) == 0) {
        snprintf(why, whylen, "missing color after \"=\"");
        return -1;
    }
    while (is_space(*p))
        p++;
    bool comma = *p == ',';
    if (!comma && theme_parse_color(word, &s.fg) != 0) {
        if (parse_attr(word, &bit) != 0) {
            snprintf(why, whylen, "unknown color \"%s\"", word);
            return -1;
        }
        s.attr |= bit; /* attributes alone: default colours */
    } else if (comma) {
        if (theme_parse_color(word, &s.fg) != 0) {
            snprintf(why, whylen, "unknown color \"%s\"", word);
            return -1;
        }
        p++;
        if (next_word(&p, word, sizeof word) == 0) {
            snprintf(why, whylen, "missing color after \",\"");
            return -1;
        }
        if (theme_parse_color(word, &s.bg) != 0) {
            snprintf(why, whylen, "unknown color \"%s\"", word);
            return -1;
        }
    }
    for (;;) {
        while (is_space(*p))
            p++;
        if (*p == ',') {
            snprintf(why, whylen, "unexpected \",\" (at most two colors: fg,bg)");
            return -1;
        }
        if (next_word(&p, word, sizeof word) == 0)
            break;
        if (parse_attr(word, &bit) != 0) {
            snprintf(why, whylen, "unknown attribute \"%s\"", word);
            return -1;
        }
        s.attr |= bit;
    }
    *st = s;
    return 0;
}

/* Cut a comment and surrounding blanks off line (in place); returns the start. */
static char *trim(char *line)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    size_t n = strlen(line);
    while (n > 0 && (is_space(line[n - 1]) || line[n - 1] == '\r'))
        line[--n] = '\0';
    while (is_space(*line))
        line++;
    return line;
}

int theme_parse(const char *text, size_t len, const char *name, theme_t *out, char *err,
                size_t errlen)
{
    theme_t t;
    int set_on[THEME_ROLE_COUNT] = { 0 };
    bool any_role = false, any_base = false;
    char line[LINE_MAX_LEN + 1], why[LINE_MAX_LEN + 64];
    size_t pos = 0;
    int lineno = 0;

    for (int i = 0; i < THEME_ROLE_COUNT; i++)
        t.role[i] = (theme_style_t){ THEME_DEFAULT_COLOR, THEME_DEFAULT_COLOR, 0 };

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        if (n > LINE_MAX_LEN) {
            snprintf(err, errlen, "%s:%d: line too long (over %d bytes)", name, lineno,
                     LINE_MAX_LEN);
            return -1;
        }
        if (memchr(text + pos, '\0', n)) {
            snprintf(err, errlen, "%s:%d: NUL byte in line", name, lineno);
            return -1;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + (nl ? 1 : 0);

        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%d: expected \"role = color[,color] [attr...]\"", name,
                     lineno);
            return -1;
        }
        *eq = '\0';
        char *key = trim(s);
        char *val = trim(eq + 1);
        if (strcasecmp(key, "base") == 0) {
            const theme_t *b = theme_builtin(val);
            if (any_role || any_base) {
                snprintf(err, errlen, "%s:%d: \"base\" must come once, before any role",
                         name, lineno);
                return -1;
            }
            if (b == NULL) {
                snprintf(err, errlen, "%s:%d: unknown base theme \"%s\"", name, lineno, val);
                return -1;
            }
            t = *b;
            any_base = true;
            continue;
        }
        int role = role_by_name(key);
        if (role < 0) {
            snprintf(err, errlen, "%s:%d: unknown role \"%s\"", name, lineno, key);
            return -1;
        }
        if (set_on[role]) {
            snprintf(err, errlen, "%s:%d: role \"%s\" already set on line %d", name, lineno,
                     role_names[role], set_on[role]);
            return -1;
        }
        if (parse_style(val, &t.role[role], why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
            return -1;
        }
        set_on[role] = lineno;
        any_role = true;
    }
    *out = t;
    return 0;
}

int theme_load(const char *path, theme_t *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(FILE_MAX_LEN + 1);
    if (text == NULL) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t len = fread(text, 1, FILE_MAX_LEN + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc = -1;
    if (bad)
        snprintf(err, errlen, "%s: read error", path);
    else if (len > FILE_MAX_LEN)
        snprintf(err, errlen, "%s: larger than %u bytes", path, FILE_MAX_LEN);
    else
        rc = theme_parse(text, len, path, out, err, errlen);
    free(text);
    return rc;
}

/* ---- fitting to the terminal ---- */

/* RGB of an xterm palette colour 16..255. */
static void palette_rgb(int c, int rgb[3])
{
    static const int level[6] = { 0, 95, 135, 175, 215, 255 };
    if (c >= 232) {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
        return;
    }
    int i = c - 16;
    rgb[0] = level[i / 36];
    rgb[1] = level[(i / 6) % 6];
    rgb[2] = level[i % 6];
}

/* The basic colour (0..7) closest in hue to palette colour c: greys go to
 * black or white by brightness, others by the range their hue is in. */
static int nearest_basic(int c)
{
    int rgb[3];
    palette_rgb(c, rgb);
    int mx = rgb[0], mn = rgb[0];
    for (int i = 1; i < 3; i++) {
        if (rgb[i] > mx)
            mx = rgb[i];
        if (rgb[i] < mn)
            mn = rgb[i];
    }
    int chroma = mx - mn;
    if (mx == 0 || chroma * 10 < mx * 3) /* saturation below 0.3 */
        return mx < 128 ? BLACK : WHITE;
    double h;
    if (mx == rgb[0])
        h = 60.0 * (double)(rgb[1] - rgb[2]) / chroma;
    else if (mx == rgb[1])
        h = 60.0 * (double)(rgb[2] - rgb[0]) / chroma + 120.0;
    else
        h = 60.0 * (double)(rgb[0] - rgb[1]) / chroma + 240.0;
    if (h < 0)
        h += 360.0;
    /* hue ranges, not even sextants: orange reads as yellow (a warning, not a
       critical), olive as green, azure as blue */
    if (h < 20.0 || h >= 330.0)
        return RED;
    if (h < 75.0)
        return YELLOW;
    if (h < 150.0)
        return GREEN;
    if (h < 200.0)
        return CYAN;
    if (h < 270.0)
        return BLUE;
    return MAGENTA;
}

/* Map one colour to what ncolors (8..255) can show; *bold is set when a bright
 * colour had to become its basic colour. */
static int fit_color(int c, int ncolors, bool *bold)
{
    if (c < 0)
        return c;
    if (c >= 16) /* 88-colour palettes differ from xterm's: map them all */
        return nearest_basic(c);
    if (c >= 8 && c < 16 && ncolors < 16) {
        *bold = true;
        return c - 8;
    }
    return c;
}

void theme_degrade(theme_t *t, int ncolors, bool no_color)
{
    if (no_color || ncolors < 8) {
        for (int i = 0; i < THEME_ROLE_COUNT; i++) {
            t->role[i].fg = THEME_DEFAULT_COLOR;
            t->role[i].bg = THEME_DEFAULT_COLOR;
            t->role[i].attr |= theme_mono.role[i].attr;
        }
        return;
    }
    if (ncolors >= 256)
        return;
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        theme_style_t *s = &t->role[i];
        bool fg_bold = false, bg_bold = false;
        int fg = fit_color(s->fg, ncolors, &fg_bold);
        int bg = fit_color(s->bg, ncolors, &bg_bold);
        if (fg_bold)
            s->attr |= THEME_ATTR_BOLD;
        if (fg == bg && fg >= 0 && s->fg != s->bg) {
            bool dark_bg = bg == BLACK || bg == RED || bg == BLUE || bg == MAGENTA;
            fg = dark_bg ? WHITE : BLACK;
        }
        s->fg = fg;
        s->bg = bg;
    }
}
