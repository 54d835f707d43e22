/* Swap slots: one 4 KiB page of the disk each, with a reference count like
 * a frame's.  A paged-out page's entry holds one reference to its slot; a
 * frame that holds a slot's contents (the swap cache, pager/paging.c)
 * holds one more, so a page shared when it went out is shared when it
 * comes back, and a clean page can be dropped again without a write.
 * Pure (no system calls); host-tested. */
#ifndef PAGER_SWAP_H
#define PAGER_SWAP_H

#include <stdint.h>
#include <kine/error.h>

#define SLOT_REF_MAX 0xffffu
#define SLOT_NO_FRAME 0u              /* slot_frame: no frame holds it */

struct swap_table {
    uint32_t nslots;
    uint32_t nfree;
    uint16_t *ref;          /* per slot */
    uint32_t *frame;        /* per slot: frame + 1 holding its contents, or SLOT_NO_FRAME */
    uint32_t *free_stack;   /* nfree entries are valid */
};

/* Bytes of storage swap_init needs for nslots slots. */
uint64_t swap_storage_size(uint32_t nslots);
/* Every slot free; slot 0 is handed out first. */
void swap_init(struct swap_table *st, uint32_t nslots, void *storage);
/* A free slot with refcount 1, or -KINE_ENOSPC. */
int64_t swap_alloc(struct swap_table *st);
/* 0, -KINE_EINVAL (free or out of range), -KINE_ERANGE (saturated). */
int swap_ref(struct swap_table *st, uint32_t s);
/* 1 if the slot became free, 0 if still used, -KINE_EINVAL on a double free. */
int swap_unref(struct swap_table *st, uint32_t s);
uint32_t swap_refcount(const struct swap_table *st, uint32_t s);

#endif
