/* Page faults.  The kernel sends the pager (address, access, pc).  The core
 * checks the address against the process's regions and rights; anything
 * legal goes to the process's policy, which queues the mappings that let
 * the thread re-run the instruction.  A paged-out page is the core's
 * (paging.c), never the policy's; a fault that must wait for the disk or
 * for frames is answered later (pg.fault_deferred).  Anything else, or
 * running out of memory with nothing left to page out, kills the process. */
#include "pager.h"

static const char *violation(const struct region *r, uint64_t access)
{
    switch (access) {
    case KINE_FAULT_WRITE: return (r->rights & KINE_RIGHT_W) ? NULL : "write to read-only";
    case KINE_FAULT_EXEC:  return (r->rights & KINE_RIGHT_X) ? NULL : "execute of non-executable";
    case KINE_FAULT_READ:  return (r->rights & KINE_RIGHT_R) ? NULL : "read of unreadable";
    default:               return "bad access";
    }
}

static const char *outside(uint64_t addr, uint64_t access)
{
    int kernel = addr >= KINE_KERNEL_BASE && addr < KINE_KERNEL_LIMIT;
    switch (access) {
    case KINE_FAULT_WRITE: return kernel ? "write to kernel memory" : "write to unmapped";
    case KINE_FAULT_EXEC:  return kernel ? "jump into kernel memory" : "jump to unmapped";
    default:               return kernel ? "read of kernel memory" : "read of unmapped";
    }
}

/* Count a fault by access, for the process (the core's figure is the sum). */
static void count_received(struct proc *p, uint64_t access)
{
    switch (access) {
    case KINE_FAULT_READ:  COUNT_MM(&p->mm, faults_read); break;
    case KINE_FAULT_WRITE: COUNT_MM(&p->mm, faults_write); break;
    case KINE_FAULT_EXEC:  COUNT_MM(&p->mm, faults_exec); break;
    default:               COUNT_MM(&p->mm, faults_other); break;
    }
}

/* Step 2 of the fault path (docs/design.md): check the access against the
 * process's regions, then let its policy queue the answer.  The core sends
 * it (main.c) together with the reply, or kills the process. */
bool handle_fault(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc)
{
    pg.fault_addr = addr;
    count_received(p, access);
    if (access == KINE_FAULT_OTHER) {
        proc_kill(p, "illegal instruction or misaligned access at pc", pc);
        return false;
    }
    const struct region *r = region_find(&p->mm.regions, addr);
    if (!r) {
        if (addr >= KINE_HEAP_LIMIT && addr < KINE_STACK_BOTTOM)    /* the gap */
            proc_kill(p, "stack overflow at", addr);
        else
            proc_kill(p, outside(addr, access), addr);
        return false;
    }
    const char *bad = violation(r, access);
    if (bad) {
        proc_kill(p, bad, addr);
        return false;
    }
    uint64_t va = addr & ~(KINE_PAGE_SIZE - 1);
    uint32_t v, flags;
    int err;
    paging_fault_seen();
    if (paging_on && pm_get(&p->mm.pm, va, &v, &flags) && (flags & PM_FLAG_SWAP)) {
        err = paging_page_in(p, va, v);
    } else {
        bool short_of_frames = pg.frames.nfree < PAGING_FAULT_FRAMES;
        err = paging_need(PAGING_FAULT_FRAMES);
        if (err == PAGING_WAIT) {
            pg.serving_thread->blocked = B_MEMORY;   /* asked again once frames come back */
            pg.serving_thread->park_frames = PAGING_FAULT_FRAMES;
        } else if (short_of_frames && pm_get(&p->mm.pm, va, &v, &flags) &&
                   (flags & PM_FLAG_SWAP)) {
            /* making room paged out this very page (a COW page the oldest,
             * say): it comes back like any other, never to a policy */
            err = paging_page_in(p, va, v);
        } else
            err = p->policy->fault(p->env, &p->mm, r, va, access);
    }
    if (err == PAGING_WAIT) {
        pg.serving_thread->parked = false;   /* the faulting thread waits, not its process */
        pg.fault_deferred = true;
        return true;
    }
    if (err) {
        mm_abort(&pager_ops);
        proc_kill(p, err != -KINE_ENOMEM ? "cannot map" :
                     paging_swap_full() ? "out of memory (swap full) at" : "out of memory at", addr);
        return false;
    }
    return true;
}
