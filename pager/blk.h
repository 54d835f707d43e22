/* The disk, as the rest of the pager sees it: a queue of page transfers
 * that the block driver task carries out (drivers/virtio_blk, protocol in
 * kine/blk.h).  blk.c is the one place that talks to the driver.
 *
 * Transfers are asynchronous: blk_submit queues one and returns; its
 * callback runs later, from the pager's loop, as a message of its own
 * (blk_run_done, on the pager's self-notification PAGER_WORK_BLK): never
 * from inside blk_submit or while the driver's SYNC is handled, so with no
 * reply pending; it may submit again, and it must send (mm_commit) or
 * answer (reply_later) whatever it does for a process itself.  The frames
 * of a transfer must stay the caller's, untouched and not freed, until its
 * callback has run: the device reads or writes them by DMA meanwhile. */
#ifndef PAGER_BLK_H
#define PAGER_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <kine/blk.h>
#include <kine/ipc.h>

struct proc;
struct kine_msg;

/* status: 0, or -KINE_EIO (the disk failed it, or the driver is gone). */
typedef void (*blk_done_fn)(void *ctx, int64_t status);

/* The disk's size in 4 KiB pages: 0 until the driver said hello, or when
 * there is no disk. */
uint64_t blk_pages(void);

/* Queue a transfer of n (1..KINE_BLK_REQ_PAGES) pages between disk pages
 * page .. page + n - 1 and pool frames f[0..n); done(ctx, status) is called
 * later.  0, or -KINE_ENODEV (no disk), -KINE_EINVAL (a bad op, n, or
 * pages past the disk's end), -KINE_ENOMEM (no room for the record). */
int blk_submit(enum kine_blk_op op, uint64_t page, const uint32_t *f, unsigned n,
               blk_done_fn done, void *ctx);

/* A driver runs and has not said hello yet: there may be a disk soon. */
bool blk_pending(void);

/* Transfers submitted whose callback has not run yet. */
uint64_t blk_in_flight(void);
/* Is there room for one more transfer? */
bool blk_room(void);

/* Run the callbacks of the transfers that are over (main.c, on
 * PAGER_WORK_BLK). */
void blk_run_done(void);

/* PGR_BLK_SYNC: true if m holds the reply. */
bool blk_sync(struct proc *p, struct kine_msg *m, uint64_t words);

/* driver.c: the driver's thread started (0: there is none, hence no disk),
 * or is gone (every transfer not yet done completes with -KINE_EIO). */
void blk_driver_started(kine_tid_t tid);
void blk_driver_gone(kine_tid_t tid);

/* fn(pages) once it is known whether there is a disk: its size in pages
 * after the driver's hello, or 0 (no disk, or the driver ended before it
 * said hello).  At once if that is known already.  Up to BLK_WATCHERS. */
#define BLK_WATCHERS 4
int blk_when_ready(void (*fn)(uint64_t pages));

#endif
