/* The IPC fast paths of the two calls an IPC round trip makes: CALL to a
 * thread that waits in a receive, and REPLY_RECV to a thread that waits
 * for our answer when our receive then blocks.  Like fastpath.c's, they
 * are a cache over the general path (ipc.c): each checks that its case is
 * the simple one and otherwise goes back to syscall_general (entry.S) with
 * nothing changed.  They are in assembly because here the message stays
 * in a0..a6 from the caller's registers to the partner's, the caller's
 * kept registers (kine/syscall.h) are saved and the partner's loaded in
 * one pass, and nothing else is touched: no C frame, no round trip of the
 * message through memory, no scheduler.
 *
 * entry.S comes to fast_ipc for a7 = CALL or REPLY_RECV (and 0, 12) with
 * sp = the caller's frame, the caller's sp and gp in its frame, sscratch 0
 * (a trap here is the kernel's) and the kernel's gp, and every other
 * register as the caller left it.  The fast paths use t0..t6, which the convention lets a system
 * call clobber; they zero them on the way out.  The layouts they rely on
 * are in fastpath.h, checked against the C structures. */
#include "riscv.h"
#include "trapframe.h"
#include "fastpath.h"
#include "hart.h"

/* out = the thread `tid` names, or go to the general path: the caller's
 * peer (its partner last time) if that is the one, else handle.h's
 * handle_object and the generation check of thread_lookup. */
.macro LOOKUP tid, out
    ld \out, THREAD_PEER(sp)
    beqz \out, 8f
    ld t0, THREAD_TID(\out)
    beq t0, \tid, 9f
8:  srli t0, \tid, SLOTS_PER_PAGE_SHIFT
    andi t0, t0, SLOT_PAGES_MASK
    slli t0, t0, PTR_SHIFT
    la t1, handle_pages
    add t0, t0, t1
    ld t0, 0(t0)
    beqz t0, syscall_general           /* a page of slots never made */
    andi t1, \tid, (1 << SLOTS_PER_PAGE_SHIFT) - 1
    slli t1, t1, SLOT_SIZE_SHIFT
    add t0, t0, t1
    lbu t1, SLOT_IS_THREAD(t0)
    beqz t1, syscall_general           /* a space's slot */
    ld \out, SLOT_OBJ(t0)
    beqz \out, syscall_general         /* a free slot */
    ld t0, THREAD_TID(\out)
    bne t0, \tid, syscall_general      /* another generation: stale */
    sd \out, THREAD_PEER(sp)
9:
.endm

/* a1 = the caller's tag less the bits only the kernel sets, a6 = the
 * caller's tid, a0 = status 0: what the partner receives, with a2..a5. */
.macro MESSAGE
    li t0, ~(FAST_TAG_KERNEL | FAST_TAG_CALL)
    and a1, a1, t0
    ld a6, THREAD_TID(sp)
    li a0, 0
.endm

    .text
    .globl fast_ipc
fast_ipc:
    lbu t0, fastpath_on                /* kernel.fastpath=off */
    beqz t0, syscall_general
    li t0, FAST_KSYS_CALL
    beq a7, t0, fast_call
    li t0, FAST_KSYS_REPLY_RECV
    bne a7, t0, syscall_general

    /* REPLY_RECV: the receive must block -- no deadline, nobody queued,
     * no interrupt or notification pending -- and the reply is registers
     * only, to a thread that waits for our answer. */
    ld t0, THREAD_SENDQ_HEAD(sp)
    lwu t1, THREAD_IRQS_PENDING(sp)
    or t0, t0, t1
    ld t1, THREAD_NOTIFY_BITS(sp)
    or t0, t0, t1
    andi t1, a1, FAST_TAG_LEN_MASK
    or t0, t0, t1
    or t0, t0, a6
    bnez t0, syscall_general
    LOOKUP a0, t2
    lw t0, THREAD_STATE(t2)
    li t1, THREAD_REPLY_BLOCKED
    bne t0, t1, syscall_general
    ld t0, THREAD_PARTNER(t2)
    bne t0, sp, syscall_general
    lbu t0, THREAD_KMSG(t2)            /* a fault answered without a map: */
    bnez t0, syscall_general           /* rare, and it resumes from its frame */
    /* t2 gets the answer and runs; we wait in the receive */
    sd zero, THREAD_PARTNER(t2)
    li t0, THREAD_RECV_BLOCKED
    sw t0, THREAD_STATE(sp)
    MESSAGE
    j switch_regs

    /* CALL, registers only, to a thread that waits in a receive without a
     * deadline: it gets the message and runs; we wait for its reply. */
fast_call:
    andi t0, a1, FAST_TAG_LEN_MASK
    bnez t0, syscall_general
    LOOKUP a0, t2
    lw t0, THREAD_STATE(t2)
    li t1, THREAD_RECV_BLOCKED
    bne t0, t1, syscall_general
    ld t0, THREAD_DEADLINE(t2)
    bnez t0, syscall_general           /* its deadline is on a list */
    li t0, THREAD_REPLY_BLOCKED
    sw t0, THREAD_STATE(sp)
    sd t2, THREAD_PARTNER(sp)
    sd sp, THREAD_PEER(t2)             /* whom it will likely answer */
    MESSAGE
    li t0, FAST_TAG_CALL               /* we wait for the reply */
    or a1, a1, t0
    /* into switch_regs (the macros between make no code) */

/* From the caller (sp), which waits now, to t2.  The caller keeps what the
 * convention says in its frame (sp and gp are there already), with the pc
 * after its ecall (its full is 0
 * already, entry.S: a0..a6 come from the frame when it is resumed); t2
 * becomes cur, in its address space (satp written only if it changes, and
 * everything flushed after it where there are no ASIDs), and gets a0..a6
 * as they are, its kept registers from its frame and the others zero:
 * this leaves no value of the kernel's or the caller's. */
switch_regs:
    csrr t0, sepc
    addi t0, t0, ECALL_BYTES
    sd t0, TF_SEPC(sp)
    KEPT_GPRS sd, sp
    li t0, THREAD_READY
    sw t0, THREAD_STATE(t2)
    ld t4, TF_HART(sp)                 /* t2 runs on this hart now */
    sd t4, TF_HART(t2)
    sd t2, HART_CUR(t4)
    ld t0, THREAD_SPACE(t2)
    ld t1, SPACE_SATP(t0)
    csrr t3, satp
    beq t1, t3, 1f
    csrw satp, t1
    ld t1, SPACE_TLB_HARTS(t0)         /* space_activate: this hart may */
    ld t3, HART_MASK(t4)               /* hold its translations now, */
    or t1, t1, t3
    sd t1, SPACE_TLB_HARTS(t0)
    ld t1, SPACE_FLUSH_PENDING(t0)     /* and drops them first if a */
    and t5, t1, t3                     /* shootdown spared it (tlb.c) */
    beqz t5, 3f
    xor t1, t1, t3
    sd t1, SPACE_FLUSH_PENDING(t0)
    lhu t5, SPACE_ASID(t0)
    sfence.vma zero, t5
3:
    lhu t1, SPACE_ASID(t0)
    bnez t1, 1f
    sfence.vma
1:  /* Must the vector unit (vec_return, thread.h), then the FP unit
     * (fpu_must_switch) change for t2?  On for a thread without it; for
     * one with it, off or another's registers (that test out of line, at
     * regs_vec and regs_fp). */
    lbu t0, THREAD_VEC_USED(t2)
    lbu t1, HART_VEC_ON(t4)
    bnez t0, regs_vec
    bnez t1, regs_fpu
3:  lbu t0, THREAD_FP_USED(t2)
    lbu t1, HART_FPU_ON(t4)
    bnez t0, regs_fp
    bnez t1, regs_fpu
2:  KUNLOCK t4
    csrw sscratch, t2
    ld t0, TF_SEPC(t2)
    csrw sepc, t0
    ld gp, TF_REG(3)(t2)
    KEPT_GPRS ld, t2
    ZERO ra, t0, t1, t3, t4, t5, t6, a7
    ld sp, TF_REG(2)(t2)
    li t2, 0
    sret
regs_vec:
    beqz t1, regs_fpu
    ld t0, HART_VEC_OWNER(t4)
    bne t0, t2, regs_fpu
    j 3b
regs_fp:
    beqz t1, regs_fpu
    ld t0, HART_FPU_OWNER(t4)
    bne t0, t2, regs_fpu
    j 2b
    /* A unit changes hands: the message goes into t2's frame, then
     * units_switch (C) runs on the kernel stack, and t2 from its frame. */
regs_fpu:
    .irp n, 10,11,12,13,14,15,16
    sd x\n, TF_REG(\n)(t2)
    .endr
    mv sp, t4                          /* the hart's stack */
    mv s0, t2                          /* the caller's s0 is saved */
    mv a0, t2
    call units_switch
    mv a0, s0
    j user_return
