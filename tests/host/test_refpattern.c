/* The reference patterns (lib/refpattern.c): the exact strings of seq and
 * belady, every page in range, the length kept, the same string for the
 * same parameters and another for another seed, hotcold's 80/20 split,
 * names both ways, and bad parameters refused. */
#include <stdbool.h>
#include <string.h>
#include "check.h"
#include <kinelib/refpattern.h>
#include <kine/error.h>

enum { LONG = 100000 };

/* Both patterns give the same string, to the end. */
static int same(struct refpattern *a, struct refpattern *b)
{
    int64_t x, y;
    do {
        x = refpattern_next(a);
        y = refpattern_next(b);
        if (x != y)
            return 0;
    } while (x != REFPATTERN_END);
    return 1;
}

static void test_exact(void)
{
    struct refpattern rp;
    CHECK(refpattern_init(&rp, REFPATTERN_SEQ, 3, 7, 0) == 0);
    static const int64_t seq[] = { 0, 1, 2, 0, 1, 2, 0, REFPATTERN_END, REFPATTERN_END };
    for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
        CHECK(refpattern_next(&rp) == seq[i]);

    /* 5 pages: the textbook string, numbers 1..5 as pages 0..4, twice. */
    static const int64_t textbook[] = { 0, 1, 2, 3, 0, 1, 4, 0, 1, 2, 3, 4 };
    enum { TEXTBOOK_LEN = sizeof(textbook) / sizeof(textbook[0]) };
    CHECK(refpattern_init(&rp, REFPATTERN_BELADY, REFPATTERN_BELADY_NUMBERS,
                          2 * TEXTBOOK_LEN, 0) == 0);
    for (unsigned i = 0; i < 2 * TEXTBOOK_LEN; i++)
        CHECK(refpattern_next(&rp) == textbook[i % TEXTBOOK_LEN]);
    CHECK(refpattern_next(&rp) == REFPATTERN_END);

    /* 11 pages: blocks of 2 (page 10 never touched), each in order. */
    enum { BLOCK = 2 };
    CHECK(refpattern_init(&rp, REFPATTERN_BELADY, 11, TEXTBOOK_LEN * BLOCK, 0) == 0);
    for (unsigned i = 0; i < TEXTBOOK_LEN * BLOCK; i++)
        CHECK(refpattern_next(&rp) == textbook[i / BLOCK] * BLOCK + i % BLOCK);
}

/* Every pattern: pages in range, exactly length of them, the same string
 * again for the same parameters. */
static void test_ranges(void)
{
    static const uint64_t sizes[] = { 5, 6, 97, 1000 };
    for (int k = 0; k < REFPATTERN_KINDS; k++)
        for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            struct refpattern a, b;
            CHECK(refpattern_init(&a, (enum refpattern_kind)k, sizes[s], LONG, 42) == 0);
            uint64_t n = 0, bad = 0;
            for (int64_t p; (p = refpattern_next(&a)) != REFPATTERN_END; n++)
                bad += p < 0 || (uint64_t)p >= sizes[s];
            CHECK(n == LONG && bad == 0);
            CHECK(refpattern_init(&a, (enum refpattern_kind)k, sizes[s], LONG, 42) == 0);
            CHECK(refpattern_init(&b, (enum refpattern_kind)k, sizes[s], LONG, 42) == 0);
            CHECK(same(&a, &b));
        }
}

/* random and hotcold follow the seed (0 included); seq and belady do not. */
static void test_seeds(void)
{
    enum { PAGES = 1000, LEN = 1000 };
    for (int k = 0; k < REFPATTERN_KINDS; k++) {
        struct refpattern a, b;
        CHECK(refpattern_init(&a, (enum refpattern_kind)k, PAGES, LEN, 0) == 0);
        CHECK(refpattern_init(&b, (enum refpattern_kind)k, PAGES, LEN, 1) == 0);
        bool seeded = k == REFPATTERN_RANDOM || k == REFPATTERN_HOTCOLD;
        CHECK(same(&a, &b) == !seeded);
    }
}

/* hotcold: about 80% of references to the first 20% of the pages; random
 * reaches every page and about as often each. */
static void test_spread(void)
{
    enum { PAGES = 100, HOT_PAGES = 20, HOT_REFS_PERCENT = 80, SLACK_PERCENT = 2, SEED = 5 };
    struct refpattern rp;
    CHECK(refpattern_init(&rp, REFPATTERN_HOTCOLD, PAGES, LONG, SEED) == 0);
    uint64_t hot = 0;
    for (int64_t p; (p = refpattern_next(&rp)) != REFPATTERN_END; )
        hot += p < HOT_PAGES;
    CHECK(hot > (uint64_t)LONG * (HOT_REFS_PERCENT - SLACK_PERCENT) / 100);
    CHECK(hot < (uint64_t)LONG * (HOT_REFS_PERCENT + SLACK_PERCENT) / 100);

    static uint64_t count[PAGES];
    CHECK(refpattern_init(&rp, REFPATTERN_RANDOM, PAGES, LONG, SEED) == 0);
    for (int64_t p; (p = refpattern_next(&rp)) != REFPATTERN_END; )
        count[p]++;
    uint64_t min = LONG, max = 0;
    for (int p = 0; p < PAGES; p++) {
        min = count[p] < min ? count[p] : min;
        max = count[p] > max ? count[p] : max;
    }
    /* LONG / PAGES = 1000 a page, give or take 32 (one standard
     * deviation); SPREAD is nearly 5 of them. */
    enum { PER_PAGE = LONG / PAGES, SPREAD = 150 };
    CHECK(min > PER_PAGE - SPREAD && max < PER_PAGE + SPREAD);

    /* One page: hotcold has no cold pages and stays on the hot one. */
    enum { FEW = 100 };
    CHECK(refpattern_init(&rp, REFPATTERN_HOTCOLD, 1, FEW, SEED) == 0);
    uint64_t zeros = 0;
    for (int64_t p; (p = refpattern_next(&rp)) != REFPATTERN_END; )
        zeros += p == 0;
    CHECK(zeros == FEW);
}

static void test_names_and_errors(void)
{
    for (int k = 0; k < REFPATTERN_KINDS; k++)
        CHECK(refpattern_find(refpattern_name((enum refpattern_kind)k)) == k);
    CHECK(strcmp(refpattern_name(REFPATTERN_HOTCOLD), "hotcold") == 0);
    CHECK(refpattern_find("nonesuch") == -KINE_EINVAL);
    CHECK(refpattern_name(REFPATTERN_KINDS) == NULL);

    struct refpattern rp;
    CHECK(refpattern_init(&rp, REFPATTERN_SEQ, 0, 1, 0) == -KINE_EINVAL);
    CHECK(refpattern_init(&rp, REFPATTERN_KINDS, 1, 1, 0) == -KINE_EINVAL);
    CHECK(refpattern_init(&rp, REFPATTERN_BELADY, REFPATTERN_BELADY_NUMBERS - 1, 1, 0) == -KINE_EINVAL);
    CHECK(refpattern_init(&rp, REFPATTERN_RANDOM, UINT64_MAX, 1, 0) == -KINE_ERANGE);
    CHECK(refpattern_init(&rp, REFPATTERN_RANDOM, 1, 0, 0) == 0 && refpattern_next(&rp) == REFPATTERN_END);
}

int main(void)
{
    test_exact();
    test_ranges();
    test_seeds();
    test_spread();
    test_names_and_errors();
    return check_done("refpattern");
}
