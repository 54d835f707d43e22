/* A hart's own kernel state, and the big kernel lock.
 *
 * Every hart has a kernel stack of KSTACK_SIZE bytes, aligned to its size,
 * whose top holds its struct hart: the first sp of the stack is the hart's
 * address.  So C finds its hart from sp (this_hart), and a trap frame
 * remembers the hart that last resumed its thread (TF_HART), which is how
 * entry.S finds the stack to switch to.
 *
 * One lock covers the whole kernel (smp.c): a trap takes it on the way in
 * (entry.S, before the fast paths), the way back to user mode drops it, and
 * an idle hart drops it while it waits.  With one hart it is never taken
 * (hot.smp_on is false) and costs a load and a branch each way.  While a hart
 * waits for the lock it answers an eviction (HART_EVICT): another hart that
 * destroys this hart's thread makes it leave the thread's address space
 * first, then frees the thread; when the lock comes, entry.S sees that the
 * frame it saved into is no longer cur and goes to the scheduler
 * (hart_lost_thread) instead. */
#ifndef KINE_HART_H
#define KINE_HART_H

#include "hot.h"

#define KSTACK_SHIFT     14
#define KSTACK_SIZE      (1 << KSTACK_SHIFT)
#define HART_SIZE        128             /* struct hart, at the top of the stack */
#define MAX_HARTS        8               /* harts the kernel starts */
#define MAX_HART_ID      63              /* hart masks are 64-bit, hart id = bit */

/* struct hart, for entry.S and fastpath.S (checked in smp.c) */
#define HART_CUR         0
#define HART_FPU_OWNER   8
#define HART_MASK        16
#define HART_UNITS_ON    24              /* 16 bits: FPU on, vector on */
#define HART_FPU_ON      24              /* 8 bits */
#define HART_VEC_ON      25              /* 8 bits */
#define HART_EVICT       26              /* 8 bits */
#define HART_VEC_OWNER   40
#define HART_VEC_OWNER_DIRTY 56          /* 8 bits */
#define HART_KERNEL_GP   96

/* struct klock */
#define KLOCK_NEXT       0
#define KLOCK_OWNER      4
#define KLOCK_SLEEPERS   8               /* hart mask, 64 bits */
#define KLOCK_SPINS      100             /* looks at the lock before sleeping */
#define HART_SAVED       64              /* saved[4] */

#ifdef __ASSEMBLER__
/* Take the big kernel lock (ticket order) when several harts run; t0..t3
 * are used.  hart is a register holding this hart; frame the register
 * holding the trap frame just saved.  A hart that has spun KLOCK_SPINS
 * times sleeps in wfi until a release wakes it (KUNLOCK): on a host with
 * fewer cores than harts, a spinning hart takes the core the holder needs.
 * If another hart destroyed our thread while we waited, go to lost with
 * the hart in t3. */
.macro KLOCK hart, frame, lost
    lbu t0, HOT_SMP_ON(gp)
    beqz t0, 3f
    la t1, klock
    li t2, 1
    amoadd.w t2, t2, KLOCK_NEXT(t1)
    li t3, KLOCK_SPINS
1:  lw t0, KLOCK_OWNER(t1)
    beq t0, t2, 2f
    lbu t0, HART_EVICT(\hart)
    bnez t0, 5f
    addi t3, t3, -1
    bnez t3, 1b
    /* asleep: say so, then look once more, so that a release between
     * our last look and the wfi still wakes us */
    ld t0, HART_MASK(\hart)
    addi t3, t1, KLOCK_SLEEPERS
    amoor.d.aqrl zero, t0, (t3)
    li t0, SIP_SSIP
    csrc sip, t0
    lw t0, KLOCK_OWNER(t1)
    beq t0, t2, 4f
    lbu t0, HART_EVICT(\hart)
    bnez t0, 4f
    wfi
4:  ld t0, HART_MASK(\hart)
    not t0, t0
    addi t3, t1, KLOCK_SLEEPERS
    amoand.d.aqrl zero, t0, (t3)
    li t0, SIP_SSIP                   /* the wake-up is taken: no trap for it */
    csrc sip, t0
    li t3, KLOCK_SPINS
    j 1b
    /* evicted: leave the thread's address space for the kernel's; the
     * hart that asked frees it once we say so */
5:  ld t0, kernel_satp
    csrw satp, t0
    sfence.vma
    fence rw, rw
    sb zero, HART_EVICT(\hart)
    j 1b
2:  fence r, rw
    ld t0, HART_CUR(\hart)
    mv t3, \hart
    bne t0, \frame, \lost
3:
.endm

/* Drop the big kernel lock, if it is in use, and wake the harts that
 * sleep waiting for it (klock_wake, entry.S: an SBI IPI; a0, a1, a6 and
 * a7 are kept); hart is a register holding this hart; on, if given, a
 * register holding hot.smp_on already; t0, t1 and ra are used. */
.macro KUNLOCK hart, on
    .ifb \on
    lbu t0, HOT_SMP_ON(gp)
    beqz t0, 3f
    .else
    beqz \on, 3f
    .endif
    la t1, klock
    fence rw, w
    lw t0, KLOCK_OWNER(t1)
    addi t0, t0, 1
    sw t0, KLOCK_OWNER(t1)
    fence rw, rw
    ld t0, KLOCK_SLEEPERS(t1)
    beqz t0, 3f
    mv t1, \hart
    call klock_wake
3:
.endm

/* out = the hart whose kernel stack sp is in */
.macro THIS_HART out
    srli \out, sp, KSTACK_SHIFT
    addi \out, \out, 1
    slli \out, \out, KSTACK_SHIFT
    addi \out, \out, -HART_SIZE
.endm
#else
#include <stdint.h>
#include <stdbool.h>

struct thread;

struct hart {
    struct thread *thread;       /* cur: the thread whose registers are live here */
    struct thread *fpu_owner;    /* whose values this hart's FP registers hold */
    uint64_t mask;               /* 1 << hart id: its bit in hart masks */
    bool fpu_unit_on;            /* sstatus.FS is not Off */
    bool vec_unit_on;            /* sstatus.VS is not Off (vector.c) */
    volatile bool evict;         /* leave your thread's space (set by another hart) */
    uint64_t hartid;
    struct thread *vec_owner;    /* whose values this hart's vector registers hold */
    uint64_t picks;              /* threads the scheduler gave it (sched_next) */
    bool vec_owner_dirty;        /* ... changed, not saved yet (one hart only) */
    uint64_t saved[4];           /* a0, a1, a6, a7 across klock_wake (entry.S) */
    uint64_t kernel_gp;          /* gp in the kernel, &hot: one load for entry.S */
    uint64_t pad[3];
};

struct klock {
    uint32_t next, owner;
    uint64_t sleepers;           /* harts asleep in wfi until it is released */
};

extern struct klock klock;
extern uint64_t kernel_satp;     /* the kernel's own page table, ASID 0 */
extern struct hart *harts[MAX_HARTS];
extern unsigned nharts;

static inline struct hart *this_hart(void)
{
    uint64_t sp;
    __asm__("mv %0, sp" : "=r"(sp));
    return (struct hart *)(((sp >> KSTACK_SHIFT) + 1) << KSTACK_SHIFT) - 1;
}

#define for_each_hart(h) \
    for (struct hart **h##_p = harts, *h; h##_p < harts + nharts && (h = *h##_p); h##_p++)

/* smp.c */
struct fdt_info;
void smp_init(const struct fdt_info *fi, uint64_t boot_hartid);   /* the boot hart's own */
void smp_start(void);            /* the other harts (takes the lock first) */
void klock_acquire(void);
void klock_release(void);
void smp_wake_idle(void);        /* a thread became ready: wake an idle hart */
void smp_idle_enter(void);       /* this hart waits (lock dropped by the caller) */
void smp_idle_leave(void);
/* Is t the current thread of a hart other than this one? */
struct hart *smp_running_elsewhere(const struct thread *t);
/* t runs on hart h (not this one) and is about to be destroyed: make h
 * leave it (its registers saved, the kernel's address space in satp) and
 * forget it, before this returns. */
void smp_evict(struct hart *h);
void smp_ipi(uint64_t mask);
void smp_report(void);           /* at power-off: what each hart did */
#endif

#endif
