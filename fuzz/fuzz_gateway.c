/* fuzz_gateway.c — libFuzzer target: etcd's gRPC-gateway JSON answers on
 * arbitrary bytes: every parser of status_json.c (status, member list, alarms,
 * health) and the authenticate / error answers read by auth.c.
 *
 * The input is copied into an exactly-sized heap buffer (no NUL after it), so
 * a read past the answer is an ASan report. Checks beyond "no crash": a failed
 * parse leaves the output untouched and says why in one line, a successful one
 * keeps its counts and strings within bounds, and whether an answer is valid
 * does not depend on how many entries the caller keeps. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KEEP 8

/* err must be a non-empty single line, NUL-terminated within its buffer. */
static void check_err(const char *err, size_t cap)
{
    const char *nul = memchr(err, '\0', cap);
    if (nul == NULL || nul == err || memchr(err, '\n', (size_t)(nul - err)) != NULL)
        abort();
}

static void check_str(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL)
        abort();
}

static void fuzz_status(const char *body, size_t len)
{
    status_sample_t s, before;
    char err[256];
    memset(&s, 0x5A, sizeof s);
    memcpy(&before, &s, sizeof s);
    if (status_parse_maintenance(body, len, &s, err, sizeof err) != 0) {
        if (memcmp(&s, &before, sizeof s) != 0)
            abort();
        check_err(err, sizeof err);
        return;
    }
    if (!s.ok)
        abort();
    check_str(s.version, sizeof s.version);
    check_str(s.errors, sizeof s.errors);
    if (s.db_size < 0 || s.db_size_in_use < 0)
        abort();
}

/* Parse the member list keeping at most max entries; returns the result. */
static int member_list(const char *body, size_t len, int max, int *n)
{
    status_member_t out[MAX_KEEP + 1], before[MAX_KEEP + 1];
    char err[256];
    uint64_t cid = 0x5A5A, cid_before = cid;
    memset(out, 0x5A, sizeof out);
    memcpy(before, out, sizeof out);
    *n = -7;
    int rc = status_parse_member_list(body, len, out, max, n, &cid, err, sizeof err);
    if (rc != 0) {
        if (memcmp(out, before, sizeof out) != 0 || *n != -7 || cid != cid_before)
            abort();
        check_err(err, sizeof err);
        return rc;
    }
    if (*n < 0 || *n > max || memcmp(&out[max], &before[max], sizeof out[max]) != 0)
        abort();
    for (int i = 0; i < *n; i++) {
        check_str(out[i].name, sizeof out[i].name);
        if (out[i].n_client_urls < 0 || out[i].n_client_urls > STATUS_MAX_URLS)
            abort();
        for (int k = 0; k < out[i].n_client_urls; k++)
            check_str(out[i].client_urls[k], sizeof out[i].client_urls[k]);
    }
    return rc;
}

static int alarms(const char *body, size_t len, int max, int *n)
{
    status_alarm_t out[MAX_KEEP + 1], before[MAX_KEEP + 1];
    char err[256];
    memset(out, 0x5A, sizeof out);
    memcpy(before, out, sizeof out);
    *n = -7;
    int rc = status_parse_alarms(body, len, out, max, n, err, sizeof err);
    if (rc != 0) {
        if (memcmp(out, before, sizeof out) != 0 || *n != -7)
            abort();
        check_err(err, sizeof err);
        return rc;
    }
    if (*n < 0 || *n > max || memcmp(&out[max], &before[max], sizeof out[max]) != 0)
        abort();
    for (int i = 0; i < *n; i++) {
        check_str(out[i].alarm, sizeof out[i].alarm);
        if (out[i].alarm[0] == '\0' || strcmp(out[i].alarm, "NONE") == 0)
            abort();     /* no alarm is not kept */
    }
    return rc;
}

static void fuzz_lists(const char *body, size_t len)
{
    int n_all, n_one, n_none;
    int rc = member_list(body, len, MAX_KEEP, &n_all);
    if (member_list(body, len, 1, &n_one) != rc || member_list(body, len, 0, &n_none) != rc)
        abort();
    if (rc == 0 && (n_none != 0 || n_one != (n_all > 0 ? 1 : 0)))
        abort();
    rc = alarms(body, len, MAX_KEEP, &n_all);
    if (alarms(body, len, 1, &n_one) != rc || alarms(body, len, 0, &n_none) != rc)
        abort();
    if (rc == 0 && (n_none != 0 || n_one != (n_all > 0 ? 1 : 0)))
        abort();
}

static void fuzz_health(const char *body, size_t len)
{
    char err[256];
    err[0] = '\0';
    int rc = status_parse_health(body, len, err, sizeof err);
    if (rc < -1 || rc > 1)
        abort();
    if (rc != 1)
        check_err(err, sizeof err);
    char tiny[4];
    if (status_parse_health(body, len, tiny, sizeof tiny) != rc)
        abort();
    if (rc != 1)
        check_str(tiny, sizeof tiny);
}

static void fuzz_auth(const char *body, size_t len)
{
    static const long statuses[] = { 200, 400, 401, 403, 500 };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        auth_resp_t r = auth_classify(statuses[i], body, len);
        if (r < AUTH_RESP_NONE || r > AUTH_RESP_NOT_ENABLED || (statuses[i] == 200 && r != 0))
            abort();
        char msg[AUTH_ERROR_LEN];
        auth_error_message(statuses[i], body, len, msg, sizeof msg);
        check_err(msg, sizeof msg);
        for (const char *p = msg; *p; p++)
            if ((unsigned char)*p < ' ' || *p == 0x7f)
                abort();     /* one printable line */
    }
    char token[HTTP_TOKEN_MAX + 1], why[128];
    if (auth_parse_token(body, len, token, sizeof token, why, sizeof why) == 0) {
        check_str(token, sizeof token);
        if (token[0] == '\0')
            abort();
        for (const char *p = token; *p; p++)
            if (*p <= ' ' || *p > '~')
                abort();     /* it goes into a header */
    } else {
        check_err(why, sizeof why);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size > 0 ? size : 1);
    if (body == NULL)
        return 0;
    memcpy(body, data, size);
    fuzz_status(body, size);
    fuzz_lists(body, size);
    fuzz_health(body, size);
    fuzz_auth(body, size);
    free(body);
    return 0;
}
