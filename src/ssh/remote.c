/* remote.c — SSH tunnels to the member hosts, their commands (followed log,
 * df -P with the host's MemTotal) and a local log file, turned into per-poll figures (see remote.h). */
#include "remote.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "endpoint.h"
#include "ssh_route.h"
#include "tunnel.h"

#define REMOTE_MAX_HOSTS CONFIG_MAX_ENDPOINTS
#define REMOTE_LOG_DEFAULT "journalctl -u etcd -f -o cat"
#define REMOTE_TAKE      64          /* lines taken from one source per remote_pump() */
#define REMOTE_EVENT_TEXT 141        /* a log line as its event shows it (%.140s) */

/* A host commands run on: a member's own (key = its client host:port) or the
 * --ssh host (key ""). */
typedef struct {
    tunnel_t   *tunnel;        /* owned unless it is the bastion */
    char        key[ENDPOINT_KEY_LEN]; /* host:port of the member it serves; "" = the --ssh host */
    const char *data_dir;      /* df -P target, NULL = none */
    const char *log_command;
    int         log_id, df_id; /* tunnel commands, -1 when none (df: none in flight) */
    double      next_df;       /* wall time of the next df -P */
    double      df_deadline;   /* a df -P in flight with no answer by then is lost */
    double      disk_free_pct; /* last df answer, NAN until one */
    double      mem_bytes;     /* the host's MemTotal from the same answer, 0 unknown */
    int         slow;          /* slow-operation lines this poll, -1 when no log */
    int         slow_taken;    /* slow-operation lines taken since the last poll */
} rhost_t;

/* A classified log line taken by remote_pump(), an event at the next poll. */
typedef struct {
    int         host;          /* index in remote_t.host, -1 = the local log file */
    log_kind_t  kind;
    char        text[REMOTE_EVENT_TEXT];
} rlog_event_t;

struct remote {
    const config_t *cfg;
    tunnel_t       *bastion;   /* --ssh, owned; NULL without */
    bool            routed;    /* route below in use by the collector */
    ssh_route_t     route;
    rhost_t         host[REMOTE_MAX_HOSTS];
    int             n_host;
    bool            per_member;  /* hosts are the members' own */
    bool            told_no_member;
    logwatch_t     *logfile;   /* --log-file, or NULL */
    int             file_slow; /* its slow-operation lines since the last poll */
    bool            watching;  /* some log is followed */
    log_counts_t    counts;
    rlog_event_t    pending[CLUSTER_MAX_EVENTS]; /* log events for the next poll */
    int             n_pending;
    char            taken[REMOTE_TAKE][512];     /* scratch: lines taken from a
                                                    tunnel or the log file */
};

/* Quote s for a POSIX shell ('...' with ' escaped). */
static void remote_shell_quote(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 3)
        return;
    out[o++] = '\'';
    for (; *s && o + 5 < cap; s++) {
        if (*s == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else {
            out[o++] = *s;
        }
    }
    out[o++] = '\'';
    out[o] = '\0';
}

bool remote_url_on_host(const char *url, const char *ssh_host)
{
    endpoint_t ep;
    if (endpoint_parse(url, ENDPOINT_NEED_SCHEME | ENDPOINT_PORT_DEFAULT | ENDPOINT_ANY_PATH, &ep,
                       NULL, 0) != ENDPOINT_OK)
        return false;
    if (strncmp(ep.host, "127.", 4) == 0 || strcmp(ep.host, "::1") == 0 ||
        strcmp(ep.host, "localhost") == 0)
        return true;
    return ssh_host && strcasecmp(ep.host, ssh_host) == 0;
}

double remote_parse_df(char (*lines)[512], int n)
{
    double pct = NAN;
    /* "Filesystem 1024-blocks Used Available Capacity Mounted on", then the data */
    for (int i = 0; i < n; i++) {
        unsigned long long blocks, used, avail;
        if (sscanf(lines[i], "%*s %llu %llu %llu", &blocks, &used, &avail) == 3 && blocks)
            pct = (double)avail * 100.0 / (double)blocks;
    }
    return pct;
}

double remote_parse_memtotal(char (*lines)[512], int n)
{
    double bytes = 0;
    /* /proc/meminfo: "MemTotal:       16318412 kB" */
    for (int i = 0; i < n; i++) {
        unsigned long long kb;
        char unit[8];
        if (sscanf(lines[i], "MemTotal: %llu %7s", &kb, unit) == 2 && strcmp(unit, "kB") == 0 &&
            kb > 0)
            bytes = (double)kb * 1024.0;
    }
    return bytes;
}

/* Start one command host on tunnel t; its log follow begins at once. */
static void remote_add_host(remote_t *r, tunnel_t *t, const char *key, const char *data_dir,
                            const char *log_command)
{
    rhost_t *h = &r->host[r->n_host++];
    h->tunnel = t;
    snprintf(h->key, sizeof h->key, "%s", key);
    h->data_dir = data_dir && *data_dir ? data_dir : NULL;
    h->log_command = log_command ? log_command : REMOTE_LOG_DEFAULT;
    h->log_id = h->df_id = -1;
    h->disk_free_pct = NAN;
    h->slow = -1;
    if (r->cfg->log_source) {
        h->log_id = tunnel_exec_follow(t, h->log_command);
        r->watching = true;
    }
}

/* A tunnel configuration from a members: entry, the --ssh settings filling in. */
static tunnel_config_t remote_member_tc(const config_t *cfg, const config_member_t *m,
                                        tunnel_t *via)
{
    return (tunnel_config_t){
        .target = m->ssh_target,
        .key_file = m->ssh_key ? m->ssh_key : cfg->ssh_key,
        .known_hosts = m->ssh_known_hosts ? m->ssh_known_hosts : cfg->ssh_known_hosts,
        .accept_new = m->ssh_accept_new >= 0 ? m->ssh_accept_new == 1 : cfg->ssh_accept_new,
        .keepalive_s = 5,
        .via = via,
    };
}

/* Bind a members: entry's URLs (client, metrics) to its tunnel. */
static int remote_bind_member(remote_t *r, const config_member_t *m, tunnel_t *t, char *key,
                              size_t keylen)
{
    unsigned flags = collector_endpoint_flags(r->cfg);
    char url[ENDPOINT_URL_LEN];
    if (endpoint_normalize(m->endpoint, flags, url, sizeof url, NULL, 0) != ENDPOINT_OK ||
        endpoint_hostport(url, key, keylen) != 0 || ssh_route_bind(&r->route, url, t) != 0)
        return -1;
    if (m->metrics_endpoint &&
        (endpoint_normalize(m->metrics_endpoint, flags, url, sizeof url, NULL, 0) != ENDPOINT_OK ||
         ssh_route_bind(&r->route, url, t) != 0))
        return -1;
    return 0;
}

/* One tunnel per members: entry with an ssh host, through the bastion if any. */
static int remote_open_members(remote_t *r, char *err, size_t errlen)
{
    const config_t *cfg = r->cfg;
    for (int i = 0; i < cfg->n_members; i++) {
        const config_member_t *m = &cfg->members[i];
        if (!m->ssh_target)
            continue;
        tunnel_config_t tc = remote_member_tc(cfg, m, r->bastion);
        char why[320], key[ENDPOINT_KEY_LEN];
        tunnel_t *t = tunnel_start(&tc, why, sizeof why);
        if (!t) {
            snprintf(err, errlen, "members[%d] (%.100s) ssh: %s", i, m->endpoint, why);
            return -1;
        }
        if (remote_bind_member(r, m, t, key, sizeof key) != 0) {
            tunnel_stop(t);
            snprintf(err, errlen, "members[%d]: cannot route %.100s through its tunnel", i,
                     m->endpoint);
            return -1;
        }
        remote_add_host(r, t, key, m->data_dir ? m->data_dir : cfg->data_dir,
                        m->log_command ? m->log_command : cfg->log_command);
        r->per_member = true;
    }
    return 0;
}

remote_t *remote_open(const config_t *cfg, collector_t *c, char *err, size_t errlen)
{
    remote_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = cfg;
    if (cfg->ssh_target) {
        tunnel_config_t tc = { .target = cfg->ssh_target, .key_file = cfg->ssh_key,
                               .known_hosts = cfg->ssh_known_hosts,
                               .accept_new = cfg->ssh_accept_new, .keepalive_s = 5 };
        char why[320];
        if (!(r->bastion = tunnel_start(&tc, why, sizeof why))) {
            snprintf(err, errlen, "--ssh: %s", why);
            free(r);
            return NULL;
        }
    }
    ssh_route_init(&r->route, r->bastion);
    if (remote_open_members(r, err, errlen) != 0)
        goto fail;
    if (r->bastion && !r->per_member)
        remote_add_host(r, r->bastion, "", cfg->data_dir, cfg->log_command);
    if (cfg->log_source && r->n_host == 0) {
        snprintf(err, errlen, "--log-source needs --ssh or a members: entry with ssh "
                 "(or use --log-file)");
        goto fail;
    }
    if (cfg->log_file) {
        char why[256];
        if (!(r->logfile = logwatch_open_file(cfg->log_file, why, sizeof why))) {
            snprintf(err, errlen, "--log-file: %s", why);
            goto fail;
        }
        r->watching = true;
    }
    /* Last: on any failure above the collector never held a pointer into r. */
    if (r->n_host > 0) {
        collector_set_route(c, ssh_route_for, &r->route);
        r->routed = true;
    }
    return r;
fail:
    remote_close(r);
    return NULL;
}

/* The name log events of a host go under: its member's name, else host:port. */
static const char *remote_who(const rhost_t *h, const cluster_snapshot_t *snap)
{
    for (int i = 0; i < snap->n_members && i < CLUSTER_MAX_MEMBERS; i++) {
        char key[ENDPOINT_KEY_LEN];
        if (endpoint_hostport(snap->members[i].endpoint, key, sizeof key) == 0 &&
            strcmp(key, h->key) == 0 && snap->members[i].name[0])
            return snap->members[i].name;
    }
    return h->key;
}

/* Classify followed log lines of host (-1 = the local file): slow operations
 * counted (returned), leader, compaction, defrag and alarm lines kept for the
 * next poll's events (as many as a snapshot holds). */
static int remote_log_lines(remote_t *r, int host, char (*lines)[512], int n)
{
    int slow = 0;
    for (int i = 0; i < n; i++) {
        log_kind_t k = logwatch_classify(lines[i], strlen(lines[i]));
        if (k == LOG_NONE)
            continue;
        r->counts.count[k]++;
        if (k == LOG_SLOW_FDATASYNC || k == LOG_SLOW_APPLY) {
            slow++;
        } else if (r->n_pending < CLUSTER_MAX_EVENTS) {
            rlog_event_t *e = &r->pending[r->n_pending++];
            e->host = host;
            e->kind = k;
            snprintf(e->text, sizeof e->text, "%s", lines[i]);
        }
    }
    return slow;
}

/* The kept log events of host (-1 = the local file) into snap, under who ("" =
 * the --ssh host or the local file). */
static void remote_log_events(const remote_t *r, int host, const char *who,
                              cluster_snapshot_t *snap)
{
    for (int i = 0; i < r->n_pending; i++) {
        const rlog_event_t *e = &r->pending[i];
        if (e->host != host)
            continue;
        if (who[0])
            events_add(&snap->events, "log %s: %s: %.140s", who, logwatch_kind_name(e->kind),
                       e->text);
        else
            events_add(&snap->events, "log: %s: %.140s", logwatch_kind_name(e->kind), e->text);
    }
}

bool remote_pump(remote_t *r)
{
    bool more = false;
    if (!r)
        return false;
    for (int j = 0; j < r->n_host; j++) {
        rhost_t *h = &r->host[j];
        if (h->log_id < 0)
            continue;
        int n = tunnel_take_lines(h->tunnel, h->log_id, r->taken, REMOTE_TAKE);
        h->slow_taken += remote_log_lines(r, j, r->taken, n);
        more |= n == REMOTE_TAKE;
    }
    if (r->logfile) {
        int n = logwatch_read_lines(r->logfile, r->taken, REMOTE_TAKE);
        r->file_slow += remote_log_lines(r, -1, r->taken, n);
        more |= logwatch_more(r->logfile);
    }
    return more;
}

/* Does any polled member run on the --ssh host (so df -P there means something)? */
static bool remote_host_has_member(const rhost_t *h, const cluster_snapshot_t *snap)
{
    for (int i = 0; i < snap->n_members && i < CLUSTER_MAX_MEMBERS; i++)
        if (remote_url_on_host(snap->members[i].endpoint, tunnel_host(h->tunnel)))
            return true;
    return false;
}

/* One host's figures since the last poll (log lines taken by remote_pump(), a
 * df answer) and its next df -P. */
static void remote_poll_host(remote_t *r, int j, cluster_snapshot_t *snap)
{
    int n;
    rhost_t *h = &r->host[j];
    const char *who = h->key[0] ? remote_who(h, snap) : "";
    tunnel_take_events(h->tunnel, &snap->events);
    /* Slow lines are counted while the log is followed (0 is a count); with the
     * tunnel down nobody knows (-1). */
    h->slow = -1;
    if (h->log_id >= 0) {
        int got = h->slow_taken;
        bool up = tunnel_state(h->tunnel, NULL, 0) == TUNNEL_UP;
        h->slow_taken = 0;
        remote_log_events(r, j, who, snap);
        if (up || got > 0)
            h->slow = got;
    }
    if (h->df_id >= 0 && (n = tunnel_take_lines(h->tunnel, h->df_id, r->taken, REMOTE_TAKE)) > 0) {
        h->disk_free_pct = remote_parse_df(r->taken, n);
        h->mem_bytes = remote_parse_memtotal(r->taken, n);
        h->df_id = -1;
    }
    if (h->df_id >= 0 && snap->t > h->df_deadline) {
        h->df_id = -1;                    /* lost with its session (or hung): ask again */
        h->disk_free_pct = NAN;           /* and the last answer is too old to show */
        h->mem_bytes = 0;
    }
    if (!h->data_dir || snap->t < h->next_df || h->df_id >= 0 ||
        tunnel_state(h->tunnel, NULL, 0) != TUNNEL_UP)
        return;
    if (!h->key[0] && !remote_host_has_member(h, snap)) {
        if (!r->told_no_member)
            events_add(&snap->events, "ssh %.100s: no polled member runs on it, so no df -P "
                       "there (members: entries with ssh give each member host's disk space)",
                       tunnel_label(h->tunnel));
        r->told_no_member = true;
        return;
    }
    /* 2>&1: a failing df answers too (with its error line: unknown), so one is
     * never waited for forever. The host's memory comes in the same answer
     * (MemoryUsageHigh); a host without /proc/meminfo leaves it unknown. The
     * exit status stays df's. */
    char q[600], cmd[700];
    double every = r->cfg->health_check_interval_ms / 1000.0;
    remote_shell_quote(h->data_dir, q, sizeof q);
    snprintf(cmd, sizeof cmd, "df -P %s 2>&1; s=$?; grep MemTotal /proc/meminfo 2>/dev/null; "
             "exit $s", q);
    h->df_id = tunnel_exec_once(h->tunnel, cmd);
    h->next_df = snap->t + every;
    h->df_deadline = snap->t + (every > 30 ? 2 * every : 60);
}

/* Give each member the figures of the host it runs on, and a down member
 * behind a tunnel that is not up that tunnel's reason. */
static void remote_attribute(remote_t *r, cluster_snapshot_t *snap)
{
    for (int i = 0; i < snap->n_members && i < CLUSTER_MAX_MEMBERS; i++) {
        member_view_t *m = &snap->members[i];
        char key[ENDPOINT_KEY_LEN];
        bool have_key = endpoint_hostport(m->endpoint, key, sizeof key) == 0;
        for (int j = 0; j < r->n_host; j++) {
            const rhost_t *h = &r->host[j];
            if (r->per_member ? have_key && strcmp(key, h->key) == 0
                              : remote_url_on_host(m->endpoint, tunnel_host(h->tunnel))) {
                m->disk_free_pct = h->disk_free_pct;
                m->host_mem_bytes = h->mem_bytes;
                if (r->per_member)
                    m->log_slow = h->slow;
            }
        }
        tunnel_t *t = r->routed ? ssh_route_tunnel(&r->route, m->endpoint) : NULL;
        char why[320], bwhy[320];
        if (m->sample.up || !t || tunnel_state(t, why, sizeof why) == TUNNEL_UP)
            continue;
        /* A member host behind a bastion that is not up: the bastion is the cause. */
        if (t != r->bastion && r->bastion &&
            tunnel_state(r->bastion, bwhy, sizeof bwhy) != TUNNEL_UP)
            snprintf(m->sample.error, sizeof m->sample.error, "ssh bastion: %.180s", bwhy);
        else
            snprintf(m->sample.error, sizeof m->sample.error, "ssh: %.190s", why);
    }
}

void remote_poll(remote_t *r, cluster_snapshot_t *snap)
{
    int slow = 0;
    bool known = r->logfile != NULL;      /* some log was followed this poll */
    remote_pump(r);                       /* what arrived since the loop's last pump */
    if (r->bastion && r->per_member)
        tunnel_take_events(r->bastion, &snap->events);
    for (int j = 0; j < r->n_host; j++) {
        remote_poll_host(r, j, snap);
        if (r->host[j].slow >= 0) {
            slow += r->host[j].slow;
            known = true;
        }
    }
    if (r->logfile) {
        slow += r->file_slow;
        r->file_slow = 0;
        remote_log_events(r, -1, "", snap);
    }
    r->n_pending = 0;
    if (r->watching)
        snap->slow_ops = (mval_t){ (double)slow, known };
    remote_attribute(r, snap);
}

const log_counts_t *remote_log_counts(const remote_t *r)
{
    return r && r->watching ? &r->counts : NULL;
}

void remote_close(remote_t *r)
{
    if (!r)
        return;
    for (int j = 0; j < r->n_host; j++)
        if (r->host[j].tunnel != r->bastion)
            tunnel_stop(r->host[j].tunnel);
    tunnel_stop(r->bastion);
    ssh_route_free(&r->route);
    logwatch_close(r->logfile);
    free(r);
}
