/* bench_proc.h — what the benches read of their own process: resident memory
 * (VmRSS) and CPU time. */
#ifndef EM_BENCH_PROC_H
#define EM_BENCH_PROC_H

#include <stdio.h>
#include <time.h>

static inline long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static inline double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
