/* Frame table.  Frames are handed out from a stack so the most recently
 * freed (cache-warm) frame is reused first. */
#include "frame.h"
#include <kine/error.h>

uint64_t frames_storage_size(uint32_t nframes)
{
    return (uint64_t)nframes * (sizeof(uint16_t) + sizeof(uint32_t));
}

void frames_init(struct frame_table *ft, uint32_t nframes, void *storage)
{
    ft->nframes = nframes;
    ft->free_stack = storage;    /* 4-byte entries first, for alignment */
    ft->ref = (uint16_t *)(ft->free_stack + nframes);
    for (uint32_t i = 0; i < nframes; i++) {
        ft->ref[i] = 0;
        ft->free_stack[i] = nframes - 1 - i;
    }
    ft->nfree = nframes;
}

int frames_cap(struct frame_table *ft, uint32_t n)
{
    if (n > ft->nframes)
        return -KINE_EINVAL;
    for (uint32_t f = n; f < ft->nframes; f++)
        if (ft->ref[f])
            return -KINE_EBUSY;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < ft->nfree; i++)     /* the stack's order stays */
        if (ft->free_stack[i] < n)
            ft->free_stack[kept++] = ft->free_stack[i];
    ft->nfree = kept;
    ft->nframes = n;
    return 0;
}

int64_t frame_alloc(struct frame_table *ft)
{
    if (ft->nfree == 0)
        return -KINE_ENOMEM;
    uint32_t f = ft->free_stack[--ft->nfree];
    ft->ref[f] = 1;
    return f;
}
