/* The rule "a page-map entry = one frame reference = one mapping", kept in
 * one place: mm_install and mm_uninstall, and the queue of mappings that
 * mm_install fills and only the core sends (mm_commit, or mm_stage and
 * mm_sent for a fault's answer) or rolls back (mm_abort).  Every building
 * block a policy uses is made of these, so none of them has rollback code
 * of its own.  They also count what they do, in the process's counters
 * (mm->stats), once: the core's figures are those of every process added
 * up (mm_counters_add, mm_counters_report).  Pure: the kernel is reached only
 * through pager_ops, so the host tests run all of it against fakes.  (The
 * fault fast path, fastfault.h, does for one entry what these would, in
 * place: a cache over them.) */
#include <string.h>
#include "policy.h"
#include <kine/error.h>

/* Count n of one thing for a process (the core's figure is the sum). */
#define COUNT(mm, field, n) ((mm)->stats.field += (n))

/* What a queued mapping replaced in the page map. */
enum replaced {
    NOTHING,        /* va was not resident */
    OTHER_FRAME,    /* its reference is dropped once the mapping is sent */
    SAME_FRAME,     /* new rights for the frame the entry held: one reference */
};

/* One queued mapping and what it replaced. */
struct queued {
    struct mm *mm;
    uint64_t va;
    unsigned rights;
    uint32_t frame, flags;
    enum replaced had;
    uint32_t old_frame, old_flags;
};

static struct queued queue[KINE_MAP_BATCH];
uint64_t mm_nqueued;

/* Drop the reference an entry (v, flags) held: a frame's, or a paged-out
 * page's swap slot's. */
static void drop_entry(const struct pager_ops *o, uint32_t v, uint32_t flags)
{
    if (flags & PM_FLAG_SWAP)
        o->slot_unref(v);
    else
        o->unref(v);
}

/* The kernel took entries [0, n): the entries they replaced lose their
 * reference now, and the queue moves on. */
static void settle(const struct pager_ops *o, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (queue[i].had == OTHER_FRAME)
            drop_entry(o, queue[i].old_frame, queue[i].old_flags);
    memmove(queue, queue + n, (mm_nqueued - n) * sizeof(queue[0]));
    mm_nqueued -= n;
}

/* Entries [from, mm_nqueued) were never sent: put back what they
 * replaced and drop the references they held, newest first (a page queued
 * twice ends as it began). */
static void roll_back(const struct pager_ops *o, uint64_t from)
{
    while (mm_nqueued > from) {
        struct queued *q = &queue[--mm_nqueued];
        if (q->had != NOTHING)
            pm_set(&q->mm->pm, q->va, q->old_frame, q->old_flags);   /* slot exists */
        else
            pm_clear(&q->mm->pm, q->va, NULL);
        if (q->had != SAME_FRAME)
            o->unref(q->frame);
    }
}

static void to_entry(const struct queued *q, struct kine_map_entry *e)
{
    e->va_rights = q->va | q->rights;
    e->frame = q->frame;
}

int mm_commit(const struct pager_ops *o)
{
    struct kine_map_entry batch[KINE_MAP_BATCH];
    while (mm_nqueued) {
        /* one run of entries for the same space */
        uint64_t n = 0;
        while (n < mm_nqueued && queue[n].mm->as == queue[0].mm->as) {
            to_entry(&queue[n], &batch[n]);
            n++;
        }
        int err = o->map(queue[0].mm->as, batch, n);
        if (err) {
            roll_back(o, 0);
            return err;
        }
        settle(o, n);
    }
    return 0;
}

void mm_abort(const struct pager_ops *o) { roll_back(o, 0); }

int64_t mm_stage(struct kine_map_entry *buf, kine_as_t *as)
{
    for (uint64_t i = 0; i < mm_nqueued; i++) {
        if (queue[i].mm->as != queue[0].mm->as)
            return -1;
        to_entry(&queue[i], &buf[i]);
    }
    if (mm_nqueued)
        *as = queue[0].mm->as;
    return (int64_t)mm_nqueued;
}

void mm_sent(const struct pager_ops *o, int ok)
{
    if (ok)
        settle(o, mm_nqueued);
    else
        roll_back(o, 0);
}

/* Queue va -> f; same: f is the frame the entry holds already (its one
 * reference stays, nothing is taken over). */
static int install(struct policy_env *e, struct mm *mm, uint64_t va, uint32_t f,
                   unsigned rights, uint32_t flags, int same)
{
    const struct pager_ops *o = e->o;
    if (mm_nqueued == KINE_MAP_BATCH) {
        int err = mm_commit(o);          /* a full queue goes out first */
        if (err) {
            if (!same)
                o->unref(f);
            return err;
        }
    }
    struct queued *q = &queue[mm_nqueued];
    int had = pm_exchange(&mm->pm, va, f, flags, &q->old_frame, &q->old_flags);
    if (had < 0) {
        o->unref(f);                     /* same is never new: pm_exchange cannot fail */
        return had;
    }
    q->had = !had ? NOTHING : same ? SAME_FRAME : OTHER_FRAME;
    if (o->placed && !same)
        o->placed(f, va, mm);
    q->mm = mm;
    q->va = va;
    q->rights = rights;
    q->frame = f;
    q->flags = flags;
    mm_nqueued++;
    return 0;
}

int mm_install(struct policy_env *e, struct mm *mm, uint64_t va, uint32_t f,
               unsigned rights, uint32_t flags)
{
    return install(e, mm, va, f, rights, flags, 0);
}

void mm_uninstall(struct policy_env *e, struct mm *mm, uint64_t start, uint64_t end)
{
    if (end <= start)
        return;
    e->o->unmap(mm->as, start, (end - start) / KINE_PAGE_SIZE);
    for (uint64_t va = start; va < end; va += KINE_PAGE_SIZE) {
        uint32_t f, flags;
        if (pm_get(&mm->pm, va, &f, &flags)) {
            pm_clear(&mm->pm, va, NULL);
            drop_entry(e->o, f, flags);
        }
    }
}

int mm_fill(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va)
{
    int64_t f = e->o->alloc();
    if (f < 0)
        return (int)f;
    uint8_t *page = e->o->frame((uint32_t)f);
    uint64_t lo = va > r->file_va ? va : r->file_va;
    uint64_t fend = r->file_va + r->file_len;
    uint64_t hi = va + KINE_PAGE_SIZE < fend ? va + KINE_PAGE_SIZE : fend;
    memset(page, 0, KINE_PAGE_SIZE);
    if (hi > lo) {
        memcpy(page + (lo - va), r->file + (lo - r->file_va), hi - lo);
        COUNT(mm, pages_loaded, 1);
    } else {
        COUNT(mm, pages_zero_filled, 1);
    }
    return mm_install(e, mm, va, (uint32_t)f, r->rights, 0);
}

/* The building blocks below, for a page whose entry (f, flags) is known. */
static int copy_frame(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va,
                      uint32_t old)
{
    int64_t f = e->o->alloc();
    if (f < 0)
        return (int)f;
    memcpy(e->o->frame((uint32_t)f), e->o->frame(old), KINE_PAGE_SIZE);
    COUNT(mm, faults_cow_copy, 1);
    return mm_install(e, mm, va, (uint32_t)f, r->rights, 0);
}

/* reuse: a write to a page that was shared copy-on-write and is held
 * once now, counted as such. */
static int remap_frame(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va,
                       uint32_t f, bool reuse)
{
    if (reuse)
        COUNT(mm, faults_cow_reuse, 1);
    return install(e, mm, va, f, r->rights, 0, 1);
}

int mm_copy_on_write(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va)
{
    uint32_t f;
    return pm_get(&mm->pm, va, &f, NULL) ? copy_frame(e, mm, r, va, f) : -KINE_EINVAL;
}

int mm_remap(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va)
{
    uint32_t f, flags;
    return pm_get(&mm->pm, va, &f, &flags) ? remap_frame(e, mm, r, va, f, (flags & PM_FLAG_COW) != 0)
                                           : -KINE_EINVAL;
}

int mm_fault(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va,
             uint64_t access)
{
    uint32_t f, flags;
    if (!pm_get(&mm->pm, va, &f, &flags))
        return mm_fill(e, mm, r, va);
    if (flags & PM_FLAG_SWAP)
        return -KINE_EINVAL;             /* the core pages it in before any policy sees it */
    /* copy-on-write is the count: a page of a writable region whose frame
     * someone else holds too is copied; held once, it is made writable
     * again, which for a write is a COW page reused */
    if ((r->rights & KINE_RIGHT_W) && e->o->refcount(f) > 1)
        return copy_frame(e, mm, r, va, f);
    return remap_frame(e, mm, r, va, f, access == KINE_FAULT_WRITE || (flags & PM_FLAG_COW));
}

int mm_populate(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end)
{
    uint64_t absent = 0;
    for (uint64_t va = old_end; va < r->end; va += KINE_PAGE_SIZE)
        absent += !pm_get(&mm->pm, va, NULL, NULL);
    if (absent > e->o->nfree())
        return -KINE_ENOMEM;             /* refuse what cannot succeed, up front */
    for (uint64_t va = old_end; va < r->end; va += KINE_PAGE_SIZE) {
        if (pm_get(&mm->pm, va, NULL, NULL))
            continue;
        int err = mm_fill(e, mm, r, va);
        if (err)
            return err;
    }
    return 0;
}

int mm_reserve(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end)
{
    (void)e; (void)mm; (void)r; (void)old_end;
    return 0;
}

void mm_shrink(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end)
{
    mm_uninstall(e, mm, r->end, old_end);
}

/* Exit's flat loop over one leaf: each entry's reference dropped in place
 * (a frame's count, or a paged-out entry's slot), no call per page but for
 * a frame that becomes free, which paging must forget.  The shifts are
 * pm_share's (pagemap.h): the frame's count found from the entry as
 * stored, the count of entry v at (v's frame + 1) * 2 bytes past the
 * count before frame 0. */
static void drop_leaf(const uint32_t *slot, unsigned n, void *ctx)
{
    const struct pager_ops *o = ctx;
    struct frame_table *ft = o->frames;
    char *count_of_v = (char *)(ft->ref - 1);
    const uint64_t last_byte = (uint64_t)ft->nframes * sizeof(ft->ref[0]);
    __asm__("" : "+r"(count_of_v));      /* kept whole: GCC would redo the -1 per page */
    for (const uint32_t *p = slot, *end = slot + n; p < end; p++) {
        int64_t v = (int32_t)*p;
        if (!v)
            continue;
        if (__builtin_expect(pm_slot_is_swap(v), 0)) {
            o->slot_unref(pm_slot_frame((uint32_t)v));
            continue;
        }
        uint64_t at = pm_slot_count_offset(v);
        if (__builtin_expect(at > last_byte, 0))
            continue;                    /* no such frame: nothing to drop */
        uint16_t *count = (uint16_t *)(count_of_v + at);
        if (__builtin_expect(*count > 1, 1)) {
            --*count;                    /* still shared */
            continue;
        }
        uint32_t f = pm_slot_frame((uint32_t)v);
        if (frame_unref(ft, f) == 1 && o->freed)
            o->freed(f);
    }
}

void mm_release(struct policy_env *e, struct mm *mm)
{
    pm_foreach_leaf(&mm->pm, drop_leaf, (void *)e->o);
    pm_destroy(&mm->pm);
}

struct shared_tally { const struct pager_ops *o; uint64_t pages; };

static int count_shared(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    struct shared_tally *t = ctx;
    (void)va;
    t->pages += !(flags & PM_FLAG_SWAP) && t->o->refcount(f) > 1;
    return 0;
}

uint64_t mm_shared_pages(const struct pager_ops *o, const struct mm *mm)
{
    struct shared_tally t = { o, 0 };
    pm_foreach(&mm->pm, count_shared, &t);
    return t.pages;
}

static int count_swapped(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    (void)va; (void)f;
    *(uint64_t *)ctx += (flags & PM_FLAG_SWAP) != 0;
    return 0;
}

uint64_t mm_swapped_pages(const struct mm *mm)
{
    uint64_t n = 0;
    pm_foreach(&mm->pm, count_swapped, &n);
    return n;
}

void mm_counters_add(struct kine_proc_counters *sum, const struct kine_proc_counters *c)
{
#define ADD(field) sum->field += c->field;
    KINE_PROC_COUNTER_FIELDS(ADD)
#undef ADD
}

void mm_counters_report(struct kine_memstats *s, const struct kine_proc_counters *sum)
{
#define SET(field) s->field = sum->field;
    KINE_PROC_COUNTER_FIELDS(SET)
#undef SET
    s->pages_copied = sum->faults_cow_copy + sum->pages_copied_at_fork;
}

/* mm_fork_copy's walk over the parent's pages. */
struct fork_walk {
    struct policy_env *e;
    struct mm *parent, *child;
    const struct region *r;     /* the region of the last page, to skip lookups */
    uint64_t pages;
};

static const struct region *region_at(struct fork_walk *w, uint64_t va)
{
    if (!w->r || va < w->r->start || va >= w->r->end)
        w->r = region_find(&w->parent->regions, va);
    return w->r;
}

static unsigned rights_at(struct fork_walk *w, uint64_t va)
{
    const struct region *r = region_at(w, va);
    return r ? r->rights : KINE_RIGHT_R;
}

/* A paged-out page is not copied at fork: parent and child share its
 * slot, copy-on-write, until one of them pages it in and writes. */
static int share_paged_out(struct fork_walk *w, uint64_t va, uint32_t s, uint32_t flags)
{
    int err = w->e->o->slot_ref(s);
    if (err)
        return err;
    err = pm_set(&w->child->pm, va, s, flags | PM_FLAG_COW);
    if (err) {
        w->e->o->slot_unref(s);
        return err;
    }
    return pm_set(&w->parent->pm, va, s, flags | PM_FLAG_COW);   /* the slot exists */
}

static int copy_one(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    struct fork_walk *w = ctx;
    if (flags & PM_FLAG_SWAP)
        return share_paged_out(w, va, f, flags);
    int64_t n = w->e->o->alloc();
    if (n < 0)
        return (int)n;
    memcpy(w->e->o->frame((uint32_t)n), w->e->o->frame(f), KINE_PAGE_SIZE);
    w->pages++;
    return mm_install(w->e, w->child, va, (uint32_t)n, rights_at(w, va), 0);
}

/* Region by region: the kernel copies the PTEs (write-protecting both sides
 * of a writable region) before the books say COW, so a failure half-way
 * leaves the parent's PTEs narrower than its books, which costs at most a
 * fault that remaps; the child is discarded by the core. */
int mm_fork_share(struct policy_env *e, struct mm *parent, struct mm *child)
{
    child->regions = parent->regions;
    for (unsigned i = 0; i < parent->regions.n; i++) {
        const struct region *r = &parent->regions.r[i];
        int cow = (r->rights & KINE_RIGHT_W) != 0;
        if (r->end == r->start)
            continue;
        int64_t n = e->o->copy_range(parent->as, child->as, r->start,
                                     (r->end - r->start) / KINE_PAGE_SIZE, cow);
        if (n < 0)
            return (int)n;
        int err = pm_share(&child->pm, &parent->pm, r->start, r->end, cow ? PM_FLAG_COW : 0,
                           e->o->frames, e->o->slot_ref);
        if (err)
            return err;
    }
    COUNT(child, pages_shared_at_fork, child->pm.count);
    e->stats->forks++;
    return 0;
}

int mm_fork_copy(struct policy_env *e, struct mm *parent, struct mm *child)
{
    struct fork_walk w = { e, parent, child, NULL, 0 };
    child->regions = parent->regions;
    int err = pm_foreach(&parent->pm, copy_one, &w);
    if (err)
        return err;
    COUNT(child, pages_copied_at_fork, w.pages);
    e->stats->forks++;
    return 0;
}
