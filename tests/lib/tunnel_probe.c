/* tunnel_probe.c — drive the tunnel API (src/ssh/tunnel*.c) from the integration
 * tests before it is wired into etcd-monitor.
 *
 *   tunnel-probe --target [user@]host[:port] [--key FILE] [--known-hosts FILE]
 *                [--accept-new] [--keepalive S] [--forward HOST:PORT]...
 *                [--follow CMD]... [--once CMD]...
 *                [--target ... (a second tunnel, same options)]
 *                [--port-file FILE] [--duration S] [--exit-on-refused] [--repeat-once S]
 *
 * Options after a --target belong to that tunnel. Every line on stdout starts
 * with the seconds since start and the tunnel's index:
 *   "1.234 T0 forward 127.0.0.1:2379 41234"     local port for a forward
 *   "1.300 T0 state UP" / "state CONNECTING <why>" / "state REFUSED <why>"
 *   "1.301 T0 event <event line>"
 *   "2.000 T0 line <id> <kind> <text>"          a command's output line, with
 *                                               logwatch_classify()'s verdict
 * --port-file gets "T<i> HOST:PORT LPORT" lines once all forwards exist.
 * --repeat-once S asks for every --once command again every S seconds.
 * Runs until --duration, SIGTERM or SIGINT; exit 0, 3 when --exit-on-refused
 * saw a refusal, 2 on bad usage or a tunnel that cannot start. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "logwatch.h"
#include "tunnel.h"

#define MAX_TUN 4
#define MAX_ITEMS 16

typedef struct {
    tunnel_config_t cfg;
    const char *fwd[MAX_ITEMS];
    int         n_fwd;
    const char *follow[MAX_ITEMS];
    int         n_follow;
    const char *once[MAX_ITEMS];
    int         n_once;
    tunnel_t   *t;
    int         ids[2 * MAX_ITEMS];
    int         n_ids;
    tunnel_state_t last;
    char        last_why[256];
} probe_t;

static volatile sig_atomic_t stop_flag;
static struct timespec t0;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double elapsed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)(ts.tv_sec - t0.tv_sec) + (double)(ts.tv_nsec - t0.tv_nsec) / 1e9;
}

static void out(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(int i, const char *fmt, ...)
{
    va_list ap;
    printf("%.3f T%d ", elapsed(), i);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int usage(const char *msg)
{
    fprintf(stderr, "tunnel-probe: %s\n", msg);
    return 2;
}

int main(int argc, char **argv)
{
    static probe_t p[MAX_TUN];
    int n = 0;
    const char *port_file = NULL;
    double duration = 60, repeat_once = 0;
    bool exit_on_refused = false;
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        probe_t *cur = n > 0 ? &p[n - 1] : NULL;
        bool needs_tunnel = strcmp(o, "--target") != 0 && strcmp(o, "--port-file") != 0 &&
                            strcmp(o, "--duration") != 0 && strcmp(o, "--exit-on-refused") != 0 &&
                            strcmp(o, "--repeat-once") != 0;
        if (needs_tunnel && cur == NULL)
            return usage("--target must come first");
        if (strcmp(o, "--accept-new") == 0) {
            cur->cfg.accept_new = true;
            continue;
        }
        if (strcmp(o, "--exit-on-refused") == 0) {
            exit_on_refused = true;
            continue;
        }
        if (v == NULL)
            return usage("option without its value");
        a++;
        if (strcmp(o, "--target") == 0) {
            if (n == MAX_TUN)
                return usage("too many --target");
            p[n].cfg.target = v;
            p[n].cfg.keepalive_s = 5;
            n++;
        } else if (strcmp(o, "--key") == 0) {
            cur->cfg.key_file = v;
        } else if (strcmp(o, "--known-hosts") == 0) {
            cur->cfg.known_hosts = v;
        } else if (strcmp(o, "--keepalive") == 0) {
            cur->cfg.keepalive_s = atoi(v);
        } else if (strcmp(o, "--forward") == 0 && cur->n_fwd < MAX_ITEMS) {
            cur->fwd[cur->n_fwd++] = v;
        } else if (strcmp(o, "--follow") == 0 && cur->n_follow < MAX_ITEMS) {
            cur->follow[cur->n_follow++] = v;
        } else if (strcmp(o, "--once") == 0 && cur->n_once < MAX_ITEMS) {
            cur->once[cur->n_once++] = v;
        } else if (strcmp(o, "--port-file") == 0) {
            port_file = v;
        } else if (strcmp(o, "--duration") == 0) {
            duration = atof(v);
        } else if (strcmp(o, "--repeat-once") == 0) {
            repeat_once = atof(v);
        } else {
            return usage("unknown option");
        }
    }
    if (n == 0)
        return usage("no --target");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char pf_tmp[4200] = "";
    FILE *pf = NULL;
    if (port_file != NULL) {
        snprintf(pf_tmp, sizeof pf_tmp, "%s.tmp", port_file);
        pf = fopen(pf_tmp, "w");
        if (pf == NULL)
            return usage("cannot write --port-file");
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char err[256];
        p[i].t = tunnel_start(&p[i].cfg, err, sizeof err);
        if (p[i].t == NULL) {
            out(i, "error %s", err);
            rc = 2;
            goto done;
        }
        p[i].last = TUNNEL_CONNECTING;
        for (int k = 0; k < p[i].n_fwd; k++) {
            char host[256];
            const char *colon = strrchr(p[i].fwd[k], ':');
            if (colon == NULL || (size_t)(colon - p[i].fwd[k]) >= sizeof host)
                return usage("--forward wants HOST:PORT");
            memcpy(host, p[i].fwd[k], (size_t)(colon - p[i].fwd[k]));
            host[colon - p[i].fwd[k]] = '\0';
            int lport = tunnel_forward(p[i].t, host, atoi(colon + 1));
            int again = tunnel_forward(p[i].t, host, atoi(colon + 1));
            out(i, "forward %s %d%s", p[i].fwd[k], lport, again == lport ? "" : " (NOT STABLE)");
            if (pf != NULL)
                fprintf(pf, "T%d %s %d\n", i, p[i].fwd[k], lport);
        }
        for (int k = 0; k < p[i].n_follow; k++) {
            p[i].ids[p[i].n_ids] = tunnel_exec_follow(p[i].t, p[i].follow[k]);
            out(i, "command %d follow %s", p[i].ids[p[i].n_ids], p[i].follow[k]);
            p[i].n_ids++;
        }
        for (int k = 0; k < p[i].n_once; k++) {
            p[i].ids[p[i].n_ids] = tunnel_exec_once(p[i].t, p[i].once[k]);
            out(i, "command %d once %s", p[i].ids[p[i].n_ids], p[i].once[k]);
            p[i].n_ids++;
        }
    }
    if (pf != NULL) {
        fclose(pf);
        pf = NULL;
        if (rename(pf_tmp, port_file) != 0)
            return usage("cannot write --port-file");
    }
    static char lines[64][512];
    double next_repeat = repeat_once;
    while (!stop_flag && elapsed() < duration) {
        if (repeat_once > 0 && elapsed() >= next_repeat) {
            next_repeat += repeat_once;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < p[i].n_once; k++)
                    out(i, "command %d once again", tunnel_exec_once(p[i].t, p[i].once[k]));
        }
        for (int i = 0; i < n; i++) {
            char why[256];
            tunnel_state_t st = tunnel_state(p[i].t, why, sizeof why);
            if (st != p[i].last || strcmp(why, p[i].last_why) != 0) {
                static const char *const names[] = { "CONNECTING", "UP", "REFUSED" };
                out(i, "state %s%s%s", names[st], why[0] ? " " : "", why);
                p[i].last = st;
                snprintf(p[i].last_why, sizeof p[i].last_why, "%s", why);
            }
            event_list_t ev = { 0 };
            tunnel_take_events(p[i].t, &ev);
            for (int k = 0; k < ev.n; k++)
                out(i, "event %s", ev.line[k]);
            for (int k = 0; k < p[i].n_ids; k++) {
                int got = tunnel_take_lines(p[i].t, p[i].ids[k], lines, 64);
                for (int l = 0; l < got; l++)
                    out(i, "line %d %s %s", p[i].ids[k],
                        logwatch_kind_name(logwatch_classify(lines[l], strlen(lines[l]))),
                        lines[l]);
            }
            if (st == TUNNEL_REFUSED && exit_on_refused) {
                rc = 3;
                goto done;
            }
        }
        struct timespec nap = { 0, 50 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
done:
    for (int i = 0; i < n; i++)
        tunnel_stop(p[i].t);
    if (pf != NULL)
        fclose(pf);
    out(0, "exit %d", rc);
    return rc;
}
