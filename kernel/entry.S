/* Boot entry, the trap vector and the return to user mode.
 * The kernel has one stack per hart (hart.h) and keeps no per-thread kernel
 * stack: a trap saves user registers into the current thread's trap frame
 * (struct trapframe in trapframe.h: x1..x31 at 8*i, then sepc, full,
 * syscalls, hart), the C handler picks who runs next, and user_return
 * restores that thread.  While a thread runs, sscratch points at its trap
 * frame, whose hart field names the hart (and so the stack) it runs on;
 * while the kernel runs sscratch is 0, so a trap from S-mode (a kernel bug)
 * is recognised and reported.  Every way in takes the big kernel lock
 * (KLOCK) once the registers it must keep are saved, and every way out
 * drops it (KUNLOCK) before it loads the user's registers.
 *
 * Two ways in.  An interrupt or exception can come between any two
 * instructions, so it saves all 31 registers (full = 1); a page fault
 * whose pager waits is then sent by fastpath.S (fast_fault), anything
 * else goes to trap.c.  A system call
 * (ecall) follows the convention of kine/syscall.h, a function call's: it
 * may clobber ra, t0..t6 and a0..a7 and keeps sp, gp, tp and s0..s11.  So
 * its entry saves only sp, gp and the return pc (CALL, REPLY_RECV and
 * MAP_REPLY_RECV try the fast paths of fastpath.S first), and calls the handler of
 * a7 in the thread's table (trapframe.h) with the caller's a0..a7 as
 * arguments; the C code keeps s0..s11 itself.  The handler answers in
 * a0/a1 (sysret, syscall.h):
 *   a1 = 0: the caller goes on, a0 is its result; the other caller-saved
 *           registers come back zero (never a kernel value);
 *   a1 = the thread to run (maybe the caller): a0 is the caller, whose
 *           s0..s11 and tp are saved into its frame now, and the thread to
 *           run is restored from its own frame.
 * full is 1 only while a thread waits after an interrupt or exception:
 * user_return clears it when it resumes one, so a thread that makes a
 * system call always has full = 0 already. */
#include "riscv.h"
#include "trapframe.h"
#include "fastpath.h"
#include "hart.h"
#include "sbi.h"

#define REG(n)  TF_REG(n)

/* x1, x3..x31 to/from base + 8 * n; sp (x2) and t0 (x5) are handled by hand. */
.macro SAVE_GPRS base
    sd x1, REG(1)(\base)
    .irp n, 3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, REG(\n)(\base)
    .endr
.endm

/* everything but sp and a0 (the base), which the caller restores last */
.macro RESTORE_GPRS base
    ld x1, REG(1)(\base)
    .irp n, 3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, REG(\n)(\base)
    .endr
.endm

/* The first steps of resuming the thread whose frame is tf, from C on this
 * hart's stack: the frame names this hart, the lock is dropped, and sepc
 * and sscratch are the thread's.  t0..t2 and ra are used. */
.macro RESUME tf
    THIS_HART t2
    sd t2, TF_HART(\tf)
    KUNLOCK t2
    ld t0, TF_SEPC(\tf)
    csrw sepc, t0
    csrw sscratch, \tf
.endm

    .section .text.entry
    .globl _start
_start:
    /* OpenSBI: a0 = hart id, a1 = device tree.  The first hart here boots
     * on the first stack; kmain starts the others (SBI HSM) at
     * secondary_entry.  A firmware that lets every hart in parks the rest. */
    KERNEL_GP
    la t0, boot_hart_claimed
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, park
    la sp, kstacks + KSTACK_SIZE - HART_SIZE
    la t0, _bss_start
    la t1, _bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call kmain
park:
    wfi
    j park

    /* HSM hart_start: a0 = hart id, a1 = its struct hart, at the top of
     * its stack; satp is 0. */
    .globl secondary_entry
secondary_entry:
    KERNEL_GP
    mv sp, a1
    call hart_main
3:  j 3b

    .section .data
    .align 3
boot_hart_claimed:
    .word 0

    /* In a section of their own: aligning .bss this much would keep the
     * linker from reaching small data through gp. */
    .section .kstacks, "aw", @nobits
    .align KSTACK_SHIFT
    .globl kstacks
kstacks:
    .space KSTACK_SIZE * MAX_HARTS

    .section .text
    .globl trap_vector
    .align 4
trap_vector:
    csrrw sp, sscratch, sp          /* sp = the frame, sscratch = user sp */
    beqz sp, from_kernel
    sd t0, REG(5)(sp)
    csrr t0, scause
    addi t0, t0, -EXC_ECALL_U
    bnez t0, trap_full

    /* A system call: the caller's sp and gp into its frame, sscratch 0
     * (the kernel runs) and the kernel's gp.  CALL and REPLY_RECV try
     * fastpath.S first (a7 & ~12 is 0 for them, and for 0 and 12, which it
     * passes on), and so does MAP_REPLY_RECV; each comes back here, with
     * nothing changed but what that call lets it change, when it cannot
     * serve it. */
    csrrw t0, sscratch, zero
    sd t0, REG(2)(sp)
    sd gp, REG(3)(sp)
    ld t4, TF_HART(sp)
    ld gp, HART_KERNEL_GP(t4)
    KLOCK t4, sp, lost_thread
    andi t0, a7, ~(FAST_KSYS_CALL | FAST_KSYS_REPLY_RECV)
    beqz t0, fast_ipc
    li t0, FAST_KSYS_MAP_REPLY_RECV
    beq a7, t0, fast_map_reply
    .globl syscall_general
syscall_general:
    /* The pc to return to is the next instruction, kept in sepc too, for
     * the way straight back. */
    csrr t0, sepc
    addi t0, t0, ECALL_BYTES
    csrw sepc, t0
    sd t0, TF_SEPC(sp)
    ld t1, TF_SYSCALLS(sp)
    ld sp, TF_HART(sp)               /* the hart's stack starts at its hart */
    sltiu t0, a7, SYSCALL_SLOTS
    bnez t0, 1f
    li a7, 0                         /* no such call: slot 0 says so */
1:  slli t0, a7, PTR_SHIFT
    add t0, t0, t1
    ld t0, 0(t0)
    jalr t0                          /* a0..a7 as the caller left them */
syscall_return:
    bnez a1, syscall_switch

    /* The caller goes on with a0 = its result (sp is the hart). */
    KUNLOCK sp
    ld t0, HART_CUR(sp)
    csrw sscratch, t0
    ld gp, REG(3)(t0)
    ld sp, REG(2)(t0)
    ZERO ra, t0, t1, t2, t3, t4, t5, t6, a1, a2, a3, a4, a5, a6, a7
    sret

syscall_switch:
    /* a0 = the caller, a1 = the thread to run, its registers in its frame
     * (the caller's full is 0: it was running) */
    KEPT_GPRS sd, a0
    li t0, SYSRET_NOBODY
    beq a1, t0, sched_run            /* sp is the hart's stack */
    mv a0, a1
    j user_return

trap_full:
    /* An interrupt or exception: everything, t0 already saved. */
    SAVE_GPRS sp
    csrrw t0, sscratch, zero
    sd t0, REG(2)(sp)
    csrr a4, sepc                      /* (fast_fault's message has it) */
    sd a4, TF_SEPC(sp)
    li t0, 1
    sd t0, TF_FULL(sp)
    ld t4, TF_HART(sp)
    ld gp, HART_KERNEL_GP(t4)
    KLOCK t4, sp, lost_thread
    j fast_fault                     /* a page fault the pager waits for */
    .globl trap_c
trap_c:                              /* anything else, and its fallback */
    mv a0, sp
    ld sp, TF_HART(sp)
    call trap_user
    /* trap_user never returns */

    /* Another hart destroyed our thread while we waited for the lock
     * (hart.h); its frame is gone: t3 is the hart, whose stack we take. */
lost_thread:
    mv sp, t3
    call sched_run

from_kernel:
    csrrw sp, sscratch, sp
    addi sp, sp, -TF_SIZE
    sd t0, REG(5)(sp)
    SAVE_GPRS sp
    addi t0, sp, TF_SIZE
    sd t0, REG(2)(sp)
    csrr t0, sepc
    sd t0, TF_SEPC(sp)
    mv a0, sp
    call trap_kernel
3:  j 3b

    /* klock_wake: t1 = this hart; the harts in klock.sleepers get an IPI
     * (SBI), with a0, a1, a6, a7 kept in the hart (the SBI keeps the rest). */
    .globl klock_wake
klock_wake:
    sd a0, HART_SAVED(t1)
    sd a1, HART_SAVED + 8(t1)
    sd a6, HART_SAVED + 16(t1)
    sd a7, HART_SAVED + 24(t1)
    la a0, klock
    ld a0, KLOCK_SLEEPERS(a0)
    li a1, 0
    li a6, SBI_IPI_SEND
    li a7, SBI_EXT_IPI
    ecall
    ld a0, HART_SAVED(t1)
    ld a1, HART_SAVED + 8(t1)
    ld a6, HART_SAVED + 16(t1)
    ld a7, HART_SAVED + 24(t1)
    ret

    /* void user_return(struct trapframe *tf) -- never returns.  A frame a
     * system call left (full = 0) gives the kept registers and a0..a6; the
     * caller-saved others come back zero. */
    .globl user_return
user_return:
    RESUME a0
    ld t0, TF_FULL(a0)
    bnez t0, resume_full
    ld gp, REG(3)(a0)
    KEPT_GPRS ld, a0
    .irp n, 11,12,13,14,15,16
    ld x\n, REG(\n)(a0)
    .endr
    ZERO ra, t0, t1, t2, t3, t4, t5, t6, a7
    ld sp, REG(2)(a0)
    ld a0, REG(10)(a0)
    sret
    /* resume_full: a0's frame holds all its registers (full = 1), the
     * lock is dropped, sepc and sscratch are its (fastpath.S comes here) */
    .globl resume_full
resume_full:
    sd zero, TF_FULL(a0)               /* running: the frame is stale now */
    RESTORE_GPRS a0
    ld sp, REG(2)(a0)
    ld a0, REG(10)(a0)
    sret
