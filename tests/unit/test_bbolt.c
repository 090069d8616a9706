/* Unit tests: digest.c (CRC-32C, SHA-256, FNV-1a 64 known answers) and the
 * bbolt reader on snapshots made by etcdctl 3.4 (tests/data/bbolt/, with the
 * `etcdctl snapshot status -w json` output beside each): the same hash,
 * revision, total keys and size; truncated, corrupted and garbage files
 * refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "testutil.h"
#include "bbolt.h"
#include "digest.h"

static void test_digests(void **state)
{
    (void)state;
    assert_int_equal(crc32c_update(0, "123456789", 9), 0xE3069283u);
    /* streaming gives the same as one call */
    assert_int_equal(crc32c_update(crc32c_update(0, "1234", 4), "56789", 5), 0xE3069283u);
    assert_true(fnv1a64("", 0) == 0xcbf29ce484222325ull);
    assert_true(fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull);
    static const unsigned char abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
        0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
        0xf2, 0x00, 0x15, 0xad };
    unsigned char out[32];
    sha256_t s;
    sha256_init(&s);
    sha256_update(&s, "a", 1);
    sha256_update(&s, "bc", 2);
    sha256_final(&s, out);
    assert_memory_equal(out, abc, 32);
    /* 1,000,000 x 'a' in uneven pieces (FIPS 180-2 example) */
    static const unsigned char million[32] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7,
        0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc,
        0xc7, 0x11, 0x2c, 0xd0 };
    char a[997];
    memset(a, 'a', sizeof a);
    sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof a ? left : sizeof a;
        sha256_update(&s, a, n);
        left -= n;
    }
    sha256_final(&s, out);
    assert_memory_equal(out, million, 32);
}

/* The etcdctl JSON line's number for field. */
static long long json_num(const char *json, const char *field)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\":", field);
    const char *p = strstr(json, pat);
    assert_non_null(p);
    return strtoll(p + strlen(pat), NULL, 10);
}

static void check_fixture(const char *db, const char *json)
{
    size_t n;
    char *d = test_slurp_exact(db, &n);
    char *j = test_slurp(json, NULL);
    bbolt_status_t st;
    char why[160];
    assert_int_equal(bbolt_status((unsigned char *)d, n, &st, why, sizeof why), 0);
    assert_int_equal(st.hash, json_num(j, "hash"));
    assert_int_equal(st.revision, json_num(j, "revision"));
    assert_int_equal(st.total_keys, json_num(j, "totalKey"));
    assert_int_equal(st.total_size, json_num(j, "totalSize"));
    assert_true(st.has_sha256);
    /* without etcd's trailing SHA-256: the same figures */
    assert_int_equal(bbolt_status((unsigned char *)d, n - 32, &st, why, sizeof why), 0);
    assert_int_equal(st.hash, json_num(j, "hash"));
    assert_false(st.has_sha256);
    free(d);
    free(j);
}

static void test_etcdctl_snapshots(void **state)
{
    (void)state;
    check_fixture("tests/data/bbolt/etcdctl-small.db", "tests/data/bbolt/etcdctl-small.json");
    check_fixture("tests/data/bbolt/etcdctl-tree.db", "tests/data/bbolt/etcdctl-tree.json");
}

static void test_truncated_refused(void **state)
{
    (void)state;
    size_t n;
    char *d = test_slurp_exact("tests/data/bbolt/etcdctl-tree.db", &n);
    bbolt_status_t st;
    char why[160];
    for (size_t cut = 1; cut < n; cut = cut * 3 + 7) {
        char *t = test_memdup_exact(d, n - cut);
        assert_int_equal(bbolt_status((unsigned char *)t, n - cut, &st, why, sizeof why), -1);
        assert_true(why[0] != '\0');
        free(t);
    }
    char *t = test_memdup_exact(d, 8192);
    assert_int_equal(bbolt_status((unsigned char *)t, 8192, &st, why, sizeof why), -1);
    assert_non_null(strstr(why, "truncated"));
    free(t);
    free(d);
}

static void test_corrupted_refused(void **state)
{
    (void)state;
    size_t n;
    char *d = test_slurp_exact("tests/data/bbolt/etcdctl-tree.db", &n);
    bbolt_status_t st;
    char why[160];
    /* a flipped byte anywhere: the trailing SHA-256 catches it */
    d[n / 2] ^= 0x40;
    assert_int_equal(bbolt_status((unsigned char *)d, n, &st, why, sizeof why), -1);
    assert_non_null(strstr(why, "SHA-256"));
    d[n / 2] ^= 0x40;
    /* without it: a page header pointing elsewhere is caught by the walk */
    for (size_t pg = 2; pg < (n - 32) / 4096; pg++) {
        char *t = test_memdup_exact(d, n - 32);
        t[pg * 4096] ^= 0x01;               /* the page's own id */
        int r = bbolt_status((unsigned char *)t, n - 32, &st, why, sizeof why);
        if (r != 0)
            assert_true(why[0] != '\0');
        free(t);
    }
    /* both meta pages broken */
    d[16 + 20] ^= 1;
    d[4096 + 16 + 20] ^= 1;
    assert_int_equal(bbolt_status((unsigned char *)d, n, &st, why, sizeof why), -1);
    assert_non_null(strstr(why, "meta"));
    /* one broken: the other one serves */
    d[16 + 20] ^= 1;
    assert_int_equal(bbolt_status((unsigned char *)d, n - 32, &st, why, sizeof why), 0);
    free(d);
}

static void test_garbage_refused(void **state)
{
    (void)state;
    bbolt_status_t st;
    char why[160];
    unsigned char buf[16384] = { 0 };
    assert_int_equal(bbolt_status(buf, 10, &st, why, sizeof why), -1);
    srand(7);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)rand();
        assert_int_equal(bbolt_status(buf, sizeof buf, &st, why, sizeof why), -1);
        assert_true(why[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digests),
        cmocka_unit_test(test_etcdctl_snapshots),
        cmocka_unit_test(test_truncated_refused),
        cmocka_unit_test(test_corrupted_refused),
        cmocka_unit_test(test_garbage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
