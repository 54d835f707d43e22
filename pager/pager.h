/* The pager's shared state and the interfaces between its files. */
#ifndef PAGER_H
#define PAGER_H

#include <stdint.h>
#include <stdbool.h>
#include <kinesys.h>
#include <kine/bootinfo.h>
#include <kine/layout.h>
#include "frame.h"
#include "region.h"
#include "pagemap.h"
#include "policy.h"
#include "paging.h"

#define MAX_FDS   16
#define PIPE_SIZE 4096
#define INIT_PID  1
/* Children (running or not yet reaped) one process may have: a record
 * stays until its parent waits, and whoever leaves them unreaped pays,
 * not everybody else.  init, which adopts orphans, has no cap. */
#define CHILDREN_MAX 32
#define DRIVER_PID 0         /* every driver task's: no process number */
#define DRIVER_STACK_SIZE (64UL * 1024)   /* a driver's stack, all resident */
/* Chains of threads by the handle slot of their tid (its low bits: the
 * kernel's handles are generation << 16 | slot), so that with fewer live
 * kernel objects than buckets a thread is the first of its chain.  Not a
 * limit. */
#define TID_BUCKETS 256
#define FRAMES_CAP_MIN 64    /* pager.frames=N: the least that can boot */
/* Bits of the notifications the pager sends itself (KSYS_NOTIFY): work to
 * do from its loop, as a message of its own, once the current one is done. */
#define PAGER_WORK_BLK 1UL   /* transfers are over: run their callbacks (blk.c) */
/* pg.fast_tag's values: a fault's tag as the kernel sends it (a call: an
 * answer is awaited), and a tag no message carries (kernel-made, which no
 * user send can be, with label 0, which no kernel message has). */
#define FAST_TAG_ON  (kine_tag(KINE_LABEL_FAULT, 0) | KINE_TAG_KERNEL | KINE_TAG_CALL)
#define FAST_TAG_OFF (kine_tag(0, 0) | KINE_TAG_KERNEL)

enum proc_state { P_FREE, P_LIVE, P_ZOMBIE };
enum fd_kind { FD_NONE, FD_CONSOLE, FD_PIPE_READ, FD_PIPE_WRITE };
/* A request whose reply waits for something (sent later with KSYS_REPLY). */
enum blocked_on { B_NONE, B_WAIT, B_SLEEP, B_PIPE_READ, B_PIPE_WRITE, B_CONSOLE_READ,
                  B_PAGE_IN,    /* a fault: its page is being read from disk */
                  B_MEMORY,     /* a fault or request: no frame until page-outs end */
                  B_JOIN };     /* PGR_THREAD_JOIN: until the thread ends */

struct pipe;
struct proc;
struct fd { enum fd_kind kind; struct pipe *pipe; };

/* A thread of a process, as the pager sees it: its kernel tid and what it
 * waits for.  Every request and fault comes from one thread, and a reply
 * that must wait (a read, a sleep, a page coming in) goes back to that
 * thread, so the waiting state is a thread's, not its process's.  The
 * first thread is part of its process (proc.main); the others are made by
 * PGR_THREAD_CREATE (thread.c) and are on the process's list after it. */
struct thread {
    struct thread *next;     /* the process's threads, main first */
    struct thread *tid_next; /* chain in pg.by_tid (live threads only) */
    struct proc *proc;
    kine_tid_t tid;          /* 0 once its kernel thread is gone */
    uint64_t handle;         /* the process's own name for it (1: main) */
    unsigned slot;           /* created threads: its IPC buffer's slot */
    bool exited;             /* ended, its value kept until it is joined */
    uint64_t exit_value;
    struct thread *joiner;   /* B_JOIN on this one */
    enum blocked_on blocked;
    int64_t wait_pid;        /* B_WAIT */
    uint64_t sleep_until;    /* B_SLEEP: time CSR deadline */
    struct pipe *block_pipe; /* B_PIPE_*: the pipe itself, never an index */
    int block_fd;            /* B_PIPE_*, B_CONSOLE_READ: through this descriptor */
    uint64_t block_bytes;    /* B_PIPE_READ, B_CONSOLE_READ: at most this many */
    uint32_t page_in_slot;   /* B_PAGE_IN: the slot being read */
    bool parked;             /* B_MEMORY: a request (parked_msg), not a fault */
    struct kine_msg parked_msg;
    void *parked_words;      /* ... and the words it had in the IPC buffer (malloc'd) */
    uint64_t parked_len;     /* ... how many bytes of them */
    unsigned park_tries;     /* times in a row its request waited for frames */
    uint64_t park_frames;    /* B_MEMORY: free frames it waits for */
    uint64_t wake_epoch;     /* the last wake that tried it (main.c) */
};

/* Processes live in a list allocated from the pager's heap; how many can
 * exist is bounded by the kernel memory each one reserves (proc.c). */
struct proc {
    struct proc *next;       /* pg.procs, in creation order */
    enum proc_state state;
    int pid, ppid;
    char name[KINE_NAME_MAX + 1];
    kine_tid_t tid;          /* its first thread's (main.tid): who it is to
                                the console, ps and the drivers' checks */
    struct thread main;      /* its first thread, head of its list */
    unsigned nthreads;       /* records on the list, exited ones not yet joined included */
    uint32_t thread_slots;   /* IPC buffer slots in use (bit i: slot i) */
    uint64_t next_handle;    /* the handle the next created thread gets */
    const struct policy *policy;   /* chosen at spawn; fork inherits it */
    struct policy_env *env;        /* the policy's environment, at hand */
    struct mm mm;
    uint64_t kmem_pages;     /* kernel object pages reserved for it */
    uint64_t heap_start, brk;
    uint64_t wstatus;        /* ZOMBIE: wait status */
    struct fd fds[MAX_FDS];
    bool driver;             /* a driver task (driver.c) */
    bool ignore_intr;        /* Ctrl-C on the console does not end it */
};

struct pipe {
    uint32_t head, len;      /* ring buffer */
    uint32_t readers, writers;
    char buf[PIPE_SIZE];
};

struct pager {
    const struct kine_bootinfo *bi;
    uint64_t pool_va;        /* bi->pool_va, where the pool is mapped (frame_ptr) */
    const struct policy *policy;    /* the default for init (pager.policy=) */
    const struct reclaim *reclaim;  /* the replacement policy (pager.reclaim=) */
    uint64_t frames_cap;     /* pager.frames=N: the pool is cut to N frames */
    struct frame_table frames;
    /* The fewest frames free after an allocation for a process (the
     * frame count at boot before any): frames_peak is nframes less it */
    uint32_t nfree_low;
    uint64_t heap_frames;    /* frames the pager's own heap uses */
    uint64_t fault_addr;     /* the fault being answered */
    bool fault_deferred;     /* ... will be answered later (paging) */
    /* The core's counters, but for the fields memstats_fill makes when
     * asked: the ones every process keeps for itself, added up (the live
     * processes' and retired), pages_copied from them, frames_in_use and
     * frames_peak */
    struct kine_memstats stats;
    struct kine_proc_counters retired;   /* of processes whose records are gone */
    struct proc *procs;      /* every process not yet reaped */
    kine_tid_t tid_found;    /* the last thread thread_by_tid found (0: none) */
    struct thread *thread_found;
    struct proc *proc_found; /* ... and its process */
    struct proc *serving;    /* whose request or fault is being handled */
    struct thread *serving_thread;   /* ... and which of its threads sent it */
    int next_pid;
    unsigned sleepers;       /* processes in B_SLEEP: skip the scan when 0 */
    uint64_t kmem_budget;    /* kernel object pages processes may reserve */
    uint64_t kmem_reserved;
    uint64_t table_limit;    /* page-table pages per process (pager.tables=) */
    uint64_t fail_every;     /* pager.failalloc=N: fault injection, 0 = off */
    uint64_t trace_records;  /* pager.trace=N: fault trace ring, 0 = off */
    bool devcheck;           /* pager.devcheck: check the device calls at boot */
    bool blkcheck;           /* pager.blkcheck: check the disk's transfers at boot */
    bool vcheck;             /* pager.vcheck: check the RVV copies at boot (pageops.c) */
    bool (*fault_handler)(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc);
    /* The tag a message must carry for the fault fast path (fastfault.h)
     * to look at it: a fault's (FAST_TAG_ON), or FAST_TAG_OFF, which no
     * message carries, with pager.fastfault=off, a trace (every fault
     * recorded), failure injection (every allocation may fail) or a swap
     * disk (paging.c): one comparison says whether the path is on and the
     * message a fault */
    uint64_t fast_tag;
    /* What the page-map entry the fast path's answer (about to be sent)
     * changed held before, for fault_fast_undo (fastfault.h; the
     * fault's address is fault_addr): 0, nothing (a fill) */
    uint32_t fast_old;
    uint64_t alloc_calls, injected;
    /* Last, so that every field above is within a load's reach of one
     * base register (the fault fast path's) */
    struct thread *by_tid[TID_BUCKETS];
};

#define for_each_proc(q) for (struct proc *q = pg.procs; q; q = q->next)
/* Every thread record of every process (exited ones too: blocked B_NONE). */
#define for_each_thread(t) for (struct thread *t = thread_first(); t; t = thread_next(t))

extern struct pager pg;
extern const struct pager_ops pager_ops;

/* Count one event of a process's memory (mm), in its own counters only:
 * the core's figure is every process's added up (memstats_fill; mm.c's
 * COUNT for the policies' steps). */
#define COUNT_MM(mm, field) ((mm)->stats.field++)


static inline void *frame_ptr(uint64_t f)
{
    return (void *)(pg.pool_va + (uint64_t)f * KINE_PAGE_SIZE);
}

static inline uint32_t frame_of(const void *p)
{
    return (uint32_t)(((uint64_t)p - pg.pool_va) / KINE_PAGE_SIZE);
}

/* ops.c: the one place process frames are allocated and released; page-map nodes */
int64_t pager_frame_alloc(void);
int pager_frame_unref(uint32_t f);
extern const struct pm_alloc pm_frame_alloc;

/* console.c: the pager's own lines ("pager: ..."), clients' output, echo */
void pager_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_client_write(struct proc *p, const char *buf, size_t len);
/* Typed input's echo, while `reader` (0: nobody) waits for it. */
void console_echo(kine_tid_t reader, const char *buf, size_t len);
/* reader got typed input: its prompt, if typing ended it, is not redrawn. */
void console_read_done(kine_tid_t reader);

/* tty.c: console input (each returns true if m holds a reply) */
void tty_set_interactive(bool on);
void tty_set_driver(kine_tid_t driver);
void tty_driver_gone(kine_tid_t driver);
bool tty_input(struct proc *p, struct kine_msg *m, uint64_t words);  /* PGR_CONSOLE_INPUT */
bool tty_read(struct thread *t, struct kine_msg *m, int fd, uint64_t max);
bool tty_setintr(struct proc *p, struct kine_msg *m);                /* PGR_SETINTR */

/* driver.c: driver tasks */
void drivers_start(void);
bool driver_name(const char *name);      /* a driver's program: nobody else may run it */
void driver_exited(struct proc *p);

/* thread.c: threads in a process (PGR_THREAD_*) and finding them by tid */
struct thread *thread_first(void);
struct thread *thread_next(struct thread *t);
/* thread_by_tid past its cache: the chain walk, which fills the cache. */
struct thread *thread_by_tid_find(kine_tid_t tid);
/* The live thread with kernel tid `tid` (of a live process), or NULL.
 * Every message names its sender by tid, and the same thread mostly sends
 * the next one too (a process faulting page after page), so the last one
 * found is tried first, inline.  thread_remove forgets it, so it is
 * always live; a stale tid never matches (the generation differs). */
static inline struct thread *thread_by_tid(kine_tid_t tid)
{
    if (tid == pg.tid_found)
        return pg.thread_found;
    return thread_by_tid_find(tid);
}
void thread_insert(struct thread *t);
void thread_remove(struct thread *t);
/* Forget what t waits for (its process ends, or it does). */
void thread_unblock(struct thread *t);
/* p's threads but main are gone with its address space: free their
 * records and give back what they reserved (exit, kill, exec). */
void threads_drop_others(struct proc *p);
/* Threads of p whose kernel thread lives (its first one included). */
unsigned threads_live(const struct proc *p);
bool thread_create_req(struct thread *t, struct kine_msg *m);   /* PGR_THREAD_CREATE */
bool thread_exit_req(struct thread *t, struct kine_msg *m);     /* PGR_THREAD_EXIT */
bool thread_join_req(struct thread *t, struct kine_msg *m);     /* PGR_THREAD_JOIN */

/* proc.c */
void proc_limits_init(void);
/* Kernel object pages a process reserves for its space, its page tables
 * and its first thread (each later thread adds KINE_KMEM_THREAD_PAGES). */
uint64_t proc_kmem_pages(void);
/* The live process one of whose threads is `tid`, or NULL. */
struct proc *proc_by_tid(kine_tid_t tid);
struct proc *proc_by_pid(int pid);
int64_t proc_spawn(struct proc *parent, int argc, char *argv[], const struct policy *pol,
                   kine_tid_t *tid);
/* A driver task: setup(p, ctx) gives it its device before it runs. */
int64_t proc_spawn_driver(int argc, char *argv[], int64_t (*setup)(struct proc *, void *),
                          void *ctx, kine_tid_t *tid);
int64_t proc_fork(struct proc *parent, uint64_t ctx_va, uint64_t entry);
/* Frames a new image of program `name` may take while it is loaded, at
 * most (every page of its segments and stack, and the page-map nodes over
 * them); 0 if there is no such program. */
uint64_t proc_image_frames(const char *name);
/* 0 once the new image runs (the caller's old thread is gone: no reply),
 * or an error with p untouched. */
int64_t proc_exec(struct proc *p, int argc, char *argv[]);
/* by ends pid (itself or a descendant) with signal sig. */
int64_t proc_signal(struct proc *by, int64_t pid, uint64_t sig);
void proc_exit(struct proc *p, uint64_t wstatus);
void proc_kill(struct proc *p, const char *why, uint64_t addr);
int64_t proc_wait(struct thread *t, int64_t pid, bool nohang, bool *deferred, uint64_t *wstatus);
int64_t proc_sbrk(struct proc *p, int64_t incr);

/* pipe.c: pipes and descriptors.  Each returns true if m holds a reply. */
void fds_init(struct proc *p);
void fds_inherit(struct proc *child, const struct proc *parent);
void fds_close_all(struct proc *p);
bool pipe_create(struct proc *p, struct kine_msg *m);
bool pipe_read(struct thread *t, struct kine_msg *m);
bool pipe_write(struct thread *t, struct kine_msg *m, uint64_t words);
bool fd_close(struct proc *p, struct kine_msg *m);
bool fd_dup(struct proc *p, struct kine_msg *m);

/* reply.c: every reply is built here, so none carries stale bytes. */
bool reply_status(struct kine_msg *m, int64_t r);
/* r in MR0 and n bytes of data in the IPC buffer, the last word zero-padded */
bool reply_data(struct kine_msg *m, int64_t r, const void *data, size_t n);
/* Answer a request that was deferred (a blocked read, wait or sleep). */
void reply_later(kine_tid_t to, struct kine_msg *m);

/* devcheck.c: pager.devcheck */
void devcheck_run(void);

/* blkcheck.c: pager.blkcheck (runs once the disk is known, from the loop) */
void blkcheck_start(void);

/* devprobe.c: the DeviceID in virtio slot i of the boot information's
 * devices (VIRTIO_ID_NONE if empty, or not a virtio slot) */
uint32_t devprobe_virtio_id(unsigned i);

/* heap.c: the frame under a page of the pager's own heap, or -KINE_EINVAL */
int64_t heap_frame_at(const void *p);

/* bench.c: PGR_BENCH_MAP, PGR_BENCH_PAGEOPS */
void bench_map(struct kine_msg *m);
void bench_pageops(struct kine_msg *m);

/* fault.c */
/* false if p was killed (and may be gone) */
bool handle_fault(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc);

/* trace.c: the fault trace, on with pager.trace=N records */
int trace_init(uint64_t records);
bool handle_fault_traced(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc);
uint64_t trace_drain(struct kine_fault_record *out, uint64_t max, uint64_t *lost);
/* The kernel refused the map that answered pid's last fault (it is killed). */
void trace_map_refused(int pid);

/* ledger.c */
void ledger_init(void *tally_storage);
int ledger_fill(struct kine_ledger *l);   /* 0 consistent, 1 not */
/* Page tables against the books (check.c): the number of disagreements. */
uint64_t pte_check(uint64_t *pages, uint64_t *procs);
/* The core's counters: pg.stats, and every process's own added up. */
void memstats_fill(struct kine_memstats *s);

#endif
