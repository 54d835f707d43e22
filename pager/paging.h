/* Paging out and in (paging.c): the core's side.  Policies never call
 * these; they see only resident pages. */
#ifndef PAGER_PAGING_H
#define PAGER_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include "frame.h"
#include "policy.h"
#include "reclaim.h"

struct proc;
struct kine_ledger;

#define PAGING_WAIT 1              /* the caller waits; it is answered later */
/* Free frames a fault may need: its page and two page-map nodes. */
#define PAGING_FAULT_FRAMES 3

/* The frame-side books, for the pool as capped (after pager.frames=). */
int paging_init(const struct reclaim *rc);
const struct reclaim *paging_policy(void);
const uint64_t *paging_policy_counters(void);
/* pager_ops.placed: f backs va of mm now. */
void paging_placed(uint32_t f, uint64_t va, const struct mm *mm);
/* f's last reference went (ops.c). */
void paging_freed(uint32_t f);
int paging_slot_ref(uint32_t s);
void paging_slot_unref(uint32_t s);
/* p faulted at va, whose entry is slot s: 0 (mappings queued: answer now),
 * PAGING_WAIT (p->blocked says for what), or an error. */
int paging_page_in(struct proc *p, uint64_t va, uint32_t s);
/* Make `frames` frames free: 0 done, PAGING_WAIT (page-outs are under way:
 * try again when paging_take_freed says so), or -KINE_ENOMEM (paging
 * cannot give them: no disk, swap full, nothing to page out). */
int paging_need_slow(uint64_t frames);
/* A swap disk is there: some page may be paged out (paging.c sets it). */
extern bool paging_on;
static inline int paging_need(uint64_t frames)
{
    extern struct frame_table *const paging_frames;
    return paging_frames->nfree >= frames ? 0 : paging_need_slow(frames);
}
bool paging_below_low(void);
/* Between messages: page out if free frames are below the low mark, or
 * below what a waiter wants. */
void paging_balance(uint64_t wanted);
/* A fault arrived (the access sample's clock). */
void paging_fault_seen_slow(void);
static inline void paging_fault_seen(void)
{
    if (paging_on)
        paging_fault_seen_slow();
}
/* Did frames come back since the last call? */
bool paging_take_freed(void);
/* Are page-outs under way, whose end will free frames? */
bool paging_writing(void);
bool paging_swap_full(void);
/* Swap's part of the ledger (frames_in_transfer: those only a disk
 * transfer holds); the references transfers hold are paging_transfer_refs. */
void paging_ledger(struct kine_ledger *l);
/* 1 if f holds a swap slot's contents that a paged-out entry still
 * names (a process it could not be mapped for): f is shared with it. */
unsigned paging_cache_sharers(uint32_t f);
/* 1 if a disk transfer holds a reference to f. */
unsigned paging_transfer_refs(uint32_t f);

#endif
