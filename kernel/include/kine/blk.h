/* The block-driver protocol: how the pager and the block driver task (a
 * virtio-blk driver, drivers/virtio_blk) talk.
 *
 * The driver only ever calls the pager (PGR_BLK_SYNC), which answers at
 * once and never sends to it, so the two can never wait on each other.
 * The pager wakes an idle driver with a notification (KSYS_NOTIFY,
 * KINE_BLK_NOTIFY_WORK), which never blocks the pager.  Each SYNC carries
 * the driver's finished requests to the pager and brings back new ones.
 * Data moves by DMA straight between the disk and pool frames, named by
 * physical address: only the pager hands those out. */
#ifndef KINE_BLK_H
#define KINE_BLK_H

#include <stdint.h>
#include <kine/layout.h>

#define KINE_BLK_SECTOR_SIZE  512
#define KINE_BLK_PAGE_SECTORS (KINE_PAGE_SIZE / KINE_BLK_SECTOR_SIZE)
#define KINE_BLK_REQ_PAGES    8        /* pages one request moves, at most */
#define KINE_BLK_NOTIFY_WORK  1UL      /* notification bit: requests wait */

enum kine_blk_op { KINE_BLK_READ = 0, KINE_BLK_WRITE = 1 };

/* One request (pager -> driver): npages pages from `sector` on, each to or
 * from the frame at pa[i]. */
struct kine_blk_req {
    uint64_t id;               /* the pager's, echoed in the completion */
    uint32_t op;               /* enum kine_blk_op */
    uint32_t npages;           /* 1 .. KINE_BLK_REQ_PAGES */
    uint64_t sector;
    uint64_t pa[KINE_BLK_REQ_PAGES];
};

/* One finished request (driver -> pager). */
struct kine_blk_done {
    uint64_t id;
    int64_t status;            /* 0, or -KINE_EIO (the device said so) */
};

#endif
