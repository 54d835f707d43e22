/* Sv39 page tables: the kernel's window in every address space, and the
 * map / unmap / protect primitives behind the pager's system calls. */
#ifndef KINE_VM_H
#define KINE_VM_H

#include <stdint.h>
#include <stdbool.h>
#include <kine/layout.h>
#include <kine/ipc.h>
#include "kernel.h"
#include "riscv.h"

struct space;

#define KDEV_VA_BASE 0xffffffc000000000UL   /* devices: PA [0, 1 GiB) */
#define KDEV_PA_LIMIT (1UL << 30)            /* ... the end of that window */

static inline uint64_t kdev_va(uint64_t pa) { return KDEV_VA_BASE + pa; }

void vm_init(uint64_t ram_base, uint64_t ram_size);
uint64_t *vm_kernel_root(void);
uint64_t *vm_new_root(bool injectable);      /* kernel window filled in */
void vm_free_root(uint64_t *root);           /* frees every table, not frames */

/* Is [va, va + npages pages) a page-aligned range of user space? */
static inline bool vm_user_range_ok(uint64_t va, uint64_t npages)
{
    return kine_user_range_ok(va, npages);
}

/* Map one 4 KiB page of s.  Fails with -KINE_ENOMEM (table memory, or s's
 * table quota) or -KINE_EBUSY (the slot holds a kernel-owned page, or lies
 * under a larger page). */
int vm_map(struct space *s, uint64_t va, uint64_t pa, uint64_t pte_flags);
/* The 4 KiB-level table of s covering va, made if missing (NULL and *err
 * set on failure: -KINE_ENOMEM, or -KINE_EBUSY under a larger page).  The
 * tables it makes count against s's quota. */
uint64_t *vm_leaf_table(struct space *s, uint64_t va, int *err);
/* Leaf PTE of va at 4 KiB level, or NULL. */
uint64_t *vm_lookup(uint64_t *root, uint64_t va);
/* One struct kine_map_entry per present, not kernel-owned PTE in the
 * range into out (va | rights | KINE_PTE_ACCESSED/DIRTY, pool frame or
 * KINE_FRAME_NONE), in address order, at most KINE_MAP_BATCH; how many. */
uint64_t vm_query_range(uint64_t *root, uint64_t va, uint64_t npages, struct kine_map_entry *out);
/* Unmap / change rights of every mapped, not kernel-owned 4 KiB page in the
 * range; return how many pages changed.  Unmapping gives back the tables
 * it leaves empty. */
uint64_t vm_unmap_range(struct space *s, uint64_t va, uint64_t npages);
uint64_t vm_protect_range(uint64_t *root, uint64_t va, uint64_t npages, uint64_t pte_rights);
/* Copy every present, not kernel-owned leaf of src in [va, va + npages
 * pages) into dst, the same frame and rights; with cow, W is dropped in
 * both (D stays: the frame's contents are still newer than any copy).  dst's tables are made first (against its quota), so it copies
 * all or nothing: the count, or -KINE_ENOMEM / -KINE_EBUSY (a kernel-owned
 * page of dst in the way). */
int64_t vm_copy_range(struct space *src, struct space *dst, uint64_t va, uint64_t npages, bool cow);
/* Read A and D of every present page in the range into the bitmaps a and d
 * (bit i: page va + i), then clear A (KINE_ACCESS_CLEAR) or the PTE
 * (KINE_ACCESS_UNMAP, which gives back the tables it leaves empty); the
 * caller flushes the pages.  Returns the present pages. */
uint64_t vm_access_range(struct space *s, uint64_t va, uint64_t npages, uint64_t flags,
                         uint64_t *a, uint64_t *d);
/* Is page va (page-aligned) in a user window?  vm_user_range_ok(va, 1)
 * in two compares, for the fault path. */
static inline bool vm_user_page_ok(uint64_t va)
{
    return va - KINE_USER_BASE < KINE_USER_LIMIT - KINE_USER_BASE ||
           va - KINE_HIGH_BASE < KINE_HIGH_LIMIT - KINE_HIGH_BASE;
}

/* The 4 KiB-level PTE of user page va (page-aligned) in root, if its leaf
 * table exists (nothing is made), else NULL.  Inline: the fault path asks
 * on every page fault. */
static inline uint64_t *vm_user_pte(uint64_t *root, uint64_t va)
{
    if (!vm_user_page_ok(va))
        return (uint64_t *)0;
    uint64_t e = root[VPN(va, 2)];
    if ((e & (PTE_V | PTE_LEAF_MASK)) != PTE_V)
        return (uint64_t *)0;
    e = ((const uint64_t *)PTE_TO_PA(e))[VPN(va, 1)];
    if ((e & (PTE_V | PTE_LEAF_MASK)) != PTE_V)
        return (uint64_t *)0;
    return &((uint64_t *)PTE_TO_PA(e))[VPN(va, 0)];
}

/* A present PTE of a space other harts may run can change under us: their
 * page-table walkers set A and D.  So a PTE that keeps A/D is changed in
 * one atomic step: pte_and gives back the old value; pte_replace puts new
 * in place only if it still holds *old (else *old is what it holds). */
static inline uint64_t pte_and(uint64_t *pte, uint64_t keep)
{
    return __atomic_fetch_and(pte, keep, __ATOMIC_RELAXED);
}

static inline bool pte_replace(uint64_t *pte, uint64_t *old, uint64_t new)
{
    return __atomic_compare_exchange_n(pte, old, new, false, __ATOMIC_RELAXED,
                                       __ATOMIC_RELAXED);
}

/* A page fault with this cause at page va, whose PTE is *pte, that the
 * PTE allows: either it only wants A (or D) set (hardware without Svadu),
 * or this hart's TLB still held the translation from before another hart
 * widened it (widening shoots nothing down, tlb.c).  Set what is missing,
 * flush the page from this hart's TLB, and say true: the access re-runs. */
static inline bool vm_fix_ad(uint64_t *pte, uint64_t va, uint64_t asid, uint64_t cause)
{
    uint64_t need = cause == EXC_STORE_PAGE_FAULT ? PTE_W :
                    cause == EXC_INSN_PAGE_FAULT ? PTE_X : PTE_R;
    uint64_t set = PTE_A | (cause == EXC_STORE_PAGE_FAULT ? PTE_D : 0);
    if ((*pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
        return false;                /* a real fault: the pager's */
    __atomic_fetch_or(pte, set, __ATOMIC_RELAXED);
    sfence_vma_page(va, asid);
    return true;
}

/* Did a PTE that was old and is new now lose a translation another hart's
 * TLB may hold: another frame, or rights taken away?  (A new translation
 * where there was none, or wider rights, need no remote fence: a hart that
 * still holds the old one faults and vm_fix_ad flushes it.) */
static inline bool vm_pte_narrowed(uint64_t old, uint64_t new)
{
    uint64_t rights = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;
    return (old & PTE_V) && (PTE_TO_PA(old) != PTE_TO_PA(new) || (old & ~new & rights));
}

/* Rights for MAP and PROTECT: readable, no unknown bits (W or X without R
 * would make odd PTEs). */
static inline bool vm_rights_ok(uint64_t r)
{
    return (r & ~KINE_RIGHTS_ALL) == 0 && (r & KINE_RIGHT_R);
}

/* What a MAP entry's low bits may hold: rights and KINE_MAP_NOAD. */
static inline bool vm_map_flags_ok(uint64_t r)
{
    return vm_rights_ok(r & ~KINE_MAP_NOAD);
}

/* KINE_RIGHT_R, W, X are PTE_R, W, X shifted down by one. */
_Static_assert(KINE_RIGHT_R << 1 == PTE_R && KINE_RIGHT_W << 1 == PTE_W &&
               KINE_RIGHT_X << 1 == PTE_X, "vm_rights_to_pte is a shift");

static inline uint64_t vm_rights_to_pte(uint64_t r)
{
    return (r & KINE_RIGHTS_ALL) << 1;
}

/* The PTE bits below the ppn of a pool frame mapped with MAP flags r: A
 * and D set unless KINE_MAP_NOAD (D only if writable); 0 for flags a MAP
 * refuses.  (hot.h keeps the answer for every r, for fastpath.S.) */
static inline uint64_t vm_map_pte_bits(uint64_t r)
{
    if (!vm_map_flags_ok(r))
        return 0;
    uint64_t flags = vm_rights_to_pte(r) | PTE_U | PTE_V;
    if (!(r & KINE_MAP_NOAD))
        flags |= PTE_A | ((r & KINE_RIGHT_W) ? PTE_D : 0);
    return flags;
}

/* The PTE that maps pool frame `frame` with MAP flags r (checked) in place
 * of old: vm_map_pte_bits's, with A and D kept from old when old maps the
 * same frame, so a remap never loses the news that the page was used or
 * written. */
static inline uint64_t vm_pool_pte(uint64_t old, uint64_t frame, uint64_t r)
{
    uint64_t ppn = (boot.pool_pa >> PAGE_SHIFT) + frame;
    uint64_t flags = vm_map_pte_bits(r);
    if ((old & PTE_V) && (old >> PTE_PPN_SHIFT) == ppn)
        flags |= old & (PTE_A | PTE_D);
    return (ppn << PTE_PPN_SHIFT) | flags;
}

/* Map a 2 MiB page of s (the pager's pool window). */
int vm_map_mega(struct space *s, uint64_t va, uint64_t pa, uint64_t pte_flags);

#endif
