/* TLB shootdown: when a call removes or narrows a translation of an address
 * space, no other hart may use the old one after the call returns.  Which
 * harts may hold it: those that made the space active since its whole ASID
 * was last dropped everywhere (struct space.tlb_harts, set by
 * space_activate and the fast paths once there is more than one hart:
 * with one, there is nobody to shoot down; hot.smp_on is settled before the
 * first user space runs).  Of those, the ones that run the
 * space now (their current thread is in it: we hold the big lock, so each
 * is in user mode or waits for the lock) drop its whole ASID before we go
 * on, with one SBI remote fence per call however many pages changed.  The
 * others cannot use a translation of it until they make it active again,
 * so they are only marked (space.flush_pending) and drop the ASID then
 * (space_activate, fastpath.S): a process that moves between harts costs
 * no remote fence while it is not running.  A destroyed space's ASID goes
 * to the next space in its slot, so then every hart drops it at once
 * (tlb_shootdown_all).  kernel.shootdown=off skips the remote fence and
 * the marks (never safe: it is there to show what breaks without them). */
#include "kernel.h"
#include "riscv.h"
#include "sbi.h"
#include "thread.h"
#include "tlb.h"

bool tlb_shootdown_off;
static uint64_t shootdowns;

static uint64_t marked;          /* harts marked instead (flush_pending) */

static void fence(uint64_t mask, uint64_t asid)
{
    long err = sbi_remote_sfence_asid(mask, asid);
    if (err)                      /* smp_start checked the firmware has RFENCE */
        panic("SBI remote fence failed: %ld", err);
    shootdowns++;
}

void tlb_shootdown(struct space *s)
{
    struct hart *me = this_hart();
    uint64_t others = s->tlb_harts & ~me->mask, running = 0;
    if (!others || tlb_shootdown_off)
        return;
    for_each_hart(h)
        if (h != me && h->thread && h->thread->space == s)
            running |= h->mask;
    if (running)
        fence(running, s->asid);
    if (others & ~running) {
        s->flush_pending |= others & ~running;
        marked++;
    }
    s->tlb_harts = (s->tlb_harts & me->mask) | running;
}

void tlb_shootdown_all(struct space *s)
{
    uint64_t others = (s->tlb_harts | s->flush_pending) & ~this_hart()->mask;
    if (others && !tlb_shootdown_off)
        fence(others, s->asid);
    s->tlb_harts &= this_hart()->mask;
    s->flush_pending = 0;
}

void tlb_report(void)
{
    if (hot.smp_on)
        kprintf("kernel: %lu TLB shootdowns, %lu deferred to the next switch%s\n",
                shootdowns, marked, tlb_shootdown_off ? " (kernel.shootdown=off: none made)" : "");
}
