/* Round-robin scheduling on the SBI timer, and the idle loop.  The kernel
 * runs with interrupts off (sstatus.SIE = 0); user mode always takes them.
 * One run queue serves every hart (under the big kernel lock, hart.h); each
 * hart has its own timer and current thread.  The idle loop waits with
 * wfi, which wakes on a pending timer, device or inter-processor interrupt
 * even with SIE clear, and handles it by hand; a hart that leaves threads
 * ready on the queue when it picks its own wakes an idle hart. */
#include "kernel.h"
#include "riscv.h"
#include "sbi.h"
#include "thread.h"
#include "device.h"
#include "hart.h"
#include <kine/error.h>

static struct thread *runq_head, *runq_tail;
static uint64_t tick_interval;
static struct list timed = { &timed, &timed };   /* receivers with a deadline */

void sched_ready(struct thread *t)
{
    t->state = T_READY;
    if (t->on_runq || t == cur || (hot.smp_on && smp_running_elsewhere(t)))
        return;
    t->on_runq = true;
    t->qnext = NULL;
    if (runq_tail)
        runq_tail->qnext = t;
    else
        runq_head = t;
    runq_tail = t;
}

static struct thread *runq_pop(void)
{
    struct thread *t = runq_head;
    if (!t)
        return NULL;
    runq_head = t->qnext;
    if (!runq_head)
        runq_tail = NULL;
    t->on_runq = false;
    t->qnext = NULL;
    return t;
}

void sched_unqueue(struct thread *t)
{
    struct thread **pp = &runq_head, *prev = NULL;
    while (*pp && *pp != t) {
        prev = *pp;
        pp = &(*pp)->qnext;
    }
    if (!*pp)
        return;
    *pp = t->qnext;
    if (runq_tail == t)
        runq_tail = prev;
    t->on_runq = false;
    t->qnext = NULL;
}

void sched_preempt(void)
{
    struct thread *t = cur;
    if (t && t->state == T_READY && runq_head) {
        cur = NULL;
        sched_ready(t);
    }
}

void timer_init(uint64_t timebase_hz)
{
    tick_interval = timebase_hz / 100;   /* 10 ms slices */
    if (!tick_interval)
        tick_interval = 100000;
    csr_set(sie, SIE_STIE | SIE_SSIE);
    sbi_set_timer(csr_read(time) + tick_interval);
}

void sched_set_deadline(struct thread *t, uint64_t deadline)
{
    t->deadline = deadline;
    list_add_tail(&timed, &t->timed_link);
}

/* Only receivers with a deadline are on the list, so a tick costs nothing
 * for the threads that wait without one. */
void sched_tick(uint64_t now)
{
    list_each(l, next, &timed) {
        struct thread *t = list_owner(l, struct thread, timed_link);
        if (now >= t->deadline) {
            sched_clear_deadline(t);
            thread_set_status(t, -KINE_ETIMEDOUT);
            sched_ready(t);
        }
    }
}

void timer_interrupt(void)
{
    uint64_t now = csr_read(time);
    sbi_set_timer(now + tick_interval);
    sched_tick(now);
    sched_preempt();
}

/* Nothing runnable until an interrupt makes something so.  Out of line:
 * inlined, its timer and device work made every return to user mode set up
 * registers only this path uses.  With several harts it waits without the
 * lock, in the kernel's address space (so that no space it ran last can be
 * freed under it) and with its FP and vector registers saved (so that
 * their owners may run on another hart). */
static void __attribute__((noinline)) idle(void)
{
    if (hot.smp_on) {
        csr_write(satp, kernel_satp);
        fpu_park();
        vec_park();
        smp_idle_enter();
        klock_release();
    }
    __asm__ volatile("wfi");
    if (hot.smp_on) {
        klock_acquire();
        smp_idle_leave();
    }
    uint64_t pending = csr_read(sip);
    if (pending & SIP_SSIP)
        csr_clear(sip, SIP_SSIP);
    if (pending & SIP_STIP)
        timer_interrupt();
    if (pending & SIP_SEIP)
        irq_external();
}

struct thread *sched_next(void)
{
    if (!cur || cur->state != T_READY) {
        cur = runq_pop();
        this_hart()->picks += cur != NULL;
    }
    if (cur) {
        space_activate(cur->space);
        fpu_return(cur);
        vec_return(cur);
    }
    /* Threads left over that this hart cannot run: an idle hart takes one.
     * (Waking one for each thread made ready instead sent the partner of
     * almost every IPC to another hart, and the caller's space with it.) */
    if (hot.smp_on && runq_head)
        smp_wake_idle();
    return cur;
}

struct thread *sched_pick(void)
{
    struct thread *t;
    while (!(t = sched_next()))
        idle();
    return t;
}

void sched_run(void)
{
    user_return(&sched_pick()->tf);
}
