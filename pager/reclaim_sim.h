/* The reference-string simulator: replays a string of page references
 * against a replacement policy (struct reclaim) with a given number of
 * frames and counts the faults, driving the policy exactly as the pager
 * does (reclaim.h); and Belady's optimal policy (OPT) on the same string,
 * the floor every policy is measured against.  Pure; the host tests and
 * tools/refsim use it.
 *
 * Page numbers index tables, so they should be dense (0 .. P-1, as
 * kinelib/refpattern.h makes them). */
#ifndef PAGER_RECLAIM_SIM_H
#define PAGER_RECLAIM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include "reclaim.h"

struct reclaim_sim_stats {
    uint64_t refs;          /* references replayed */
    uint64_t faults;        /* references to a page not resident */
    uint64_t evictions;     /* faults that found every frame full */
    uint64_t ticks;         /* calls to the policy's tick */
};

/* How many counters pol names (the length of its counter_names). */
unsigned reclaim_sim_ncounters(const struct reclaim *pol);

/* Replay refs[0 .. n) with nframes frames, empty at first, under pol.
 * A reference sets its frame's accessed bit, which pol reads and clears
 * through referenced().  A fault to a free frame takes the lowest one;
 * with every frame full it calls victim(), then removed() on it, and
 * reuses that frame; then added() for the page brought in.  tick() is
 * called at a fault that needs a victim (before victim()) and at every
 * RECLAIM_TICK_FAULTS-th fault, once if both.  counters: NULL, or room for
 * reclaim_sim_ncounters(pol) values, the policy's counters at the end.
 * 0; -KINE_EINVAL if nframes is 0 or the policy names no victim while
 * frames are full, or one it does not hold; -KINE_ENOMEM, -KINE_ERANGE
 * for a page number too large for the tables. */
int reclaim_sim_run(const struct reclaim *pol, uint32_t nframes, const uint64_t *refs,
                    size_t n, struct reclaim_sim_stats *out, uint64_t *counters);

/* The same with Belady's OPT: a victim is the resident page whose next
 * use is farthest in the future (or never comes).  O(n log nframes).
 * 0; -KINE_EINVAL if nframes is 0; -KINE_ENOMEM; -KINE_ERANGE. */
int reclaim_sim_opt(uint32_t nframes, const uint64_t *refs, size_t n,
                    struct reclaim_sim_stats *out);

#endif
