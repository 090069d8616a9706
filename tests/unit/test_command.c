/* Unit tests: the command table (command.c) and the help generated from it
 * and the option table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "command.h"
#include "commands.h"
#include "config.h"

/* What fn(f, c) writes, malloc'ed. */
static char *written(void (*fn)(FILE *, const command_t *), const command_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, c);
    fclose(f);
    return buf;
}

static void usage_of(FILE *f, const command_t *c)
{
    (void)c;
    command_usage(f);
}

/* Run command_help_run with stdout and stderr captured into *out / *err. */
static int help_run(int argc, const char *const *args, char **out, char **err)
{
    char *argv[8];
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    argv[argc] = NULL;
    FILE *o = tmpfile(), *e = tmpfile();
    assert_non_null(o);
    assert_non_null(e);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    int rc = command_help_run(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    FILE *fs[2] = { o, e };
    char **bufs[2] = { out, err };
    for (int i = 0; i < 2; i++) {
        long n = ftell(fs[i]);
        *bufs[i] = calloc(1, (size_t)n + 1);
        assert_non_null(*bufs[i]);
        rewind(fs[i]);
        assert_int_equal(fread(*bufs[i], 1, (size_t)n, fs[i]), (size_t)n);
        fclose(fs[i]);
    }
    return rc;
}

/* No line longer than 79 columns. */
static void assert_narrow(const char *text)
{
    size_t len = 0;
    for (const char *p = text; *p; p++) {
        len = *p == '\n' ? 0 : len + 1;
        if (len > 79)
            fail_msg("line longer than 79 columns near: %.60s", p - 79);
    }
}

static void test_table(void **state)
{
    (void)state;
    size_t n;
    const command_t *t = command_table(&n);
    assert_true(n >= 3);
    assert_ptr_equal(command_default(), command_find("monitor"));
    assert_ptr_equal(command_find("monitor")->run, cmd_monitor_or_benchmark); /* --run-benchmark */
    assert_ptr_equal(command_find("status")->run, cmd_status);
    assert_int_equal(command_find("monitor")->mask, CMD_MONITOR);
    assert_int_equal(command_find("status")->mask, CMD_STATUS);
    assert_null(command_find("help")->run);          /* main runs command_help_run */
    assert_null(command_find("nope"));
    assert_null(command_find(""));
    assert_null(command_find("--help"));
    assert_null(command_find(NULL));
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(command_find(t[i].name), &t[i]);    /* names are unique */
        assert_true(t[i].name[0] != '-');
        assert_true(strlen(t[i].summary) <= 79 - 15);       /* "  %-12s %s" fits */
        assert_non_null(strstr(t[i].usage, "usage: etcd-monitor "));
        assert_narrow(t[i].usage);
        assert_true((t[i].run == NULL) == (t[i].mask == 0));
        assert_int_equal(seen & t[i].mask, 0);               /* one bit each */
        seen |= t[i].mask;
    }
    assert_int_equal(seen, CMD_ALL);
}

/* help COMMAND: the usage and exactly the options that apply. */
static void test_help_command(void **state)
{
    (void)state;
    char *out = written(command_help, command_find("status"));
    assert_true(strncmp(out, "usage: etcd-monitor status [options]\n", 37) == 0);
    assert_non_null(strstr(out, "\n  -w, --write-out FORMAT"));
    assert_non_null(strstr(out, "\n  --endpoints LIST"));
    assert_non_null(strstr(out, "\n  --cacert FILE"));
    assert_null(strstr(out, "--theme"));
    assert_null(strstr(out, "--headless"));
    assert_null(strstr(out, "\n  --interval"));
    assert_narrow(out);
    free(out);

    out = written(command_help, command_find("monitor"));
    assert_non_null(strstr(out, "\n  --theme NAME|FILE"));
    assert_null(strstr(out, "--write-out"));
    assert_narrow(out);
    free(out);

    out = written(command_help, command_find("help"));
    assert_non_null(strstr(out, "usage: etcd-monitor help [COMMAND]"));
    assert_null(strstr(out, "Options:"));
    free(out);
}

/* --help: general usage, every command, the default command's options. */
static void test_usage(void **state)
{
    (void)state;
    size_t n;
    const command_t *t = command_table(&n);
    char *out = written(usage_of, NULL);
    assert_true(strncmp(out, "usage: etcd-monitor [COMMAND] [options]\n", 40) == 0);
    for (size_t i = 0; i < n; i++) {
        char want[128];
        snprintf(want, sizeof want, "\n  %-12s %s\n", t[i].name, t[i].summary);
        assert_non_null(strstr(out, want));
    }
    assert_non_null(strstr(out, "\n  --theme NAME|FILE"));
    assert_null(strstr(out, "--write-out"));
    assert_narrow(out);
    free(out);
}

static void test_help_run(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(help_run(1, (const char *const[]){ "help" }, &out, &err), 0);
    assert_non_null(strstr(out, "\n  status    "));
    assert_non_null(strstr(out, "\n  monitor   "));
    assert_string_equal(err, "");
    free(out);
    free(err);

    assert_int_equal(help_run(2, (const char *const[]){ "help", "status" }, &out, &err), 0);
    assert_non_null(strstr(out, "usage: etcd-monitor status"));
    free(out);
    free(err);

    assert_int_equal(help_run(2, (const char *const[]){ "help", "--help" }, &out, &err), 0);
    assert_non_null(strstr(out, "usage: etcd-monitor help"));
    free(out);
    free(err);

    assert_int_equal(help_run(2, (const char *const[]){ "help", "nope" }, &out, &err),
                     EXIT_USAGE);
    assert_string_equal(out, "");
    assert_string_equal(err, "etcd-monitor: unknown command 'nope' (see etcd-monitor help)\n");
    free(out);
    free(err);

    assert_int_equal(help_run(2, (const char *const[]){ "help", "bad\x1b[2Jname" }, &out, &err),
                     EXIT_USAGE);
    assert_string_equal(err, "etcd-monitor: unknown command 'bad?[2Jname' (see etcd-monitor "
                             "help)\n");
    free(out);
    free(err);

    assert_int_equal(help_run(3, (const char *const[]){ "help", "status", "x" }, &out, &err),
                     EXIT_USAGE);
    assert_non_null(strstr(err, "help takes one command name"));
    assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);     /* one line */
    free(out);
    free(err);

    assert_int_equal(help_run(2, (const char *const[]){ "help", "--theme" }, &out, &err),
                     EXIT_USAGE);
    assert_non_null(strstr(err, "do not apply to `help`"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_help_command),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_help_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
