/* (placeholder matching the API given to the blk helper) */
#ifndef PAGER_BLK_H
#define PAGER_BLK_H
#include <stdbool.h>
#include <stdint.h>
#include <kinesys.h>
#include <kine/blk.h>
struct proc;
typedef void (*blk_done_fn)(void *ctx, int64_t status);
uint64_t blk_pages(void);
int blk_submit(enum kine_blk_op op, uint64_t page, const uint32_t *f, unsigned n, blk_done_fn done, void *ctx);
uint64_t blk_in_flight(void);
bool blk_sync(struct proc *p, struct kine_msg *m, uint64_t words);
void blk_driver_started(kine_tid_t tid);
void blk_driver_gone(kine_tid_t tid);
#endif
