/* Threads and address spaces, the kernel's two object kinds, and the
 * scheduler.  Each object is a page of kernel object memory, named by a
 * handle (handle.h). */
#ifndef KINE_THREAD_H
#define KINE_THREAD_H

#include <stdint.h>
#include <stdbool.h>
#include <kine/ipc.h>
#include "riscv.h"
#include "handle.h"
#include "trapframe.h"
#include "fastpath.h"
#include "list.h"
#include "hart.h"

/* Register numbers in struct trapframe.x[] */
enum { REG_RA = 1, REG_SP = 2, REG_GP = 3, REG_TP = 4, REG_A0 = 10, REG_A1, REG_A2,
       REG_A3, REG_A4, REG_A5, REG_A6, REG_A7 };

struct fpstate {            /* layout known to fpu.S */
    uint64_t f[32];
    uint64_t fcsr;
};

/* A thread's vector state (vector.c), once it has used V: the CSRs here,
 * v0..v31 (VREGS * vlenb bytes) in a kernel page of its own. */
struct vecstate {           /* layout known to vector.S */
    uint64_t vl, vtype, vstart, vcsr;
    uint8_t *regs;
};

enum thread_state {
    T_FREE,
    T_INACTIVE,             /* created, not started */
    T_READY,                /* running or on the run queue */
    T_SEND_BLOCKED,         /* on partner's send queue */
    T_RECV_BLOCKED,         /* waiting for any sender */
    T_REPLY_BLOCKED,        /* sent a call (or fault) to partner; awaits reply */
    T_HALTED,               /* exited; waits for its pager to destroy it */
};

struct space {
    uint64_t handle;        /* generation << 16 | slot */
    uint32_t slot;
    bool privileged;        /* the pager's space: may use pager-only calls */
    bool inject;            /* kernel.failalloc applies to allocations for it */
    uint16_t asid;
    uint32_t nthreads;
    uint64_t satp;          /* the satp value that runs it */
    uint64_t *root;
    uint64_t tables;        /* page-table pages below the root */
    uint64_t table_limit;   /* ... that it may ever hold (its quota) */
    struct thread *threads; /* its threads, linked through space_next */
    /* Harts that may hold its translations: each that made it active since
     * the last flush of its whole ASID everywhere (tlb.c). */
    uint64_t tlb_harts;
    /* Harts that must drop its ASID before they run it again (tlb.c). */
    uint64_t flush_pending;
};

struct thread {
    struct trapframe tf;    /* first: entry.S finds it through sscratch */
    /* What the assembly fast paths (fastpath.S) read and write, at the
     * offsets fastpath.h gives them (checked below). */
    uint64_t tid;           /* its handle: generation << 16 | slot */
    struct space *space;
    struct thread *partner; /* SEND_BLOCKED: receiver; REPLY_BLOCKED: replier */
    struct thread *sendq_head;    /* threads sending to me, first ... */
    uint64_t deadline;      /* RECV_BLOCKED: time CSR value, 0 = none */
    uint64_t notify_bits;   /* notified (KSYS_NOTIFY), not yet received */
    enum thread_state state;
    uint32_t irqs_pending;  /* its interrupts claimed, not yet received (irq.c) */
    bool fp_used;           /* has its own FP state (fpu.c) */
    bool vec_used;          /* has its own vector state (vector.c) */
    bool kmsg;              /* the pending send is a kernel-made message */
    /* The partner of its last fast IPC, or NULL: the next call or reply
     * that names it by tid skips the handle table.  Never a dangling
     * pointer: ipc_detach clears it in every thread before a thread goes. */
    struct thread *peer;

    uint32_t slot;
    struct thread *all_next, *all_prev;   /* every thread (all_threads) */
    struct thread *space_next;            /* the threads of its space */
    struct thread *pager;   /* gets this thread's faults and exit */
    uint64_t ipcbuf_pa, ipcbuf_va;
    bool sending_call;      /* SEND_BLOCKED: wait for a reply after delivery */
    bool kmsg_halts;        /* after delivery, halt (exit) instead of waiting */
    uint64_t kmsg_tag, kmsg_mr[KINE_MSG_REGS];
    struct thread *sendq_tail;            /* ... and last */
    struct thread *qnext;   /* link in a send queue or the run queue */
    bool on_runq;
    /* REPLY_BLOCKED on a fault: the page and, if its leaf table existed,
     * its PTE, so that the answer maps it without a walk (fastpath.S).
     * Cleared if that table is freed before (space_leaf_table_freed). */
    uint64_t fault_va;
    uint64_t *fault_pte;
    uint32_t irqs_bound;    /* interrupt sources bound to it (irq.c) */
    struct list timed_link; /* on the scheduler's deadline list iff deadline */
    struct fpstate fp;      /* saved while another thread owns the FP unit */
    struct vecstate vec;    /* ... the vector unit (vec_used) */
};

#define THREAD_OFFSET_IS(field, value) \
    _Static_assert(__builtin_offsetof(struct thread, field) == (value), "fastpath.h: " #field)
THREAD_OFFSET_IS(tid, THREAD_TID);
THREAD_OFFSET_IS(space, THREAD_SPACE);
THREAD_OFFSET_IS(partner, THREAD_PARTNER);
THREAD_OFFSET_IS(sendq_head, THREAD_SENDQ_HEAD);
THREAD_OFFSET_IS(deadline, THREAD_DEADLINE);
THREAD_OFFSET_IS(notify_bits, THREAD_NOTIFY_BITS);
THREAD_OFFSET_IS(state, THREAD_STATE);
THREAD_OFFSET_IS(irqs_pending, THREAD_IRQS_PENDING);
THREAD_OFFSET_IS(kmsg, THREAD_KMSG);
THREAD_OFFSET_IS(fp_used, THREAD_FP_USED);
_Static_assert(THREAD_UNITS_USED == THREAD_FP_USED && THREAD_VEC_USED == THREAD_FP_USED + 1,
               "fastpath.h: units_used is fp_used and vec_used");
THREAD_OFFSET_IS(vec_used, THREAD_VEC_USED);
THREAD_OFFSET_IS(peer, THREAD_PEER);
THREAD_OFFSET_IS(pager, THREAD_PAGER);
THREAD_OFFSET_IS(fault_va, THREAD_FAULT_VA);
THREAD_OFFSET_IS(fault_pte, THREAD_FAULT_PTE);
_Static_assert(sizeof(enum thread_state) == 4 && T_READY == THREAD_READY &&
               T_RECV_BLOCKED == THREAD_RECV_BLOCKED && T_REPLY_BLOCKED == THREAD_REPLY_BLOCKED,
               "fastpath.h: thread states");
_Static_assert(__builtin_offsetof(struct space, handle) == SPACE_HANDLE &&
               __builtin_offsetof(struct space, root) == SPACE_ROOT &&
               __builtin_offsetof(struct space, satp) == SPACE_SATP &&
               __builtin_offsetof(struct space, asid) == SPACE_ASID &&
               __builtin_offsetof(struct space, tlb_harts) == SPACE_TLB_HARTS &&
               __builtin_offsetof(struct space, flush_pending) == SPACE_FLUSH_PENDING,
               "fastpath.h: space");

extern struct thread *all_threads;   /* every thread that exists */
/* The thread whose registers are live on this hart (hart.h). */
#define cur (this_hart()->thread)
#define for_each_thread(t) for (struct thread *t = all_threads; t; t = t->all_next)

/* handles */
static inline uint64_t thread_tid(const struct thread *t) { return t->tid; }
static inline uint64_t space_handle(const struct space *s) { return s->handle; }

/* NULL if stale or free (a freed object's slot holds NULL). */
static inline struct thread *thread_lookup(uint64_t tid)
{
    struct thread *t = handle_object(tid, true);
    return t && t->tid == tid ? t : (struct thread *)0;
}

static inline struct space *space_lookup(uint64_t handle)
{
    struct space *s = handle_object(handle, false);
    return s && s->handle == handle ? s : (struct space *)0;
}

/* A thread's result of a system call, or of a wait that ended without a
 * message: a0, with a1..a6 cleared so that nothing from an earlier
 * message stays behind in the registers it gets back. */
static inline void thread_set_status(struct thread *t, int64_t status)
{
    t->tf.x[REG_A0] = (uint64_t)status;
    for (int r = REG_A1; r <= REG_A6; r++)
        t->tf.x[r] = 0;
}

/* objects */
int space_create(bool privileged, uint64_t table_limit, bool inject, struct space **out);
void space_destroy(struct space *s);
/* vm.c is about to free leaf table `table` of s: no thread of s may keep a
 * PTE pointer into it (fault_pte) any longer. */
void space_leaf_table_freed(struct space *s, const uint64_t *table);
/* Use no ASIDs, as on a hart without them (kernel.asid=off): every space
 * gets ASID 0, flushed whenever it is switched to.  Before the first space. */
void space_no_asids(void);
int thread_create(struct space *s, uint64_t ipcbuf_va, struct thread *pager, struct thread **out);
void thread_destroy(struct thread *t);

/* Make s the hart's address space; nothing when it already is. */
static inline void space_activate(struct space *s)
{
    if (csr_read(satp) != s->satp) {
        csr_write(satp, s->satp);
        uint64_t me = this_hart()->mask;
        if (hot.smp_on) {                        /* the TLB sets: only with other harts */
            s->tlb_harts |= me;
            if (s->flush_pending & me) {     /* a shootdown it was spared (tlb.c) */
                s->flush_pending &= ~me;
                sfence_vma_asid(s->asid);
            }
        }
        if (!s->asid)
            sfence_vma_all();        /* ASID 0 is shared by every space without one */
    }
}

/* scheduler (sched.c) */
void sched_ready(struct thread *t);           /* make runnable, queue it */
void sched_preempt(void);                     /* timer: current goes to the back */
void sched_unqueue(struct thread *t);         /* take off the run queue */
/* Who runs next: cur if it still can, else the head of the run queue
 * (waiting for an interrupt while there is none), with its address space
 * and FP registers in place; cur is set to it. */
struct thread *sched_pick(void);
/* The same without waiting: NULL when nobody can run (cur is NULL then). */
struct thread *sched_next(void);
void sched_run(void) __attribute__((noreturn));  /* sched_pick, then user_return */
void sched_tick(uint64_t now);                /* deadlines */
void sched_set_deadline(struct thread *t, uint64_t deadline);   /* nonzero */
/* t's receive ends (or t goes): off the deadline list, if it was on it. */
static inline void sched_clear_deadline(struct thread *t)
{
    if (t->deadline) {
        t->deadline = 0;
        list_remove(&t->timed_link);
    }
}
void timer_init(uint64_t timebase_hz);
void timer_interrupt(void);

/* entry.S: resume t in user mode from its trap frame (full or not). */
void user_return(struct trapframe *tf) __attribute__((noreturn));

/* fpu.c: per-thread floating-point state, switched lazily.  The common
 * cases (no FP thread at all; the FP unit already set right) are tests
 * here, inline on the way back to user mode; the rest is out of line. */
/* Each hart's FP unit has an owner and an on/off state (struct hart). */
void fpu_init(void);
bool fpu_first_use(struct thread *t, uint64_t insn);   /* true: enabled, re-run it */
void fpu_switch(struct thread *t);
void fpu_forget(struct thread *t);
void fpu_park(void);                  /* the hart goes idle: unit off, saved */

/* Must the FP unit change for t to run?  On for a thread without FP, or
 * off or holding another thread's registers for one with FP.  (fastpath.S
 * has the same test in assembly.) */
static inline bool fpu_must_switch_on(const struct hart *h, const struct thread *t)
{
    return t->fp_used ? (t != h->fpu_owner || !h->fpu_unit_on) : h->fpu_unit_on;
}

static inline bool fpu_must_switch(const struct thread *t)
{
    return fpu_must_switch_on(this_hart(), t);
}

static inline void fpu_return(struct thread *t)
{
    if (fpu_must_switch(t))
        fpu_switch(t);
}

/* vector.c: per-thread vector state (sstatus.VS), with each hart's unit
 * owned as its FP unit is (struct hart: vec_owner, vec_unit_on), and the
 * registers in a kernel page of the thread's own, taken at its first
 * vector instruction.  Turning the unit off, or back on for its owner, is
 * a few instructions, inline here; loading another thread's registers,
 * or (with several harts) saving the owner's as the unit goes off, is
 * out of line (vec_switch). */
extern uint64_t vec_vlenb;            /* bytes per vector register; 0: no V for threads */
void vec_init(bool every_hart_has_v);
bool vec_first_use(struct thread *t, uint64_t insn);   /* true: enabled, re-run it */
void vec_switch(struct thread *t);    /* the unit set for t, saving and loading */
void vec_forget(struct thread *t);    /* t goes: no hart owns it, its page freed */
void vec_park(void);                  /* the hart goes idle: unit off, saved */

/* The vector unit must change for t to run when it is on for a thread
 * without vectors, or off or holding another's registers for a thread
 * with them (fastpath.S tests that in assembly).  Does that take a call:
 * t's registers to load, or, with several
 * harts, the owner's to save as the unit goes off (so that a thread not
 * running has them in memory and may run on any hart)?  With one hart a
 * changed owner's registers stay in the unit (vec_owner_dirty) until
 * another vector thread needs it. */
static inline bool vec_must_call(const struct thread *t)
{
    if (!vec_vlenb)
        return false;                 /* no V: the unit is never on */
    const struct hart *h = this_hart();
    if (t->vec_used)
        return t != h->vec_owner;
    return h->vec_unit_on && hot.smp_on &&
           (csr_read(sstatus) & SSTATUS_VS_MASK) == SSTATUS_VS_DIRTY;
}

/* The unit set for t when that takes no call (!vec_must_call): off for a
 * thread without vectors (the csrrc also reads whether the owner changed
 * its registers: nothing else in the kernel touches VS), back on, Clean,
 * for the owner, whose values never left. */
static inline void vec_toggle(struct thread *t)
{
    if (!vec_vlenb)
        return;
    struct hart *h = this_hart();
    if (!t->vec_used) {
        if (h->vec_unit_on) {
            uint64_t was = csr_read_clear(sstatus, SSTATUS_VS_MASK);
            if ((was & SSTATUS_VS_MASK) == SSTATUS_VS_DIRTY)
                h->vec_owner_dirty = true;
            h->vec_unit_on = false;
        }
    } else if (!h->vec_unit_on) {
        csr_set(sstatus, SSTATUS_VS_CLEAN);
        h->vec_unit_on = true;
    }
}

static inline void vec_return(struct thread *t)
{
    if (vec_must_call(t))
        vec_switch(t);
    else
        vec_toggle(t);
}

/* Both units set for t (vector.c; fastpath.S calls it too). */
void units_switch(struct thread *t);
/* A first FP or vector instruction (trap.c): true if t now has the unit
 * and the instruction re-runs. */
bool units_first_use(struct thread *t, uint64_t insn);

/* ipc.c */
void ipc_kernel_send(struct thread *t, uint64_t label, const uint64_t mr[KINE_MSG_REGS], bool halts);
void ipc_detach(struct thread *t);            /* unlink t from every wait */
/* Put a kernel-made message (sender 0) into to's registers as received. */
void ipc_kernel_deliver(struct thread *to, uint64_t label, const uint64_t mr[KINE_MSG_REGS]);
int64_t ipc_notify(uint64_t tid, uint64_t bits);   /* KSYS_NOTIFY */

#endif
