/* test_remote.c — routing members to their own SSH tunnels (ssh_route), a
 * tunnel reached through a bastion (tunnel_config_t.via), and the pure parts
 * of remote.c (which members run on the SSH host, df -P parsing, the bounded
 * reading of a local log file). Tunnels
 * point at 127.0.0.1:1, where nothing listens: no SSH server is needed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "remote.h"
#include "endpoint.h"
#include "ssh_route.h"
#include "tunnel.h"

static tunnel_t *start(const char *target, tunnel_t *via)
{
    char err[256] = "";
    tunnel_config_t c = { .target = target, .known_hosts = "/nonexistent/kh", .keepalive_s = 1,
                          .via = via };
    tunnel_t *t = tunnel_start(&c, err, sizeof err);
    if (!t)
        fail_msg("tunnel_start %s: %s", target, err);
    return t;
}

/* The local port a CONNECT_TO entry "host:port:127.0.0.1:LPORT" sends to. */
static int entry_port(const struct curl_slist *l, const char *want_prefix)
{
    assert_non_null(l);
    assert_non_null(l->data);
    size_t n = strlen(want_prefix);
    if (strncmp(l->data, want_prefix, n) != 0)
        fail_msg("entry %s does not start with %s", l->data, want_prefix);
    int p = 0;
    assert_int_equal(sscanf(l->data + n, "%d", &p), 1);
    return p;
}

/* Without a default tunnel, only bound members go through a tunnel; every
 * other URL is direct (NULL). */
static void test_route_bound_only(void **state)
{
    (void)state;
    tunnel_t *t = start("core@127.0.0.1:1", NULL);
    ssh_route_t r;
    ssh_route_init(&r, NULL);
    assert_int_equal(ssh_route_bind(&r, "https://etcd-1:2379", t), 0);
    assert_int_equal(ssh_route_bind(&r, "http://etcd-1:2381", t), 0);
    assert_int_equal(ssh_route_bind(&r, "not a url", t), -1);
    assert_ptr_equal(ssh_route_tunnel(&r, "https://etcd-1:2379/v3/maintenance/status"), t);
    assert_null(ssh_route_tunnel(&r, "https://etcd-2:2379"));
    assert_null(ssh_route_tunnel(&r, "https://etcd-1:2380"));     /* another port */
    struct curl_slist *l = ssh_route_for(&r, "https://etcd-1:2379/metrics");
    int p1 = entry_port(l, "etcd-1:2379:127.0.0.1:");
    assert_int_equal(tunnel_forward(t, "etcd-1", 2379), p1);   /* forwarded by t */
    assert_ptr_equal(ssh_route_for(&r, "https://etcd-1:2379/health"), l);  /* cached */
    int p2 = entry_port(ssh_route_for(&r, "http://etcd-1:2381/metrics"), "etcd-1:2381:127.0.0.1:");
    assert_true(p2 != p1);
    assert_null(ssh_route_for(&r, "https://etcd-2:2379/metrics"));  /* direct */
    ssh_route_free(&r);
    tunnel_stop(t);
}

/* With a default tunnel (--ssh), unbound URLs go through it and bound ones
 * through their own; rebinding replaces the tunnel. */
static void test_route_default_and_bound(void **state)
{
    (void)state;
    tunnel_t *bastion = start("ops@127.0.0.1:1", NULL);
    tunnel_t *m1 = start("core@10.0.0.11", bastion);
    ssh_route_t r;
    ssh_route_init(&r, bastion);
    assert_int_equal(ssh_route_bind(&r, "10.0.0.11:2379", m1), -1);   /* needs a scheme */
    assert_int_equal(ssh_route_bind(&r, "http://10.0.0.11:2379", bastion), 0);
    assert_int_equal(ssh_route_bind(&r, "http://10.0.0.11:2379", m1), 0);
    assert_ptr_equal(ssh_route_tunnel(&r, "http://10.0.0.11:2379"), m1);
    assert_ptr_equal(ssh_route_tunnel(&r, "http://10.0.0.12:2379"), bastion);
    int pm = entry_port(ssh_route_for(&r, "http://10.0.0.11:2379/metrics"),
                        "10.0.0.11:2379:127.0.0.1:");
    int pb = entry_port(ssh_route_for(&r, "http://10.0.0.12:2379/metrics"),
                        "10.0.0.12:2379:127.0.0.1:");
    assert_int_equal(tunnel_forward(m1, "10.0.0.11", 2379), pm);
    assert_int_equal(tunnel_forward(bastion, "10.0.0.12", 2379), pb);
    ssh_route_free(&r);
    tunnel_stop(m1);
    tunnel_stop(bastion);
}

/* A tunnel through a bastion: the bastion forwards the member's SSH port
 * (the member tunnel's TCP goes there), and messages name both. */
static void test_via_bastion(void **state)
{
    (void)state;
    tunnel_t *bastion = start("ops@127.0.0.1:1", NULL);
    tunnel_t *m = start("core@etcd-2.internal:2222", bastion);
    assert_string_equal(tunnel_label(m), "core@etcd-2.internal:2222 via ops@127.0.0.1:1");
    assert_string_equal(tunnel_host(m), "etcd-2.internal");
    /* the forward exists already: asking again gives the same port */
    int p = tunnel_forward(bastion, "etcd-2.internal", 2222);
    assert_true(p > 0);
    int q = tunnel_forward(bastion, "etcd-3.internal", 22);
    assert_true(q > 0 && q != p);
    /* the member tunnel waits for the bastion: never up, never "refused" */
    char why[320];
    assert_int_equal(tunnel_state(m, why, sizeof why), TUNNEL_CONNECTING);
    tunnel_stop(m);
    tunnel_stop(bastion);
}

/* One key per host:port however the URL spells it (endpoint_hostport, the key
 * of both routing tables). */
static void test_route_key(void **state)
{
    (void)state;
    char k[ENDPOINT_KEY_LEN];
    assert_int_equal(endpoint_hostport("HTTPS://Etcd-1:2379/metrics", k, sizeof k), 0);
    assert_string_equal(k, "etcd-1:2379");
    assert_int_equal(endpoint_hostport("http://[0:0::1]:2379", k, sizeof k), 0);
    assert_string_equal(k, "[::1]:2379");
    assert_int_equal(endpoint_hostport("http://[FE80:0::A]:2379", k, sizeof k), 0);
    assert_string_equal(k, "[fe80::a]:2379");
    assert_int_equal(endpoint_hostport("https://etcd-1", k, sizeof k), 0);
    assert_string_equal(k, "etcd-1:443");
    /* Bound by one spelling, found by another. */
    ssh_route_t r;
    tunnel_t *t = (tunnel_t *)&r;                  /* only compared, never used */
    ssh_route_init(&r, NULL);
    assert_int_equal(ssh_route_bind(&r, "https://Etcd-1:2379", t), 0);
    assert_ptr_equal(ssh_route_tunnel(&r, "https://etcd-1:2379/v3/kv/range"), t);
    assert_null(ssh_route_tunnel(&r, "https://etcd-2:2379/v3/kv/range"));
    assert_int_equal(ssh_route_bind(&r, "http://u:p@etcd-3:2379", t), -1);
    ssh_route_free(&r);
}

static void test_url_on_host(void **state)
{
    (void)state;
    assert_true(remote_url_on_host("http://127.0.0.1:2379", "bastion"));
    assert_true(remote_url_on_host("https://127.0.0.5:2379", NULL));
    assert_true(remote_url_on_host("http://[::1]:2379", "bastion"));
    assert_true(remote_url_on_host("http://LOCALHOST:2379", "bastion"));
    assert_true(remote_url_on_host("https://master-0:2379", "Master-0"));
    assert_false(remote_url_on_host("https://master-1:2379", "master-0"));
    assert_false(remote_url_on_host("https://10.0.0.5:2379", "bastion"));
    assert_false(remote_url_on_host("https://10.0.0.5:2379", NULL));
    assert_false(remote_url_on_host("garbage", "garbage"));
}

static void test_parse_df(void **state)
{
    (void)state;
    char lines[3][512] = {
        "Filesystem     1024-blocks    Used Available Capacity Mounted on",
        "/dev/sda1         1000000  750000    250000      75% /var/lib/etcd",
    };
    assert_float_equal(remote_parse_df(lines, 2), 25.0, 1e-9);
    assert_true(isnan(remote_parse_df(lines, 1)));       /* header only */
    snprintf(lines[0], sizeof lines[0], "df: /nonexistent: No such file or directory");
    assert_true(isnan(remote_parse_df(lines, 1)));
    snprintf(lines[0], sizeof lines[0], "tmpfs 0 0 0 - /x");      /* no blocks: unknown */
    assert_true(isnan(remote_parse_df(lines, 1)));
    /* a long device name wrapped by df -P is still one line */
    snprintf(lines[0], sizeof lines[0],
             "/dev/mapper/very-long-volume-group-name-root 2000 1000 900 53%% /");
    assert_float_equal(remote_parse_df(lines, 1), 45.0, 1e-9);
}

/* MemTotal in the same answer as df -P (the host's memory for MemoryUsageHigh). */
static void test_parse_memtotal(void **state)
{
    (void)state;
    char lines[3][512] = {
        "Filesystem     1024-blocks    Used Available Capacity Mounted on",
        "/dev/sda1         1000000  750000    250000      75% /var/lib/etcd",
        "MemTotal:       16318412 kB",
    };
    assert_float_equal(remote_parse_memtotal(lines, 3), 16318412.0 * 1024, 1e-3);
    assert_float_equal(remote_parse_df(lines, 3), 25.0, 1e-9);   /* df unaffected */
    assert_true(remote_parse_memtotal(lines, 2) == 0);            /* none: unknown */
    snprintf(lines[2], sizeof lines[2], "MemTotal: 0 kB");
    assert_true(remote_parse_memtotal(lines, 3) == 0);
    snprintf(lines[2], sizeof lines[2], "MemTotal: 12 MB");      /* not meminfo's unit */
    assert_true(remote_parse_memtotal(lines, 3) == 0);
}

/* The local log file is read a bounded piece per remote_pump(): an endless one
 * (/dev/zero, /dev/urandom) never holds the caller, and a burst of lines is
 * taken over several pumps, all of it counted by the next remote_poll(). (No
 * SSH host: remote_open routes nothing, so no collector is needed.) */
static void test_pump_bounded(void **state)
{
    (void)state;
    alarm(20);                                 /* a hang (the old unbounded read) fails */
    static config_t cfg;
    static cluster_snapshot_t snap;
    char err[256] = "", dir[] = "/tmp/test_remote.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/etcd.log", dir);
    cfg.log_file = path;
    remote_t *r = remote_open(&cfg, NULL, err, sizeof err);
    assert_non_null(r);
    assert_false(remote_pump(r));              /* nothing yet */
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    for (int i = 0; i < 300; i++)
        fprintf(f, "slow fdatasync took %d ms\n", 1000 + i);
    fprintf(f, "raft.node: elected leader abc at term 5\n");
    fclose(f);
    int pumps = 0;
    while (remote_pump(r) && pumps < 100)
        pumps++;
    assert_true(pumps >= 4);                   /* 301 lines, at most 64 per pump */
    assert_true(pumps < 100);
    remote_poll(r, &snap);
    assert_true(snap.slow_ops.ok);
    assert_float_equal(snap.slow_ops.v, 300.0, 1e-9);
    assert_int_equal(snap.events.n, 1);
    assert_string_equal(snap.events.line[0],
                        "log: leader_changed: raft.node: elected leader abc at term 5");
    memset(&snap, 0, sizeof snap);
    remote_poll(r, &snap);                     /* taken once only */
    assert_float_equal(snap.slow_ops.v, 0.0, 1e-9);
    assert_int_equal(snap.events.n, 0);
    assert_int_equal(remote_log_counts(r)->count[LOG_SLOW_FDATASYNC], 300);
    remote_close(r);
    unlink(path);
    rmdir(dir);
    const char *endless[] = { "/dev/zero", "/dev/urandom" };
    for (int k = 0; k < 2; k++) {
        cfg.log_file = (char *)endless[k];
        r = remote_open(&cfg, NULL, err, sizeof err);
        assert_non_null(r);
        for (int i = 0; i < 20; i++)
            assert_true(remote_pump(r));       /* returns, and there is always more */
        memset(&snap, 0, sizeof snap);
        remote_poll(r, &snap);
        assert_true(snap.slow_ops.ok);
        remote_close(r);
    }
    alarm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_bound_only),
        cmocka_unit_test(test_route_default_and_bound),
        cmocka_unit_test(test_via_bastion),
        cmocka_unit_test(test_route_key),
        cmocka_unit_test(test_url_on_host),
        cmocka_unit_test(test_parse_df),
        cmocka_unit_test(test_parse_memtotal),
        cmocka_unit_test(test_pump_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
