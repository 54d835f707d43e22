/* The trap frame: a thread's user registers while it does not run, laid
 * out for entry.S (which includes this file too) and for C.  How many
 * registers it holds depends on how the thread last entered the kernel: an
 * interrupt or exception saves all 31 (full = 1 until it is resumed); a
 * system call saves only what the system-call convention (kine/syscall.h)
 * keeps for the caller -- sp, gp, tp, s0..s11 -- and gets a0..a6 from the
 * frame when it is resumed from it (full = 0; the other caller-saved
 * registers come back zero).
 * syscalls is the table entry.S dispatches the thread's ecalls through
 * (syscall.c: the pager's calls or everybody's); hart the hart that runs
 * it, or last did (entry.S finds its kernel stack there). */
#ifndef KINE_TRAPFRAME_H
#define KINE_TRAPFRAME_H

#define TF_REG(n)     (8 * (n))     /* x1..x31; x[0] is unused */
#define TF_SEPC       256
#define TF_FULL       264
#define TF_SYSCALLS   272
#define TF_HART       280           /* the hart that last resumed it (hart.h) */
#define TF_SIZE       288           /* a multiple of 16: also a stack frame */

/* System-call table slots: a power of two, so a number is checked with
 * one compare; numbers past the table are KSYS_* holes (-KINE_ENOSYS). */
#define SYSCALL_SLOTS 64
#define PTR_SHIFT     3             /* a table index << this: 8-byte pointers */

/* A handler's "nobody can run now" in a1 (syscall.h): never a thread's address. */
#define SYSRET_NOBODY 1

#ifdef __ASSEMBLER__
/* What a system call keeps for its caller besides sp and gp: tp (x4),
 * s0..s1 (x8, x9), s2..s11 (x18..x27), to or from the frame at base. */
.macro KEPT_GPRS op, base
    \op x4, TF_REG(4)(\base)
    .irp n, 8,9,18,19,20,21,22,23,24,25,26,27
    \op x\n, TF_REG(\n)(\base)
    .endr
.endm

/* Zero each register named: what a thread gets back in a register the
 * convention lets the kernel clobber, when it is not a result. */
.macro ZERO regs:vararg
    .irp r, \regs
    li \r, 0
    .endr
.endm

/* The kernel's gp (the user's may be anything), set without the linker
 * turning it into a gp-relative reference to itself. */
.macro KERNEL_GP
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
.endm
#else
#include <stdint.h>

struct trapframe {
    uint64_t x[32];
    uint64_t sepc;
    uint64_t full;
    const void *syscalls;
    void *hart;
};

_Static_assert(__builtin_offsetof(struct trapframe, sepc) == TF_SEPC, "entry.S: sepc");
_Static_assert(__builtin_offsetof(struct trapframe, full) == TF_FULL, "entry.S: full");
_Static_assert(__builtin_offsetof(struct trapframe, syscalls) == TF_SYSCALLS, "entry.S: syscalls");
_Static_assert(__builtin_offsetof(struct trapframe, hart) == TF_HART, "entry.S: hart");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "entry.S: frame size");
#endif

#endif
