/* The fault fast path's undo, for a map the kernel refuses (the path
 * itself is inline in the server loop: fastfault.h). */
#include "fastfault.h"

struct proc *fault_fast_undo(kine_tid_t to)
{
    /* The thread waits for this answer, and nothing was handled since the
     * fast path made it: its process and the entry (in a leaf the fast
     * path found made) are there. */
    struct proc *p = proc_by_tid(to);
    uint64_t va = pg.fault_addr & ~(KINE_PAGE_SIZE - 1);
    uint32_t *slot = p ? pm_slot(&p->mm.pm, va) : NULL;
    if (!slot)
        return p;
    uint32_t now = *slot, old = pg.fast_old;
    if (old && pm_slot_frame(now) == pm_slot_frame(old)) {
        *slot = old;                     /* a remap: the same frame, its flags back */
        return p;
    }
    if (old) {                           /* a copy: the shared frame as it was */
        *slot = old;
        frame_ref(&pg.frames, pm_slot_frame(old));
    } else {                             /* a fill */
        pm_clear(&p->mm.pm, va, NULL);
    }
    pager_frame_unref(pm_slot_frame(now));   /* the new frame, and with it the copy */
    return p;
}

bool fault_fast_cache(kine_tid_t sender, uint64_t addr)
{
    struct thread *t = thread_by_tid(sender);
    return t && region_hint_make(&t->proc->mm.regions, addr);
}
