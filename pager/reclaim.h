/* The pager's replacement-policy interface: which resident page to evict
 * when frames run short.  The second plug-in axis beside the memory
 * policies (policy.h): one policy = one pager/reclaim/NAME.c defining
 * `const struct reclaim reclaim_NAME`, plus its name in
 * pager/reclaim/meson.build.  Any replacement policy combines with any
 * memory policy.
 *
 * A policy sees only frame numbers.  The core tells it when a frame starts
 * and stops holding an evictable page (added, removed), asks it for a
 * victim when it must free frames, and lets it sample the hardware's
 * accessed bits through e->referenced, which reads and clears the A bit of
 * every mapping of the frame.  Pure: the host tests and the reference-
 * string simulator (tools/refsim) drive every policy against a fake
 * referenced().  See docs/paging.md. */
#ifndef PAGER_RECLAIM_H
#define PAGER_RECLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Faults between two access samples (tick). */
#define RECLAIM_TICK_FAULTS 64

struct reclaim_env {
    uint32_t nframes;        /* frames are 0 .. nframes-1 */
    void *state;             /* the policy's state_size(nframes) bytes, zeroed */
    uint64_t *counters;      /* this policy's own, named in counter_names */
    /* Was f used since the last time it was asked (and clear the bit)? */
    bool (*referenced)(struct reclaim_env *e, uint32_t f);
    void *ctx;               /* the core's, for referenced() */
};

struct reclaim {
    const char *name;
    const char *const *counter_names;      /* NULL-terminated, or NULL */
    size_t (*state_size)(uint32_t nframes);
    /* f now holds an evictable page (it was not tracked). */
    void (*added)(struct reclaim_env *e, uint32_t f);
    /* f no longer does (freed, or evicted); it was tracked. */
    void (*removed)(struct reclaim_env *e, uint32_t f);
    /* The frame to evict next, still tracked (the core calls removed once it
     * is gone, or removed then added if it cannot evict it now), or -1 if
     * nothing is tracked. */
    int64_t (*victim)(struct reclaim_env *e);
    /* A periodic access sample (every RECLAIM_TICK_FAULTS faults and before a
     * reclaim pass): a policy that ages pages reads referenced() here;
     * NULL if it has no use for it. */
    void (*tick)(struct reclaim_env *e);
};

/* The built-in list (generated from pager/reclaim/meson.build). */
extern const struct reclaim *const reclaims[];
const struct reclaim *reclaim_find(const char *name);

#endif
