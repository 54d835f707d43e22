/* Threads and address spaces, the kernel's two object kinds, and the
 * scheduler.  Each object is a page of kernel object memory; a handle is
 * generation << 16 | slot in a handle table that grows with use, so a
 * handle to a destroyed object is recognised as stale, never reused, and
 * how many objects exist is bounded by memory, not by a table. */
#ifndef KINE_THREAD_H
#define KINE_THREAD_H

#include <stdint.h>
#include <stdbool.h>
#include <kine/ipc.h>

#define HANDLE_SLOT_BITS 16

/* Register numbers in struct trapframe.x[] */
enum { REG_RA = 1, REG_SP = 2, REG_GP = 3, REG_TP = 4, REG_A0 = 10, REG_A1, REG_A2,
       REG_A3, REG_A4, REG_A5, REG_A6, REG_A7 };

struct trapframe {          /* layout known to entry.S */
    uint64_t x[32];         /* x[0] unused */
    uint64_t sepc;
    uint64_t pad;
};

struct fpstate {            /* layout known to fpu.S */
    uint64_t f[32];
    uint64_t fcsr;
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
    uint64_t *root;
    uint64_t tables;        /* page-table pages below the root */
    uint64_t table_limit;   /* ... that it may ever hold (its quota) */
    struct thread *threads; /* its threads, linked through space_next */
};

struct thread {
    struct trapframe tf;    /* first: entry.S finds it through sscratch */
    uint64_t tid;           /* its handle: generation << 16 | slot */
    uint32_t slot;
    enum thread_state state;
    struct thread *all_next, *all_prev;   /* every thread (all_threads) */
    struct thread *space_next;            /* the threads of its space */
    struct space *space;
    struct thread *pager;   /* gets this thread's faults and exit */
    uint64_t ipcbuf_pa, ipcbuf_va;
    struct thread *partner; /* SEND_BLOCKED: receiver; REPLY_BLOCKED: replier */
    bool sending_call;      /* SEND_BLOCKED: wait for a reply after delivery */
    bool kmsg;              /* the pending send is a kernel-made message */
    bool kmsg_halts;        /* after delivery, halt (exit) instead of waiting */
    uint64_t kmsg_tag, kmsg_mr[KINE_MSG_REGS];
    struct thread *sendq_head, *sendq_tail;   /* threads sending to me */
    struct thread *qnext;   /* link in a send queue or the run queue */
    bool on_runq;
    uint64_t deadline;      /* RECV_BLOCKED: time CSR value, 0 = none */
    uint32_t irqs_bound;    /* interrupt sources bound to it (irq.c) */
    uint32_t irqs_pending;  /* ... of them claimed, not yet received */
    uint64_t notify_bits;   /* notified (KSYS_NOTIFY), not yet received */
    bool fp_used;           /* has its own FP state (fpu.c) */
    struct fpstate fp;      /* saved while another thread owns the FP unit */
};

extern struct thread *all_threads;   /* every thread that exists */
extern struct thread *cur;   /* thread whose registers are live (hart 0) */
#define for_each_thread(t) for (struct thread *t = all_threads; t; t = t->all_next)

/* handles */
static inline uint64_t thread_tid(const struct thread *t) { return t->tid; }
struct thread *thread_lookup(uint64_t tid);    /* NULL if stale or free */
uint64_t space_handle(const struct space *s);
struct space *space_lookup(uint64_t handle);

/* objects */
int space_create(bool privileged, uint64_t table_limit, bool inject, struct space **out);
void space_destroy(struct space *s);
int thread_create(struct space *s, uint64_t ipcbuf_va, struct thread *pager, struct thread **out);
void thread_destroy(struct thread *t);
void space_activate(struct space *s);

/* scheduler (sched.c) */
void sched_ready(struct thread *t);           /* make runnable, queue it */
void sched_preempt(void);                     /* timer: current goes to the back */
void sched_unqueue(struct thread *t);         /* take off the run queue */
void sched_run(void) __attribute__((noreturn));  /* resume cur or pick the next */
void sched_tick(uint64_t now);                /* deadlines */
void timer_init(uint64_t timebase_hz);
void timer_interrupt(void);

/* fpu.c: per-thread floating-point state, switched lazily.  The common
 * cases (no FP thread at all; the FP unit already set right) are tests
 * here, inline on the trap path; the rest is out of line. */
extern struct thread *fpu_owner;      /* whose values the FP registers hold */
extern bool fpu_unit_on;              /* sstatus.FS is not Off */
void fpu_init(void);
bool fpu_first_use(struct thread *t, uint64_t insn);   /* true: enabled, re-run it */
void fpu_note_dirty(void);
void fpu_switch(struct thread *t);
void fpu_forget(struct thread *t);

static inline void fpu_trap_entry(void)
{
    if (fpu_owner)
        fpu_note_dirty();
}

static inline void fpu_return(struct thread *t)
{
    if (t->fp_used ? (t != fpu_owner || !fpu_unit_on) : fpu_unit_on)
        fpu_switch(t);
}

/* ipc.c */
void ipc_syscall(struct thread *t, uint64_t sysno);
void ipc_kernel_send(struct thread *t, uint64_t label, const uint64_t mr[KINE_MSG_REGS], bool halts);
void ipc_detach(struct thread *t);            /* unlink t from every wait */
/* Put a kernel-made message (sender 0) into to's registers as received. */
void ipc_kernel_deliver(struct thread *to, uint64_t label, const uint64_t mr[KINE_MSG_REGS]);
int64_t ipc_notify(uint64_t tid, uint64_t bits);   /* KSYS_NOTIFY */

#endif
