/* The pager's memory policy interface.  A policy decides what happens to
 * memory at fork, at a fault, and when a region grows; it acts only through
 * the operations the pager core gives it (struct pager_ops), so every policy
 * can be run on the host against fakes.  One policy = one policy_NAME.c file
 * defining `const struct policy policy_NAME`, plus its name in
 * pager/meson.build.  See docs/policies.md. */
#ifndef PAGER_POLICY_H
#define PAGER_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <kine/ipc.h>
#include <kine/layout.h>
#include <kine/pager.h>
#include "region.h"
#include "pagemap.h"

/* One process's memory as a policy sees it. */
struct mm {
    kine_as_t as;
    struct region_map regions;
    struct pagemap pm;
};

/* The pager core's services.  Frames are pool frame numbers. */
struct pager_ops {
    void *ctx;
    struct kine_memstats *stats;                        /* counters to bump */
    int64_t (*alloc)(void *ctx);                        /* refcount 1, or -ENOMEM */
    uint64_t (*nfree)(void *ctx);                       /* frames free now */
    int (*ref)(void *ctx, uint32_t f);                  /* 0 or -E */
    int (*unref)(void *ctx, uint32_t f);                /* 1 freed, 0 still used */
    uint32_t (*refcount)(void *ctx, uint32_t f);
    void (*zero)(void *ctx, uint32_t f);
    void (*copy)(void *ctx, uint32_t dst, uint32_t src);   /* 4 KiB */
    /* map is batched: queued until map_flush (or the batch fills) */
    int (*map)(void *ctx, kine_as_t as, uint64_t va, unsigned rights, uint32_t f);
    int (*map_flush)(void *ctx, kine_as_t as);
    /* drop queued maps for as: every error path calls it before undoing */
    void (*map_cancel)(void *ctx, kine_as_t as);
    int64_t (*protect)(void *ctx, kine_as_t as, uint64_t va, uint64_t npages, unsigned rights);
    int64_t (*unmap)(void *ctx, kine_as_t as, uint64_t va, uint64_t npages);
};

struct policy {
    const char *name;
    /* Give child (empty, its space made) the parent's memory.  0, or
     * -KINE_ENOMEM with nothing changed in the parent (the core then
     * destroys the child). */
    int (*fork)(const struct pager_ops *o, struct mm *parent, struct mm *child);
    /* A fault at va (page aligned) inside r, whose rights allow the access.
     * 0 = resolved, resume the thread; -KINE_ENOMEM = out of memory. */
    int (*fault)(const struct pager_ops *o, struct mm *mm, const struct region *r,
                 uint64_t va, uint64_t access);
    /* r grew from old_end to r->end (a new stack, or sbrk).  0 or
     * -KINE_ENOMEM with nothing allocated. */
    int (*grow)(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t old_end);
};

/* The policies built in (generated list, see pager/meson.build). */
extern const struct policy *const policies[];
const struct policy *policy_find(const char *name);

/* Building blocks shared by policies (policy_common.c). */
int mm_zero_fill(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t va);
int mm_cow_break(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t va);
int mm_fork_share(const struct pager_ops *o, struct mm *parent, struct mm *child);
int mm_fork_copy(const struct pager_ops *o, struct mm *parent, struct mm *child);
/* Allocate zeroed pages for [from, r->end), which must hold none yet. */
int mm_populate(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t from);
/* The usual fault: resident page -> mm_cow_break, absent -> mm_zero_fill. */
int mm_fault(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t va,
             uint64_t access);
/* grow hooks: mm_populate allocates the new part now; this only reserves it */
int mm_grow_reserve(const struct pager_ops *o, struct mm *mm, const struct region *r,
                    uint64_t old_end);
/* Drop every page of mm (refcounts down), and the page map's nodes. */
void mm_release(const struct pager_ops *o, struct mm *mm);

#endif
