/* Page faults.  The kernel sends the pager (address, access, pc); the pager
 * checks the address against the process's regions and either maps memory
 * and lets the thread re-run the instruction, or kills the process. */
#include <string.h>
#include "pager.h"

#define PAGE KINE_PAGE_SIZE

static const char *violation(const struct region *r, uint64_t access)
{
    switch (access) {
    case KINE_FAULT_WRITE: return (r->rights & KINE_RIGHT_W) ? NULL : "write to read-only";
    case KINE_FAULT_EXEC:  return (r->rights & KINE_RIGHT_X) ? NULL : "execute of non-executable";
    case KINE_FAULT_READ:  return (r->rights & KINE_RIGHT_R) ? NULL : "read of unreadable";
    default:               return "bad access";
    }
}

/* First touch of a heap or stack page: a zeroed frame. */
static int zero_fill(struct proc *p, const struct region *r, uint64_t va)
{
    struct map_batch b;
    int64_t f = frame_alloc(&pg.frames);
    if (f < 0)
        return (int)f;
    memset(frame_ptr((uint32_t)f), 0, PAGE);
    int err = pm_set(&p->pm, va, (uint32_t)f, 0);
    if (err) {
        frame_unref(&pg.frames, (uint32_t)f);
        return err;
    }
    batch_begin(&b, p->as);
    err = batch_add(&b, va, r->rights, (uint32_t)f);
    if (!err)
        err = batch_flush(&b);
    if (err)
        proc_release_page(p, va);
    return err;
}

/* Returns with the faulting thread either resumed (reply sent by the caller)
 * or, if the process was killed, gone. */
void handle_fault(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc)
{
    if (access == KINE_FAULT_OTHER) {
        proc_kill(p, "illegal instruction or misaligned access at pc", pc);
        return;
    }
    const struct region *r = region_find(&p->regions, addr);
    if (!r && addr >= KINE_KERNEL_BASE && addr < KINE_KERNEL_LIMIT) {
        proc_kill(p, access == KINE_FAULT_WRITE ? "write to kernel memory" :
                     access == KINE_FAULT_EXEC ? "jump into kernel memory" : "read of kernel memory",
                  addr);
        return;
    }
    if (!r) {
        proc_kill(p, access == KINE_FAULT_EXEC ? "jump to unmapped" :
                     access == KINE_FAULT_WRITE ? "write to unmapped" : "read of unmapped", addr);
        return;
    }
    const char *bad = violation(r, access);
    if (bad) {
        proc_kill(p, bad, addr);
        return;
    }
    uint64_t va = addr & ~(PAGE - 1);
    if (pm_get(&p->pm, va, NULL, NULL))
        return;                      /* already mapped with these rights: retry */
    if (r->kind != REGION_HEAP && r->kind != REGION_STACK) {
        proc_kill(p, "access to a page that was never loaded", addr);
        return;
    }
    int err = zero_fill(p, r, va);
    if (err == -KINE_ENOMEM)
        proc_kill(p, "out of memory at", addr);
    else if (err)
        proc_kill(p, "cannot map", addr);
}
