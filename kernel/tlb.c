/* TLB shootdown: when a call removes or narrows a translation of an address
 * space, every other hart that may hold it in its TLB drops it before the
 * call returns.  Which harts may: those that made the space active since
 * its whole ASID was last dropped everywhere (struct space.tlb_harts, set
 * by space_activate and the fast paths).  One SBI remote fence per call,
 * for the whole ASID, however many pages changed: it leaves only the harts
 * that run the space now in the set, so the next change of a space that
 * stayed on one hart costs nothing.  kernel.shootdown=off skips the remote
 * fence (never safe: it is there to show what breaks without it). */
#include "kernel.h"
#include "riscv.h"
#include "sbi.h"
#include "thread.h"
#include "tlb.h"

bool tlb_shootdown_off;
static uint64_t shootdowns;

void tlb_shootdown(struct space *s)
{
    struct hart *me = this_hart();
    uint64_t others = s->tlb_harts & ~me->mask;
    if (!others)
        return;
    if (!tlb_shootdown_off) {
        long err = sbi_remote_sfence_asid(others, s->asid);
        if (err)
            panic("SBI remote fence failed: %ld", err);
    }
    shootdowns++;
    uint64_t keep = s->tlb_harts & me->mask;
    for_each_hart(h)
        if (h->thread && h->thread->space == s)
            keep |= h->mask;
    s->tlb_harts = keep;
}

void tlb_report(void)
{
    if (smp_on)
        kprintf("kernel: %lu TLB shootdowns%s\n", shootdowns,
                tlb_shootdown_off ? " skipped (kernel.shootdown=off)" : "");
}
