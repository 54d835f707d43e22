/* The fault fast path's undo, for a map the kernel refuses (the path
 * itself is inline in the server loop: fastfault.h). */
#include "fastfault.h"

struct proc *fault_fast_undo(kine_tid_t to)
{
    struct proc *p = proc_by_tid(to);    /* the thread waits for this answer */
    if (pg.fast_fresh == FAST_NO_FRAME) {
        *pg.fast_slot = pg.fast_old;  /* a remap: the same frame, its flags back */
        return p;
    }
    if (pg.fast_old) {                 /* a copy: the shared frame as it was */
        *pg.fast_slot = pg.fast_old;
        frame_ref(&pg.frames, pm_slot_frame(pg.fast_old));
    } else if (p) {                      /* a fill */
        pm_clear(&p->mm.pm, pg.fault_addr & ~(KINE_PAGE_SIZE - 1), NULL);
    }
    pager_frame_unref(pg.fast_fresh);
    return p;
}
