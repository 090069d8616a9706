/* status_json.c — parse etcd's gRPC-gateway JSON answers (see status.h).
 *
 * The gateway encodes int64/uint64 as JSON strings of decimal digits and omits
 * every zero-valued field, so an absent field reads as 0 / "" / false once the
 * answer is otherwise valid. Everything else is checked strictly: a wrong type,
 * a number that does not fit, an over-long string or malformed JSON is an
 * error with a one-line reason, and the caller's output is left untouched. */
#include "status.h"
#include "text.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a parse is, for the error line: "status", "member list", ... */
typedef struct {
    const char *what;
    char       *err;
    size_t      errlen;
} pctx_t;

static void perr(const pctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write "<what>: <message>" into the caller's error buffer, as one printable
 * line whatever the message quotes (jansson's errors quote the answer). */
static void perr(const pctx_t *c, const char *fmt, ...)
{
    if (c->err == NULL || c->errlen == 0)
        return;
    char msg[256], line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    (void)text_clean(line, sizeof line, msg);
    snprintf(c->err, c->errlen, "%s: %s", c->what, line);
}

/* Parse body as a JSON object (duplicate keys rejected). NULL on error. */
static json_t *json_parse_object(const pctx_t *c, const char *body, size_t len)
{
    if (body == NULL || len == 0) {
        perr(c, "empty answer");
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        perr(c, "bad JSON at line %d col %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        perr(c, "not a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

/* A gRPC-gateway error answer ({"error":..., "code":..., "message":...})
 * instead of the expected message: report it as such. Returns true if so. */
static bool json_gateway_error(const pctx_t *c, json_t *root)
{
    json_t *code = json_object_get(root, "code");
    json_t *msg = json_object_get(root, "message");
    json_t *error = json_object_get(root, "error");
    if (code == NULL && msg == NULL && error == NULL)
        return false;
    const char *text = json_is_string(msg) ? json_string_value(msg)
                     : json_is_string(error) ? json_string_value(error) : "";
    if (json_is_integer(code))
        perr(c, "etcd error (code %lld): %.160s", (long long)json_integer_value(code), text);
    else
        perr(c, "etcd error: %.160s", text);
    return true;
}

/* A uint64 field: absent -> 0; a string of 1-20 decimal digits that fits, or
 * a non-negative JSON integer. */
static int json_u64(const pctx_t *c, json_t *obj, const char *key, const char *name,
                    uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    *out = 0;
    if (v == NULL)
        return 0;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0) {
            perr(c, "%s: negative", name);
            return -1;
        }
        *out = (uint64_t)i;
        return 0;
    }
    if (!json_is_string(v)) {
        perr(c, "%s: not an integer string", name);
        return -1;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0) {
        perr(c, "%s: not an integer string", name);
        return -1;
    }
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            perr(c, "%s: not an integer string", name);
            return -1;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (r > (UINT64_MAX - d) / 10) {
            perr(c, "%s: out of range", name);
            return -1;
        }
        r = r * 10 + d;
    }
    *out = r;
    return 0;
}

/* An int64 field that must not be negative (sizes). */
static int json_i64(const pctx_t *c, json_t *obj, const char *key, const char *name,
                    int64_t *out)
{
    uint64_t u;
    if (json_u64(c, obj, key, name, &u) != 0)
        return -1;
    if (u > (uint64_t)INT64_MAX) {
        perr(c, "%s: out of range", name);
        return -1;
    }
    *out = (int64_t)u;
    return 0;
}

/* Copy the string v (NULL -> "") into dst[cap], cleaned for terminals, logs and
 * CSV (text.h: control characters, bidi controls and invalid UTF-8 escaped, so a
 * hostile member name never leaves here raw); too long or not a string is an
 * error. */
static int json_copy_str(const pctx_t *c, json_t *v, const char *name, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (v == NULL)
        return 0;
    if (!json_is_string(v)) {
        perr(c, "%s: not a string", name);
        return -1;
    }
    size_t n = json_string_length(v);
    if (n >= cap) {
        perr(c, "%s: string too long (%zu bytes, at most %zu)", name, n, cap - 1);
        return -1;
    }
    (void)text_clean_n(dst, cap, json_string_value(v), n);
    return 0;
}

static int json_str(const pctx_t *c, json_t *obj, const char *key, const char *name,
                    char *dst, size_t cap)
{
    return json_copy_str(c, json_object_get(obj, key), name, dst, cap);
}

/* A bool field: absent -> false. */
static int json_flag(const pctx_t *c, json_t *obj, const char *key, const char *name, bool *out)
{
    json_t *v = json_object_get(obj, key);
    *out = false;
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v)) {
        perr(c, "%s: not a boolean", name);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* An optional object member: absent -> *out NULL; present, it must be an object. */
static int json_sub(const pctx_t *c, json_t *obj, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = v;
    if (v != NULL && !json_is_object(v)) {
        perr(c, "%s: not an object", key);
        return -1;
    }
    return 0;
}

/* Append s to dst (cap bytes) after sep, cutting on a UTF-8 boundary when it
 * does not fit; leading and trailing blanks of s are dropped. */
static void join_append(char *dst, size_t cap, const char *sep, const char *s)
{
    size_t len = strlen(dst);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n == 0)
        return;
    if (len > 0) {
        size_t sl = strlen(sep);
        if (len + sl >= cap)
            return;
        memcpy(dst + len, sep, sl);
        len += sl;
    }
    size_t room = cap - 1 - len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* s[n] would be a continuation byte: do not split its character */
    }
    memcpy(dst + len, s, n);
    dst[len + n] = '\0';
}

/* The "errors" array of strings, joined with "; " into dst (capped). */
static int json_errors(const pctx_t *c, json_t *obj, char *dst, size_t cap)
{
    dst[0] = '\0';
    json_t *a = json_object_get(obj, "errors");
    if (a == NULL)
        return 0;
    if (!json_is_array(a)) {
        perr(c, "errors: not an array");
        return -1;
    }
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        if (!json_is_string(e)) {
            perr(c, "errors[%zu]: not a string", i);
            return -1;
        }
        join_append(dst, cap, "; ", json_string_value(e));
    }
    return 0;
}

int status_parse_maintenance(const char *body, size_t len, status_sample_t *out,
                             char *err, size_t errlen)
{
    pctx_t c = { "status", err, errlen };
    json_t *root = json_parse_object(&c, body, len);
    if (root == NULL)
        return -1;
    status_sample_t s;
    memset(&s, 0, sizeof s);
    json_t *h = NULL;
    uint64_t hdr_term = 0, term = 0;
    int rc = -1;
    if (json_gateway_error(&c, root))
        goto done;
    if (json_sub(&c, root, "header", &h) != 0)
        goto done;
    if (h == NULL) {
        perr(&c, "missing header");
        goto done;
    }
    if (json_u64(&c, h, "cluster_id", "header.cluster_id", &s.cluster_id) != 0 ||
        json_u64(&c, h, "member_id", "header.member_id", &s.member_id) != 0 ||
        json_u64(&c, h, "revision", "header.revision", &s.revision) != 0 ||
        json_u64(&c, h, "raft_term", "header.raft_term", &hdr_term) != 0 ||
        json_str(&c, root, "version", "version", s.version, sizeof s.version) != 0 ||
        json_i64(&c, root, "dbSize", "dbSize", &s.db_size) != 0 ||
        json_i64(&c, root, "dbSizeInUse", "dbSizeInUse", &s.db_size_in_use) != 0 ||
        json_u64(&c, root, "leader", "leader", &s.leader_id) != 0 ||
        json_u64(&c, root, "raftIndex", "raftIndex", &s.raft_index) != 0 ||
        json_u64(&c, root, "raftTerm", "raftTerm", &term) != 0 ||
        json_u64(&c, root, "raftAppliedIndex", "raftAppliedIndex", &s.raft_applied_index) != 0 ||
        json_errors(&c, root, s.errors, sizeof s.errors) != 0 ||
        json_flag(&c, root, "isLearner", "isLearner", &s.is_learner) != 0)
        goto done;
    /* raftTerm is the member's term; the header's is the same figure, used
     * only when the body's is absent. */
    s.raft_term = term != 0 ? term : hdr_term;
    s.ok = true;
    *out = s;
    rc = 0;
done:
    json_decref(root);
    return rc;
}

/* One element of members[]: i is its index, for the error line. */
static int member_parse(const pctx_t *c, json_t *m, size_t i, status_member_t *out)
{
    char name[80];
    if (!json_is_object(m)) {
        perr(c, "members[%zu]: not an object", i);
        return -1;
    }
    snprintf(name, sizeof name, "members[%zu].ID", i);
    if (json_u64(c, m, "ID", name, &out->id) != 0)
        return -1;
    snprintf(name, sizeof name, "members[%zu].name", i);
    if (json_str(c, m, "name", name, out->name, sizeof out->name) != 0)
        return -1;
    snprintf(name, sizeof name, "members[%zu].isLearner", i);
    if (json_flag(c, m, "isLearner", name, &out->is_learner) != 0)
        return -1;
    out->n_client_urls = 0;
    json_t *urls = json_object_get(m, "clientURLs");
    if (urls == NULL)
        return 0; /* not started yet: no client URLs */
    if (!json_is_array(urls)) {
        snprintf(name, sizeof name, "members[%zu].clientURLs", i);
        perr(c, "%s: not an array", name);
        return -1;
    }
    size_t k;
    json_t *u;
    json_array_foreach(urls, k, u) {
        char tmp[sizeof out->client_urls[0]];
        snprintf(name, sizeof name, "members[%zu].clientURLs[%zu]", i, k);
        if (json_copy_str(c, u, name, tmp, sizeof tmp) != 0)
            return -1;
        if (out->n_client_urls < STATUS_MAX_URLS) /* more are valid, only not kept */
            memcpy(out->client_urls[out->n_client_urls++], tmp, sizeof tmp);
    }
    return 0;
}

int status_parse_member_list(const char *body, size_t len, status_member_t *out, int max,
                             int *n, uint64_t *cluster_id, char *err, size_t errlen)
{
    pctx_t c = { "member list", err, errlen };
    json_t *root = json_parse_object(&c, body, len);
    if (root == NULL)
        return -1;
    status_member_t *tmp = NULL;
    json_t *h = NULL;
    uint64_t cid = 0;
    int rc = -1;
    if (json_gateway_error(&c, root))
        goto done;
    if (json_sub(&c, root, "header", &h) != 0)
        goto done;
    if (h == NULL) {
        perr(&c, "missing header");
        goto done;
    }
    if (json_u64(&c, h, "cluster_id", "header.cluster_id", &cid) != 0)
        goto done;
    json_t *members = json_object_get(root, "members");
    if (members != NULL && !json_is_array(members)) {
        perr(&c, "members: not an array");
        goto done;
    }
    size_t count = members != NULL ? json_array_size(members) : 0;
    size_t keep = max > 0 ? ((size_t)max < count ? (size_t)max : count) : 0;
    /* Parse into a scratch array so that out is untouched on failure; every
     * element is checked, kept or not. */
    tmp = calloc(keep > 0 ? keep : 1, sizeof *tmp);
    if (tmp == NULL) {
        perr(&c, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        status_member_t scratch;
        status_member_t *dst = i < keep ? &tmp[i] : &scratch;
        memset(dst, 0, sizeof *dst);
        if (member_parse(&c, json_array_get(members, i), i, dst) != 0)
            goto done;
    }
    if (keep > 0)
        memcpy(out, tmp, keep * sizeof *tmp);
    if (n != NULL)
        *n = (int)keep;
    if (cluster_id != NULL)
        *cluster_id = cid;
    rc = 0;
done:
    free(tmp);
    json_decref(root);
    return rc;
}

/* The AlarmType enum of etcdserverpb, for a gateway that sends numbers. */
static const char *alarm_name(json_int_t v)
{
    switch (v) {
    case 0: return "NONE";
    case 1: return "NOSPACE";
    case 2: return "CORRUPT";
    default: return "UNKNOWN";
    }
}

int status_parse_alarms(const char *body, size_t len, status_alarm_t *out, int max, int *n,
                        char *err, size_t errlen)
{
    pctx_t c = { "alarms", err, errlen };
    json_t *root = json_parse_object(&c, body, len);
    if (root == NULL)
        return -1;
    status_alarm_t stack[16], *tmp = NULL;   /* the usual cap fits on the stack */
    int rc = -1;
    if (json_gateway_error(&c, root))
        goto done;
    json_t *h = NULL;
    if (json_sub(&c, root, "header", &h) != 0)
        goto done;
    json_t *alarms = json_object_get(root, "alarms");
    if (alarms != NULL && !json_is_array(alarms)) {
        perr(&c, "alarms: not an array");
        goto done;
    }
    size_t count = alarms != NULL ? json_array_size(alarms) : 0;
    size_t cap = max > 0 ? (size_t)max : 0;
    tmp = cap <= sizeof stack / sizeof stack[0] ? stack : calloc(cap, sizeof *tmp);
    if (tmp == NULL) {
        perr(&c, "out of memory");
        goto done;
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *a = json_array_get(alarms, i);
        char name[64];
        status_alarm_t al;
        memset(&al, 0, sizeof al);
        if (!json_is_object(a)) {
            perr(&c, "alarms[%zu]: not an object", i);
            goto done;
        }
        snprintf(name, sizeof name, "alarms[%zu].memberID", i);
        if (json_u64(&c, a, "memberID", name, &al.member_id) != 0)
            goto done;
        snprintf(name, sizeof name, "alarms[%zu].alarm", i);
        json_t *t = json_object_get(a, "alarm");
        if (json_is_integer(t)) {
            snprintf(al.alarm, sizeof al.alarm, "%s", alarm_name(json_integer_value(t)));
        } else if (json_copy_str(&c, t, name, al.alarm, sizeof al.alarm) != 0) {
            goto done;
        }
        if (al.alarm[0] == '\0' || strcmp(al.alarm, "NONE") == 0)
            continue; /* AlarmType NONE (0, omitted) is no alarm */
        if (kept < cap)
            tmp[kept++] = al;
    }
    if (kept > 0)
        memcpy(out, tmp, kept * sizeof *tmp);
    if (n != NULL)
        *n = (int)kept;
    rc = 0;
done:
    if (tmp != stack)
        free(tmp);
    json_decref(root);
    return rc;
}

int status_parse_health(const char *body, size_t len, char *err, size_t errlen)
{
    pctx_t c = { "health", err, errlen };
    json_t *root = json_parse_object(&c, body, len);
    if (root == NULL)
        return -1;
    int rc = -1;
    json_t *h = json_object_get(root, "health");
    json_t *reason = json_object_get(root, "reason"); /* informational only */
    if (json_is_string(h) && strcmp(json_string_value(h), "true") == 0)
        rc = 1;
    else if (json_is_string(h) && strcmp(json_string_value(h), "false") == 0)
        rc = 0;
    else if (json_is_boolean(h))
        rc = json_is_true(h) ? 1 : 0;
    else if (h == NULL)
        perr(&c, "missing health");
    else
        perr(&c, "health: not \"true\" or \"false\"");
    /* For an unhealthy member, say why when etcd does (3.5 adds "reason"). */
    if (rc == 0) {
        const char *r = json_is_string(reason) ? json_string_value(reason) : "";
        if (r[0] != '\0')
            perr(&c, "false: %.200s", r);
        else
            perr(&c, "false");
    }
    json_decref(root);
    return rc;
}
