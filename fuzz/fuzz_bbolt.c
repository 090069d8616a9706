/* fuzz_bbolt.c — libFuzzer target: the bbolt snapshot reader on arbitrary
 * bytes. The meta pages' checksums are recomputed first (when the input is
 * long enough to hold them), so mutations reach the page walk instead of
 * stopping at the checksum. Checks beyond "no crash": a refusal carries a
 * reason, an accepted file has a size within the input and sane counts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbolt.h"
#include "digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Store FNV-1a 64 of the meta at off's first 56 bytes after it (little-endian). */
static void fix_meta(unsigned char *d, size_t size, size_t off)
{
    if (off + 16 + 64 > size)
        return;
    uint64_t h = fnv1a64(d + off + 16, 56);
    for (int i = 0; i < 8; i++)
        d[off + 16 + 56 + i] = (unsigned char)(h >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *d = malloc(size ? size : 1);
    if (!d)
        return 0;
    memcpy(d, data, size);
    fix_meta(d, size, 0);
    fix_meta(d, size, 4096);
    bbolt_status_t st;
    char why[160];
    if (bbolt_status(d, size, &st, why, sizeof why) != 0) {
        if (!why[0])
            abort();
    } else if (st.total_size <= 0 || (uint64_t)st.total_size > size || st.total_keys < 0) {
        abort();
    }
    free(d);
    return 0;
}
