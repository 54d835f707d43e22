/* The frame table: one reference count per frame of the user pool and a
 * stack of free frames.  Pure (no system calls); host-tested. */
#ifndef PAGER_FRAME_H
#define PAGER_FRAME_H

#include <stdint.h>
#include <stdbool.h>
#include <kine/error.h>

#define FRAME_REF_MAX 0xffffu

struct frame_table {
    uint32_t nframes;
    uint32_t nfree;
    uint16_t *ref;         /* per frame */
    uint32_t *free_stack;  /* nfree entries are valid */
};

/* Bytes of storage frames_init needs for nframes frames. */
uint64_t frames_storage_size(uint32_t nframes);
/* Set up the table in caller-provided storage (the pager puts it in the
 * first frames of the pool, before it has a heap).  All frames start free;
 * frame_alloc hands out 0, 1, 2, ... first. */
void frames_init(struct frame_table *ft, uint32_t nframes, void *storage);
/* Cut the table to its first n frames (pager.frames=): 0, or -KINE_EBUSY
 * if a frame past n is in use (nothing changes then). */
int frames_cap(struct frame_table *ft, uint32_t n);
/* A free frame with refcount 1, or -KINE_ENOMEM. */
int64_t frame_alloc(struct frame_table *ft);
/* Take one more reference: 0, -KINE_EINVAL (free/out of range), -KINE_ERANGE
 * (saturated).  Inline: fork takes one per shared page. */
static inline int frame_ref(struct frame_table *ft, uint32_t f)
{
    if (f >= ft->nframes || ft->ref[f] == 0)
        return -KINE_EINVAL;
    if (ft->ref[f] == FRAME_REF_MAX)
        return -KINE_ERANGE;
    ft->ref[f]++;
    return 0;
}

/* Drop one reference: 1 if the frame became free, 0 if still used,
 * -KINE_EINVAL if it was free or out of range (a double free). */
static inline int frame_unref(struct frame_table *ft, uint32_t f)
{
    if (f >= ft->nframes || ft->ref[f] == 0)
        return -KINE_EINVAL;
    if (--ft->ref[f])
        return 0;
    ft->free_stack[ft->nfree++] = f;
    return 1;
}
static inline uint32_t frame_refcount(const struct frame_table *ft, uint32_t f)
{
    return f < ft->nframes ? ft->ref[f] : 0;
}

#endif
