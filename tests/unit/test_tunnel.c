/* test_tunnel.c — what of src/ssh/tunnel*.c needs no SSH server: target parsing,
 * fingerprints, the known_hosts policy (real libssh2 parser and lookups, no
 * connection), the host key algorithm order, and the API around a tunnel that
 * cannot connect (127.0.0.1:1). The SSH paths are in tests/integration/test_ssh.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tunnel.h"
#include "tunnel_internal.h"

/* Test-only public keys (ssh-keygen; the private halves were thrown away). */
#define KEY_A "AAAAC3NzaC1lZDI1NTE5AAAAIMXaz/yJNXeOWzf4i37jt3o1+6fVIsFOZZcZXGjv6EiZ"
#define KEY_B "AAAAC3NzaC1lZDI1NTE5AAAAIPsUarjR3r8F+X0c8e/saUVQWiYAqicqfrQ00d048uCw"
#define KEY_R "AAAAB3NzaC1yc2EAAAADAQABAAAAgQD0fz4qX/Kt1vXn25vSXbBPOILCe+/emswGYnS+JvsT" \
              "TA05cTFmhr5g6w8x4r8urlRXlZxkhhB7Cqa6MViSb7qPpoZefNcFpqaY70y3evK3ZyDqf2rZgPWK" \
              "8R1wAPwmTv90ysalufHxois9qKmb2n3ZW2BKn7zRSiFVIf2eD/hKvQ=="
/* "[127.0.0.1]:2222 ssh-ed25519 KEY_A" hashed by ssh-keygen -H */
#define HASHED_A_2222 "|1|/kv4jxNyPt763Q6+RU0bU2y2a8s=|SPotBU9x8RHv5fze32HCizem3Cg="

static size_t b64dec(const char *in, unsigned char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;
    for (; *in && *in != '='; in++) {
        const char *p = strchr(tab, *in);
        assert_non_null(p);
        v = (v << 6) | (unsigned)(p - tab);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(v >> bits);
        }
    }
    return o;
}

/* ---- target parsing ---- */

static void parse_ok(const char *s, const char *user, const char *host, int port)
{
    tunnel_target_t t;
    char err[200] = "";
    if (tunnel_parse_target(s, &t, err, sizeof err) != 0)
        fail_msg("%s: %s", s, err);
    assert_string_equal(t.user, user);
    assert_string_equal(t.host, host);
    assert_int_equal(t.port, port);
}

static void parse_bad(const char *s, const char *want)
{
    tunnel_target_t t;
    char err[200] = "";
    assert_int_equal(tunnel_parse_target(s, &t, err, sizeof err), -1);
    if (strstr(err, want) == NULL)
        fail_msg("%s: error \"%s\" lacks \"%s\"", s ? s : "(null)", err, want);
}

static void test_parse_target(void **state)
{
    (void)state;
    parse_ok("bastion", "", "bastion", 22);
    parse_ok("ops@bastion.example.com", "ops", "bastion.example.com", 22);
    parse_ok("ops@10.0.0.1:2222", "ops", "10.0.0.1", 2222);
    parse_ok("bastion:65535", "", "bastion", 65535);
    parse_ok("[::1]:2200", "", "::1", 2200);
    parse_ok("ops@[fe80::1]", "ops", "fe80::1", 22);
    parse_ok("::1", "", "::1", 22);                  /* a bare v6 address has no port */
    parse_ok("[bastion]:2022", "", "bastion", 2022);
    parse_ok("first.last@host", "first.last", "host", 22);
    parse_bad(NULL, "no target");
    parse_bad("", "no target");
    parse_bad("@bastion", "bad user");
    parse_bad("a@b@bastion", "bad user");
    parse_bad("ops@", "bad host");
    parse_bad("bastion:", "port must be 1-65535");
    parse_bad("bastion:0", "port must be 1-65535");
    parse_bad("bastion:65536", "port must be 1-65535");
    parse_bad("bastion:22x", "port must be 1-65535");
    parse_bad("bastion:-22", "port must be 1-65535");
    parse_bad("[::1", "unbalanced");
    parse_bad("[::1]x", "unbalanced");
    parse_bad("[]:22", "bad host");
    parse_bad("ops@bastion host", "spaces or control");
    parse_bad("bast\tion", "spaces or control");
    parse_bad("-oProxyCommand=x", "bad host");
    parse_bad("bastion/x", "bad host");
    char longhost[300];
    memset(longhost, 'h', sizeof longhost - 1);
    longhost[sizeof longhost - 1] = '\0';
    parse_bad(longhost, "bad host");
}

/* ---- fingerprints and names ---- */

static void test_fingerprint(void **state)
{
    (void)state;
    unsigned char d[32];
    char fp[64];
    for (int i = 0; i < 32; i++)
        d[i] = (unsigned char)i;
    tunnel_fingerprint(d, fp, sizeof fp);
    assert_string_equal(fp, "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    /* SHA-256 of KEY_A's blob; ssh-keygen -l -E sha256 prints exactly this */
    static const char hex[] = "cde4639e1b778c85b6fe9d0507f57a2e71b35f39b815d0ff19ebe3e97023b0ef";
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        d[i] = (unsigned char)v;
    }
    tunnel_fingerprint(d, fp, sizeof fp);
    assert_string_equal(fp, "SHA256:zeRjnht3jIW2/p0FB/V6LnGzXzm4FdD/Gevj6XAjsO8");
    assert_int_equal(strlen(fp), 7 + 43);
    char small[12];
    tunnel_fingerprint(d, small, sizeof small);       /* cut, still terminated */
    assert_string_equal(small, "SHA256:zeRj");
}

static void test_known_name(void **state)
{
    (void)state;
    char n[300];
    tunnel_known_name("bastion", 22, n, sizeof n);
    assert_string_equal(n, "bastion");
    tunnel_known_name("bastion", 2222, n, sizeof n);
    assert_string_equal(n, "[bastion]:2222");
    tunnel_known_name("::1", 22, n, sizeof n);
    assert_string_equal(n, "::1");
    tunnel_known_name("::1", 2200, n, sizeof n);
    assert_string_equal(n, "[::1]:2200");
}

/* ---- known_hosts policy ---- */

typedef struct {
    LIBSSH2_SESSION *s;
    char dir[64];
    char path[128];
    unsigned char a[128], b[128], r[512];
    size_t alen, blen, rlen;
} kh_fix_t;

static int kh_setup(void **state)
{
    kh_fix_t *f = calloc(1, sizeof *f);
    if (f == NULL || libssh2_init(0) != 0)
        return -1;
    f->s = libssh2_session_init();
    snprintf(f->dir, sizeof f->dir, "/tmp/test_tunnel.XXXXXX");
    if (f->s == NULL || mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/known_hosts", f->dir);
    f->alen = b64dec(KEY_A, f->a);
    f->blen = b64dec(KEY_B, f->b);
    f->rlen = b64dec(KEY_R, f->r);
    *state = f;
    return 0;
}

static int kh_teardown(void **state)
{
    kh_fix_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    libssh2_session_free(f->s);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void kh_write(kh_fix_t *f, const char *content)
{
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
}

/* Load f->path and check a key for host:port. */
static tunnel_hostkey_t kh_check(kh_fix_t *f, const char *host, int port, const unsigned char *key,
                                 size_t len, int type, int *partial)
{
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    char err[300] = "";
    int p = tunnel_known_load(f->s, f->path, &kh, err, sizeof err);
    assert_true(p >= 0);
    if (partial != NULL)
        *partial = p;
    tunnel_hostkey_t v = tunnel_known_check(kh, host, port, (const char *)key, len, type);
    libssh2_knownhost_free(kh);
    return v;
}

#define ED LIBSSH2_HOSTKEY_TYPE_ED25519
#define RSA LIBSSH2_HOSTKEY_TYPE_RSA

static void test_known_port_entries(void **state)
{
    kh_fix_t *f = *state;
    kh_write(f, "[127.0.0.1]:2222 ssh-ed25519 " KEY_A "\n");
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->a, f->alen, ED, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->b, f->blen, ED, NULL), TUN_HK_CHANGED);
    assert_int_equal(kh_check(f, "127.0.0.1", 22, f->a, f->alen, ED, NULL), TUN_HK_UNKNOWN);
    assert_int_equal(kh_check(f, "127.0.0.1", 2200, f->a, f->alen, ED, NULL), TUN_HK_UNKNOWN);
    assert_int_equal(kh_check(f, "127.0.0.2", 2222, f->a, f->alen, ED, NULL), TUN_HK_UNKNOWN);
    /* a bare-host entry is port 22 only: it vouches for nothing on 2222 ... */
    kh_write(f, "127.0.0.1 ssh-ed25519 " KEY_A "\n");
    assert_int_equal(kh_check(f, "127.0.0.1", 22, f->a, f->alen, ED, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->a, f->alen, ED, NULL), TUN_HK_UNKNOWN);
    /* ... and cannot hide a changed key for [host]:port (libssh2's checkp with
     * a port would call this a match) */
    kh_write(f, "127.0.0.1 ssh-ed25519 " KEY_A "\n[127.0.0.1]:2222 ssh-ed25519 " KEY_B "\n");
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->a, f->alen, ED, NULL), TUN_HK_CHANGED);
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->b, f->blen, ED, NULL), TUN_HK_MATCH);
    /* comma lists, comments, blank lines */
    kh_write(f, "# ours\n\nbastion,10.0.0.1 ssh-ed25519 " KEY_A " comment\n");
    assert_int_equal(kh_check(f, "10.0.0.1", 22, f->a, f->alen, ED, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "bastion", 22, f->a, f->alen, ED, NULL), TUN_HK_MATCH);
}

static void test_known_hashed_and_types(void **state)
{
    kh_fix_t *f = *state;
    kh_write(f, HASHED_A_2222 " ssh-ed25519 " KEY_A "\n");
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->a, f->alen, ED, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "127.0.0.1", 2222, f->b, f->blen, ED, NULL), TUN_HK_CHANGED);
    assert_int_equal(kh_check(f, "127.0.0.1", 22, f->a, f->alen, ED, NULL), TUN_HK_UNKNOWN);
    /* listed with an RSA key only: an ed25519 key is a change, not news */
    kh_write(f, "bastion ssh-rsa " KEY_R "\n");
    assert_int_equal(kh_check(f, "bastion", 22, f->r, f->rlen, RSA, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "bastion", 22, f->a, f->alen, ED, NULL), TUN_HK_CHANGED);
    /* both types listed */
    kh_write(f, "bastion ssh-rsa " KEY_R "\nbastion ssh-ed25519 " KEY_A "\n");
    assert_int_equal(kh_check(f, "bastion", 22, f->a, f->alen, ED, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "bastion", 22, f->r, f->rlen, RSA, NULL), TUN_HK_MATCH);
    assert_int_equal(kh_check(f, "bastion", 22, f->b, f->blen, ED, NULL), TUN_HK_CHANGED);
    /* unsupported key type, missing key */
    assert_int_equal(kh_check(f, "bastion", 22, f->a, f->alen, LIBSSH2_HOSTKEY_TYPE_UNKNOWN, NULL),
                     TUN_HK_ERROR);
    assert_int_equal(tunnel_known_check(NULL, "bastion", 22, (const char *)f->a, f->alen, ED),
                     TUN_HK_ERROR);
}

static void test_known_files(void **state)
{
    kh_fix_t *f = *state;
    int partial = -1;
    /* no file: nothing known, and that is certain */
    assert_int_equal(kh_check(f, "bastion", 22, f->a, f->alen, ED, &partial), TUN_HK_UNKNOWN);
    assert_int_equal(partial, 0);
    /* markers libssh2 reads as odd host names: harmless, later lines still count */
    kh_write(f, "@cert-authority *.example.com ssh-ed25519 " KEY_B "\nbastion ssh-ed25519 " KEY_A "\n");
    assert_int_equal(kh_check(f, "bastion", 22, f->a, f->alen, ED, &partial), TUN_HK_MATCH);
    assert_int_equal(partial, 0);
    /* a line libssh2 cannot parse hides what follows: "unknown" proves nothing */
    kh_write(f, "broken-line-without-key\nbastion ssh-ed25519 " KEY_A "\n");
    assert_int_equal(kh_check(f, "bastion", 22, f->b, f->blen, ED, &partial), TUN_HK_UNKNOWN);
    assert_int_equal(partial, 1);
    /* not a file */
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    char err[300] = "";
    assert_int_equal(tunnel_known_load(f->s, f->dir, &kh, err, sizeof err), 1);
    assert_non_null(strstr(err, "is not a file"));
    libssh2_knownhost_free(kh);
    /* never written */
    struct stat before, after;
    kh_write(f, "bastion ssh-ed25519 " KEY_A "\n");
    assert_int_equal(stat(f->path, &before), 0);
    assert_int_equal(kh_check(f, "other", 22, f->b, f->blen, ED, NULL), TUN_HK_UNKNOWN);
    assert_int_equal(stat(f->path, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtime, after.st_mtime);
}

static void test_known_prefs(void **state)
{
    kh_fix_t *f = *state;
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    char err[300], out[512];
    kh_write(f, "bastion ssh-rsa " KEY_R "\n[bastion]:2222 ssh-ed25519 " KEY_A "\n");
    assert_int_equal(tunnel_known_load(f->s, f->path, &kh, err, sizeof err), 0);
    const char *p = tunnel_known_prefs(f->s, kh, "bastion", 22, out, sizeof out);
    assert_non_null(p);
    /* the RSA algorithms this libssh2 has come first (1.10: ssh-rsa; later
     * versions add rsa-sha2-*), then all the others */
    assert_true(strncmp(p, "ssh-rsa,", 8) == 0 || strncmp(p, "rsa-sha2-", 9) == 0);
    assert_true(strstr(p, "ssh-ed25519") > strstr(p, "ssh-rsa"));
    p = tunnel_known_prefs(f->s, kh, "bastion", 2222, out, sizeof out);
    assert_non_null(p);
    assert_true(strncmp(p, "ssh-ed25519,", 12) == 0);
    assert_non_null(strstr(p, "ssh-rsa"));
    assert_null(tunnel_known_prefs(f->s, kh, "elsewhere", 22, out, sizeof out));
    assert_null(tunnel_known_prefs(f->s, kh, "bastion", 22, out, 10));   /* too small */
    libssh2_knownhost_free(kh);
}

/* ---- the remote command wrapper, run by a local sh ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Run wire as sshd would (a shell -c in a new session: setsid), with stdin a
 * pipe we hold; close it after close_after_ms (-1: keep it until the end).
 * Returns the exit status; the output goes to out. */
static int run_wire(const char *wire, int close_after_ms, char *out, size_t outlen, int *took_ms)
{
    int in[2], o[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(o), 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(o[1], 1);
        close(in[0]); close(in[1]); close(o[0]); close(o[1]);
        execlp("setsid", "setsid", "-w", "sh", "-c", wire, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(o[1]);
    if (close_after_ms >= 0) {
        sleep_ms(close_after_ms);
        close(in[1]);
    }
    size_t n = 0;
    ssize_t r;
    while ((r = read(o[0], out + n, outlen - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(o[0]);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    clock_gettime(CLOCK_MONOTONIC, &b);
    *took_ms = (int)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
    if (close_after_ms < 0)
        close(in[1]);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_wrap_cmd(void **state)
{
    (void)state;
    char out[256];
    int took;
    /* quotes of every kind, comments, and the exit status come through */
    char *w = tunnel_wrap_cmd("printf '%s|' \"it's\" 'a b' \"$((1 + 2))\"; exit 3 # done");
    assert_non_null(w);
    assert_int_equal(run_wire(w, -1, out, sizeof out, &took), 3);
    assert_string_equal(out, "it's|a b|3|");
    free(w);
    /* a command still running when the channel closes is stopped, pipelines too */
    w = tunnel_wrap_cmd("sleep 30 | cat; echo late");
    assert_non_null(w);
    assert_int_not_equal(run_wire(w, 300, out, sizeof out, &took), 0);
    assert_string_equal(out, "");
    assert_true(took < 3000);
    free(w);
}

/* ---- the API without a server ---- */

static void test_start_errors(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(tunnel_start(NULL, err, sizeof err));
    tunnel_config_t c = { .target = "ops@bastion:99999" };
    assert_null(tunnel_start(&c, err, sizeof err));
    assert_non_null(strstr(err, "port must be 1-65535"));
    c = (tunnel_config_t){ .target = "ops@127.0.0.1", .key_file = "/nonexistent/id_ed25519" };
    assert_null(tunnel_start(&c, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/id_ed25519"));
    assert_non_null(strstr(err, "No such file"));
}

static void test_unreachable(void **state)
{
    (void)state;
    char err[256] = "", why[256] = "";
    /* port 1 on loopback: connection refused, retried with backoff */
    tunnel_config_t c = { .target = "nobody@127.0.0.1:1", .known_hosts = "/nonexistent/kh",
                          .keepalive_s = 1 };
    tunnel_t *t = tunnel_start(&c, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tunnel_state(t, NULL, 0), TUNNEL_CONNECTING);
    int p1 = tunnel_forward(t, "10.0.0.5", 2379);
    int p2 = tunnel_forward(t, "10.0.0.5", 2381);
    assert_true(p1 > 0 && p2 > 0 && p1 != p2);
    assert_int_equal(tunnel_forward(t, "10.0.0.5", 2379), p1);
    assert_int_equal(tunnel_forward(t, "", 2379), -1);
    assert_int_equal(tunnel_forward(t, "10.0.0.5", 0), -1);
    assert_int_equal(tunnel_forward(t, "10.0.0.5", 70000), -1);
    assert_int_equal(tunnel_forward(t, "bad host", 2379), -1);
    assert_int_equal(tunnel_forward(NULL, "10.0.0.5", 2379), -1);
    assert_int_equal(tunnel_exec_follow(t, ""), -1);
    assert_int_equal(tunnel_exec_once(t, NULL), -1);
    assert_int_equal(tunnel_exec_follow(t, "journalctl -u etcd -f -o cat"), 0);
    assert_int_equal(tunnel_exec_once(t, "df -P /var/lib/etcd"), 1);
    /* the same command again: the same id (followed once; run once more) */
    assert_int_equal(tunnel_exec_follow(t, "journalctl -u etcd -f -o cat"), 0);
    assert_int_equal(tunnel_exec_once(t, "df -P /var/lib/etcd"), 1);
    assert_int_equal(tunnel_exec_once(t, "journalctl -u etcd -f -o cat"), 2);
    char lines[4][512];
    assert_int_equal(tunnel_take_lines(t, 0, lines, 4), 0);
    assert_int_equal(tunnel_take_lines(t, 7, lines, 4), 0);
    assert_int_equal(tunnel_take_lines(t, -1, lines, 4), 0);
    /* a local connection is accepted at once and held (no session yet) */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p1) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(send(fd, "GET /health HTTP/1.0\r\n\r\n", 24, 0), 24);
    /* the attempt fails with a reason, reported once as an event */
    bool refused = false;
    for (int i = 0; i < 50 && !refused; i++) {
        sleep_ms(50);
        tunnel_state(t, why, sizeof why);
        refused = strstr(why, "Connection refused") != NULL;
    }
    assert_true(refused);
    assert_non_null(strstr(why, "connect to 127.0.0.1:1"));
    assert_non_null(strstr(why, "retrying in"));
    event_list_t ev = { 0 };
    tunnel_take_events(t, &ev);
    assert_int_equal(ev.n, 1);
    assert_non_null(strstr(ev.line[0], "ssh nobody@127.0.0.1:1: cannot connect: connect to "
                                       "127.0.0.1:1: Connection refused; retrying in 1 s"));
    sleep_ms(1300);                                   /* a second failed attempt: no new event */
    memset(&ev, 0, sizeof ev);
    tunnel_take_events(t, &ev);
    assert_int_equal(ev.n, 0);
    tunnel_state(t, why, sizeof why);
    assert_non_null(strstr(why, "retrying in 2 s"));
    /* the held connection is still open: nothing to read yet */
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    assert_int_equal(poll(&pfd, 1, 0), 0);
    /* stop: quick, and the held connection is closed */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    tunnel_stop(t);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1000);
    char buf[16];
    assert_true(poll(&pfd, 1, 1000) == 1);
    assert_true(recv(fd, buf, sizeof buf, 0) <= 0);
    close(fd);
    tunnel_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_target),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_known_name),
        cmocka_unit_test_setup_teardown(test_known_port_entries, kh_setup, kh_teardown),
        cmocka_unit_test_setup_teardown(test_known_hashed_and_types, kh_setup, kh_teardown),
        cmocka_unit_test_setup_teardown(test_known_files, kh_setup, kh_teardown),
        cmocka_unit_test_setup_teardown(test_known_prefs, kh_setup, kh_teardown),
        cmocka_unit_test(test_wrap_cmd),
        cmocka_unit_test(test_start_errors),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
