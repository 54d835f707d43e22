/* The driver's one virtqueue and the requests on it.  Everything the
 * device reads or writes by DMA lies in one page (struct dma_page) whose
 * physical address the pager passed in: the descriptor table, both rings,
 * each request's header and status byte.  The data itself goes straight
 * to and from the frames the pager names.
 *
 * A request holds a slot from the moment it is taken until its completion
 * has been handed to the pager; slot s owns descriptors s * QUEUE_CHAIN ..
 * s * QUEUE_CHAIN + QUEUE_CHAIN - 1, so chains need no allocator. */
#ifndef QUEUE_H
#define QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kine/blk.h>
#include "virtio.h"
#include "virtio_blk.h"

#define QUEUE_SIZE_MAX  128                         /* entries the page is laid out for */
#define QUEUE_CHAIN     (KINE_BLK_REQ_PAGES + 2)    /* header, data pages, status */
#define QUEUE_SLOTS_MAX (QUEUE_SIZE_MAX / QUEUE_CHAIN)
/* Legacy devices place the used ring themselves, at the first multiple of
 * this (which the driver chooses) after the available ring. */
#define QUEUE_LEGACY_ALIGN 16

struct dma_page {
    struct virtq_desc desc[QUEUE_SIZE_MAX];
    VIRTQ_AVAIL(QUEUE_SIZE_MAX) avail;
    VIRTQ_USED(QUEUE_SIZE_MAX) used __attribute__((aligned(QUEUE_LEGACY_ALIGN)));
    struct virtio_blk_req_hdr hdr[QUEUE_SLOTS_MAX];
    uint8_t status[QUEUE_SLOTS_MAX];
};

enum slot_state { SLOT_FREE, SLOT_DEVICE, SLOT_DONE };

struct queue {
    volatile struct dma_page *page;
    uint64_t pa;                     /* the page's physical address */
    uint16_t size;                   /* entries in use: a power of two <= QUEUE_SIZE_MAX */
    uint16_t avail_idx;              /* the next available entry (free-running) */
    uint16_t used_seen;              /* used entries harvested so far (free-running) */
    unsigned nslots;
    unsigned nfree;
    unsigned ndone;                  /* slots in SLOT_DONE */
    struct {
        enum slot_state state;
        uint64_t id;                 /* the pager's */
        int64_t status;              /* SLOT_DONE: 0 or -KINE_E* */
    } slot[QUEUE_SLOTS_MAX];
};

/* Lay out an empty queue of `size` entries in the DMA page. */
void queue_init(struct queue *q, void *page, uint64_t pa, uint16_t size);
/* Physical addresses of its three parts, for the device. */
uint64_t queue_desc_pa(const struct queue *q);
uint64_t queue_avail_pa(const struct queue *q);
uint64_t queue_used_pa(const struct queue *q);
/* Take request r: onto the ring if it is good (false then: the device
 * must be told), or done at once with -KINE_EINVAL.  Needs a free slot;
 * capacity is the disk's size in sectors. */
bool queue_take(struct queue *q, const struct kine_blk_req *r, uint64_t capacity);
/* Move every request the device has finished to SLOT_DONE. */
void queue_harvest(struct queue *q);
/* The finished requests, into out (room for QUEUE_SLOTS_MAX); how many.
 * Their slots stay held until queue_release. */
unsigned queue_completions(const struct queue *q, struct kine_blk_done *out);
/* The pager has them: their slots are free again. */
void queue_release(struct queue *q);

#endif
