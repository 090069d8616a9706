/* status_report.c — the members of one snapshot as etcdctl-style table or as
 * JSON, for `etcd-monitor status`. What each member is known to say is
 * gathered once (member_facts), then written either way. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "status_report.h"

/* What the report says about one member; the flags say what is known. */
typedef struct {
    const char *endpoint;          /* "" when the member was never started */
    uint64_t    id;                /* 0 = unknown */
    const char *version;           /* NULL = unknown */
    bool        db_ok, in_use_ok;
    double      db_size, db_in_use;
    int         is_leader;         /* 1, 0, or -1 unknown */
    int         is_learner;        /* 1, 0, or -1 unknown */
    bool        raft_ok;           /* the status answer: term and indexes */
    uint64_t    leader, raft_term, raft_index, raft_applied;
    const char *error;             /* why it is down or degraded, "" when fine */
    const char *status_errors;     /* the status answer's errors, "" when none */
    bool        health;            /* answered and /health said true */
    bool        frag_ok, lag_ok;
    double      frag_pct, raft_lag;
} facts_t;

static void member_facts(const member_view_t *m, facts_t *f)
{
    const member_sample_t *sm = &m->sample;
    const status_sample_t *st = &sm->s;
    bool up = sm->up, status = up && st->ok;

    memset(f, 0, sizeof *f);
    f->endpoint = m->endpoint;
    f->id = m->id ? m->id : status ? st->member_id : 0;
    if (status && st->version[0])
        f->version = st->version;
    else if (up && sm->metrics_ok && sm->m.server_version[0])
        f->version = sm->m.server_version;
    f->db_ok = up && m->iv.db_size.ok;
    f->db_size = m->iv.db_size.v;
    f->in_use_ok = up && m->iv.db_size_in_use.ok;
    f->db_in_use = m->iv.db_size_in_use.v;
    /* As etcdctl: the status answer names the leader; /metrics as a fallback. */
    if (status)
        f->is_leader = st->leader_id && st->leader_id == st->member_id;
    else if (up && sm->metrics_ok && sm->m.is_leader.ok)
        f->is_leader = sm->m.is_leader.v == 1;
    else
        f->is_leader = -1;
    if (status)
        f->is_learner = st->is_learner;
    else
        f->is_learner = m->in_member_list ? m->is_learner : -1;
    f->raft_ok = status;
    f->leader = st->leader_id;
    f->raft_term = st->raft_term;
    f->raft_index = st->raft_index;
    f->raft_applied = st->raft_applied_index;
    f->error = sm->error;
    f->status_errors = status ? st->errors : "";
    f->health = up && sm->health_ok;
    f->frag_ok = up && m->iv.fragmentation_pct.ok && isfinite(m->iv.fragmentation_pct.v);
    f->frag_pct = m->iv.fragmentation_pct.v;
    /* The members answer at slightly different times: a follower that looks
     * ahead of the leader is up to date, not behind by a negative amount. */
    f->lag_ok = up && isfinite(m->fig.raft_index_lag);
    f->raft_lag = f->lag_ok && m->fig.raft_index_lag > 0 ? m->fig.raft_index_lag : 0;
}

void status_report_bytes(char *out, size_t cap, uint64_t bytes)
{
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
    if (bytes < 10) {
        snprintf(out, cap, "%" PRIu64 " B", bytes);
        return;
    }
    int e = (int)floor(log((double)bytes) / log(1000.0));
    if (e > 6)
        e = 6;
    double v = floor((double)bytes / pow(1000.0, e) * 10 + 0.5) / 10;
    snprintf(out, cap, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[e]);
}

/* ---- table ---------------------------------------------------------------- */

enum { C_ENDPOINT, C_ID, C_VERSION, C_DB, C_LEADER, C_LEARNER, C_TERM, C_INDEX, C_APPLIED,
       C_ERRORS, C_HEALTH, C_FRAG, C_LAG, N_COLS };

static const char *const heading[N_COLS] = {
    "ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM",
    "RAFT INDEX", "RAFT APPLIED INDEX", "ERRORS", "HEALTH", "FRAGMENTATION", "RAFT LAG"
};

typedef struct {
    char cell[N_COLS][64];
    char errors[440];              /* the ERRORS cell (longer) */
} row_t;

static const char *row_cell(const row_t *r, int c)
{
    return c == C_ERRORS ? r->errors : r->cell[c];
}

static const char *tristate(int v)
{
    return v < 0 ? "-" : v ? "true" : "false";
}

/* Copy s into dst with control characters shown as '?': one line per row. */
static void copy_printable(char *dst, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++)
        dst[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    dst[o] = '\0';
}

static void row_fill(const facts_t *f, row_t *r)
{
    char errors[sizeof r->errors];
    memset(r, 0, sizeof *r);
    copy_printable(r->cell[C_ENDPOINT], sizeof r->cell[0], f->endpoint[0] ? f->endpoint : "-");
    if (f->id)
        snprintf(r->cell[C_ID], sizeof r->cell[0], "%" PRIx64, f->id);
    else
        strcpy(r->cell[C_ID], "-");
    copy_printable(r->cell[C_VERSION], sizeof r->cell[0], f->version ? f->version : "-");
    if (f->db_ok && f->db_size >= 0)
        status_report_bytes(r->cell[C_DB], sizeof r->cell[0], (uint64_t)f->db_size);
    else
        strcpy(r->cell[C_DB], "-");
    strcpy(r->cell[C_LEADER], tristate(f->is_leader));
    strcpy(r->cell[C_LEARNER], tristate(f->is_learner));
    if (f->raft_ok) {
        snprintf(r->cell[C_TERM], sizeof r->cell[0], "%" PRIu64, f->raft_term);
        snprintf(r->cell[C_INDEX], sizeof r->cell[0], "%" PRIu64, f->raft_index);
        snprintf(r->cell[C_APPLIED], sizeof r->cell[0], "%" PRIu64, f->raft_applied);
    } else {
        strcpy(r->cell[C_TERM], "-");
        strcpy(r->cell[C_INDEX], "-");
        strcpy(r->cell[C_APPLIED], "-");
    }
    snprintf(errors, sizeof errors, "%s%s%s", f->error,
             f->error[0] && f->status_errors[0] ? "; " : "", f->status_errors);
    copy_printable(r->errors, sizeof r->errors, errors);
    strcpy(r->cell[C_HEALTH], f->health ? "true" : "false");
    if (f->frag_ok)
        snprintf(r->cell[C_FRAG], sizeof r->cell[0], "%.1f%%", f->frag_pct);
    else
        strcpy(r->cell[C_FRAG], "-");
    if (f->lag_ok)
        snprintf(r->cell[C_LAG], sizeof r->cell[0], "%.0f", f->raft_lag);
    else
        strcpy(r->cell[C_LAG], "-");
}

/* Terminal cells of a UTF-8 string (one per code point). */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static void table_rule(FILE *f, const int *width)
{
    for (int c = 0; c < N_COLS; c++) {
        fputc('+', f);
        for (int i = 0; i < width[c] + 2; i++)
            fputc('-', f);
    }
    fputs("+\n", f);
}

int status_report_table(FILE *f, const cluster_snapshot_t *snap)
{
    int width[N_COLS];
    facts_t facts;
    row_t row;

    for (int c = 0; c < N_COLS; c++)
        width[c] = text_width(heading[c]);
    for (int i = 0; i < snap->n_members; i++) {
        member_facts(&snap->members[i], &facts);
        row_fill(&facts, &row);
        for (int c = 0; c < N_COLS; c++) {
            int w = text_width(row_cell(&row, c));
            if (w > width[c])
                width[c] = w;
        }
    }
    /* As etcdctl's tablewriter: headings centred, cells to the right. */
    table_rule(f, width);
    for (int c = 0; c < N_COLS; c++) {
        int pad = width[c] - text_width(heading[c]);
        fprintf(f, "| %*s%s%*s ", pad / 2, "", heading[c], pad - pad / 2, "");
    }
    fputs("|\n", f);
    table_rule(f, width);
    for (int i = 0; i < snap->n_members; i++) {
        member_facts(&snap->members[i], &facts);
        row_fill(&facts, &row);
        for (int c = 0; c < N_COLS; c++) {
            const char *s = row_cell(&row, c);
            fprintf(f, "| %*s%s ", width[c] - text_width(s), "", s);
        }
        fputs("|\n", f);
    }
    table_rule(f, width);
    return ferror(f) ? -1 : 0;
}

/* ---- JSON ----------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (2 to 4), or 0. */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf5)
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A JSON string: quotes, backslashes and control characters escaped, a byte
 * that is not valid UTF-8 written as U+FFFD. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p++);
        } else if (*p < 0x80) {
            fputc(*p++, f);
        } else {
            int n = utf8_len(p);
            if (n) {
                fwrite(p, 1, (size_t)n, f);
                p += n;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    fputc('"', f);
}

static void json_u64(FILE *f, const char *key, bool ok, uint64_t v)
{
    fprintf(f, ",\"%s\":", key);
    if (ok)
        fprintf(f, "%" PRIu64, v);
    else
        fputs("null", f);
}

static void json_bool(FILE *f, const char *key, int v)
{
    fprintf(f, ",\"%s\":%s", key, v < 0 ? "null" : v ? "true" : "false");
}

static void member_json(FILE *f, const facts_t *x)
{
    fputs("{\"Endpoint\":", f);
    json_string(f, x->endpoint);
    json_u64(f, "member_id", x->id != 0, x->id);
    fputs(",\"version\":", f);
    if (x->version)
        json_string(f, x->version);
    else
        fputs("null", f);
    json_u64(f, "dbSize", x->db_ok && x->db_size >= 0, (uint64_t)(x->db_ok ? x->db_size : 0));
    json_u64(f, "dbSizeInUse", x->in_use_ok && x->db_in_use >= 0,
             (uint64_t)(x->in_use_ok ? x->db_in_use : 0));
    json_u64(f, "leader", x->raft_ok && x->leader, x->leader);
    json_bool(f, "isLeader", x->is_leader);
    json_bool(f, "isLearner", x->is_learner);
    json_u64(f, "raftTerm", x->raft_ok, x->raft_term);
    json_u64(f, "raftIndex", x->raft_ok, x->raft_index);
    json_u64(f, "raftAppliedIndex", x->raft_ok, x->raft_applied);
    fputs(",\"errors\":[", f);
    if (x->error[0])
        json_string(f, x->error);
    if (x->status_errors[0]) {
        if (x->error[0])
            fputc(',', f);
        json_string(f, x->status_errors);
    }
    fputc(']', f);
    json_bool(f, "health", x->health);
    fputs(",\"fragmentationPct\":", f);
    if (x->frag_ok)
        fprintf(f, "%.2f", x->frag_pct);
    else
        fputs("null", f);
    fputs(",\"raftLag\":", f);
    if (x->lag_ok)
        fprintf(f, "%.0f", x->raft_lag);
    else
        fputs("null", f);
    fputc('}', f);
}

int status_report_json(FILE *f, const cluster_snapshot_t *snap)
{
    facts_t facts;
    fputc('[', f);
    for (int i = 0; i < snap->n_members; i++) {
        member_facts(&snap->members[i], &facts);
        fputs(i ? ",\n " : "", f);
        member_json(f, &facts);
    }
    fputs("]\n", f);
    return ferror(f) ? -1 : 0;
}
