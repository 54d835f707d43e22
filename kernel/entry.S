/* Boot entry, the trap vector and the return to user mode.
 * The kernel has one stack (per hart) and keeps no per-thread kernel stack:
 * every trap saves the user registers into the current thread's trap frame
 * (struct trapframe in thread.h: x1..x31 at 8*i, sepc at 256), the C handler
 * picks who runs next and user_return restores that thread.  While a thread
 * runs, sscratch points at its trap frame; while the kernel runs it is 0, so
 * a trap from S-mode (a kernel bug) is recognised and reported. */

#define TF_SEPC 256
#define TF_SIZE 272

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
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
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
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
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
    ld x1, 8(a0)
    ld x2, 16(a0)
    ld x3, 24(a0)
    ld x4, 32(a0)
    ld x5, 40(a0)
    ld x6, 48(a0)
    ld x7, 56(a0)
    ld x8, 64(a0)
    ld x9, 72(a0)
    ld x11, 88(a0)
    ld x12, 96(a0)
    ld x13, 104(a0)
    ld x14, 112(a0)
    ld x15, 120(a0)
    ld x16, 128(a0)
    ld x17, 136(a0)
    ld x18, 144(a0)
    ld x19, 152(a0)
    ld x20, 160(a0)
    ld x21, 168(a0)
    ld x22, 176(a0)
    ld x23, 184(a0)
    ld x24, 192(a0)
    ld x25, 200(a0)
    ld x26, 208(a0)
    ld x27, 216(a0)
    ld x28, 224(a0)
    ld x29, 232(a0)
    ld x30, 240(a0)
    ld x31, 248(a0)
    ld x10, 80(a0)
    sret
