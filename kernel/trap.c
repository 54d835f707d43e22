/* Trap dispatch.  From user mode: system calls, the timer, device
 * interrupts (irq.c), and faults, which become messages to the faulting
 * thread's pager.  From kernel mode: only a
 * broken kernel invariant can trap, so that panics with the registers. */
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

void trap_user(struct trapframe *tf)
{
    struct thread *t = (struct thread *)tf;    /* tf is the first member */
    uint64_t cause = csr_read(scause);

    fpu_trap_entry();
    if (cause & SCAUSE_INTERRUPT) {
        if ((cause & ~SCAUSE_INTERRUPT) == IRQ_S_TIMER) {
            timer_interrupt();
        } else if ((cause & ~SCAUSE_INTERRUPT) == IRQ_S_EXTERNAL) {
            irq_external();
            sched_preempt();         /* the driver it woke runs soon */
        }
        sched_run();
    }
    if (cause == EXC_ECALL_U) {
        tf->sepc += 4;
        syscall_dispatch(t);
        sched_run();
    }
    if (cause == EXC_ILLEGAL_INSN && fpu_first_use(t, csr_read(stval)))
        sched_run();                           /* its own FP state: re-run it */
    if ((cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT ||
         cause == EXC_INSN_PAGE_FAULT) && vm_fix_ad(t->space, csr_read(stval), cause))
        sched_run();                           /* only A or D was missing: re-run */
    uint64_t mr[KINE_MSG_REGS] = { csr_read(stval), fault_access(cause), tf->sepc, cause };
    if (!t->pager) {
        kprintf("kernel: pager faulted: cause %lu addr 0x%lx pc 0x%lx\n", cause, mr[0], tf->sepc);
        poweroff(KINE_EXIT_PAGER_DIED);
    }
    ipc_kernel_send(t, KINE_LABEL_FAULT, mr, false);
    sched_run();
}

void trap_kernel(struct trapframe *tf)
{
    panic("trap in kernel: scause 0x%lx stval 0x%lx sepc 0x%lx ra 0x%lx sp 0x%lx",
          csr_read(scause), csr_read(stval), tf->sepc, tf->x[REG_RA], tf->x[REG_SP]);
}
