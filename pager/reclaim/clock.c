/* clock (second chance): the frames in a circle in arrival order and a
 * hand.  To pick a victim the hand asks each frame whether it was used
 * since it last asked (referenced(), which clears the bit): a used frame
 * gets a second chance and the hand moves past it; the first unused one is
 * the victim.  A new frame goes just behind the hand, so the hand reaches
 * it last, as the textbook clock does when it loads a page into the slot
 * it just freed and steps on.  FIFO that spares pages in use, for the cost
 * of one A-bit read per frame passed. */
#include "reclaim.h"
#include "framelist.h"

enum { CLOCK_VICTIMS, CLOCK_SECOND_CHANCES };
static const char *const clock_counters[] = { "victims", "second_chances", NULL };

/* The list's front is the hand; rotating the list moves it. */
static size_t clock_state_size(uint32_t nframes)
{
    return framelist_size(nframes);
}

/* A call against the contract is ignored: the circle stays consistent. */
static void clock_added(struct reclaim_env *e, uint32_t f)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    (void)framelist_push_back(&l, f);
}

/* The hand moves on to the successor if f was under it. */
static void clock_removed(struct reclaim_env *e, uint32_t f)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    (void)framelist_remove(&l, f);
}

/* One full turn clears every bit, so the frame under the hand after it is
 * the victim without asking again: the sweep ends even if the frames are
 * touched again while it runs (other harts keep running). */
static int64_t clock_victim(struct reclaim_env *e)
{
    struct framelist l = framelist_at(e->state, e->nframes);
    uint32_t n = l.h->count;
    if (n == 0)
        return -1;
    for (uint32_t passed = 0; passed < n; passed++) {
        uint32_t f = (uint32_t)framelist_front(&l);
        if (!e->referenced(e, f))
            break;
        e->counters[CLOCK_SECOND_CHANCES]++;
        framelist_rotate(&l);
    }
    e->counters[CLOCK_VICTIMS]++;
    return framelist_front(&l);
}

const struct reclaim reclaim_clock = {
    .name = "clock",
    .counter_names = clock_counters,
    .state_size = clock_state_size,
    .added = clock_added,
    .removed = clock_removed,
    .victim = clock_victim,
};
