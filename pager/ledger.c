/* The frame ledger and its consistency check: every page recorded in any
 * process's page map, every node of those page maps, the pager's own heap
 * frames and the disk transfers under way must account for each frame's
 * reference count exactly, and free frames must have none; every
 * paged-out entry and every frame caching a slot must account for the
 * swap slots' reference counts.  The tally it counts in is set aside at boot,
 * so the check never fails (or lies) for want of memory. */
#include <string.h>
#include "pager.h"

struct tally { uint16_t *count; uint64_t mappings, nodes, swapped; int bad; };

static uint16_t *tally_storage;

void ledger_init(void *storage) { tally_storage = storage; }

static void count_frame(struct tally *t, uint32_t frame)
{
    if (frame >= pg.frames.nframes)
        t->bad = 1;
    else
        t->count[frame]++;
}

static int count_page(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    struct tally *t = ctx;
    (void)va;
    if (flags & PM_FLAG_SWAP) {
        t->swapped++;
        return 0;
    }
    count_frame(t, frame);
    t->mappings++;
    return 0;
}

static void count_node(const void *node, void *ctx)
{
    struct tally *t = ctx;
    count_frame(t, frame_of(node));
    t->nodes++;
}

extern uint32_t heap_frame(uint64_t i);   /* heap.c */

int ledger_fill(struct kine_ledger *l)
{
    const struct frame_table *ft = &pg.frames;
    struct tally t = { tally_storage, 0, 0, 0, 0 };
    uint64_t transfers = 0;          /* frame references disk transfers hold */
    memset(l, 0, sizeof(*l));
    memset(t.count, 0, ft->nframes * sizeof(t.count[0]));
    l->frames_total = ft->nframes;
    l->frames_free = ft->nfree;
    l->frames_used = ft->nframes - ft->nfree;
    for (uint32_t f = 0; f < ft->nframes; f++) {
        l->refcount_sum += ft->ref[f];
        l->frames_shared += ft->ref[f] > 1;
    }
    l->pager_frames = pg.heap_frames;
    uint64_t kmem = 0;
    for_each_proc(p) {
        l->processes++;
        pm_foreach(&p->mm.pm, count_page, &t);
        pm_foreach_node(&p->mm.pm, count_node, &t);
        /* kernel memory: a live process reserves its space's and one more
         * thread's for each live thread but its first */
        unsigned live = threads_live(p);
        l->threads += live;
        kmem += p->kmem_pages;
        if (p->state == P_LIVE &&
            p->kmem_pages != proc_kmem_pages() + (live - 1) * KINE_KMEM_THREAD_PAGES)
            t.bad = 1;
    }
    l->kmem_reserved = pg.kmem_reserved;
    if (kmem != pg.kmem_reserved)
        t.bad = 1;
    l->mappings = t.mappings;
    l->swapped = t.swapped;
    for (uint64_t i = 0; i < pg.heap_frames; i++)
        count_frame(&t, heap_frame(i));
    paging_ledger(l);
    for (uint32_t f = 0; f < ft->nframes; f++) {
        unsigned transfer = paging_transfer_refs(f);
        transfers += transfer;
        if (t.count[f] + transfer != ft->ref[f])
            t.bad = 1;
    }
    for (uint32_t i = 0; i < ft->nfree; i++)
        if (ft->ref[ft->free_stack[i]] != 0)
            t.bad = 1;
    if (l->mappings + t.nodes + pg.heap_frames + transfers != l->refcount_sum)
        t.bad = 1;
    if (l->swapped + l->swap_cached != l->swap_refcount_sum)
        t.bad = 1;
    return t.bad;
}

void memstats_fill(struct kine_memstats *s)
{
    struct kine_proc_counters sum = pg.retired;
    for_each_proc(p)
        mm_counters_add(&sum, &p->mm.stats);
    *s = pg.stats;
    mm_counters_report(s, &sum);
    s->frames_in_use = pg.frames.nframes - pg.frames.nfree;
    s->frames_peak = pg.frames.nframes - pg.nfree_low;
}
