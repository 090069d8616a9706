/* fuzz_promapi.c — libFuzzer target: Prometheus' query API answers
 * (promapi_parse) and --prometheus-selector (promapi_selector_inner) on
 * arbitrary bytes.
 *
 * The input is copied into an exactly-sized heap buffer (no NUL after it), so
 * a read past the answer is an ASan report. Checks beyond "no crash": a failed
 * parse keeps no series and says why in one line; a successful one keeps at
 * most its cap, with NUL-terminated names and labels; whether an answer is
 * valid does not depend on the cap except through the cap's own error; a
 * selector that passes leaves a NUL-terminated inner part shorter than it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "promapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP_SMALL 2
#define CAP_LARGE 64

static void check_err(const char *err, size_t cap)
{
    const char *nul = memchr(err, '\0', cap);
    if (nul == NULL || nul == err || memchr(err, '\n', (size_t)(nul - err)) != NULL)
        abort();
}

static void check_series(const promapi_series_t *s)
{
    if (!memchr(s->name, '\0', sizeof s->name))
        abort();
    for (int k = 0; k < PROMAPI_MAX_KEYS; k++)
        if (!memchr(s->label[k], '\0', sizeof s->label[k]))
            abort();
}

static int run(const char *body, size_t len, promapi_series_t *buf, int cap, char *err,
               size_t errlen)
{
    static const char *const keys[] = { "instance", "le", "em_fig", "server_id" };
    promapi_result_t r = { .s = buf, .cap = cap, .n = 7 };
    int rc = promapi_parse(body, len, keys, 4, &r, err, errlen);
    if (rc != 0) {
        check_err(err, errlen);
        if (r.n != 0)
            abort();
        return rc;
    }
    if (r.n < 0 || r.n > cap)
        abort();
    for (int i = 0; i < r.n; i++)
        check_series(&buf[i]);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);
    static promapi_series_t buf[CAP_LARGE];
    char err[200];
    int small = run(body, size, buf, CAP_SMALL, err, sizeof err);
    bool cap_error = small != 0 && strstr(err, "series in the answer, at most") != NULL;
    int large = run(body, size, buf, CAP_LARGE, err, sizeof err);
    if (small == 0 && large != 0)
        abort();
    if (small != 0 && !cap_error && large == 0)
        abort();
    free(body);

    /* The same bytes as a selector. */
    char *sel = malloc(size + 1);
    if (!sel)
        return 0;
    memcpy(sel, data, size);
    sel[size] = '\0';
    char inner[PROMAPI_SELECTOR_LEN], why[160];
    if (promapi_selector_inner(sel, inner, sizeof inner, why, sizeof why) == 0) {
        if (!memchr(inner, '\0', sizeof inner) || strlen(inner) >= strlen(sel))
            abort();
    } else {
        check_err(why, sizeof why);
    }
    free(sel);
    return 0;
}
