/* The pager's fault fast path: a write to a resident page that needs no
 * copy — above all a copy-on-write page its process now holds alone, the
 * commonest fault after fork — answered by mapping the same frame
 * writable, with one page-map walk, the region of the process's last
 * fault tried before any search, and the entry changed in place; or, if
 * the page is shared, a write to it copied (mm.c's copy, as the policy
 * would) without the general path's lookups and calls.
 *
 * It is a cache over the general path (handle_fault in fault.c, then the
 * policy's fault hook): it takes a fault only when every check says the
 * general path would do exactly this — same counters, same page-map entry,
 * same mapping queued, same reply — and otherwise leaves the message
 * untouched for handle().  pager.fastfault=off turns it off; the suite runs
 * the fork and COW tests both ways (tests/meson.build, fastfault_off/). */
#include "pager.h"

int fault_fast(struct proc *p, struct kine_msg *m)
{
    if (!p || !pg.fast_fault || !kine_tag_is_kernel(m->tag) ||
        kine_tag_label(m->tag) != KINE_LABEL_FAULT || m->mr[1] != KINE_FAULT_WRITE ||
        !p->policy->mm_fault_resident || mm_queued())
        return FAST_NOT_TAKEN;
    uint64_t addr = m->mr[0], va = addr & ~(KINE_PAGE_SIZE - 1);
    const struct region *r = region_find_hinted(&p->mm.regions, addr, &p->mm.fault_region);
    uint32_t *slot = r && (r->rights & KINE_RIGHT_W) ? pm_slot(&p->mm.pm, va) : NULL;
    if (!slot || !*slot || (*slot & PM_FLAG_SWAP))
        return FAST_NOT_TAKEN;       /* a violation, a fill, a page-in: the general path */
    uint32_t f = pm_slot_frame(*slot);
    bool copy = frame_refcount(&pg.frames, f) + (paging_on ? paging_cache_sharers(f) : 0) > 1;
    if (pg.frames.nfree < PAGING_FAULT_FRAMES || (copy && pg.fail_every))
        return FAST_NOT_TAKEN;       /* making room first, or an injected failure */
    /* From here on the general path's steps for this case, in its order;
     * with frames free, no failure injected and the page's leaf there,
     * nothing below can fail. */
    pg.stats.fault_received = kine_rdinstret();
    pg.fault_addr = addr;
    pg.stats.faults_write++;
    p->mm.stats.faults_write++;
    paging_fault_seen();
    if (copy) {
        int err = mm_copy_on_write_of(p->env, &p->mm, r, va, f);
        if (err) {                   /* as handle_fault would */
            mm_abort(&pager_ops);
            proc_kill(p, err != -KINE_ENOMEM ? "cannot map" : "out of memory at", addr);
            return FAST_NO_REPLY;
        }
    } else
        mm_remap_slot(p->env, &p->mm, r, va, slot);
    reply_status(m, 0);
    pg.stats.fault_answered = kine_rdinstret();
    return FAST_REPLY;
}
