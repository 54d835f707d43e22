/* fifo: evict the frame that has held its page longest, whatever its
 * accessed bits say.  The frames sit in a list in arrival order; the front
 * is the victim.  The baseline the others are measured against, and the
 * policy that shows Belady's anomaly (more frames, more faults). */
#include "reclaim.h"
#include "framelist.h"

enum { FIFO_VICTIMS };
static const char *const fifo_counters[] = { "victims", NULL };

static size_t fifo_state_size(uint32_t nframes)
{
    return framelist_size(nframes);
}

/* A call against the contract (a frame out of range, added twice, removed
 * untracked) is ignored: the list stays consistent. */
static void fifo_added(struct reclaim_env *e, uint32_t f)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    (void)framelist_push_back(&l, f);
}

static void fifo_removed(struct reclaim_env *e, uint32_t f)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    (void)framelist_remove(&l, f);
}

static int64_t fifo_victim(struct reclaim_env *e)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    int64_t f = framelist_front(&l);
    if (f >= 0)
        e->counters[FIFO_VICTIMS]++;
    return f;
}

const struct reclaim reclaim_fifo = {
    .name = "fifo",
    .counter_names = fifo_counters,
    .state_size = fifo_state_size,
    .added = fifo_added,
    .removed = fifo_removed,
    .victim = fifo_victim,
};
