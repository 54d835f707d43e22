/* The frame ledger and its consistency check: every page recorded in any
 * process's page map, plus the pager's own heap frames, must account for
 * each frame's reference count exactly, and free frames must have none. */
#include <stdlib.h>
#include <string.h>
#include "pager.h"

struct tally { uint16_t *count; uint64_t mappings; int bad; };

static int count_one(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    struct tally *t = ctx;
    (void)va; (void)flags;
    if (frame >= pg.frames.nframes)
        t->bad = 1;
    else
        t->count[frame]++;
    t->mappings++;
    return 0;
}

extern uint32_t heap_frame(uint64_t i);   /* heap.c */

int ledger_fill(struct kine_ledger *l)
{
    const struct frame_table *ft = &pg.frames;
    struct tally t = { calloc(ft->nframes, sizeof(uint16_t)), 0, 0 };
    memset(l, 0, sizeof(*l));
    l->frames_total = ft->nframes;
    l->frames_free = ft->nfree;
    l->frames_used = ft->nframes - ft->nfree;
    for (uint32_t f = 0; f < ft->nframes; f++) {
        l->refcount_sum += ft->ref[f];
        l->frames_shared += ft->ref[f] > 1;
    }
    l->pager_frames = pg.heap_frames;
    if (!t.count)
        return 1;
    for (int i = 0; i < MAX_PROCS; i++) {
        if (pg.procs[i].state == P_FREE)
            continue;
        l->processes++;
        pm_foreach(&pg.procs[i].mm.pm, count_one, &t);
    }
    l->mappings = t.mappings;
    for (uint64_t i = 0; i < pg.heap_frames; i++)
        count_one(0, heap_frame(i), 0, &t);
    for (uint32_t f = 0; f < ft->nframes; f++)
        if (t.count[f] != ft->ref[f])
            t.bad = 1;
    for (uint32_t i = 0; i < ft->nfree; i++)
        if (ft->ref[ft->free_stack[i]] != 0)
            t.bad = 1;
    if (l->mappings + pg.heap_frames != l->refcount_sum)
        t.bad = 1;
    free(t.count);
    return t.bad;
}

void memstats_fill(struct kine_memstats *s)
{
    *s = pg.stats;
    s->frames_in_use = pg.frames.nframes - pg.frames.nfree;
}
