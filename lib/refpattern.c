/* The reference-pattern generator (kinelib/refpattern.h): the page string
 * of each pattern, from its parameters alone, so that the guest and the
 * host produce the same one. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <kinelib/refpattern.h>
#include <kine/error.h>

/* hotcold: HOT_REFS percent of the references go to HOT_PAGES percent of
 * the pages (the 80/20 rule). */
#define HOTCOLD_HOT_REFS_PERCENT  80
#define HOTCOLD_HOT_PAGES_PERCENT 20
#define PERCENT                   100

/* Mixed into the seed so that seed 0 is as good as any (xorshift's state
 * may not be 0): 2^64 divided by the golden ratio. */
#define RNG_SEED_MIX 0x9e3779b97f4a7c15ull

static const char *const names[REFPATTERN_KINDS] = {
    [REFPATTERN_SEQ] = "seq",
    [REFPATTERN_RANDOM] = "random",
    [REFPATTERN_HOTCOLD] = "hotcold",
    [REFPATTERN_BELADY] = "belady",
};

/* The textbook string that shows Belady's anomaly under FIFO. */
static const uint8_t belady_string[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
#define BELADY_LEN (sizeof(belady_string) / sizeof(belady_string[0]))

/* Marsaglia's xorshift64 (shifts 13, 7, 17): fixed forever, since the
 * strings it makes are compared across machines and runs. */
static uint64_t rng_next(struct refpattern *rp)
{
    uint64_t x = rp->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rp->rng = x;
    return x;
}

int refpattern_init(struct refpattern *rp, enum refpattern_kind kind, uint64_t pages,
                    uint64_t length, uint64_t seed)
{
    if ((unsigned)kind >= REFPATTERN_KINDS || pages == 0)
        return -KINE_EINVAL;
    if (pages > (uint64_t)INT64_MAX)
        return -KINE_ERANGE;
    if (kind == REFPATTERN_BELADY && pages < REFPATTERN_BELADY_NUMBERS)
        return -KINE_EINVAL;
    rp->kind = kind;
    rp->pages = pages;
    rp->length = length;
    rp->done = 0;
    rp->rng = seed ^ RNG_SEED_MIX;
    if (rp->rng == 0)
        rp->rng = RNG_SEED_MIX;
    rp->hot = pages / PERCENT * HOTCOLD_HOT_PAGES_PERCENT
            + pages % PERCENT * HOTCOLD_HOT_PAGES_PERCENT / PERCENT;
    if (rp->hot == 0)
        rp->hot = 1;
    rp->block = pages / REFPATTERN_BELADY_NUMBERS;
    return 0;
}

/* Uniform enough: the modulo bias is below pages / 2^64. */
static uint64_t hotcold_next(struct refpattern *rp)
{
    bool hot = rng_next(rp) % PERCENT < HOTCOLD_HOT_REFS_PERCENT;
    uint64_t cold = rp->pages - rp->hot;
    uint64_t r = rng_next(rp);
    if (hot || cold == 0)
        return r % rp->hot;
    return rp->hot + r % cold;
}

static uint64_t belady_next(const struct refpattern *rp)
{
    uint64_t i = rp->done % (BELADY_LEN * rp->block);
    uint64_t number = belady_string[i / rp->block];
    return (number - 1) * rp->block + i % rp->block;
}

int64_t refpattern_next(struct refpattern *rp)
{
    if (rp->done >= rp->length)
        return REFPATTERN_END;
    uint64_t page;
    switch (rp->kind) {
    case REFPATTERN_SEQ:     page = rp->done % rp->pages; break;
    case REFPATTERN_RANDOM:  page = rng_next(rp) % rp->pages; break;
    case REFPATTERN_HOTCOLD: page = hotcold_next(rp); break;
    case REFPATTERN_BELADY:  page = belady_next(rp); break;
    default:                 return REFPATTERN_END;
    }
    rp->done++;
    return (int64_t)page;
}

const char *refpattern_name(enum refpattern_kind kind)
{
    return (unsigned)kind < REFPATTERN_KINDS ? names[kind] : NULL;
}

int refpattern_find(const char *name)
{
    for (int k = 0; k < REFPATTERN_KINDS; k++)
        if (strcmp(names[k], name) == 0)
            return k;
    return -KINE_EINVAL;
}
