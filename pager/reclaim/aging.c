/* aging: an approximation of LRU from accessed bits alone.  Every frame
 * has an 8-bit age; each tick shifts every age right and puts the frame's
 * accessed bit (referenced(), which clears it) in the top bit, so an age
 * read as a number is larger the more recently, and then the more often,
 * the frame was used in the last 8 ticks.  The victim is the frame with
 * the smallest age; among equal ages the one that arrived first (the list
 * is kept in arrival order and scanned from its front), so with no access
 * information aging degrades to FIFO rather than to an arbitrary order.
 * added and removed are O(1); tick and victim walk the tracked frames. */
#include "reclaim.h"
#include "framelist.h"

#define AGING_BITS 8
#define AGING_TOP  (1u << (AGING_BITS - 1))    /* where a tick's sample goes */

enum { AGING_VICTIMS, AGING_TICKS };
static const char *const aging_counters[] = { "victims", "ticks", NULL };

/* The frame list (arrival order), then age[nframes]. */
static uint8_t *ages(struct reclaim_env *e)
{
    return (uint8_t *)e->state + framelist_size(e->nframes);
}

static size_t aging_state_size(uint32_t nframes)
{
    return framelist_size(nframes) + (size_t)nframes * sizeof(uint8_t);
}

/* A new frame starts with age 0, as old as can be: the reference that
 * brought its page in is counted by the next tick, which comes before any
 * victim is chosen.  A call against the contract is ignored. */
static void aging_added(struct reclaim_env *e, uint32_t f)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    if (framelist_push_back(&l, f) == 0)
        ages(e)[f] = 0;
}

static void aging_removed(struct reclaim_env *e, uint32_t f)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    (void)framelist_remove(&l, f);
}

static void aging_tick(struct reclaim_env *e)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    uint8_t *age = ages(e);
    uint32_t f = (uint32_t)framelist_front(&l);
    for (uint32_t i = 0; i < l.h->count; i++, f = framelist_next(&l, f))
        age[f] = (uint8_t)((age[f] >> 1) | (e->referenced(e, f) ? AGING_TOP : 0));
    e->counters[AGING_TICKS]++;
}

static int64_t aging_victim(struct reclaim_env *e)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    const uint8_t *age = ages(e);
    int64_t best = framelist_front(&l);
    if (best < 0)
        return -1;
    uint32_t f = (uint32_t)best;
    for (uint32_t i = 0; i < l.h->count; i++, f = framelist_next(&l, f))
        if (age[f] < age[best])       /* strictly: ties keep the earlier arrival */
            best = f;
    e->counters[AGING_VICTIMS]++;
    return best;
}

const struct reclaim reclaim_aging = {
    .name = "aging",
    .counter_names = aging_counters,
    .state_size = aging_state_size,
    .added = aging_added,
    .removed = aging_removed,
    .victim = aging_victim,
    .tick = aging_tick,
};
