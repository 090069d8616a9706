/* test_secmem.c — blocks for secrets: zeroed, on pages of their own, marked
 * "do not dump" in the kernel's own view of the mapping (VmFlags "dd" in
 * /proc/self/smaps, Linux), and usable to their last byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secmem.h"

/* The VmFlags line of the mapping holding p, or "" when not found. */
static void vmflags_of(const void *p, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    bool inside = false;
    out[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out, cap, "%s", line + 8);
            break;
        }
    }
    fclose(f);
}

static void test_block(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 3 * page + 17;
    unsigned char *p = secmem_alloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], 0);
    memset(p, 0xa5, n);                          /* every byte is usable */
    char flags[512];
    vmflags_of(p, flags, sizeof flags);
    if (flags[0]) {                              /* a kernel with smaps: it says dd */
        assert_true(secmem_dontdump(p));
        assert_non_null(strstr(flags, " dd"));
    }
    vmflags_of(p + n - 1, flags, sizeof flags);  /* the last byte is in the block too */
    if (flags[0])
        assert_non_null(strstr(flags, " dd"));
    secmem_free(p, n);
    secmem_free(NULL, 0);
    /* A small block gets pages of its own too, never heap memory. */
    char *a = secmem_alloc(10), *b = malloc(10);
    assert_non_null(a);
    assert_non_null(b);
    vmflags_of(a, flags, sizeof flags);
    if (flags[0])
        assert_non_null(strstr(flags, " dd"));
    vmflags_of(b, flags, sizeof flags);
    if (flags[0])
        assert_null(strstr(flags, " dd"));
    assert_false(secmem_dontdump(NULL));
    free(b);
    secmem_free(a, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
