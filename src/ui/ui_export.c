/* ui_export.c — the export key (E): the screen as it is now, as plain text,
 * and the figures on it (the shown snapshot's members and the active alerts)
 * as JSON: two files, export-<poll time>.txt and .json, in the export
 * directory (the workspace, or the replayed session), else in the current
 * directory when that one is not writable. The footer says where. These two
 * files are the only ones the dashboard ever writes. */
#include "ui_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "format.h"

/* Create path for writing, owner only (like the workspace files). */
static FILE *open_new(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f)
        close(fd);
    return f;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

static void json_time(FILE *f, double t)
{
    char ts[40];
    if (t > 0 && format_timestamp(ts, sizeof ts, t, true, 0) > 0)
        json_str(f, ts);
    else
        fputs("null", f);
}

/* The screen as the terminal shows it (curscr), one line per row, trailing
 * blanks dropped. */
static void write_screen(FILE *f)
{
    int rows = getmaxy(curscr), cols = getmaxx(curscr);
    wchar_t wb[1024];
    if (cols > 1023)
        cols = 1023;
    for (int y = 0; y < rows; y++) {
        static char line[1024 * MB_LEN_MAX + 1];
        size_t n = 0;
        int got = mvwinnwstr(curscr, y, 0, wb, cols);
        mbstate_t st;
        memset(&st, 0, sizeof st);
        for (int x = 0; got != ERR && x < cols && wb[x]; x++) {
            size_t k = wcrtomb(line + n, wb[x], &st);
            if (k == (size_t)-1) {
                memset(&st, 0, sizeof st);
                line[n] = '?';
                k = 1;
            }
            n += k;
        }
        while (n > 0 && line[n - 1] == ' ')
            n--;
        fwrite(line, 1, n, f);
        fputc('\n', f);
    }
}

static void write_member(FILE *f, const cluster_snapshot_t *s, const member_view_t *m)
{
    const member_sample_t *sm = &m->sample;
    char id[20];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)m->id);
    fputs("    {\"name\": ", f);
    json_str(f, m->name);
    fputs(", \"endpoint\": ", f);
    json_str(f, m->endpoint);
    fputs(", \"id\": ", f);
    json_str(f, id);
    fprintf(f, ", \"up\": %s, \"leader\": %s, \"learner\": %s, \"error\": ",
            sm->up ? "true" : "false", m->id && m->id == s->leader_id ? "true" : "false",
            m->is_learner ? "true" : "false");
    json_str(f, sm->error);
    fputs(", \"version\": ", f);
    json_str(f, sm->s.version);
    fputs(",\n     \"raft_term\": ", f);
    json_num(f, sm->s.ok ? (double)sm->s.raft_term : NAN);
    fputs(", \"raft_index\": ", f);
    json_num(f, sm->s.ok ? (double)sm->s.raft_index : NAN);
    fputs(", \"db_size_bytes\": ", f);
    json_num(f, m->iv.db_size.ok ? m->iv.db_size.v : NAN);
    fputs(", \"wal_fsync_p99_ms\": ", f);
    json_num(f, m->iv.wal_p99_ms);
    fputs(", \"backend_commit_p99_ms\": ", f);
    json_num(f, m->iv.backend_p99_ms);
    fputs(", \"peer_rtt_p99_ms\": ", f);
    json_num(f, m->iv.peer_rtt_p99_ms);
    fputs(", \"probe_read_ms\": ", f);
    json_num(f, m->fig.probe_read_ms);
    fputs(", \"probe_write_ms\": ", f);
    json_num(f, m->fig.probe_write_ms);
    fputs("}", f);
}

static void write_alert(FILE *f, const alert_t *a)
{
    fputs("    {\"rule\": ", f);
    json_str(f, a->rule);
    fputs(", \"member\": ", f);
    json_str(f, a->member);
    fprintf(f, ", \"severity\": \"%s\", \"state\": \"%s\", \"value\": ",
            a->severity == SEV_CRITICAL ? "critical" : "warning",
            a->state == ALERT_FIRING ? "firing" : "pending");
    json_num(f, a->value);
    fputs(", \"threshold\": ", f);
    json_num(f, a->threshold);
    fputs(", \"unit\": ", f);
    json_str(f, a->unit);
    fputs(", \"active_since\": ", f);
    json_time(f, a->active_since);
    fputs("}", f);
}

/* The figures on the screen as one JSON object. */
static void write_json(FILE *f, const ui_t *ui)
{
    const cluster_snapshot_t *s = ui->shown;
    fputs("{\n  \"time\": ", f);
    json_time(f, s->t);
    fputs(",\n  \"replay\": ", f);
    if (ui->replay[0])
        json_str(f, ui->replay);
    else
        fputs("null", f);
    fprintf(f, ",\n  \"poll\": %ld,\n  \"status\": \"%s\",\n  \"members_up\": %d,\n"
               "  \"members_total\": %d,\n  \"leader\": ",
            (long)s->iteration, cluster_status_name(s->status), s->members_up,
            s->members_total);
    json_str(f, s->leader_name);
    fputs(",\n  \"raft_term\": ", f);
    json_num(f, (double)s->raft_term);
    fputs(",\n  \"members\": [\n", f);
    for (int i = 0; i < s->n_members; i++) {
        write_member(f, s, &s->members[i]);
        fputs(i + 1 < s->n_members ? ",\n" : "\n", f);
    }
    fputs("  ],\n  \"alerts\": [\n", f);
    for (int i = 0; i < ui->n_shown_alerts; i++) {
        write_alert(f, &ui->shown_alerts[i]);
        fputs(i + 1 < ui->n_shown_alerts ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
}

/* Both files into dir; 0, or -1 (errno kept) when either cannot be written. */
static int export_into(const ui_t *ui, const char *dir, const char *stamp, char *txt,
                       size_t n)
{
    char json[sizeof ui->export_dir + 64];
    snprintf(txt, n, "%s/export-%s.txt", dir, stamp);
    snprintf(json, sizeof json, "%s/export-%s.json", dir, stamp);
    FILE *f = open_new(txt);
    if (!f)
        return -1;
    write_screen(f);
    if (fclose(f) != 0)
        return -1;
    if (!(f = open_new(json))) {
        int e = errno;
        unlink(txt);
        errno = e;
        return -1;
    }
    write_json(f, ui);
    return fclose(f) == 0 ? 0 : -1;
}

void ui_export(ui_t *ui, double now)
{
    if (!ui->have_shown) {
        ui_notice(ui, now, 3, "nothing to export before the first poll");
        return;
    }
    /* the poll's time, so a replayed poll's export is named by when it was */
    char ts[40], stamp[40];
    format_timestamp(ts, sizeof ts, ui->shown->t, true, 0);
    size_t k = 0;
    for (const char *p = ts; *p && k + 1 < sizeof stamp; p++)
        if (*p != '-' && *p != ':')
            stamp[k++] = *p;
    stamp[k] = '\0';
    char txt[sizeof ui->export_dir + 64];
    const char *dir = ui->export_dir[0] ? ui->export_dir : ".";
    if (export_into(ui, dir, stamp, txt, sizeof txt) == 0) {
        ui_notice(ui, now, 8, "exported: %.*s.{txt,json}", (int)(strlen(txt) - 4), txt);
        return;
    }
    int e = errno;
    if (strcmp(dir, ".") != 0 && export_into(ui, ".", stamp, txt, sizeof txt) == 0) {
        ui_notice(ui, now, 10, "exported to ./export-%s.{txt,json} (%s: %s)", stamp,
                  strerror(e), dir);
        return;
    }
    ui_notice(ui, now, 8, "export failed: %s", strerror(errno));
}
