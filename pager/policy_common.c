/* Building blocks the policies are made of: zero-fill, breaking a COW
 * share, fork by sharing or by copying, populating a region, releasing.
 * Each either completes or undoes what it did. */
#include <stdlib.h>
#include "policy.h"
#include <kine/error.h>
#include <kine/layout.h>

#define PAGE KINE_PAGE_SIZE

int mm_zero_fill(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t va)
{
    int64_t f = o->alloc(o->ctx);
    if (f < 0)
        return (int)f;
    o->zero(o->ctx, (uint32_t)f);
    int err = pm_set(&mm->pm, va, (uint32_t)f, 0);
    if (!err)
        err = o->map(o->ctx, mm->as, va, r->rights, (uint32_t)f);
    if (!err)
        err = o->map_flush(o->ctx, mm->as);
    if (err) {
        o->map_cancel(o->ctx, mm->as);
        pm_clear(&mm->pm, va, NULL);
        o->unref(o->ctx, (uint32_t)f);
        return err;
    }
    o->stats->faults_zero_fill++;
    return 0;
}

/* A write to a resident page.  COW and shared: copy it.  COW and ours alone:
 * just make it writable.  Not COW at all (a stale TLB entry, or a map that
 * failed half-way): remap with the region's rights. */
int mm_cow_break(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t va)
{
    uint32_t f, flags;
    if (!pm_get(&mm->pm, va, &f, &flags))
        return -KINE_EINVAL;
    if (!(flags & PM_FLAG_COW) || o->refcount(o->ctx, f) == 1) {
        pm_set(&mm->pm, va, f, 0);                 /* existing slot: cannot fail */
        int err = o->map(o->ctx, mm->as, va, r->rights, f);
        if (!err)
            err = o->map_flush(o->ctx, mm->as);
        if (err) {
            o->map_cancel(o->ctx, mm->as);
            pm_set(&mm->pm, va, f, flags);
            return err;
        }
        if (flags & PM_FLAG_COW)
            o->stats->faults_cow_reuse++;
        return 0;
    }
    int64_t n = o->alloc(o->ctx);
    if (n < 0)
        return (int)n;
    o->copy(o->ctx, (uint32_t)n, f);
    pm_set(&mm->pm, va, (uint32_t)n, 0);
    int err = o->map(o->ctx, mm->as, va, r->rights, (uint32_t)n);
    if (!err)
        err = o->map_flush(o->ctx, mm->as);
    if (err) {
        o->map_cancel(o->ctx, mm->as);
        pm_set(&mm->pm, va, f, flags);
        o->unref(o->ctx, (uint32_t)n);
        return err;
    }
    o->unref(o->ctx, f);
    o->stats->faults_cow_copy++;
    o->stats->pages_copied++;
    return 0;
}

static int release_one(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    const struct pager_ops *o = ctx;
    (void)va; (void)flags;
    o->unref(o->ctx, f);
    return 0;
}

void mm_release(const struct pager_ops *o, struct mm *mm)
{
    pm_foreach(&mm->pm, release_one, (void *)o);
    pm_destroy(&mm->pm);
}

struct fork_walk {
    const struct pager_ops *o;
    struct mm *parent, *child;
    int copy;              /* eager: copy instead of share */
    uint64_t pages;
};

static int fork_one(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    struct fork_walk *w = ctx;
    const struct pager_ops *o = w->o;
    const struct region *r = region_find(&w->parent->regions, va);
    unsigned rights = r ? r->rights : KINE_RIGHT_R;
    int err;
    (void)flags;
    if (w->copy) {
        int64_t n = o->alloc(o->ctx);
        if (n < 0)
            return (int)n;
        o->copy(o->ctx, (uint32_t)n, f);
        err = pm_set(&w->child->pm, va, (uint32_t)n, 0);
        if (err) {
            o->unref(o->ctx, (uint32_t)n);
            return err;
        }
        err = o->map(o->ctx, w->child->as, va, rights, (uint32_t)n);
    } else {
        int writable = (rights & KINE_RIGHT_W) != 0;
        err = o->ref(o->ctx, f);
        if (err)
            return err;
        err = pm_set(&w->child->pm, va, f, writable ? PM_FLAG_COW : 0);
        if (err) {
            o->unref(o->ctx, f);
            return err;
        }
        err = o->map(o->ctx, w->child->as, va, rights & ~KINE_RIGHT_W, f);
    }
    w->pages++;
    return err;
}

static int mark_cow(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    struct fork_walk *w = ctx;
    const struct region *r = region_find(&w->parent->regions, va);
    (void)flags;
    if (r && (r->rights & KINE_RIGHT_W))
        pm_set(&w->parent->pm, va, f, PM_FLAG_COW);   /* existing slot: cannot fail */
    return 0;
}

static int fork_common(const struct pager_ops *o, struct mm *parent, struct mm *child, int copy)
{
    struct fork_walk w = { o, parent, child, copy, 0 };
    child->regions = parent->regions;
    int err = pm_foreach(&parent->pm, fork_one, &w);
    if (!err)
        err = o->map_flush(o->ctx, child->as);
    if (err) {
        o->map_cancel(o->ctx, child->as);
        mm_release(o, child);          /* every reference taken comes back */
        return err;
    }
    if (!copy) {
        /* commit: the parent's writable pages become read-only COW too */
        for (unsigned i = 0; i < parent->regions.n; i++) {
            const struct region *r = &parent->regions.r[i];
            if ((r->rights & KINE_RIGHT_W) && r->end > r->start)
                o->protect(o->ctx, parent->as, r->start, (r->end - r->start) / PAGE,
                           r->rights & ~KINE_RIGHT_W);
        }
        pm_foreach(&parent->pm, mark_cow, &w);
        o->stats->pages_shared_at_fork += w.pages;
    } else {
        o->stats->pages_copied_at_fork += w.pages;
        o->stats->pages_copied += w.pages;
    }
    o->stats->forks++;
    return 0;
}

int mm_fork_share(const struct pager_ops *o, struct mm *parent, struct mm *child)
{
    return fork_common(o, parent, child, 0);
}

int mm_fork_copy(const struct pager_ops *o, struct mm *parent, struct mm *child)
{
    return fork_common(o, parent, child, 1);
}

int mm_populate(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t from)
{
    uint64_t va;
    int err = 0;
    for (va = from; va < r->end; va += PAGE)
        if (pm_get(&mm->pm, va, NULL, NULL))
            return -KINE_EINVAL;         /* the range must be new */
    if ((r->end - from) / PAGE > o->nfree(o->ctx))
        return -KINE_ENOMEM;             /* refuse what cannot succeed, up front */
    for (va = from; va < r->end && !err; va += PAGE) {
        int64_t f = o->alloc(o->ctx);
        if (f < 0) {
            err = (int)f;
            break;
        }
        o->zero(o->ctx, (uint32_t)f);
        err = pm_set(&mm->pm, va, (uint32_t)f, 0);
        if (err) {
            o->unref(o->ctx, (uint32_t)f);
            break;
        }
        err = o->map(o->ctx, mm->as, va, r->rights, (uint32_t)f);
    }
    if (!err)
        err = o->map_flush(o->ctx, mm->as);
    if (err) {
        o->map_cancel(o->ctx, mm->as);
        /* undo: every page of [from, va) is one this call added */
        uint64_t end = va < r->end ? va : r->end;
        if (end > from)
            o->unmap(o->ctx, mm->as, from, (end - from) / PAGE);
        for (uint64_t p = from; p < end; p += PAGE) {
            uint32_t f;
            if (pm_clear(&mm->pm, p, &f))
                o->unref(o->ctx, f);
        }
    }
    return err;
}

int mm_fault(const struct pager_ops *o, struct mm *mm, const struct region *r, uint64_t va,
             uint64_t access)
{
    (void)access;
    if (pm_get(&mm->pm, va, NULL, NULL))
        return mm_cow_break(o, mm, r, va);
    return mm_zero_fill(o, mm, r, va);
}

int mm_grow_reserve(const struct pager_ops *o, struct mm *mm, const struct region *r,
                    uint64_t old_end)
{
    (void)o; (void)mm; (void)r; (void)old_end;
    return 0;
}
