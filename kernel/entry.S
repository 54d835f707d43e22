/* Boot entry, the trap vector and the return to user mode.
 * The kernel has one stack (per hart) and keeps no per-thread kernel stack:
 * every trap saves the user registers into the current thread's trap frame
 * (struct trapframe in thread.h: x1..x31 at 8*i, sepc at 256), the C handler
 * picks who runs next and user_return restores that thread.  While a thread
 * runs, sscratch points at its trap frame; while the kernel runs it is 0, so
 * a trap from S-mode (a kernel bug) is recognised and reported. */

#define TF_SEPC 256
#define TF_SIZE 272

/* x1, x3..x31 to/from base + 8 * n; sp (x2) is handled by hand. */
.macro SAVE_GPRS base
    sd x1, 8(\base)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, (8 * \n)(\base)
    .endr
.endm

/* everything but sp and a0 (the base), which the caller restores last */
.macro RESTORE_GPRS base
    ld x1, 8(\base)
    .irp n, 3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, (8 * \n)(\base)
    .endr
.endm

    .section .text.entry
    .globl _start
_start:
    /* OpenSBI: a0 = hart id, a1 = device tree.  First hart here boots;
     * any other parks (SMP later: per-hart stacks indexed by hart id). */
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la t0, boot_hart_claimed
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, park
    la sp, kstack_top
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

    .section .data
    .align 3
boot_hart_claimed:
    .word 0

    .section .bss
    .align 12
kstack:
    .space 16384
    .globl kstack_top
kstack_top:

    .section .text
    .globl trap_vector
    .align 4
trap_vector:
    csrrw sp, sscratch, sp
    beqz sp, from_kernel
    SAVE_GPRS sp
    csrr t0, sscratch
    sd t0, 16(sp)
    csrr t0, sepc
    sd t0, TF_SEPC(sp)
    csrw sscratch, zero
    mv a0, sp
    la sp, kstack_top
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    call trap_user
    /* trap_user never returns */

from_kernel:
    csrrw sp, sscratch, sp
    addi sp, sp, -TF_SIZE
    SAVE_GPRS sp
    addi t0, sp, TF_SIZE
    sd t0, 16(sp)
    csrr t0, sepc
    sd t0, TF_SEPC(sp)
    mv a0, sp
    call trap_kernel
3:  j 3b

    /* void user_return(struct trapframe *tf) -- never returns */
    .globl user_return
user_return:
    ld t0, TF_SEPC(a0)
    csrw sepc, t0
    csrw sscratch, a0
    RESTORE_GPRS a0
    ld x2, 16(a0)
    ld x10, 80(a0)
    sret
