/* libsys: the user-space face of kine.  System call stubs, IPC helpers and
 * the client side of the pager protocol.  Apps normally use picolibc's POSIX
 * calls (write, sbrk, exit, ...) which libsys implements on top of these. */
#ifndef KINESYS_H
#define KINESYS_H

#include <stdint.h>
#include <stddef.h>
#include <kine/syscall.h>
#include <kine/ipc.h>
#include <kine/error.h>
#include <kine/pager.h>
#include <kine/layout.h>

struct kine_msg {
    uint64_t tag;
    uint64_t mr[KINE_MSG_REGS];
};

#if defined(__riscv)   /* host unit tests include this header for the pure parts */
/* Raw system calls: results are >= 0 or -KINE_E*.  An ecall clobbers what
 * a function call may (kine/syscall.h): ra, t0..t6 and a0..a7; it keeps
 * sp, gp, tp, s0..s11 and every FP register. */
#define KINE_ECALL_CLOBBERS "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory"

static inline int64_t kine_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
                                   uint64_t a3, uint64_t a4)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r3 __asm__("a3") = a3;
    register uint64_t r4 __asm__("a4") = a4;
    register uint64_t r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r7)
                     : : "a5", "a6", KINE_ECALL_CLOBBERS);
    return (int64_t)r0;
}

/* One IPC system call: out is sent, and what comes back -- the message
 * received when the result is 0, zeros otherwise (the kernel never hands
 * back a register it did not mean to) -- goes into *in and *sender (never
 * NULL) whatever the result, so that a caller need keep nothing of what they
 * held before for a failure: a server loop keeps the message received in
 * the registers it came in. */
static inline int64_t kine_ipc_into(uint64_t sysno, uint64_t dest, const struct kine_msg *out,
                                    struct kine_msg *in, uint64_t deadline, kine_tid_t *sender)
{
    register uint64_t r0 __asm__("a0") = dest;
    register uint64_t r1 __asm__("a1") = out->tag;
    register uint64_t r2 __asm__("a2") = out->mr[0];
    register uint64_t r3 __asm__("a3") = out->mr[1];
    register uint64_t r4 __asm__("a4") = out->mr[2];
    register uint64_t r5 __asm__("a5") = out->mr[3];
    register uint64_t r6 __asm__("a6") = deadline;
    register uint64_t r7 __asm__("a7") = sysno;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
                     "+r"(r7) : : KINE_ECALL_CLOBBERS);
    in->tag = r1;
    in->mr[0] = r2; in->mr[1] = r3; in->mr[2] = r4; in->mr[3] = r5;
    *sender = r6;
    return (int64_t)r0;
}

/* One IPC system call; m is sent and overwritten by what is received. */
static inline int64_t kine_ipc(uint64_t sysno, uint64_t dest, struct kine_msg *m,
                               uint64_t deadline, kine_tid_t *sender)
{
    struct kine_msg in;
    kine_tid_t from;
    int64_t status = kine_ipc_into(sysno, dest, m, &in, deadline, &from);
    if (status == 0 && sysno != KSYS_SEND && sysno != KSYS_REPLY) {
        *m = in;
        if (sender)
            *sender = from;
    }
    return status;
}

static inline int64_t kine_call(kine_tid_t dest, struct kine_msg *m)
{ return kine_ipc(KSYS_CALL, dest, m, 0, NULL); }
static inline int64_t kine_send(kine_tid_t dest, struct kine_msg *m)
{ return kine_ipc(KSYS_SEND, dest, m, 0, NULL); }
static inline int64_t kine_recv(struct kine_msg *m, uint64_t deadline, kine_tid_t *sender)
{ return kine_ipc(KSYS_RECV, 0, m, deadline, sender); }
static inline int64_t kine_reply(kine_tid_t dest, struct kine_msg *m)
{ return kine_ipc(KSYS_REPLY, dest, m, 0, NULL); }
static inline int64_t kine_reply_recv(kine_tid_t dest, struct kine_msg *m, uint64_t deadline,
                                      kine_tid_t *sender)
{ return kine_ipc(KSYS_REPLY_RECV, dest, m, deadline, sender); }
/* kine_reply_recv for a server loop that keeps the message received in
 * registers (kine_ipc_into). */
static inline int64_t kine_reply_recv_into(kine_tid_t dest, const struct kine_msg *reply,
                                           struct kine_msg *in, uint64_t deadline,
                                           kine_tid_t *sender)
{ return kine_ipc_into(KSYS_REPLY_RECV, dest, reply, in, deadline, sender); }

static inline int64_t kine_debug_write(size_t len)
{ return kine_syscall(KSYS_DEBUG_WRITE, len, 0, 0, 0, 0); }
static inline void kine_yield(void) { kine_syscall(KSYS_YIELD, 0, 0, 0, 0, 0); }
static inline kine_tid_t kine_self(void) { return (kine_tid_t)kine_syscall(KSYS_SELF, 0, 0, 0, 0, 0); }

static inline uint64_t kine_rdinstret(void)
{ uint64_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); return v; }
static inline uint64_t kine_rdtime(void)
{ uint64_t v; __asm__ volatile("rdtime %0" : "=r"(v)); return v; }

/* Pager-only system calls (-KINE_EPERM from anybody else). */
static inline int64_t kine_as_create(uint64_t table_limit, uint64_t flags)
{ return kine_syscall(KSYS_AS_CREATE, table_limit, flags, 0, 0, 0); }
/* Present PTEs of [va, va + npages pages) into the IPC buffer (at most
 * KINE_MAP_BATCH struct kine_map_entry); how many. */
static inline int64_t kine_as_query(kine_as_t as, uint64_t va, uint64_t npages)
{ return kine_syscall(KSYS_AS_QUERY, as, va, npages, 0, 0); }
static inline int64_t kine_kmem_info(void)
{ return kine_syscall(KSYS_KMEM_INFO, 0, 0, 0, 0, 0); }
static inline int64_t kine_as_copy(kine_as_t src, kine_as_t dst, uint64_t va, uint64_t npages,
                                   uint64_t flags)
{ return kine_syscall(KSYS_AS_COPY, src, dst, va, npages, flags); }
static inline int64_t kine_as_tables(kine_as_t as)
{ return kine_syscall(KSYS_AS_TABLES, as, 0, 0, 0, 0); }
static inline int64_t kine_as_destroy(kine_as_t as)
{ return kine_syscall(KSYS_AS_DESTROY, as, 0, 0, 0, 0); }
static inline int64_t kine_sys_thread_create(kine_as_t as, uint64_t ipcbuf_va)
{ return kine_syscall(KSYS_THREAD_CREATE, as, ipcbuf_va, 0, 0, 0); }
static inline int64_t kine_sys_thread_start(kine_tid_t t, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1)
{ return kine_syscall(KSYS_THREAD_START, t, pc, sp, a0, a1); }
static inline int64_t kine_sys_thread_destroy(kine_tid_t t)
{ return kine_syscall(KSYS_THREAD_DESTROY, t, 0, 0, 0, 0); }
/* n entries of struct kine_map_entry, already in this thread's IPC buffer */
static inline int64_t kine_map(kine_as_t as, uint64_t n)
{ return kine_syscall(KSYS_MAP, as, n, 0, 0, 0); }
static inline int64_t kine_unmap(kine_as_t as, uint64_t va, uint64_t npages)
{ return kine_syscall(KSYS_UNMAP, as, va, npages, 0, 0); }
static inline int64_t kine_protect(kine_as_t as, uint64_t va, uint64_t npages, uint64_t rights)
{ return kine_syscall(KSYS_PROTECT, as, va, npages, rights, 0); }
/* Map n entries into as -- first, then entries 1..n-1 of the IPC buffer --
 * answer dest (a faulted thread) with an empty reply, and receive into m,
 * all in one trap.  Nothing of m is loaded for it.  As with
 * kine_reply_recv_into, m and *sender are written whatever the result:
 * they hold the message only when it is 0. */
static inline int64_t kine_map_first_reply_recv(kine_tid_t dest, kine_as_t as, uint64_t n,
                                                struct kine_map_entry first,
                                                struct kine_msg *m, uint64_t deadline,
                                                kine_tid_t *sender)
{
    register uint64_t r0 __asm__("a0") = dest;
    register uint64_t r1 __asm__("a1") = as;
    register uint64_t r2 __asm__("a2") = n;
    register uint64_t r3 __asm__("a3") = first.va_rights, r4 __asm__("a4") = first.frame;
    register uint64_t r5 __asm__("a5");
    register uint64_t r6 __asm__("a6") = deadline;
    register uint64_t r7 __asm__("a7") = KSYS_MAP_REPLY_RECV;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "=r"(r5), "+r"(r6),
                     "+r"(r7) : : KINE_ECALL_CLOBBERS);
    m->tag = r1;
    m->mr[0] = r2; m->mr[1] = r3; m->mr[2] = r4; m->mr[3] = r5;
    *sender = r6;
    return (int64_t)r0;
}
uint64_t *kine_ipcbuf(void);   /* (below) */
/* kine_map_first_reply_recv with all n entries in the IPC buffer, as for kine_map. */
static inline int64_t kine_map_reply_recv(kine_tid_t dest, kine_as_t as, uint64_t n,
                                          struct kine_msg *m, uint64_t deadline,
                                          kine_tid_t *sender)
{
    const struct kine_map_entry *e = (const struct kine_map_entry *)kine_ipcbuf();
    return kine_map_first_reply_recv(dest, as, n, e[0], m, deadline, sender);
}
static inline int64_t kine_sys_poweroff(int status)
{ return kine_syscall(KSYS_POWEROFF, (uint64_t)status, 0, 0, 0, 0); }
/* Map npages of a device's registers at physical pa to va of as. */
static inline int64_t kine_dev_map(kine_as_t as, uint64_t va, uint64_t pa, uint64_t npages)
{ return kine_syscall(KSYS_DEV_MAP, as, va, pa, npages, 0); }
/* Send interrupts of PLIC source src to thread t as KINE_LABEL_IRQ
 * messages (t = 0: to nobody). */
static inline int64_t kine_irq_bind(uint64_t src, kine_tid_t t)
{ return kine_syscall(KSYS_IRQ_BIND, src, t, 0, 0, 0); }

/* The thread an interrupt source is bound to: the interrupt it received is
 * served; the source may interrupt again. */
static inline int64_t kine_irq_ack(uint64_t src)
{ return kine_syscall(KSYS_IRQ_ACK, src, 0, 0, 0, 0); }
static inline int64_t kine_as_accessed(kine_as_t as, uint64_t va, uint64_t npages, uint64_t flags)
{ return kine_syscall(KSYS_AS_ACCESSED, as, va, npages, flags, 0); }
static inline int64_t kine_notify(kine_tid_t tid, uint64_t bits)
{ return kine_syscall(KSYS_NOTIFY, tid, bits, 0, 0, 0); }

#endif /* __riscv */

/* This thread's IPC buffer (KINE_IPC_BUF_WORDS words). */
uint64_t *kine_ipcbuf(void);
void kine_set_ipcbuf(uint64_t va);

/* Pager client (libsys/pager_client.c).  Negative results are -KINE_E*. */
kine_tid_t kine_pager_tid(void);
/* A receive deadline (time CSR value) ms milliseconds from now. */
uint64_t kine_deadline_ms(uint64_t ms);
int64_t kine_spawn(int argc, const char *const argv[], kine_tid_t *tid);
/* The same, under the named memory policy (NULL: the caller's own). */
int64_t kine_spawn_policy(int argc, const char *const argv[], const char *policy, kine_tid_t *tid);
/* Replace the caller's image with argv[0]; returns only on error (the
 * caller is then as it was). */
int64_t kine_exec(int argc, const char *const argv[]);
/* The first process with pid >= pid (-KINE_ESRCH if none). */
int64_t kine_procinfo(int64_t pid, struct kine_procinfo *out);
/* The process after *pi (same pid, a later thread: the drivers all have
 * pid 0; or a later pid), into *pi; -KINE_ESRCH after the last. */
int64_t kine_procinfo_next(struct kine_procinfo *pi);
/* Faults of every kind a process took. */
static inline uint64_t kine_proc_faults(const struct kine_proc_counters *c)
{ return c->faults_read + c->faults_write + c->faults_exec + c->faults_other; }
/* Policy i's name and named counters as text, NUL-ended (-KINE_ESRCH past
 * the last policy). */
int64_t kine_policystats(unsigned i, char *text, size_t cap);
int64_t kine_wait(int64_t pid, int *status);
int64_t kine_wait_flags(int64_t pid, uint64_t flags, int *status);   /* KINE_WAIT_NOHANG */
/* Move up to max fault-trace records (KINE_TRACE_BATCH fit one call) into
 * out: how many, and *lost so far; -KINE_ENOSYS if tracing is off. */
#define KINE_TRACE_BATCH (KINE_IPC_BUF_BYTES / sizeof(struct kine_fault_record))
int64_t kine_trace_drain(struct kine_fault_record *out, uint64_t max, uint64_t *lost);
int64_t kine_pager_write(const void *buf, size_t len);
int64_t kine_ledger(struct kine_ledger *out);
int64_t kine_memstats(struct kine_memstats *out);
/* The pager compares every live process's page tables with its books:
 * disagreements (0 = none), and how many pages and processes it checked. */
int64_t kine_pte_check(uint64_t *pages, uint64_t *procs);

/* Frames held by processes: used frames less the pager's own heap, which
 * may grow (and keep what it grew) while it serves programs.  *consistent
 * (if given) says whether the pager's ledger check passed. */
uint64_t kine_process_frames(int *consistent);
/* The same less the caller's own (its pages and page-map frames): what a
 * test's children must give back.  The caller's own may grow meanwhile (a
 * policy that loads text or fills the stack on first touch). */
uint64_t kine_others_frames(int *consistent);
/* The same from a ledger already fetched. */
uint64_t kine_ledger_others_frames(const struct kine_ledger *l);
/* Frames processes hold: not the pager's heap, nor those a disk transfer
 * holds for the moment (paging out or in: they are nobody's to leak). */
static inline uint64_t kine_ledger_process_frames(const struct kine_ledger *l)
{ return l->frames_used - l->pager_frames - l->frames_in_transfer; }

/* A test program's checks: each counted; a failed one printed as
 * "FAIL: what: got G, want W" (libsys/scenario.c). */
struct kine_tally { int passed, failed; };
void kine_expect(struct kine_tally *t, const char *what, int64_t got, int64_t want);

/* Test scenarios (libsys/scenario.c): run each in turn; one fails if it
 * returns 0, or if afterwards the frames held by the other processes differ
 * from before, the ledger is inconsistent or the page tables disagree with
 * the pager's books.  Prints "NAME: ok|FAILED" per
 * scenario; returns how many failed. */
struct kine_scenario { const char *name; int (*run)(void); };
int kine_run_scenarios(const struct kine_scenario *list, int n);
int64_t kine_poweroff(int status);
int64_t kine_sleep_ticks(uint64_t ticks);
/* Whether Ctrl-C on the console ends the caller (ignore = 0, the default)
 * or not; fork, spawn and exec keep it.  Returns the setting before
 * (KINE_INTR_DEFAULT or KINE_INTR_IGNORE). */
int64_t kine_setintr(int ignore);

/* Threads in this process (libsys/thread.c; docs/abi.md, "Threads").
 * kine_thread_create starts fn(arg) in a new thread and returns its handle
 * (> 0), which names it within the process, or -KINE_EINVAL (no fn, a
 * stack too small or wrapping), -KINE_EAGAIN (KINE_THREADS_MAX threads,
 * or no kernel memory set aside for one more), -KINE_ENOMEM.  The stack
 * must be writable memory: its top is written first (TLS), so a bad one
 * faults here as any bad pointer does.  Its stack: `stack` (the caller's memory,
 * at least KINE_THREAD_STACK_MIN bytes plus the thread's TLS; the caller
 * frees it after the join), or NULL for KINE_THREAD_STACK_DEFAULT bytes
 * libsys allocates and frees at the join.  Returning from fn is
 * kine_thread_exit(its value). */
struct kine_stack { void *base; size_t size; };
#define KINE_THREAD_STACK_MIN     (8UL * 1024)
#define KINE_THREAD_STACK_DEFAULT (64UL * 1024)
int64_t kine_thread_create(void *(*fn)(void *), void *arg, const struct kine_stack *stack);
/* Wait for thread `handle` to end (at once if it has) and take its value:
 * 0, or -KINE_EDEADLK (itself, or a cycle of joins), -KINE_ESRCH (no such
 * thread, or joined already), -KINE_EINVAL (the main thread, or another
 * thread joins it already). */
int64_t kine_thread_join(int64_t handle, void **value);
/* End the calling thread with `value` for its joiner; in the main thread,
 * exit((int)value), as its end is the process's. */
void kine_thread_exit(void *value) __attribute__((noreturn));

/* argv packing for PGR_SPAWN (libsys/argv.c, shared with the pager). */
/* Pack argv into buf as NUL-separated strings; returns bytes used or -KINE_E*. */
int64_t kine_argv_pack(char *buf, size_t cap, int argc, const char *const argv[]);
/* Split a packed buffer back into at most max pointers into buf; checks that
 * there are exactly argc NUL-terminated strings.  Returns argc or -KINE_EINVAL. */
int64_t kine_argv_unpack(char *buf, size_t len, int argc, char *argv[], int max);

#endif
