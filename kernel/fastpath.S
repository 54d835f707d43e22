/* The fast paths of the kernel's two round trips: an IPC (CALL to a thread
 * that waits in a receive, REPLY_RECV to a thread that waits for our
 * answer when our receive then blocks) and a page fault (the fault sent to
 * a pager that waits in a receive, and the pager's MAP_REPLY_RECV of the
 * one page it faulted on).  Each is a cache over the general path (ipc.c,
 * syscall.c, trap.c), as in seL4: it checks that its case is the simple
 * one -- the partner already waits, one page, nobody queued, no deadline,
 * no pending interrupt or notification -- and otherwise hands the trap,
 * with nothing changed, to the general path, which does the same thing
 * slower.  They are in assembly because here a message stays in a0..a6
 * from the sender's registers (or the fault's CSRs) to the receiver's,
 * the registers a thread keeps are saved and the next thread's loaded in
 * one pass, and nothing else is touched: no C frame, no round trip of the
 * message through memory, no scheduler, and satp written only when the
 * space changes.  kernel.fastpath=off (hot.fastpath_on) turns them all off, so
 * every test can check that the general path gives the same results.
 *
 * entry.S comes to fast_ipc for a7 = CALL or REPLY_RECV (and 0, 12), and
 * to fast_map_reply for MAP_REPLY_RECV, with sp = the caller's frame, the
 * caller's sp and gp in its frame, sscratch 0 (a trap here is the
 * kernel's), the kernel's gp, t4 = the hart, and every other register as
 * the caller left it.  These paths use t0..t6, which the convention lets a
 * system call clobber, and zero them on the way out.  entry.S comes to
 * fast_fault for every other trap from user mode, with all 31 registers
 * in the frame (full = 1), so there it may use any register, and with a4
 * = sepc.  The layouts they rely on are in fastpath.h, checked against
 * the C structures. */
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

/* t2 = the thread a0 names, which must wait for the caller's (sp's)
 * answer, or go to the general path. */
.macro AWAITS_REPLY
    LOOKUP a0, t2
    lw t0, THREAD_STATE(t2)
    li t1, THREAD_REPLY_BLOCKED
    bne t0, t1, syscall_general
    ld t0, THREAD_PARTNER(t2)
    bne t0, sp, syscall_general
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
    /* What ACTIVATE and fast_fault put out of line (the units' changes,
     * the TLB sets, the page-table walk) goes after everything else,
     * under a name of its own (so tools/profile does not count it as the
     * function before it). */
    .subsection 1
fastpath_cold:
    .subsection 0
    .globl fast_ipc
fast_ipc:
    lbu t0, HOT_FASTPATH_ON(gp)        /* kernel.fastpath=off */
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
    AWAITS_REPLY
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
    /* into switch_regs (the macro between makes no code) */

/* The caller (sp) waits in its system call: the pc after its ecall and
 * the registers the convention keeps for it go into its frame (sp and gp
 * are there already; its full is 0, entry.S).  to_receiver and
 * resume_full load them back when it runs again. */
.macro CALLER_WAITS
    csrr t0, sepc
    addi t0, t0, ECALL_BYTES
    sd t0, TF_SEPC(sp)
    KEPT_GPRS sd, sp
.endm

/* t2 becomes this hart's thread (t4): ready, in its address space (satp
 * written only if it changes, and everything flushed after it where there
 * are no ASIDs), its FP and vector units as it needs them; then the lock
 * is dropped and sepc and sscratch are t2's, for its registers to be
 * loaded.  If a unit must change hands, go to `units` instead
 * (units_switch), with t2 made the hart's thread and its space active
 * already, and the vector unit maybe changed inline: units_switch works
 * from the hart's state as it finds it.  t6 = hot.smp_on (loaded here unless
 * `on` says it is there already); t0, t1, t3, t5 are used. */
.macro ACTIVATE units, on
    li t0, THREAD_READY
    sw t0, THREAD_STATE(t2)
    sd t4, TF_HART(t2)                 /* t2 runs on this hart now */
    sd t2, HART_CUR(t4)
    .ifb \on
    lbu t6, HOT_SMP_ON(gp)
    .endif
    ld t0, THREAD_SPACE(t2)
    ld t1, SPACE_SATP(t0)
    csrr t3, satp
    beq t1, t3, 1f
    csrw satp, t1
    bnez t6, 7f                        /* the TLB sets: harts > 1 only */
8:  lhu t1, SPACE_ASID(t0)
    bnez t1, 1f
    sfence.vma
    .subsection 1
7:  ld t1, SPACE_TLB_HARTS(t0)         /* space_activate: this hart may */
    ld t3, HART_MASK(t4)               /* hold its translations now, */
    or t1, t1, t3
    sd t1, SPACE_TLB_HARTS(t0)
    ld t1, SPACE_FLUSH_PENDING(t0)     /* and drops them first if a */
    and t5, t1, t3                     /* shootdown spared it (tlb.c) */
    beqz t5, 8b
    xor t1, t1, t3
    sd t1, SPACE_FLUSH_PENDING(t0)
    lhu t5, SPACE_ASID(t0)
    sfence.vma zero, t5
    j 8b
    .subsection 0
1:  /* Nothing to do for the units when t2 uses neither and both are off
     * (each half-word holds the FP and vector bytes); else the vector
     * unit (vec_return, thread.h), then the FP unit (fpu_must_switch):
     * the common changes of the vector unit inline (vec_toggle's),
     * anything else through `units`. */
    lhu t0, THREAD_UNITS_USED(t2)
    lhu t1, HART_UNITS_ON(t4)
    or t0, t0, t1
    bnez t0, 9f
    .subsection 1
9:  lbu t0, THREAD_VEC_USED(t2)
    lbu t1, HART_VEC_ON(t4)
    bnez t0, 4f
    bnez t1, 6f
3:  lbu t0, THREAD_FP_USED(t2)
    lbu t1, HART_FPU_ON(t4)
    bnez t0, 5f
    bnez t1, \units
    j 2f
    /* t2 has vector state: on, Clean, if its registers are the unit's */
4:  ld t0, HART_VEC_OWNER(t4)
    bne t0, t2, \units
    bnez t1, 3b
    li t0, SSTATUS_VS_CLEAN
    csrs sstatus, t0
    li t0, 1
    sb t0, HART_VEC_ON(t4)
    j 3b
    /* t2 has none: the unit off, noting whether its owner changed the
     * registers (kept in the unit with one hart; with several they are
     * saved now, vec_must_call) */
6:  bnez t6, \units
    li t0, SSTATUS_VS_MASK
    csrrc t1, sstatus, t0
    sb zero, HART_VEC_ON(t4)
    and t1, t1, t0
    bne t1, t0, 3b                     /* not Dirty */
    li t1, 1
    sb t1, HART_VEC_OWNER_DIRTY(t4)
    j 3b
5:  beqz t1, \units
    ld t0, HART_FPU_OWNER(t4)
    bne t0, t2, \units
    j 2f
    .subsection 0
2:  KUNLOCK t4, t6
    csrw sscratch, t2
    ld t0, TF_SEPC(t2)
    csrw sepc, t0
.endm

/* From the caller (sp), which waits now, to t2 (a0..a6 come from the
 * caller's frame when it is resumed, entry.S). */
switch_regs:
    CALLER_WAITS
/* t2, which waits in a receive (full = 0), gets a0..a6 as they are, its
 * kept registers from its frame and the others zero: this leaves no value
 * of the kernel's or the sender's. */
to_receiver:
    ACTIVATE regs_fpu
    ld gp, TF_REG(3)(t2)
    KEPT_GPRS ld, t2
    ZERO ra, t0, t1, t3, t4, t5, t6, a7
    ld sp, TF_REG(2)(t2)
    li t2, 0
    sret
    /* A unit changes hands: the message goes into t2's frame, then
     * units_switch (C) runs on the kernel stack, and t2 from its frame. */
regs_fpu:
    .irp n, 10,11,12,13,14,15,16
    sd x\n, TF_REG(\n)(t2)
    .endr
units_then_resume:                     /* the sender's s0 is saved */
    mv sp, t4                          /* the hart's stack */
    mv s0, t2
    mv a0, t2
    call units_switch
    mv a0, s0
    j user_return

/* A page fault (scause: exception 12, 13 or 15) of a thread whose pager
 * waits in a receive without a deadline: the fault message -- tag, addr,
 * access, pc, cause, the thread's tid -- goes straight into the pager's
 * registers, and the thread waits for the answer (kmsg: the answer
 * re-runs the instruction).  The page's PTE, if its leaf table exists, is
 * kept with the thread (fault_va, fault_pte) for fast_map_reply.  Anything
 * else goes to trap_c: interrupts, other exceptions, no pager, a busy
 * pager or one with a deadline, an address outside the program window,
 * and a PTE that allows the access (only A or D was missing, or this
 * hart's TLB was behind: vm_fix_ad in trap.c).  a4 = sepc, the pc of the
 * message, from trap_full. */
    .globl fast_fault
fast_fault:
    csrr a5, scause
    li a3, FAST_FAULT_WRITE
    li t6, PTE_V | PTE_U | PTE_W       /* what a PTE allowing it has */
    li t0, EXC_STORE_PAGE_FAULT
    beq a5, t0, 1f
    li a3, FAST_FAULT_READ
    li t6, PTE_V | PTE_U | PTE_R
    li t0, EXC_LOAD_PAGE_FAULT
    beq a5, t0, 1f
    li a3, FAST_FAULT_EXEC
    li t6, PTE_V | PTE_U | PTE_X
    li t0, EXC_INSN_PAGE_FAULT
    bne a5, t0, trap_c
1:  lbu t0, HOT_FASTPATH_ON(gp)
    beqz t0, trap_c
    ld t2, THREAD_PAGER(sp)
    beqz t2, trap_c
    lw t0, THREAD_STATE(t2)
    li t1, THREAD_RECV_BLOCKED
    bne t0, t1, trap_c
    ld t0, THREAD_DEADLINE(t2)
    bnez t0, trap_c                    /* its deadline is on a list */
    csrr a2, stval
    srli s0, a2, PAGE_SHIFT
    slli s0, s0, PAGE_SHIFT            /* the page */
    /* s1 = its PTE if its leaf table exists, else 0: in the leaf table
     * of the thread's last fault when that covers the page (fault_pte is
     * kept until its table goes: space_leaf_table_freed), as many entries
     * from fault_pte as pages from fault_va, else by a walk from the root
     * (vm_user_pte).  The page must be in a user window
     * (vm_user_page_ok): one in the 2 MiB of a user page's is, unless
     * below the program window's base (the windows are 2 MiB-aligned
     * above it). */
    li t1, FAST_USER_BASE
    ld s1, THREAD_FAULT_PTE(sp)
    ld t0, THREAD_FAULT_VA(sp)
    sub t3, s0, t0
    xor t0, t0, s0
    srli t0, t0, PAGE_SHIFT + PT_INDEX_BITS
    bnez t0, 6f
    beqz s1, 6f
    bltu s0, t1, trap_c
    srai t3, t3, PAGE_SHIFT - PTR_SHIFT  /* pages apart, times 8 */
    add s1, s1, t3
7:  ld t1, 0(s1)
    and t1, t1, t6
    beq t1, t6, trap_c
    .subsection 1                      /* (2: follows in subsection 0) */
6:  sub t0, s0, t1
    li t1, FAST_USER_LIMIT - FAST_USER_BASE
    bgeu t0, t1, trap_c
    li s1, 0
    li t5, PTE_V
    ld t0, THREAD_SPACE(sp)
    ld t0, SPACE_ROOT(t0)
    .irp level, 2, 1
    srli t1, s0, PAGE_SHIFT + PT_INDEX_BITS * \level
    andi t1, t1, PT_ENTRIES - 1
    slli t1, t1, PTR_SHIFT
    add t1, t0, t1
    ld t1, 0(t1)
    andi t3, t1, PTE_V | PTE_LEAF_MASK
    bne t3, t5, 2f                     /* no table below */
    srli t1, t1, PTE_PPN_SHIFT
    slli t0, t1, PAGE_SHIFT
    .endr
    srli t1, s0, PAGE_SHIFT
    andi t1, t1, PT_ENTRIES - 1
    slli t1, t1, PTR_SHIFT
    add s1, t0, t1
    j 7b
    .subsection 0
2:  sd s0, THREAD_FAULT_VA(sp)
    sd s1, THREAD_FAULT_PTE(sp)
    sd sp, THREAD_PEER(t2)             /* whom it will answer */
    li t0, 1
    sb t0, THREAD_KMSG(sp)             /* (kmsg_halts is false: it ran) */
    li t0, THREAD_REPLY_BLOCKED
    sw t0, THREAD_STATE(sp)
    sd t2, THREAD_PARTNER(sp)
    li a1, (FAST_LABEL_FAULT << FAST_TAG_LABEL_SHIFT) | FAST_TAG_KERNEL | FAST_TAG_CALL
    ld a6, THREAD_TID(sp)
    li a0, 0
    j to_receiver

/* MAP_REPLY_RECV of one page, the one the thread it answers faulted on,
 * in that thread's space, by the pager, whose receive then blocks: the PTE
 * fast_fault found is written without a walk, and the thread resumes from
 * its full frame.  The checks are sys_map's for one entry (fast_fault
 * checked the page is a user page) and the reply's; a change that takes
 * a translation away from a space other harts may hold goes to the
 * general path (tlb_shootdown).  With kernel.fastpath=off it runs its
 * checks and always falls back: no thread keeps a fault_pte then
 * (trap.c). */
    .globl fast_map_reply
fast_map_reply:
    addi t0, a2, -1                    /* one entry, */
    or t0, t0, a6                      /* no deadline, */
    ld t1, THREAD_SENDQ_HEAD(sp)       /* nothing to receive */
    or t0, t0, t1
    lwu t1, THREAD_IRQS_PENDING(sp)
    or t0, t0, t1
    ld t1, THREAD_NOTIFY_BITS(sp)
    or t0, t0, t1
    bnez t0, syscall_general
    /* The thread we answer waits for its fault's answer from us, so we
     * are its pager (its partner): a pager's space is privileged
     * (thread_create's pager is its creator, and THREAD_CREATE is a pager
     * call), so MAP_REPLY_RECV is ours to make. */
    AWAITS_REPLY
    lbu t0, THREAD_KMSG(t2)
    beqz t0, syscall_general
    ld a5, THREAD_FAULT_PTE(t2)
    beqz a5, syscall_general
    /* The entry, a3 = va | flags and a4 = frame (kept for the general
     * path), must map the page it faulted on, a7: then a2 = a3 - a7 is
     * the flags, below 4096, and the flags must be in hot's table, where
     * a6 = the new PTE's bits, vm_map_pte_bits(flags): 0 for flags a MAP
     * refuses.  (Another page makes a2 4096 or more, or negative.) */
    ld a7, THREAD_FAULT_VA(t2)
    sub a2, a3, a7
    srli t0, a2, HOT_MAP_FLAGS_SHIFT
    bnez t0, map_reply_general
    ld t5, THREAD_SPACE(t2)
    ld t0, SPACE_HANDLE(t5)
    bne t0, a1, map_reply_general
    add t0, gp, a2
    lbu a6, HOT_MAP_PTE(t0)
    beqz a6, map_reply_general
    ld t0, HOT_POOL_FRAMES(gp)
    bgeu a4, t0, map_reply_general
    ld a0, 0(a5)                       /* the old PTE */
    andi t0, a0, PTE_KERNEL_OWNED
    bnez t0, map_reply_general
    /* The new PTE (vm_pool_pte): the frame's ppn and a6 ... */
    ld t0, HOT_POOL_PPN(gp)
    add t0, a4, t0
    slli t0, t0, PTE_PPN_SHIFT
    or a6, a6, t0
    lbu t6, HOT_SMP_ON(gp)             /* (kept for ACTIVATE) */
    bnez t6, 21f                       /* other harts' TLBs: below */
    /* ... and old's A and D where old maps the same frame, in one atomic
     * step against a walker of another hart setting them (pte_replace) */
32: mv t3, a6
    andi t0, a0, PTE_V
    beqz t0, 33f
    xor t0, a0, a6
    srli t0, t0, PTE_PPN_SHIFT
    bnez t0, 33f                       /* another frame */
    andi t0, a0, PTE_A | PTE_D
    or t3, t3, t0
33: lr.d t0, (a5)
    bne t0, a0, 34f
    sc.d t1, t3, (a5)
    bnez t1, 33b
    lhu t0, SPACE_ASID(t5)
    sfence.vma a7, t0
    sb zero, THREAD_KMSG(t2)           /* it re-runs the instruction */
    sd zero, THREAD_PARTNER(t2)
    li t0, THREAD_RECV_BLOCKED
    sw t0, THREAD_STATE(sp)
    CALLER_WAITS
    ACTIVATE units_then_resume, t6
    mv a0, t2
    j resume_full
34: mv a0, t0                          /* A or D changed under us */
    j 32b
    /* With several harts: a change that takes a translation away
     * (vm_pte_narrowed: another frame, or fewer rights) from a space other
     * harts' TLBs may hold needs tlb_shootdown: the general path's. */
21: andi t0, a0, PTE_V
    beqz t0, 32b                       /* nothing was mapped */
    xor t0, a0, a6
    srli t0, t0, PTE_PPN_SHIFT
    bnez t0, 22f                       /* another frame */
    not t1, a6
    and t1, a0, t1
    andi t1, t1, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U
    beqz t1, 32b                       /* no right taken away */
22: ld t0, SPACE_TLB_HARTS(t5)
    ld t1, HART_MASK(t4)
    not t1, t1
    and t0, t0, t1
    beqz t0, 32b
    /* Back to the general path once a0, a2, a6 or a7 is used here: they
     * hold the thread answered, one entry, no deadline and the call (a1,
     * a3 and a4 are untouched; a5 is not MAP_REPLY_RECV's argument). */
map_reply_general:
    ld a0, THREAD_TID(t2)
    li a2, 1
    li a6, 0
    li a7, FAST_KSYS_MAP_REPLY_RECV
    j syscall_general
