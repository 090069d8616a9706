/* test_theme.c — theme file parsing, errors, built-ins == the files in themes/,
 * fitting to 8/16 colours and NO_COLOR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "theme.h"

/* themes/ relative to this source file (tests/unit/test_theme.c), so the
 * test works from the project root and with an absolute __FILE__ alike. */
static void theme_path(char *out, size_t size, const char *name)
{
    const char *me = __FILE__;
    const char *cut = strstr(me, "tests/unit/");
    int prefix = cut ? (int)(cut - me) : 0;
    snprintf(out, size, "%.*sthemes/%s.theme", prefix, me, name);
}

static void assert_style(theme_style_t s, int fg, int bg, unsigned attr)
{
    if (s.fg != fg || s.bg != bg || s.attr != attr)
        fail_msg("style (%d,%d,%#x), want (%d,%d,%#x)", s.fg, s.bg, s.attr, fg, bg, attr);
}

static void assert_theme_equal(const theme_t *a, const theme_t *b, const char *what)
{
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        const theme_style_t x = a->role[r], y = b->role[r];
        if (x.fg != y.fg || x.bg != y.bg || x.attr != y.attr)
            fail_msg("%s: role %s is (%d,%d,%#x), want (%d,%d,%#x)", what,
                     theme_role_name((theme_role_t)r), x.fg, x.bg, x.attr, y.fg, y.bg, y.attr);
    }
}

static int parse(const char *text, theme_t *t, char *err, size_t errlen)
{
    return theme_parse(text, strlen(text), "t.theme", t, err, errlen);
}

/* Parsing must fail with exactly this message, leaving *t alone. */
static void expect_error(const char *text, const char *want)
{
    theme_t t, before;
    char err[256] = "";
    memset(&t, 0x33, sizeof t);
    before = t;
    assert_int_equal(parse(text, &t, err, sizeof err), -1);
    assert_string_equal(err, want);
    assert_memory_equal(&t, &before, sizeof t);
}

static void test_files_match_builtins(void **state)
{
    (void)state;
    const char *const *names = theme_builtin_names();
    int n = 0;
    for (; names[n]; n++) {
        char path[4096], err[512] = "";
        theme_t t;
        theme_path(path, sizeof path, names[n]);
        if (theme_load(path, &t, err, sizeof err) != 0)
            fail_msg("%s", err);
        const theme_t *b = theme_builtin(names[n]);
        assert_non_null(b);
        assert_theme_equal(&t, b, names[n]);
    }
    assert_int_equal(n, 4);
    assert_non_null(theme_builtin("default"));
    assert_non_null(theme_builtin("light"));
    assert_non_null(theme_builtin("solarized"));
    assert_non_null(theme_builtin("mono"));
    assert_true(theme_builtin("MONO") == theme_builtin("mono"));
    assert_null(theme_builtin("nope"));
    assert_null(theme_builtin(NULL));
}

static void test_builtins_are_distinct_and_sane(void **state)
{
    (void)state;
    const theme_t *d = theme_builtin("default");
    /* the states a troubleshooter scans for must not look alike */
    const theme_role_t states[] = { THEME_OK, THEME_WARNING, THEME_CRITICAL };
    const char *const *names = theme_builtin_names();
    for (int i = 0; names[i]; i++) {
        const theme_t *t = theme_builtin(names[i]);
        for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < a; b++)
                assert_memory_not_equal(&t->role[states[a]], &t->role[states[b]],
                                        sizeof(theme_style_t));
        for (int r = 0; r < THEME_ROLE_COUNT; r++) {
            assert_true(t->role[r].fg >= -1 && t->role[r].fg <= 255);
            assert_true(t->role[r].bg >= -1 && t->role[r].bg <= 255);
            assert_true(t->role[r].fg == -1 || t->role[r].fg != t->role[r].bg);
        }
    }
    assert_style(d->role[THEME_CRITICAL], 1, -1, THEME_ATTR_BOLD);
    const theme_t *m = theme_builtin("mono");
    for (int r = 0; r < THEME_ROLE_COUNT; r++)
        assert_true(m->role[r].fg == -1 && m->role[r].bg == -1);
}

static void test_parse_basics(void **state)
{
    (void)state;
    theme_t t;
    char err[256] = "";
    const char *text =
        "# a comment\n"
        "\n"
        "critical = red,default bold   # trailing comment\n"
        "  warning=brightyellow\tunderline  blink\n"
        "ok = color208 , color17\n"
        "muted = GRAY dim\n"
        "title = bold italic\n"            /* attributes alone */
        "header = White,Blue Reverse Standout\r\n"
        "border = color0";                 /* no final newline */
    assert_int_equal(parse(text, &t, err, sizeof err), 0);
    assert_style(t.role[THEME_CRITICAL], 1, -1, THEME_ATTR_BOLD);
    assert_style(t.role[THEME_WARNING], 11, -1, THEME_ATTR_UNDERLINE | THEME_ATTR_BLINK);
    assert_style(t.role[THEME_OK], 208, 17, 0);
    assert_style(t.role[THEME_MUTED], 8, -1, THEME_ATTR_DIM);
    assert_style(t.role[THEME_TITLE], -1, -1, THEME_ATTR_BOLD | THEME_ATTR_ITALIC);
    assert_style(t.role[THEME_HEADER], 7, 4, THEME_ATTR_REVERSE | THEME_ATTR_STANDOUT);
    assert_style(t.role[THEME_BORDER], 0, -1, 0);
    /* roles not named are plain */
    assert_style(t.role[THEME_NORMAL], -1, -1, 0);
    assert_style(t.role[THEME_FOOTER], -1, -1, 0);
    /* empty text: every role plain */
    assert_int_equal(parse("", &t, err, sizeof err), 0);
    for (int r = 0; r < THEME_ROLE_COUNT; r++)
        assert_style(t.role[r], -1, -1, 0);
}

static void test_parse_base(void **state)
{
    (void)state;
    theme_t t;
    char err[256] = "";
    assert_int_equal(parse("# tweak light\nbase = light\ncritical = magenta bold\n", &t,
                           err, sizeof err), 0);
    theme_t want = *theme_builtin("light");
    want.role[THEME_CRITICAL] = (theme_style_t){ 5, -1, THEME_ATTR_BOLD };
    assert_theme_equal(&t, &want, "base = light");
}

static void test_colors(void **state)
{
    (void)state;
    const char *basic[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan",
                            "white" };
    int c;
    for (int i = 0; i < 8; i++) {
        char name[32];
        assert_int_equal(theme_parse_color(basic[i], &c), 0);
        assert_int_equal(c, i);
        snprintf(name, sizeof name, "bright%s", basic[i]);
        assert_int_equal(theme_parse_color(name, &c), 0);
        assert_int_equal(c, 8 + i);
    }
    for (int i = 0; i < 256; i++) {
        char name[32];
        snprintf(name, sizeof name, "color%d", i);
        assert_int_equal(theme_parse_color(name, &c), 0);
        assert_int_equal(c, i);
    }
    assert_int_equal(theme_parse_color("default", &c), 0);
    assert_int_equal(c, -1);
    assert_int_equal(theme_parse_color("grey", &c), 0);
    assert_int_equal(c, 8);
    const char *bad[] = { "color256", "color", "color1234", "color-1", "color1x", "bright",
                          "redd", "", "brightdefault", "0" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(theme_parse_color(bad[i], &c), -1);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("ok = green\ncritical = redd,default bold\n",
                 "t.theme:2: unknown color \"redd\"");
    expect_error("critical = red,blu\n", "t.theme:1: unknown color \"blu\"");
    expect_error("critical = color256\n", "t.theme:1: unknown color \"color256\"");
    expect_error("\n\ncritcal = red\n", "t.theme:3: unknown role \"critcal\"");
    expect_error("ok = green blod\n", "t.theme:1: unknown attribute \"blod\"");
    expect_error("ok green\n", "t.theme:1: expected \"role = color[,color] [attr...]\"");
    expect_error("ok =\n", "t.theme:1: missing color after \"=\"");
    expect_error("ok = # nothing\n", "t.theme:1: missing color after \"=\"");
    expect_error("ok = red,\n", "t.theme:1: missing color after \",\"");
    expect_error("ok = red,blue,green\n",
                 "t.theme:1: unexpected \",\" (at most two colors: fg,bg)");
    expect_error("ok = red\n# x\nok = green\n", "t.theme:3: role \"ok\" already set on line 1");
    expect_error("ok = red\nbase = light\n", "t.theme:2: \"base\" must come once, before any role");
    expect_error("base = mono\nbase = light\n",
                 "t.theme:2: \"base\" must come once, before any role");
    expect_error("base = neon\n", "t.theme:1: unknown base theme \"neon\"");

    char long_line[700];
    memset(long_line, 'a', sizeof long_line - 1);
    long_line[sizeof long_line - 1] = '\0';
    expect_error(long_line, "t.theme:1: line too long (over 512 bytes)");

    theme_t t;
    char err[128];
    const char nul[] = "ok = red\nwarning = yel\0low\n";
    assert_int_equal(theme_parse(nul, sizeof nul - 1, "n.theme", &t, err, sizeof err), -1);
    assert_string_equal(err, "n.theme:2: NUL byte in line");
    /* a short error buffer is truncated, never overrun */
    char tiny[8];
    assert_int_equal(parse("ok = redd\n", &t, tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "t.theme");
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/em-theme-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char body[] = "base = default\nheader = color25,default bold\n\nwarning = orange\n";
    assert_int_equal(write(fd, body, sizeof body - 1), (ssize_t)(sizeof body - 1));
    close(fd);
    theme_t t = *theme_builtin("mono"), before = t;
    char err[512], want[600];
    assert_int_equal(theme_load(path, &t, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:4: unknown color \"orange\"", path);
    assert_string_equal(err, want);
    assert_memory_equal(&t, &before, sizeof t);
    unlink(path);

    assert_int_equal(theme_load("/nonexistent/dir/x.theme", &t, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/dir/x.theme: No such file or directory");
}

/* Write a theme back out with the name tables, parse it, get the same theme. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *const *names = theme_builtin_names();
    for (int i = 0; names[i]; i++) {
        const theme_t *b = theme_builtin(names[i]);
        char text[8192] = "";
        size_t len = 0;
        for (int r = 0; r < THEME_ROLE_COUNT; r++) {
            const theme_style_t s = b->role[r];
            char fg[16], bg[16];
            snprintf(fg, sizeof fg, s.fg < 0 ? "default" : "color%d", s.fg);
            snprintf(bg, sizeof bg, s.bg < 0 ? "default" : "color%d", s.bg);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s = %s,%s",
                                    theme_role_name((theme_role_t)r), fg, bg);
            for (unsigned bit = 1; bit <= THEME_ATTR_ITALIC; bit <<= 1)
                if (s.attr & bit)
                    len += (size_t)snprintf(text + len, sizeof text - len, " %s",
                                            theme_attr_name(bit));
            len += (size_t)snprintf(text + len, sizeof text - len, "\n");
        }
        theme_t t;
        char err[256];
        if (parse(text, &t, err, sizeof err) != 0)
            fail_msg("%s", err);
        assert_theme_equal(&t, b, names[i]);
    }
    assert_null(theme_role_name(THEME_ROLE_COUNT));
    assert_null(theme_attr_name(1u << 20));
    for (int r = 0; r < THEME_ROLE_COUNT; r++)
        assert_non_null(theme_role_name((theme_role_t)r));
}

static void test_degrade_256_unchanged(void **state)
{
    (void)state;
    theme_t t = *theme_builtin("solarized");
    theme_degrade(&t, 256, false);
    assert_theme_equal(&t, theme_builtin("solarized"), "256");
    theme_degrade(&t, 16777216, false);
    assert_theme_equal(&t, theme_builtin("solarized"), "truecolor");
}

static void test_degrade_8(void **state)
{
    (void)state;
    theme_t t = *theme_builtin("default");
    theme_degrade(&t, 8, false);
    assert_style(t.role[THEME_MUTED], 7, -1, 0);         /* color244 mid grey -> white */
    assert_style(t.role[THEME_CRITICAL], 1, -1, THEME_ATTR_BOLD); /* basic: unchanged */
    assert_style(t.role[THEME_SELECTION], 0, 6, 0);

    t = *theme_builtin("light");
    theme_degrade(&t, 8, false);
    assert_style(t.role[THEME_OK], 2, -1, 0);            /* color28 dark green */
    assert_style(t.role[THEME_CRITICAL], 1, -1, THEME_ATTR_BOLD); /* color160 */
    assert_style(t.role[THEME_WARNING], 3, -1, THEME_ATTR_BOLD);  /* color130 orange */
    assert_style(t.role[THEME_MUTED], 0, -1, 0);         /* color243 darker grey */
    assert_style(t.role[THEME_LEARNER], 5, -1, 0);       /* color91 purple */
    assert_style(t.role[THEME_INFO], 4, -1, 0);          /* color25 azure */

    t = *theme_builtin("solarized");
    theme_degrade(&t, 8, false);
    assert_style(t.role[THEME_NORMAL], 7, 0, 0);
    assert_style(t.role[THEME_FOOTER], 0, 7, 0);
    assert_style(t.role[THEME_OK], 2, 0, 0);             /* color64 olive green */
    assert_style(t.role[THEME_WARNING], 3, 0, THEME_ATTR_BOLD); /* color136 */
    assert_style(t.role[THEME_SPARK_WARNING], 3, 0, 0);  /* color166 orange */
    assert_style(t.role[THEME_TITLE], 4, 0, THEME_ATTR_BOLD); /* color33 blue */
    assert_style(t.role[THEME_INFO], 6, 0, 0);           /* color37 */
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        assert_true(t.role[r].fg >= -1 && t.role[r].fg <= 7);
        assert_true(t.role[r].bg >= -1 && t.role[r].bg <= 7);
    }
    /* solarized's muted (base01 on base03) both go black: fg flips to white */
    assert_style(t.role[THEME_MUTED], 7, 0, 0);

    /* bright colours: foreground -> basic + bold, background -> basic */
    theme_t b;
    char err[128];
    assert_int_equal(parse("ok = brightgreen,brightblue\nwarning = color22,color28\n"
                           "down = color196,color160\n", &b, err, sizeof err), 0);
    theme_t b16 = b;
    theme_degrade(&b, 8, false);
    assert_style(b.role[THEME_OK], 2, 4, THEME_ATTR_BOLD);
    assert_style(b.role[THEME_WARNING], 0, 2, 0);        /* both green: black on green */
    assert_style(b.role[THEME_DOWN], 7, 1, 0);           /* both red: white on red */
    /* 16 colours keep the bright ones, map the palette */
    theme_degrade(&b16, 16, false);
    assert_style(b16.role[THEME_OK], 10, 12, 0);
    assert_style(b16.role[THEME_WARNING], 0, 2, 0);
    /* 88 colours: the palette differs from xterm's, so it is mapped too */
    theme_t b88 = *theme_builtin("light");
    theme_degrade(&b88, 88, false);
    assert_style(b88.role[THEME_OK], 2, -1, 0);
}

static void test_degrade_mono(void **state)
{
    (void)state;
    const char *const *names = theme_builtin_names();
    for (int i = 0; names[i]; i++) {
        for (int mode = 0; mode < 3; mode++) {
            theme_t t = *theme_builtin(names[i]);
            /* NO_COLOR wins over a 256-colour terminal; 2 and 0 colours too */
            if (mode == 0)
                theme_degrade(&t, 256, true);
            else
                theme_degrade(&t, mode == 1 ? 2 : 0, false);
            const theme_t *m = theme_builtin("mono");
            const theme_t *orig = theme_builtin(names[i]);
            for (int r = 0; r < THEME_ROLE_COUNT; r++) {
                assert_int_equal(t.role[r].fg, -1);
                assert_int_equal(t.role[r].bg, -1);
                assert_int_equal(t.role[r].attr, orig->role[r].attr | m->role[r].attr);
            }
            /* ok, warning and critical still differ without colour */
            assert_true(t.role[THEME_WARNING].attr != t.role[THEME_OK].attr);
            assert_true(t.role[THEME_CRITICAL].attr != t.role[THEME_WARNING].attr);
            assert_true(t.role[THEME_SELECTION].attr & THEME_ATTR_REVERSE);
        }
    }
    theme_t t = *theme_builtin("mono");
    theme_degrade(&t, 8, true);
    assert_theme_equal(&t, theme_builtin("mono"), "mono stays mono");
}

static void test_degrade_idempotent(void **state)
{
    (void)state;
    const int modes[][2] = { { 8, 0 }, { 16, 0 }, { 88, 0 }, { 256, 0 }, { 256, 1 }, { 4, 0 } };
    const char *const *names = theme_builtin_names();
    for (int i = 0; names[i]; i++) {
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            theme_t once = *theme_builtin(names[i]);
            theme_degrade(&once, modes[m][0], modes[m][1]);
            theme_t twice = once;
            theme_degrade(&twice, modes[m][0], modes[m][1]);
            assert_theme_equal(&twice, &once, names[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_match_builtins),
        cmocka_unit_test(test_builtins_are_distinct_and_sane),
        cmocka_unit_test(test_parse_basics),
        cmocka_unit_test(test_parse_base),
        cmocka_unit_test(test_colors),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_degrade_256_unchanged),
        cmocka_unit_test(test_degrade_8),
        cmocka_unit_test(test_degrade_mono),
        cmocka_unit_test(test_degrade_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
