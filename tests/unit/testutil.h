/* testutil.h — helpers shared by the unit tests (include after <cmocka.h>).
 *
 *   test_slurp(path, &len)        whole file, NUL-terminated (len may be NULL)
 *   test_slurp_exact(path, &len)  whole file in exactly len bytes, no terminator:
 *                                 ASan (make unit-san) catches a read past the end
 *   test_memdup_exact(s, n)       n bytes of s in an exactly-sized heap buffer
 *
 * Paths are relative to the repository root (where make runs the tests); a
 * file that cannot be read fails the test. The caller frees the result. */
#ifndef EM_TESTUTIL_H
#define EM_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read path into a malloc'd buffer with room for `extra` bytes after it. */
static inline char *test_read_file(const char *path, size_t *len, size_t extra)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    size_t size = (size_t)n + extra;
    char *b = malloc(size > 0 ? size : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    if (len != NULL)
        *len = (size_t)n;
    return b;
}

static inline char *test_slurp(const char *path, size_t *len)
{
    size_t n;
    char *b = test_read_file(path, &n, 1);
    b[n] = '\0';
    if (len != NULL)
        *len = n;
    return b;
}

static inline char *test_slurp_exact(const char *path, size_t *len)
{
    return test_read_file(path, len, 0);
}

static inline char *test_memdup_exact(const void *s, size_t n)
{
    char *b = malloc(n > 0 ? n : 1);
    assert_non_null(b);
    memcpy(b, s, n);
    return b;
}

#endif
