/* alloc_count.c — LD_PRELOAD allocation counter for test_poll_alloc.sh.
 *
 * Counts malloc, calloc and realloc calls made between ALLOC_FROM_S and
 * ALLOC_UNTIL_S seconds after the process starts, and files each under who
 * asked: the first caller outside libc (strdup, fopen, ... are libc asking for
 * someone) is either the program itself or libjansson ("ours": the monitor's
 * own code and the JSON library it drives), or another library (libcurl and
 * what it runs: OpenSSL, zlib, nghttp2). At exit writes to ALLOC_OUT:
 *   ours N
 *   libs N
 *   at OFFSET N FILE (up to 20 call sites of "ours": offsets into FILE, the
 *                     executable or libjansson, for addr2line)
 * Frame walking uses backtrace(); a thread-local flag keeps the counter from
 * counting itself. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

static __thread int in_counter;
static double t_start = -1, t_from, t_until;
static long ours, libs;
static struct { void *pc; const char *dso; long n; } sites[20];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_libc(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    return strncmp(b, "libc.so", 7) == 0 || strncmp(b, "libc-", 5) == 0 ||
           strncmp(b, "ld-linux", 8) == 0;
}

static void count(void)
{
    if (in_counter)
        return;
    in_counter = 1;
    double t = now_s();
    if (t_start < 0) {
        const char *f = getenv("ALLOC_FROM_S"), *u = getenv("ALLOC_UNTIL_S");
        t_start = t;
        t_from = f ? atof(f) : 0;
        t_until = u ? atof(u) : 1e9;
    }
    if (t - t_start >= t_from && t - t_start < t_until) {
        void *fr[32];
        int n = backtrace(fr, 32);
        const char *who = NULL;
        void *pc = NULL;
        for (int i = 2; i < n && !who; i++) {     /* 0: count, 1: the malloc below */
            Dl_info d;
            if (dladdr(fr[i], &d) && d.dli_fname && !is_libc(d.dli_fname)) {
                who = d.dli_fname;
                pc = (void *)((char *)fr[i] - (char *)d.dli_fbase);
            }
        }
        const char *b = who ? strrchr(who, '/') : NULL;
        b = b ? b + 1 : who ? who : "";
        int mine = who && (!strstr(b, ".so") || strncmp(b, "libjansson", 10) == 0);
        if (mine) {
            ours++;
            for (int i = 0; i < 20; i++)
                if ((sites[i].pc == pc && sites[i].dso == who) || !sites[i].n) {
                    sites[i].pc = pc;
                    sites[i].dso = who;
                    sites[i].n++;
                    break;
                }
        } else {
            libs++;
        }
    }
    in_counter = 0;
}

void *malloc(size_t n)
{
    count();
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    count();
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    count();
    return __libc_realloc(p, n);
}

__attribute__((destructor)) static void alloc_report(void)
{
    in_counter = 1;
    const char *path = getenv("ALLOC_OUT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "ours %ld\nlibs %ld\n", ours, libs);
    for (int i = 0; i < 20 && sites[i].n; i++)
        fprintf(f, "at %p %ld %s\n", sites[i].pc, sites[i].n, sites[i].dso);
    fclose(f);
}
