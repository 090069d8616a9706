/* selftest_fail.c — a libFuzzer target that fails on purpose, for
 * tools/fuzz-selftest.sh: it proves that tools/fuzz-run.sh (what `make fuzz`
 * and `make fuzz-smoke` run) fails on every kind of fuzzer failure.
 *
 * Four exact inputs fail: "selftest: overflow" reads past a heap buffer,
 * "selftest: ubsan" overflows a signed int, "selftest: leak" leaks, "selftest:
 * hang" never returns. They are recognised by a 64-bit FNV-1a hash, which the
 * fuzzer's comparison tracing cannot steer towards, so anything else passes. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static volatile int sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t overflow, ubsan, leak, hang;
    if (overflow == 0) {
        overflow = fnv1a((const uint8_t *)"selftest: overflow", 18);
        ubsan = fnv1a((const uint8_t *)"selftest: ubsan", 15);
        leak = fnv1a((const uint8_t *)"selftest: leak", 14);
        hang = fnv1a((const uint8_t *)"selftest: hang", 14);
    }
    uint64_t h = fnv1a(data, size);
    if (h == overflow) {
        char *b = malloc(size);
        memcpy(b, data, size);
        sink = b[size];          /* one byte past the buffer */
        free(b);
    } else if (h == ubsan) {
        int big = INT_MAX - (int)(size - 15);
        sink = big + (int)size;  /* signed overflow */
    } else if (h == leak) {
        char *b = malloc(64);
        memcpy(b, data, size);
        sink = b[0];             /* never freed */
    } else if (h == hang) {
        for (;;)
            sink++;
    }
    return 0;
}
