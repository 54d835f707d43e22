/* The pager's fault fast path: the three faults a process takes most,
 * answered straight from the fault message, inline in the server loop
 * (main.c), so that it costs no call and saves no register.
 *   - A write to a resident page nobody else holds (above all a
 *     copy-on-write page whose sharers are gone): the same frame made
 *     writable.
 *   - A write to a resident page that is shared (copy-on-write is the
 *     frame's count): a copy, made with the pager's own memcpy.
 *   - The first touch, read or write, of an anonymous page (no program
 *     file bytes there) under a policy whose fault zero-fills it (lazy's
 *     heap and stack): a zeroed frame, with the pager's own memset.
 * The message is read in the registers the loop's receive left it in.
 * The sender's thread is the last one found (thread_by_tid), the region
 * the one of the process's last fault (its bounds and rights kept in the
 * region map: region_hint_of); when either is another, the loop caches
 * them (fault_fast_cache, fastfault.c) and tries again.  One walk finds
 * the page-map leaf, the frame's count is read in place, the entry is
 * changed in place, and the one map entry goes straight into the IPC
 * buffer for the loop's KSYS_MAP_REPLY_RECV: no queue, no stage, no
 * settle.  The entry changes
 * before the map is sent, and what it held is kept (pg.fast_slot,
 * pg.fast_old), so that a refused map puts everything back as mm_sent
 * would (fault_fast_undo, fastfault.c); a copy's shared frame loses its
 * reference at once, since another remains.
 *
 * It is a cache over the general path (handle_fault in fault.c, the
 * policy's fault hook, mm.c's queue, mm_stage and mm_sent): it takes a
 * fault only when every check says the general path would do exactly
 * this (the same counters: the process's own, which the core's figures
 * add up, and the policy's own first-touch count; the same page-map
 * entry; the same mapping; the same reply), and otherwise leaves the message untouched for handle(): a
 * violation, an exec fault, a read of a resident page, a page backed by
 * the program file, a leaf not made yet, frames short, failure injection
 * for a copy or fill.  pg.fast_fault is off with pager.fastfault=off, with
 * a trace (every fault is recorded) and with a swap disk (paging's books,
 * the swap cache, the reverse map and the access sample, are the general
 * path's).  The suite runs the fork, COW and zero-fill programs both ways
 * (tests/meson.build, fastfault_off/). */
#ifndef PAGER_FASTFAULT_H
#define PAGER_FASTFAULT_H

#include <string.h>
#include "pager.h"

/* A fault as the kernel sends it: a call, so an answer is awaited. */
#define FAULT_TAG (kine_tag(KINE_LABEL_FAULT, 0) | KINE_TAG_KERNEL | KINE_TAG_CALL)
/* A read or write fault's access is the right it needs: kine/ipc.h numbers
 * them alike. */
_Static_assert(KINE_FAULT_READ == KINE_RIGHT_R && KINE_FAULT_WRITE == KINE_RIGHT_W,
               "a fault's access is the right it needs");
_Static_assert(KINE_HIGH_LIMIT == PM_VA_TOP, "every region is within the page map");

/* What fault_fast made of a message. */
enum fast_verdict {
    FAST_ANSWERED,   /* the answer waits in the IPC buffer */
    FAST_GENERAL,    /* not the fast path's: handle() it */
    FAST_UNCACHED,   /* the sender's thread or the fault's region is not the
                        one cached: fault_fast_cache, then try again */
};

/* Make sender's thread the one thread_by_tid found last, and the region at
 * addr of its process the hinted one; false if there is no such thread
 * or region (a fault for the general path). */
bool fault_fast_cache(kine_tid_t sender, uint64_t addr);

/* The kernel refused the map that answered thread `to`'s fault: the books
 * go back as they were before the answer (mm_sent's roll-back).  The
 * faulting process, to be killed. */
struct proc *fault_fast_undo(kine_tid_t to);

/* No byte of va's page comes from the program file (mm_fill's test). */
static inline bool fast_anonymous(const struct region *r, uint64_t va)
{
    return !r->file_len || r->file_va >= va + KINE_PAGE_SIZE || r->file_va + r->file_len <= va;
}

/* A frame for the process, as pager_frame_alloc gives it with no failure
 * injected and frames free (the caller made sure of both). */
static inline uint64_t fast_frame(void)
{
    struct frame_table *ft = &pg.frames;
    /* signed, as the 32-bit loads leave them (frames are far fewer than
     * 2^31): indices with no zero-extension */
    int32_t nfree = (int32_t)ft->nfree - 1, f = (int32_t)ft->free_stack[nfree];
    int64_t used = (int32_t)ft->nframes - nfree;
    ft->nfree = (uint32_t)nfree;
    ft->ref[f] = 1;
    if ((uint64_t)used > pg.stats.frames_peak)
        pg.stats.frames_peak = (uint64_t)used;
    return (uint64_t)f;
}

/* Answer m, a message from thread sender, if it is a fault that the
 * general path would answer with one mapping (a remap, a copy or a zero
 * fill) and nothing else: FAST_ANSWERED, the one entry in the IPC buffer
 * and *as the space to map it into, for KSYS_MAP_REPLY_RECV with an empty
 * reply; or FAST_GENERAL or FAST_UNCACHED, m untouched and nothing
 * changed. */
static inline __attribute__((always_inline)) enum fast_verdict
fault_fast(kine_tid_t sender, const struct kine_msg *m, kine_as_t *as)
{
    uint64_t access = m->mr[1];
    if (m->tag != FAULT_TAG || (access != KINE_FAULT_WRITE && access != KINE_FAULT_READ) ||
        mm_queued())
        return FAST_GENERAL;
    /* the thread thread_by_tid found last (a fault's sender is never tid
     * 0, so pg.thread_found is not NULL then) */
    if (__builtin_expect(sender != pg.tid_found, 0))
        return FAST_UNCACHED;
    struct proc *p = pg.thread_found->proc;
    struct mm *mm = &p->mm;
    uint64_t addr = m->mr[0], va = addr & ~(KINE_PAGE_SIZE - 1);
    const struct region_hint *h = region_hint_of(&mm->regions, addr);
    if (__builtin_expect(!h, 0))
        return FAST_UNCACHED;
    /* a region lies below KINE_HIGH_LIMIT, the page map's top */
    struct pm_leaf *leaf = h->rights & access ? pm_leaf_in(&mm->pm, va) : NULL;
    if (!leaf || pg.frames.nfree < PAGING_FAULT_FRAMES)
        return FAST_GENERAL;         /* a violation, a leaf to make, or no room (a kill) */
    const struct policy *pol = p->policy;
    uint32_t *slot = &leaf->slot[pm_leaf_index(va)], v = *slot;
    uint64_t f = pm_slot_frame_of((int32_t)v);    /* (resident) its frame */
    bool copy = false;
    if (v) {                         /* resident: a remap or a copy (mm_fault) */
        if (access != KINE_FAULT_WRITE || !pol->mm_fault_resident || pm_slot_is_swap((int32_t)v))
            return FAST_GENERAL;
        copy = pg.frames.ref[f] > 1; /* a page map names pool frames only */
        if (copy && pg.fail_every)
            return FAST_GENERAL;
    } else if (!pol->mm_fault_absent || pg.fail_every ||
               !fast_anonymous(&mm->regions.r[h->index], va)) {
        return FAST_GENERAL;         /* a fill the fast path does not make */
    }
    /* From here on the general path's steps, in its order; with frames
     * free, no failure injected and the leaf there, none can fail. */
    pg.stats.fault_received = kine_rdinstret();
    pg.fault_addr = addr;
    if (access == KINE_FAULT_WRITE)
        COUNT_MM(mm, faults_write);
    else
        COUNT_MM(mm, faults_read);
    pg.fast_slot = slot;
    pg.fast_old = v;
    if (v && !copy) {                /* held once: remap_frame, a COW reuse for a write */
        COUNT_MM(mm, faults_cow_reuse);
        *slot = (uint32_t)f + 1;     /* its flags go, as pm_exchange's would */
    } else {                         /* the books first, then the bytes */
        uint64_t n = fast_frame();
        void *page = frame_ptr(n);
        if (v) {                     /* copy_frame */
            *slot = (uint32_t)n + 1; /* as pm_exchange would */
            COUNT_MM(mm, faults_cow_copy);
            pg.frames.ref[f]--;      /* mm_sent's drop: another reference remains */
            memcpy(page, frame_ptr(f), KINE_PAGE_SIZE);
        } else {                     /* the policy's count, then mm_fill */
            if (pol->absent_counter)
                p->env->counters[pol->absent_counter - 1]++;
            COUNT_MM(mm, pages_zero_filled);
            pm_leaf_enter(&mm->pm, leaf, pm_leaf_index(va), (uint32_t)n);
            memset(page, 0, KINE_PAGE_SIZE);
        }
        f = n;
    }
    struct kine_map_entry *e = (struct kine_map_entry *)pg.bi->ipcbuf_va;
    e->va_rights = va | h->rights;
    e->frame = f;
    pg.stats.fault_answered = kine_rdinstret();
    *as = mm->as;
    return FAST_ANSWERED;
}

#endif
