/* A process's resident pages as the pager sees them: virtual page -> frame,
 * plus per-page flags.  A three-level radix tree over the Sv39 user half, so
 * a huge, sparse heap costs memory only where pages exist.  Each node is
 * one 4 KiB block from an allocator the owner supplies (the pager takes
 * pool frames, charged to the process; host tests use calloc).  Pure. */
#ifndef PAGER_PAGEMAP_H
#define PAGER_PAGEMAP_H

#include <stdint.h>
#include "frame.h"
#include <kine/layout.h>

#define PM_FANOUT 512
#define PM_VA_TOP (1ULL << 38)             /* Sv39's user half: what a page map covers */
#define PM_NODE_SIZE  4096
#define PM_FLAG_COW   (1u << 31)   /* paged-out entry: its page was shared when
                                      it went out or since (a resident page is
                                      copy-on-write when its frame's count says
                                      it is shared, docs/design.md) */
#define PM_FLAG_SWAP  (1u << 30)   /* paged out: the entry holds a swap slot,
                                      not a frame (pager/paging.c) */
#define PM_FLAGS_MASK (0xfu << 28)
#define PM_FRAME_MAX  ((1u << 28) - 2)

/* used first, within a load's reach of the leaf's start (the fault fast
 * path counts in it); each slot: frame + 1 | flags */
struct pm_leaf { uint32_t used; uint32_t slot[PM_FANOUT]; };
struct pm_mid  { struct pm_leaf *leaf[PM_FANOUT]; };

/* Where nodes come from: get returns a zeroed PM_NODE_SIZE block or NULL;
 * get_unzeroed (may be NULL: get is used) one whose bytes are anything,
 * for a leaf that pm_share writes whole. */
struct pm_alloc {
    void *(*get)(void *ctx);
    void (*put)(void *ctx, void *node);
    void *ctx;
    void *(*get_unzeroed)(void *ctx);
};

struct pagemap {
    const struct pm_alloc *alloc;      /* NULL: calloc and free */
    uint64_t count;                    /* resident pages */
    uint64_t nodes;                    /* blocks the tree holds */
    /* The leaf pm_leaf_cached found last, for the next fault in the same
     * 2 MiB: leaf_key is 1 + its va >> PM_LEAF_SHIFT (0, as in a zeroed
     * map: none).  A leaf that goes is forgotten with it (node_put). */
    uint64_t leaf_key;
    struct pm_leaf *leaf;
    uint16_t mid_used[PM_FANOUT];      /* leaves under each mid */
    struct pm_mid *mid[PM_FANOUT];
};

/* 0, or -KINE_ENOMEM (nothing changed), -KINE_EINVAL (bad va or frame).
 * Replaces an existing entry. */
int pm_set(struct pagemap *pm, uint64_t va, uint32_t frame, uint32_t flags);
/* pm_set that also says what it replaced, in one walk: 1 and *old_frame,
 * *old_flags if va was resident, 0 if not, or a negative error (nothing
 * changed). */
int pm_exchange(struct pagemap *pm, uint64_t va, uint32_t frame, uint32_t flags,
                uint32_t *old_frame, uint32_t *old_flags);
/* 1 and the entry if va is resident, 0 otherwise. */
int pm_get(const struct pagemap *pm, uint64_t va, uint32_t *frame, uint32_t *flags);
/* The leaf that covers va, below PM_VA_TOP (the caller knows: say, va lies
 * in a region), or NULL if there is none: one walk, inline, for a caller
 * that reads and changes entries in place (the fault fast path).  Valid
 * until the next pm_clear or pm_destroy (which may free it). */
static inline struct pm_leaf *pm_leaf_in(const struct pagemap *pm, uint64_t va)
{
    const unsigned bits = 9;                  /* log2(PM_FANOUT) */
    struct pm_mid *mid = pm->mid[va >> (KINE_PAGE_SHIFT + 2 * bits)];
    return mid ? mid->leaf[(va >> (KINE_PAGE_SHIFT + bits)) & (PM_FANOUT - 1)] : NULL;
}
/* pm_leaf_in through the map's one-leaf cache: a process faults page
 * after page in the same 2 MiB, so the walk is mostly skipped. */
#define PM_LEAF_SHIFT (KINE_PAGE_SHIFT + 9)   /* a leaf covers 2^PM_LEAF_SHIFT bytes */
static inline struct pm_leaf *pm_leaf_cached(struct pagemap *pm, uint64_t va)
{
    uint64_t key = (va >> PM_LEAF_SHIFT) + 1;
    if (key == pm->leaf_key)
        return pm->leaf;
    struct pm_leaf *leaf = pm_leaf_in(pm, va);
    if (leaf) {
        pm->leaf_key = key;
        pm->leaf = leaf;
    }
    return leaf;
}
/* va's slot in its leaf. */
static inline unsigned pm_leaf_index(uint64_t va)
{
    return (unsigned)(va >> KINE_PAGE_SHIFT) & (PM_FANOUT - 1);
}
/* Where va's entry is stored (as in a slot: frame + 1 | flags, 0 if not
 * resident), or NULL if no leaf covers va; valid as pm_leaf_in's leaf. */
static inline uint32_t *pm_slot(const struct pagemap *pm, uint64_t va)
{
    struct pm_leaf *leaf = va < PM_VA_TOP ? pm_leaf_in(pm, va) : NULL;
    return leaf ? &leaf->slot[pm_leaf_index(va)] : NULL;
}
/* Frame f (flags none) into slot i of leaf, which holds nothing there:
 * what pm_set does for a page that was not resident, without the walk. */
static inline void pm_leaf_enter(struct pagemap *pm, struct pm_leaf *leaf, unsigned i, uint32_t f)
{
    leaf->slot[i] = f + 1;
    leaf->used++;
    pm->count++;
}
/* Remove; 1 and the old frame if it was resident. */
int pm_clear(struct pagemap *pm, uint64_t va, uint32_t *frame);
/* Visit every resident page in address order; stop early if fn returns != 0. */
int pm_foreach(const struct pagemap *pm, int (*fn)(uint64_t va, uint32_t frame, uint32_t flags, void *ctx),
               void *ctx);
/* Give dst (which holds nothing in the range) every entry src holds in
 * [start, end), a leaf at a time, taking each entry's reference as it
 * goes: a frame's count in ft goes up in the same flat pass (no call per
 * page, src's entry untouched), a paged-out entry's swap slot through
 * slot_ref, and that entry gets `mark` in both (no count shows that a slot
 * is shared once its page comes back).  0, -KINE_ERANGE (a count at FRAME_REF_MAX), slot_ref's
 * refusal, or -KINE_ENOMEM (a node); what was shared before a failure
 * stays shared, its references taken. */
int pm_share(struct pagemap *dst, struct pagemap *src, uint64_t start, uint64_t end,
             uint32_t mark, struct frame_table *ft, int (*slot_ref)(uint32_t s));
/* Call fn for each leaf's PM_FANOUT slots (entries as stored: frame + 1 |
 * flags, 0 where nothing is), so a caller can go over them in a flat loop. */
void pm_foreach_leaf(const struct pagemap *pm, void (*fn)(const uint32_t *slot, unsigned n, void *ctx),
                     void *ctx);
/* An entry as stored in a slot, held sign-extended in a 64-bit register
 * (as a load of it leaves it): is it paged out (PM_FLAG_SWAP, bit 30,
 * shifted to the sign), and (frame + 1) * 2, the byte offset of its
 * frame's 16-bit count from the count before frame 0 (the flags shifted
 * out of the top).  Shifts, not masks: two instructions each, for the
 * flat loops of fork and exit. */
#define PM_SWAP_TO_SIGN 33
#define PM_FLAGS_OUT    36
_Static_assert(PM_FLAG_SWAP == 1u << (63 - PM_SWAP_TO_SIGN), "PM_SWAP_TO_SIGN");
_Static_assert(PM_FLAGS_MASK == 0xfu << (64 - PM_FLAGS_OUT), "PM_FLAGS_OUT");
static inline int pm_slot_is_swap(int64_t v) { return (int64_t)((uint64_t)v << PM_SWAP_TO_SIGN) < 0; }
static inline uint64_t pm_slot_count_offset(int64_t v)
{
    return ((uint64_t)v << PM_FLAGS_OUT) >> (PM_FLAGS_OUT - 1);
}
/* ... and its frame, the flags shifted out (of a resident entry). */
static inline uint64_t pm_slot_frame_of(int64_t v)
{
    return (((uint64_t)v << PM_FLAGS_OUT) >> PM_FLAGS_OUT) - 1;
}
/* An entry as stored in a slot: its frame (or swap slot) and its flags. */
static inline uint32_t pm_slot_frame(uint32_t v) { return (v & ~PM_FLAGS_MASK) - 1; }
static inline uint32_t pm_slot_flags(uint32_t v) { return v & PM_FLAGS_MASK; }
/* Visit every node block of the tree. */
void pm_foreach_node(const struct pagemap *pm, void (*fn)(const void *node, void *ctx), void *ctx);
/* Free the tree (not the frames). */
void pm_destroy(struct pagemap *pm);

#endif
