/* Trap dispatch for everything but system calls (entry.S sends those to
 * syscall.c).  From user mode: the timer, device interrupts (irq.c), a
 * first FP or vector instruction (fpu.c, vector.c), and faults, which become messages to the
 * faulting thread's pager -- unless only an A or D bit was missing, which
 * the kernel sets itself, or the hart's own TLB was behind.  From kernel mode: only a broken kernel
 * invariant can trap, so that panics with the registers. */
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "syscall.h"
#include "device.h"
#include "vm.h"
#include <kine/ipc.h>

static uint64_t fault_access(uint64_t cause)
{
    switch (cause) {
    case EXC_LOAD_PAGE_FAULT:
    case EXC_LOAD_ACCESS:
        return KINE_FAULT_READ;
    case EXC_STORE_PAGE_FAULT:
    case EXC_STORE_ACCESS:
        return KINE_FAULT_WRITE;
    case EXC_INSN_PAGE_FAULT:
    case EXC_INSN_ACCESS:
        return KINE_FAULT_EXEC;
    default:
        return KINE_FAULT_OTHER;
    }
}

static bool is_page_fault(uint64_t cause)
{
    return cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT ||
           cause == EXC_INSN_PAGE_FAULT;
}

void trap_user(struct trapframe *tf)
{
    struct thread *t = (struct thread *)tf;    /* tf is the first member */
    uint64_t cause = csr_read(scause);

    if (cause & SCAUSE_INTERRUPT) {
        if ((cause & ~SCAUSE_INTERRUPT) == IRQ_S_SOFT) {
            csr_clear(sip, SIP_SSIP);    /* another hart: work, or an eviction */
        } else if ((cause & ~SCAUSE_INTERRUPT) == IRQ_S_TIMER) {
            timer_interrupt();
        } else if ((cause & ~SCAUSE_INTERRUPT) == IRQ_S_EXTERNAL) {
            irq_external();
            sched_preempt();         /* the driver it woke runs soon */
        }
        sched_run();
    }
    uint64_t stval = csr_read(stval), va = ALIGN_DOWN(stval, PAGE_SIZE), *pte = NULL;
    if (cause == EXC_ILLEGAL_INSN && units_first_use(t, stval))
        sched_run();                           /* its own FP or vector state: re-run it */
    /* The faulting page's PTE, looked up once: for the A/D check here and,
     * kept with the thread, for the pager's answer (fastpath.S). */
    if (is_page_fault(cause)) {
        pte = vm_user_pte(t->space->root, va);
        if (pte && vm_fix_ad(pte, va, t->space->asid, cause))
            sched_run();                       /* only A or D was missing: re-run */
    }
    t->fault_va = va;
    t->fault_pte = hot.fastpath_on ? pte : NULL;   /* for fastpath.S only */
    if (!t->pager) {
        kprintf("kernel: pager faulted: cause %lu addr 0x%lx pc 0x%lx\n", cause, stval, tf->sepc);
        poweroff(KINE_EXIT_PAGER_DIED);
    }
    uint64_t mr[KINE_MSG_REGS] = { stval, fault_access(cause), tf->sepc, cause };
    ipc_kernel_send(t, KINE_LABEL_FAULT, mr, false);
    sched_run();                     /* the pager, if it waits in a receive */
}

void trap_kernel(struct trapframe *tf)
{
    panic("trap in kernel: scause 0x%lx stval 0x%lx sepc 0x%lx ra 0x%lx sp 0x%lx",
          csr_read(scause), csr_read(stval), tf->sepc, tf->x[REG_RA], tf->x[REG_SP]);
}
