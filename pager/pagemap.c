/* Radix-tree page map.  Index bits: [37:30] mid, [29:21] leaf, [20:12] slot. */
#include <stdlib.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "pagemap.h"
#include <kine/error.h>
#include <kine/layout.h>

#define SV39_USER_TOP PM_VA_TOP
#define SWAP_TO_SIGN32 1        /* PM_FLAG_SWAP to bit 31 of a 32-bit entry */
_Static_assert(PM_FLAG_SWAP << SWAP_TO_SIGN32 == 1u << 31, "SWAP_TO_SIGN32");
_Static_assert(sizeof(struct pm_leaf) <= PM_NODE_SIZE, "a leaf is one node");
_Static_assert(sizeof(struct pm_mid) <= PM_NODE_SIZE, "a mid is one node");
_Static_assert(1UL << PM_LEAF_SHIFT == (uint64_t)PM_FANOUT << KINE_PAGE_SHIFT, "PM_LEAF_SHIFT");

static unsigned idx(uint64_t va, unsigned level)
{
    return (unsigned)(va >> (KINE_PAGE_SHIFT + 9 * level)) & (PM_FANOUT - 1);
}

/* A node; unzeroed: one whose bytes the caller writes whole. */
static void *node_get(struct pagemap *pm, bool unzeroed)
{
    void *n;
    if (!pm->alloc)
        n = unzeroed ? malloc(PM_NODE_SIZE) : calloc(1, PM_NODE_SIZE);
    else if (unzeroed && pm->alloc->get_unzeroed)
        n = pm->alloc->get_unzeroed(pm->alloc->ctx);
    else
        n = pm->alloc->get(pm->alloc->ctx);
    if (n)
        pm->nodes++;
    return n;
}

static void node_put(struct pagemap *pm, void *n)
{
    if (n == pm->leaf) {                 /* pm_leaf_cached's no more */
        pm->leaf_key = 0;
        pm->leaf = NULL;
    }
    if (pm->alloc)
        pm->alloc->put(pm->alloc->ctx, n);
    else
        free(n);
    pm->nodes--;
}

static struct pm_leaf *leaf_of(const struct pagemap *pm, uint64_t va)
{
    struct pm_mid *mid = pm->mid[idx(va, 2)];
    return mid ? mid->leaf[idx(va, 1)] : NULL;
}

/* The leaf of pm covering va, made (with its mid) if missing; NULL if out
 * of memory.  unzeroed: a leaf made here is left as the allocator gave it,
 * for the caller to write whole. */
static struct pm_leaf *leaf_made_as(struct pagemap *pm, uint64_t va, bool unzeroed)
{
    unsigned i2 = idx(va, 2), i1 = idx(va, 1);
    if (!pm->mid[i2] && !(pm->mid[i2] = node_get(pm, false)))
        return NULL;
    struct pm_leaf **leaf = &pm->mid[i2]->leaf[i1];
    if (!*leaf) {
        if (!(*leaf = node_get(pm, unzeroed))) {
            if (pm->mid_used[i2] == 0) {
                node_put(pm, pm->mid[i2]);
                pm->mid[i2] = NULL;
            }
            return NULL;
        }
        pm->mid_used[i2]++;
    }
    return *leaf;
}

static struct pm_leaf *leaf_made(struct pagemap *pm, uint64_t va)
{
    return leaf_made_as(pm, va, false);
}

int pm_set(struct pagemap *pm, uint64_t va, uint32_t frame, uint32_t flags)
{
    int r = pm_exchange(pm, va, frame, flags, NULL, NULL);
    return r < 0 ? r : 0;
}

int pm_exchange(struct pagemap *pm, uint64_t va, uint32_t frame, uint32_t flags,
                uint32_t *old_frame, uint32_t *old_flags)
{
    if (va >= SV39_USER_TOP || frame > PM_FRAME_MAX || (flags & ~PM_FLAGS_MASK))
        return -KINE_EINVAL;
    struct pm_leaf *leaf = leaf_made(pm, va);
    if (!leaf)
        return -KINE_ENOMEM;
    uint32_t *slot = &leaf->slot[idx(va, 0)], old = *slot;
    if (!old) {
        leaf->used++;
        pm->count++;
    } else if (old_frame) {
        *old_frame = (old & ~PM_FLAGS_MASK) - 1;
        *old_flags = old & PM_FLAGS_MASK;
    }
    *slot = (frame + 1) | flags;
    return old != 0;
}

/* The empty leaf of dst at va that pm_share made and filled nothing into
 * goes again, with its mid if that is left empty too. */
static void leaf_unmade(struct pagemap *pm, uint64_t va)
{
    unsigned i2 = idx(va, 2), i1 = idx(va, 1);
    node_put(pm, pm->mid[i2]->leaf[i1]);
    pm->mid[i2]->leaf[i1] = NULL;
    if (--pm->mid_used[i2] == 0) {
        node_put(pm, pm->mid[i2]);
        pm->mid[i2] = NULL;
    }
}

/* pm_share's step for the entry at f: into dst (gap slots on), its
 * reference taken; a paged-out entry gets the mark, in both.  0, or the
 * error (nothing done). */
static inline __attribute__((always_inline)) int
share_entry(uint32_t *f, ptrdiff_t gap, char *ref_of_v, uint32_t mark, bool made, uint32_t *empty,
            int (*slot_ref)(uint32_t s))
{
    uint32_t v = *f;
    if (!v) {
        if (made)
            f[gap] = 0;                  /* dst's new leaf is unzeroed */
        ++*empty;
        return 0;
    }
    if (__builtin_expect((int32_t)(v << SWAP_TO_SIGN32) < 0, 0)) {   /* PM_FLAG_SWAP */
        int err = slot_ref(pm_slot_frame(v));
        if (err)
            return err;
        *f = v |= mark;
    } else {
        uint16_t *count = (uint16_t *)(ref_of_v + pm_slot_count_offset(v));
        uint32_t c = *count;
        if (__builtin_expect(c == FRAME_REF_MAX, 0))
            return -KINE_ERANGE;
        *count = (uint16_t)(c + 1);
    }
    f[gap] = v;                          /* the parent's entry stays as it is */
    return 0;
}

int pm_share(struct pagemap *dst, struct pagemap *src, uint64_t start, uint64_t end,
             uint32_t mark, struct frame_table *ft, int (*slot_ref)(uint32_t s))
{
    const uint64_t leaf_span = (uint64_t)PM_FANOUT << KINE_PAGE_SHIFT;
    uint16_t *ref = ft->ref;
    for (uint64_t va = start; va < end && va < SV39_USER_TOP;) {
        uint64_t next = (va & ~(leaf_span - 1)) + leaf_span, stop = next < end ? next : end;
        struct pm_leaf *from = leaf_of(src, va), *to;
        if (!from) {
            va = next;
            continue;
        }
        bool made = !leaf_of(dst, va);
        if (!(to = leaf_made_as(dst, va, made)))
            return -KINE_ENOMEM;
        unsigned k0 = idx(va, 0), k1 = k0 + (unsigned)((stop - va) >> KINE_PAGE_SHIFT);
        if (made) {                      /* the run is written below; the rest here */
            memset(&to->slot[0], 0, k0 * sizeof(to->slot[0]));
            memset(&to->slot[k1], 0, (PM_FANOUT - k1) * sizeof(to->slot[0]));
            to->used = 0;
        }
        /* One flat pass, two entries a turn: each goes to dst and its
         * frame's count goes up in place, no call per page, and src is not
         * written.  Only a paged-out entry (a swap slot's reference, and
         * the mark) or a count at its ceiling leaves the straight line. */
        uint32_t *f = &from->slot[k0], *f_start = f, *f_end = &from->slot[k1];
        const ptrdiff_t gap = &to->slot[0] - &from->slot[0];
        char *ref_of_v = (char *)(ref - 1);
        __asm__("" : "+r"(ref_of_v));    /* kept whole: GCC would redo the -1 per page */
        uint32_t empty = 0;
        int err = 0;
        if ((f_end - f) & 1) {
            if ((err = share_entry(f, gap, ref_of_v, mark, made, &empty, slot_ref)) == 0)
                f++;
        }
        while (!err && f < f_end) {
            if ((err = share_entry(f, gap, ref_of_v, mark, made, &empty, slot_ref)))
                break;
            if ((err = share_entry(f + 1, gap, ref_of_v, mark, made, &empty, slot_ref))) {
                f++;
                break;
            }
            f += 2;
        }
        if (made && f < f_end)           /* stopped short: the rest of the run is empty */
            memset(f + gap, 0, (size_t)(f_end - f) * sizeof(*f));
        uint32_t shared = (uint32_t)(f - f_start) - empty;
        to->used += shared;
        dst->count += shared;
        if (made && !to->used)
            leaf_unmade(dst, va);
        if (err)
            return err;
        va = stop;
    }
    return 0;
}

void pm_foreach_leaf(const struct pagemap *pm, void (*fn)(const uint32_t *slot, unsigned n, void *ctx),
                     void *ctx)
{
    for (unsigned i = 0; i < PM_FANOUT; i++) {
        struct pm_mid *mid = pm->mid[i];
        for (unsigned j = 0; mid && j < PM_FANOUT; j++)
            if (mid->leaf[j])
                fn(mid->leaf[j]->slot, PM_FANOUT, ctx);
    }
}

int pm_get(const struct pagemap *pm, uint64_t va, uint32_t *frame, uint32_t *flags)
{
    if (va >= SV39_USER_TOP)
        return 0;
    struct pm_leaf *leaf = leaf_of(pm, va);
    uint32_t v = leaf ? leaf->slot[idx(va, 0)] : 0;
    if (!v)
        return 0;
    if (frame)
        *frame = (v & ~PM_FLAGS_MASK) - 1;
    if (flags)
        *flags = v & PM_FLAGS_MASK;
    return 1;
}

int pm_clear(struct pagemap *pm, uint64_t va, uint32_t *frame)
{
    if (va >= SV39_USER_TOP)
        return 0;
    unsigned i2 = idx(va, 2), i1 = idx(va, 1);
    struct pm_mid *mid = pm->mid[i2];
    struct pm_leaf *leaf = mid ? mid->leaf[i1] : NULL;
    uint32_t *slot = leaf ? &leaf->slot[idx(va, 0)] : NULL;
    if (!slot || !*slot)
        return 0;
    if (frame)
        *frame = (*slot & ~PM_FLAGS_MASK) - 1;
    *slot = 0;
    pm->count--;
    if (--leaf->used == 0) {
        node_put(pm, leaf);
        mid->leaf[i1] = NULL;
        if (--pm->mid_used[i2] == 0) {
            node_put(pm, mid);
            pm->mid[i2] = NULL;
        }
    }
    return 1;
}

int pm_foreach(const struct pagemap *pm, int (*fn)(uint64_t, uint32_t, uint32_t, void *), void *ctx)
{
    for (unsigned i = 0; i < PM_FANOUT; i++) {
        struct pm_mid *mid = pm->mid[i];
        for (unsigned j = 0; mid && j < PM_FANOUT; j++) {
            struct pm_leaf *leaf = mid->leaf[j];
            for (unsigned k = 0; leaf && k < PM_FANOUT; k++) {
                uint32_t v = leaf->slot[k];
                if (!v)
                    continue;
                uint64_t va = ((uint64_t)i << 30) | ((uint64_t)j << 21) | ((uint64_t)k << 12);
                int r = fn(va, (v & ~PM_FLAGS_MASK) - 1, v & PM_FLAGS_MASK, ctx);
                if (r)
                    return r;
            }
        }
    }
    return 0;
}

void pm_foreach_node(const struct pagemap *pm, void (*fn)(const void *node, void *ctx), void *ctx)
{
    for (unsigned i = 0; i < PM_FANOUT; i++) {
        struct pm_mid *mid = pm->mid[i];
        if (!mid)
            continue;
        for (unsigned j = 0; j < PM_FANOUT; j++)
            if (mid->leaf[j])
                fn(mid->leaf[j], ctx);
        fn(mid, ctx);
    }
}

static void put_node(const void *node, void *pm)
{
    node_put(pm, (void *)node);      /* a mid comes after its leaves */
}

void pm_destroy(struct pagemap *pm)
{
    pm_foreach_node(pm, put_node, pm);
    memset(pm->mid, 0, sizeof(pm->mid));
    memset(pm->mid_used, 0, sizeof(pm->mid_used));
    pm->count = 0;
}
