/* Interrupts for user tasks.  Each PLIC source that belongs to a device
 * node may be bound to one thread (KSYS_IRQ_BIND, pager only).  When it
 * fires, the kernel claims it and sends the thread a kernel-made message
 * (KINE_LABEL_IRQ, MR0 = source) the next time it receives, or at once if
 * it is receiving; the kernel never waits for it.  The source stays
 * claimed, so masked, until the thread acknowledges it (KSYS_IRQ_ACK);
 * only then is it completed and may fire again.  A source moves
 * IDLE -> PENDING (claimed, not yet received) -> DELIVERED -> IDLE. */
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "plic.h"
#include "device.h"
#include <kine/ipc.h>

enum line_state { LINE_IDLE, LINE_PENDING, LINE_DELIVERED };

struct line {
    struct thread *owner;           /* NULL: not bound (and disabled) */
    enum line_state state;
};

static struct line lines[PLIC_SOURCES_MAX + 1];
static uint32_t nsources;           /* 0: no PLIC, no device interrupts */

void irq_init(uint32_t n)
{
    nsources = n;
    irq_hart_init();
}

/* Every hart listens: the PLIC context the kernel uses (boot.plic_context)
 * is one hart's, which need not be the boot hart.  And OpenSBI, when it
 * starts a hart, closes that hart's S-mode context (enable bits 0,
 * threshold 7): if that was the kernel's, it is opened again, with the
 * sources bound so far. */
void irq_hart_init(void)
{
    if (!nsources)
        return;
    csr_set(sie, SIE_SEIE);
    plic_open();
    for (uint32_t src = 1; src <= nsources; src++)
        if (lines[src].owner)
            plic_enable(src);
}

/* Undo a binding: an interrupt claimed and not acknowledged is completed
 * (before the source is disabled: a completion for a disabled source is
 * ignored), then the source is turned off. */
static void release(uint32_t src)
{
    struct line *l = &lines[src];
    if (l->state != LINE_IDLE)
        plic_complete(src);
    if (l->state == LINE_PENDING)
        l->owner->irqs_pending--;
    plic_disable(src);
    l->owner->irqs_bound--;
    l->owner = NULL;
    l->state = LINE_IDLE;
}

int64_t irq_bind(uint64_t src, uint64_t tid)
{
    if (!nsources)
        return -KINE_ENODEV;
    if (src == 0 || src > nsources)
        return -KINE_EINVAL;
    if (!device_has_irq(src))
        return -KINE_ENODEV;
    struct line *l = &lines[src];
    if (tid == 0) {
        if (l->owner)
            release((uint32_t)src);
        return 0;
    }
    struct thread *t = thread_lookup(tid);
    if (!t || t->state == T_HALTED)
        return -KINE_ESRCH;
    if (l->owner)
        return l->owner == t ? 0 : -KINE_EBUSY;
    l->owner = t;
    l->state = LINE_IDLE;
    t->irqs_bound++;
    plic_enable((uint32_t)src);
    return 0;
}

int64_t irq_ack(struct thread *t, uint64_t src)
{
    if (src == 0 || src > nsources)
        return -KINE_EINVAL;
    struct line *l = &lines[src];
    if (l->owner != t)
        return -KINE_EPERM;
    if (l->state != LINE_DELIVERED)
        return -KINE_EINVAL;         /* nothing received to acknowledge */
    l->state = LINE_IDLE;
    plic_complete((uint32_t)src);
    return 0;
}

bool irq_deliver_pending(struct thread *t)
{
    for (uint32_t src = 1; src <= nsources; src++) {
        struct line *l = &lines[src];
        if (l->owner != t || l->state != LINE_PENDING)
            continue;
        uint64_t mr[KINE_MSG_REGS] = { src, 0, 0, 0 };
        l->state = LINE_DELIVERED;
        t->irqs_pending--;
        ipc_kernel_deliver(t, KINE_LABEL_IRQ, mr);
        return true;
    }
    return false;
}

void irq_external(void)
{
    uint32_t src;
    while ((src = plic_claim()) != 0) {
        struct line *l = src <= nsources ? &lines[src] : NULL;
        if (!l || !l->owner) {
            plic_complete(src);      /* nobody's (unbound meanwhile): off again */
            plic_disable(src);
            continue;
        }
        if (l->state != LINE_IDLE)
            continue;                /* cannot happen: claimed twice uncompleted */
        struct thread *t = l->owner;
        l->state = LINE_PENDING;
        t->irqs_pending++;
        if (t->state == T_RECV_BLOCKED && irq_deliver_pending(t))
            sched_ready(t);
    }
}

void irq_forget(struct thread *t)
{
    for (uint32_t src = 1; t->irqs_bound && src <= nsources; src++)
        if (lines[src].owner == t)
            release(src);
}
