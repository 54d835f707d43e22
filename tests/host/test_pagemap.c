/* Page map: set/get/clear, counts, replacement, flags, ordered iteration,
 * sparse addresses, pm_slot's one walk, fork's pm_share (a range across
 * leaves, the references it takes in its flat pass, a paged-out entry, a
 * count at its ceiling, a run with nothing to share), pm_foreach_leaf, and
 * no leaks (LeakSanitizer) after destroy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "pagemap.h"
#include <kine/error.h>

struct walk { uint64_t last; int n, ordered; uint64_t sum; };

static int visit(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    struct walk *w = ctx;
    (void)flags;
    if (w->n && va <= w->last)
        w->ordered = 0;
    w->last = va;
    w->n++;
    w->sum += frame;
    return 0;
}

static int stop_at_two(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    (void)va; (void)frame; (void)flags;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

/* A node allocator that counts what it holds and can be told to fail. */
struct counting { int held, fail_after; };

static void *count_get(void *ctx)
{
    struct counting *c = ctx;
    if (c->fail_after == 0)
        return NULL;
    if (c->fail_after > 0)
        c->fail_after--;
    c->held++;
    return calloc(1, PM_NODE_SIZE);
}

static void count_put(void *ctx, void *node)
{
    ((struct counting *)ctx)->held--;
    free(node);
}

static void count_node(const void *node, void *ctx)
{
    (void)node;
    ++*(int *)ctx;
}

/* Nodes come from the owner's allocator, are counted, are all given back,
 * and a failing allocator leaves the map as it was. */
static void custom_allocator(void)
{
    struct counting c = { 0, -1 };
    const struct pm_alloc a = { count_get, count_put, &c, NULL };
    struct pagemap pm = { .alloc = &a };
    CHECK(pm_set(&pm, 0x10000, 1, 0) == 0 && c.held == 2 && pm.nodes == 2);
    CHECK(pm_set(&pm, 0x11000, 2, 0) == 0 && c.held == 2);          /* same leaf */
    CHECK(pm_set(&pm, 0x400000, 3, 0) == 0 && c.held == 3);         /* new leaf, same mid */
    CHECK(pm_set(&pm, 0x40000000, 4, 0) == 0 && c.held == 5);       /* new mid and leaf */
    int visited = 0;
    pm_foreach_node(&pm, count_node, &visited);
    CHECK(visited == 5);
    c.fail_after = 1;                      /* the mid succeeds, the leaf fails */
    CHECK(pm_set(&pm, 0x80000000, 5, 0) == -KINE_ENOMEM);
    CHECK(c.held == 5 && pm.nodes == 5 && pm.count == 4);            /* nothing kept */
    c.fail_after = 0;                      /* a new leaf under an existing mid */
    CHECK(pm_set(&pm, 0x600000, 6, 0) == -KINE_ENOMEM && c.held == 5);
    c.fail_after = -1;
    CHECK(pm_clear(&pm, 0x400000, NULL) == 1 && c.held == 4);       /* empty leaf goes */
    CHECK(pm_clear(&pm, 0x40000000, NULL) == 1 && c.held == 2);     /* and its mid */
    pm_destroy(&pm);
    CHECK(c.held == 0 && pm.nodes == 0 && pm.count == 0);
}

/* pm_share's swap-slot references, counted. */
static unsigned slot_refs[4];
static int slot_ref(uint32_t s)
{
    if (s >= 4)
        return -KINE_EINVAL;
    slot_refs[s]++;
    return 0;
}

static void sum_leaf(const uint32_t *slot, unsigned n, void *ctx)
{
    for (unsigned k = 0; k < n; k++)
        *(uint64_t *)ctx += slot[k] != 0;
}

/* Nodes for pm_share's test: an unzeroed one is full of garbage, so a
 * slot pm_share forgot to write shows. */
static void *plain_get(void *ctx) { (void)ctx; return calloc(1, PM_NODE_SIZE); }
static void plain_put(void *ctx, void *n) { (void)ctx; free(n); }
static void *garbage_get(void *ctx)
{
    (void)ctx;
    void *n = malloc(PM_NODE_SIZE);
    if (n)
        memset(n, 0xa5, PM_NODE_SIZE);
    return n;
}
static const struct pm_alloc garbage_alloc = { plain_get, plain_put, NULL, garbage_get };

static void share(void)
{
    enum { NF = 2048 };
    static uint8_t storage[NF * 6];
    struct frame_table ft;
    frames_init(&ft, NF, storage);
    struct pagemap src = { 0 }, dst = { .alloc = &garbage_alloc }, empty = { .alloc = &garbage_alloc };
    const uint64_t base = 0x1f0000;      /* 600 pages from just below a 2 MiB line */
    for (unsigned i = 0; i < 600; i++) {
        if (i == 7)
            continue;                     /* a hole */
        int64_t f = frame_alloc(&ft);
        CHECK(f >= 0 && pm_set(&src, base + i * 4096ULL, (uint32_t)f, 0) == 0);
    }
    CHECK(pm_set(&src, base + 7 * 4096ULL, 2, PM_FLAG_SWAP) == 0);   /* paged out: slot 2 */

    /* pm_slot: the stored entry, in place */
    uint32_t f0, *sl = pm_slot(&src, base + 4096);
    CHECK(sl && pm_get(&src, base + 4096, &f0, NULL) == 1 && pm_slot_frame(*sl) == f0);
    CHECK(pm_slot(&src, 0x40000000) == NULL && pm_slot(&src, PM_VA_TOP) == NULL);
    CHECK(pm_slot(&src, base + 600 * 4096ULL) && *pm_slot(&src, base + 600 * 4096ULL) == 0);

    /* pages [5, 590): across the 2 MiB line, with the hole's paged-out entry */
    CHECK(pm_share(&dst, &src, base + 5 * 4096ULL, base + 590 * 4096ULL, PM_FLAG_COW, &ft,
                   slot_ref) == 0);
    CHECK(dst.count == 585 && slot_refs[2] == 1);
    int shared_ok = 1, outside_ok = 1;
    for (unsigned i = 0; i < 600; i++) {
        uint32_t sf, sfl, df, dfl;
        uint64_t va = base + i * 4096ULL;
        int in = i >= 5 && i < 590, s_has = pm_get(&src, va, &sf, &sfl), d_has = pm_get(&dst, va, &df, &dfl);
        /* the same entry in both; the mark only on the paged-out one */
        if (in && !(s_has && d_has && sf == df && sfl == dfl &&
                    (i == 7 ? sfl == (PM_FLAG_SWAP | PM_FLAG_COW) : sfl == 0 && frame_refcount(&ft, sf) == 2)))
            shared_ok = 0;
        if (!in && (d_has || (sfl & PM_FLAG_COW) || frame_refcount(&ft, sf) != 1))
            outside_ok = 0;
    }
    CHECK(shared_ok && outside_ok);
    uint64_t seen = 0;
    pm_foreach_leaf(&dst, sum_leaf, &seen);
    CHECK(seen == 585);

    /* a range src has a leaf for but no entries in makes no leaf in dst */
    CHECK(pm_share(&empty, &src, base + 600 * 4096ULL, base + 700 * 4096ULL, PM_FLAG_COW, &ft,
                   slot_ref) == 0);
    CHECK(empty.count == 0 && empty.nodes == 0);

    /* a count at its ceiling: what came before is shared, the rest not */
    struct pagemap third = { .alloc = &garbage_alloc };
    uint32_t stuck;
    CHECK(pm_get(&src, base + 3 * 4096ULL, &stuck, NULL) == 1);
    ft.ref[stuck] = FRAME_REF_MAX;
    CHECK(pm_share(&third, &src, base, base + 5 * 4096ULL, 0, &ft, slot_ref) == -KINE_ERANGE);
    CHECK(third.count == 3 && pm_get(&third, base + 2 * 4096ULL, NULL, NULL) == 1 &&
          pm_get(&third, base + 3 * 4096ULL, NULL, NULL) == 0 && ft.ref[stuck] == FRAME_REF_MAX);
    pm_destroy(&src);
    pm_destroy(&dst);
    pm_destroy(&third);
}

int main(void)
{
    custom_allocator();
    share();
    struct pagemap pm = { 0 };
    uint32_t f, fl;
    CHECK(pm_get(&pm, 0x10000, &f, NULL) == 0);
    CHECK(pm_set(&pm, 0x10000, 5, 0) == 0);
    CHECK(pm_get(&pm, 0x10000, &f, &fl) == 1 && f == 5 && fl == 0);
    CHECK(pm_get(&pm, 0x10fff, &f, NULL) == 1);          /* any address in the page */
    CHECK(pm_set(&pm, 0x10000, 0, PM_FLAG_COW) == 0);     /* replace; frame 0 is valid */
    CHECK(pm_get(&pm, 0x10000, &f, &fl) == 1 && f == 0 && fl == PM_FLAG_COW && pm.count == 1);

    CHECK(pm_set(&pm, 1ULL << 38, 1, 0) == -KINE_EINVAL);
    CHECK(pm_set(&pm, 0x20000, PM_FRAME_MAX + 1, 0) == -KINE_EINVAL);
    CHECK(pm_set(&pm, 0x20000, 1, 1) == -KINE_EINVAL);     /* unknown flag bits */

    /* sparse: far-apart addresses in different subtrees */
    uint64_t vas[] = { 0x7fffe000, 0x3fffff000, 0x1000, 0x40000000, 0x200000 };
    for (unsigned i = 0; i < 5; i++)
        CHECK(pm_set(&pm, vas[i], 100 + i, 0) == 0);
    CHECK(pm.count == 6);
    struct walk w = { 0, 0, 1, 0 };
    CHECK(pm_foreach(&pm, visit, &w) == 0);
    CHECK(w.n == 6 && w.ordered && w.sum == 0 + 100 + 101 + 102 + 103 + 104);
    int k = 0;
    CHECK(pm_foreach(&pm, stop_at_two, &k) == 7 && k == 2);

    CHECK(pm_clear(&pm, 0x3fffff000, &f) == 1 && f == 101);
    CHECK(pm_clear(&pm, 0x3fffff000, &f) == 0);
    CHECK(pm_get(&pm, 0x3fffff000, NULL, NULL) == 0 && pm.count == 5);
    CHECK(pm_clear(&pm, 1ULL << 40, NULL) == 0);

    /* a dense run, then clearing all of it frees its nodes */
    for (uint64_t va = 0x1000000; va < 0x1000000 + 2048 * 4096ULL; va += 4096)
        CHECK(pm_set(&pm, va, (uint32_t)(va >> 12), 0) == 0);
    CHECK(pm.count == 5 + 2048);
    for (uint64_t va = 0x1000000; va < 0x1000000 + 2048 * 4096ULL; va += 4096)
        pm_clear(&pm, va, NULL);
    CHECK(pm.count == 5);

    /* the one-leaf cache: the walk's leaf, forgotten when the leaf goes */
    CHECK(pm_leaf_cached(&pm, 0x1000) == pm_leaf_in(&pm, 0x1000) && pm.leaf_key != 0);
    CHECK(pm_leaf_cached(&pm, 0x1ff000) == pm.leaf && pm.leaf == pm_leaf_in(&pm, 0x1000));
    CHECK(pm_leaf_cached(&pm, 0x200000) == pm_leaf_in(&pm, 0x200000) && pm.leaf != NULL);
    CHECK(pm_leaf_cached(&pm, 0x1000000) == NULL && pm.leaf == pm_leaf_in(&pm, 0x200000));
    CHECK(pm_clear(&pm, 0x200000, NULL) == 1 && pm.leaf_key == 0 && pm.leaf == NULL);
    CHECK(pm_leaf_cached(&pm, 0x200000) == NULL && pm_leaf_cached(&pm, 0x1000) != NULL);
    pm_destroy(&pm);
    CHECK(pm.leaf_key == 0 && pm.leaf == NULL);
    CHECK(pm.count == 0 && pm_get(&pm, 0x10000, NULL, NULL) == 0);
    return check_done("pagemap");
}
