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
 * the one of the process's last fault (its bounds, rights and program
 * file pages kept in the region map: region_hint_of); when either is
 * another, the loop caches them (fault_fast_cache, fastfault.c) and tries
 * again.  The page-map leaf is the one the process's last fast fault found
 * if it covers the page (pm_leaf_cached), else one walk finds it; the
 * frame's count is read in place, the entry is changed in place, and the
 * one map entry goes in registers with the loop's KSYS_MAP_REPLY_RECV: no
 * queue, no stage, no settle.  The entry changes before the map is sent,
 * and what it held is kept (pg.fast_old; the fault's address is
 * pg.fault_addr), so that a refused map puts everything back as mm_sent
 * would (fault_fast_undo, fastfault.c); a copy's shared frame loses its
 * reference at once, since another remains.
 *
 * It is a cache over the general path (handle_fault in fault.c, the
 * policy's fault hook, mm.c's queue, mm_stage and mm_sent): it takes a
 * fault only when every check says the general path would do exactly
 * this (the same counters: the process's own, which the core's figures
 * add up, and the policy's own first-touch count; the same page-map
 * entry; the same mapping; the same reply), and otherwise leaves the
 * message untouched for handle(): a violation, an exec fault, a read of a
 * resident page, a page backed by the program file, a leaf not made yet,
 * frames short, a queue not yet settled.  pg.fast_tag turns it off with
 * pager.fastfault=off, with a trace (every fault is recorded), with
 * failure injection (every allocation may fail) and with a swap disk
 * (paging's books, the swap cache, the reverse map and the access sample,
 * are the general path's).  The suite runs the fork, COW and zero-fill
 * programs both ways (tests/meson.build, fastfault_off/). */
#ifndef PAGER_FASTFAULT_H
#define PAGER_FASTFAULT_H

#include <string.h>
#include "pager.h"

/* A read or write fault's access is the right it needs: kine/ipc.h numbers
 * them alike, the two in a row. */
_Static_assert(KINE_FAULT_READ == KINE_RIGHT_R && KINE_FAULT_WRITE == KINE_RIGHT_W,
               "a fault's access is the right it needs");
_Static_assert(KINE_FAULT_WRITE == KINE_FAULT_READ + 1, "read and write faults in a row");
_Static_assert(KINE_HIGH_LIMIT == PM_VA_TOP, "every region is within the page map");

/* What fault_fast made of a message. */
enum fast_verdict {
    FAST_ANSWERED,   /* the answer is ready: its entry, its space */
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

/* A frame for the process, as pager_frame_alloc gives it with no failure
 * injected and frames free (the caller made sure of both). */
static inline __attribute__((always_inline)) uint64_t fast_frame(void)
{
    struct frame_table *ft = &pg.frames;
    /* signed, as the 32-bit loads leave them (frames are far fewer than
     * 2^31): indices with no zero-extension */
    int32_t nfree = (int32_t)ft->nfree - 1, f = (int32_t)ft->free_stack[nfree];
    ft->nfree = (uint32_t)nfree;
    ft->ref[f] = 1;
    if ((uint32_t)nfree < pg.nfree_low)
        pg.nfree_low = (uint32_t)nfree;
    return (uint64_t)f;
}

/* The steps every answer begins with, the general path's (handle_fault's
 * and the policy's) in its order: the stamp, the fault counted by access,
 * what the entry held kept for fault_fast_undo, the map entry's page and
 * rights and the space to map it into.  Its frame comes last, with the
 * rest of each answer's own steps. */
static inline __attribute__((always_inline)) void
fast_answer(struct mm *mm, uint64_t addr, uint64_t write, const struct region_hint *h,
            uint32_t v, struct kine_map_entry *e, kine_as_t *as)
{
    pg.stats.fault_received = kine_rdinstret();
    pg.fault_addr = addr;
    if (write)
        COUNT_MM(mm, faults_write);
    else
        COUNT_MM(mm, faults_read);
    pg.fast_old = v;
    e->va_rights = (addr & ~(KINE_PAGE_SIZE - 1)) | h->rights;
    *as = mm->as;
}

/* Answer m, a message from thread sender, if it is a fault that the
 * general path would answer with one mapping (a remap, a copy or a zero
 * fill) and nothing else: FAST_ANSWERED, the one entry in *e and *as the
 * space to map it into, for KSYS_MAP_REPLY_RECV (the entry in registers)
 * with an empty reply; or FAST_GENERAL or FAST_UNCACHED, m untouched and
 * nothing changed. */
static inline __attribute__((always_inline)) enum fast_verdict
fault_fast(kine_tid_t sender, const struct kine_msg *m, struct kine_map_entry *e, kine_as_t *as)
{
    /* write: 1 for a write fault, 0 for a read, more for anything else */
    uint64_t addr = m->mr[0], write = m->mr[1] - KINE_FAULT_READ;
    if (m->tag != pg.fast_tag || write > KINE_FAULT_WRITE - KINE_FAULT_READ || mm_queued())
        return FAST_GENERAL;
    /* the process of the thread thread_by_tid found last (a fault's
     * sender is never tid 0, so pg.proc_found is not NULL then) */
    if (__builtin_expect(sender != pg.tid_found, 0))
        return FAST_UNCACHED;
    struct proc *p = pg.proc_found;
    struct mm *mm = &p->mm;
    const struct region_hint *h = region_hint_of(&mm->regions, addr);
    if (__builtin_expect(!h, 0))
        return FAST_UNCACHED;
    uint64_t va = addr & ~(KINE_PAGE_SIZE - 1);
    /* a region lies below KINE_HIGH_LIMIT, the page map's top */
    struct pm_leaf *leaf = h->rights & m->mr[1] ? pm_leaf_cached(&mm->pm, va) : NULL;
    if (!leaf || pg.frames.nfree < PAGING_FAULT_FRAMES)
        return FAST_GENERAL;         /* a violation, a leaf to make, or no room (a kill) */
    const struct policy *pol = p->policy;
    unsigned i = pm_leaf_index(va);
    uint32_t v = leaf->slot[i];
    /* From each answer's checks on, the general path's steps, in its
     * order; with frames free, no failure injected and the leaf there,
     * none can fail. */
    if (v) {                         /* resident: a remap or a copy (mm_fault) */
        if (!write || !pol->mm_fault_resident || pm_slot_is_swap((int32_t)v))
            return FAST_GENERAL;
        uint64_t f = pm_slot_frame_of((int32_t)v);
        uint16_t *count = &pg.frames.ref[f], held = *count;   /* a pool frame's */
        fast_answer(mm, addr, write, h, v, e, as);
        if (held == 1) {             /* remap_frame: a COW reuse, for a write */
            COUNT_MM(mm, faults_cow_reuse);
            leaf->slot[i] = (uint32_t)f + 1;   /* its flags go, as pm_exchange's would */
            e->frame = f;
        } else {                     /* copy_frame: the books first, then the bytes */
            uint64_t n = fast_frame();
            e->frame = n;
            leaf->slot[i] = (uint32_t)n + 1;   /* as pm_exchange would */
            COUNT_MM(mm, faults_cow_copy);
            *count = held - 1;       /* mm_sent's drop: another reference remains */
            memcpy(frame_ptr(n), frame_ptr(f), KINE_PAGE_SIZE);
        }
    } else {                         /* absent: the policy's count, then mm_fill */
        if (!pol->mm_fault_absent || (va >= h->file_start && va < h->file_end))
            return FAST_GENERAL;     /* not the policy's zero fill, or the file's page */
        __asm__("" : "+r"(v));       /* 0, kept in its register: GCC would store a
                                        constant 0 through an address of its own */
        fast_answer(mm, addr, write, h, v, e, as);
        uint64_t n = fast_frame();
        e->frame = n;
        uint64_t *absent = p->env->absent_count;
        if (absent)
            (*absent)++;
        COUNT_MM(mm, pages_zero_filled);
        pm_leaf_enter(&mm->pm, leaf, i, (uint32_t)n);
        memset(frame_ptr(n), 0, KINE_PAGE_SIZE);
    }
    pg.stats.fault_answered = kine_rdinstret();
    return FAST_ANSWERED;
}

#endif
