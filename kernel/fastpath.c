/* The fast paths of the fault round trip: a fault sent to a pager that
 * waits for it, and its answer, MAP_REPLY_RECV of the faulted page (those
 * of CALL and REPLY_RECV are in fastpath.S).  Each is a cache over the
 * general path (ipc.c, syscall.c), as in seL4: it checks that the case is
 * the simple one -- the partner already waits, one page, nobody queued, no
 * deadline, no pending interrupt or notification -- and otherwise hands
 * the call, untouched, to the general path, which would do the same thing
 * slower.  When it goes ahead it hands the message straight to the
 * partner's registers, blocks the caller and runs the partner, without the
 * run queue or the scheduler, and writes satp only when the space changes.
 * kernel.fastpath=off turns them all off (fastpath_on), so every test can
 * check the general path gives the same results. */
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "syscall.h"
#include "vm.h"
#include "tlb.h"
#include <kine/ipc.h>
#include <kine/syscall.h>

bool fastpath_on = true;               /* read by fastpath.S too */

_Static_assert(KSYS_CALL == FAST_KSYS_CALL && KSYS_REPLY_RECV == FAST_KSYS_REPLY_RECV &&
               KINE_TAG_LEN_MASK == FAST_TAG_LEN_MASK && KINE_TAG_KERNEL == FAST_TAG_KERNEL &&
               KINE_TAG_CALL == FAST_TAG_CALL, "fastpath.h: ABI constants");
_Static_assert(sizeof(fastpath_on) == 1, "fastpath.S reads it as a byte");

/* The FP or vector unit changes hands too: out of line, so that the fast
 * paths themselves call nothing and need no stack frame. */
static sysret __attribute__((noinline)) run_with_fpu(struct thread *t, struct thread *to)
{
    units_switch(to);
    return sysret_switch(t, to);
}

/* t has blocked; to, the partner that was waiting, runs now. */
static inline sysret run_partner(struct thread *t, struct thread *to)
{
    to->state = T_READY;
    cur = to;
    space_activate(to->space);
    if (!units_set_inline(to))
        return run_with_fpu(t, to);
    return sysret_switch(t, to);
}

/* t may block in a receive without the general path: nothing is waiting
 * to be received, and it gives no deadline. */
static inline bool recv_would_block(const struct thread *t, uint64_t deadline)
{
    return !deadline && !t->sendq_head && !t->irqs_pending && !t->notify_bits;
}

/* The reply part of MAP_REPLY_RECV: dest waits for t's answer. */
static inline bool awaits_reply(const struct thread *dest, const struct thread *t)
{
    return dest && dest->state == T_REPLY_BLOCKED && dest->partner == t;
}

/* MAP_REPLY_RECV of one page, the one a thread faulted on, in its own
 * space: the PTE found when it faulted is written without a walk.  The
 * checks are sys_map's for one entry; fault_va passed them when the thread
 * faulted (a user page), and its leaf table exists (fault_pte). */
sysret fast_map_reply_recv(SYSCALL_ARGS)
{
    struct thread *t = cur, *dest = thread_lookup_from(t, a0);
    if (a2 != 1 || !awaits_reply(dest, t) || !dest->kmsg || !recv_would_block(t, a6))
        return syscall_map_reply_recv(a0, a1, a2, a3, a4, a5, a6, n);
    const struct kine_map_entry *e = (const struct kine_map_entry *)t->ipcbuf_pa;
    uint64_t va_rights = e->va_rights, frame = e->frame, *pte = dest->fault_pte;
    uint64_t r = va_rights & (PAGE_SIZE - 1);
    if (!pte || va_rights - r != dest->fault_va || space_handle(dest->space) != a1 ||
        !vm_map_flags_ok(r) || frame >= boot.pool_frames || (*pte & PTE_KERNEL_OWNED))
        return syscall_map_reply_recv(a0, a1, a2, a3, a4, a5, a6, n);
    uint64_t old = *pte, new;
    do
        new = vm_pool_pte(old, frame, r);
    while (!pte_replace(pte, &old, new));
    sfence_vma_page(dest->fault_va, dest->space->asid);
    if (vm_pte_narrowed(old, new))
        tlb_shootdown(dest->space);  /* a COW copy: its old frame goes */
    dest->kmsg = false;              /* it re-runs the instruction */
    dest->partner = NULL;
    t->state = T_RECV_BLOCKED;
    return run_partner(t, dest);
}

/* The FP or vector unit changes hands on the way: out of line, so that
 * nothing on the common way is a call the message would have to be kept
 * across. */
static void __attribute__((noinline, noreturn))
message_with_fpu(struct thread *to, uint64_t tag, uint64_t mr0, uint64_t mr1, uint64_t mr2,
                 uint64_t mr3, uint64_t sender)
{
    units_switch(to);
    user_return_message(&to->tf, tag, mr0, mr1, mr2, mr3, sender);
}

void fault_send(struct thread *t, uint64_t addr, uint64_t access, uint64_t pc, uint64_t cause)
{
    struct thread *p = t->pager;
    if (!fastpath_on || p->state != T_RECV_BLOCKED) {
        uint64_t mr[KINE_MSG_REGS] = { addr, access, pc, cause };
        ipc_kernel_send(t, KINE_LABEL_FAULT, mr, false);
        sched_run();
    }
    sched_clear_deadline(p);
    p->peer = t;                     /* whom it will answer */
    t->kmsg = true;                  /* its answer re-runs the instruction */
    t->kmsg_halts = false;
    t->state = T_REPLY_BLOCKED;
    t->partner = p;
    p->state = T_READY;
    cur = p;
    space_activate(p->space);
    uint64_t tag = kine_tag(KINE_LABEL_FAULT, 0) | KINE_TAG_KERNEL | KINE_TAG_CALL;
    if (!units_set_inline(p))
        message_with_fpu(p, tag, addr, access, pc, cause, thread_tid(t));
    user_return_message(&p->tf, tag, addr, access, pc, cause, thread_tid(t));
}
