/* The pager protocol: requests a client sends with KSYS_CALL to its pager.
 * Every reply has label 0 and MR0 = result (>= 0) or -KINE_E*.  A request
 * with a bad label, length or argument gets an error reply, never a crash.
 * Only requests made with KSYS_CALL are served: one sent any other way has
 * nobody waiting for its answer, and is ignored. */
#ifndef KINE_PAGER_H
#define KINE_PAGER_H

#include <stdint.h>

enum kine_pager_label {
    PGR_WRITE    = 0x101, /* MR0 bytes (data in IPC buf) -> MR0 bytes written */
    PGR_EXIT     = 0x102, /* MR0 status; no reply */
    PGR_SPAWN    = 0x103, /* IPC buf: argv strings, NUL-separated, MR0 bytes,
                             MR1 argc, MR2..MR3 policy name (16 bytes, NUL-
                             padded; all zero: the caller's) -> MR0 pid, MR1 tid */
    PGR_WAIT     = 0x104, /* MR0 pid or -1, MR1 KINE_WAIT_NOHANG or 0 -> MR0
                             pid, MR1 wait status (MR0 0: none exited yet) */
    PGR_GETPID   = 0x105, /* -> MR0 pid, MR1 parent pid */
    PGR_SBRK     = 0x106, /* MR0 signed increment -> MR0 old break */
    PGR_SLEEP    = 0x107, /* MR0 ticks (KINE_TICK_HZ) -> MR0 0 */
    PGR_POWEROFF = 0x108, /* MR0 status; init (pid 1) only */
    PGR_LEDGER   = 0x109, /* IPC buf <- struct kine_ledger; MR0 0 = consistent,
                             1 = the consistency check failed */
    PGR_MEMSTATS = 0x10a, /* IPC buf <- struct kine_memstats */
    PGR_FORK     = 0x10b, /* MR0 context address, MR1 child entry pc ->
                             MR0 child pid (the child starts at MR1 with
                             a0 = MR0, sp = MR0, in a copy of our memory) */
    PGR_PIPE     = 0x10c, /* -> MR0 0, MR1 read fd, MR2 write fd */
    PGR_READ     = 0x10d, /* MR0 fd, MR1 max bytes -> MR0 bytes (0 = end of
                             file), data in IPC buf; blocks while empty */
    PGR_FDWRITE  = 0x10e, /* MR0 fd, MR1 bytes, data in IPC buf -> MR0 bytes;
                             blocks while the pipe is full */
    PGR_CLOSE    = 0x10f, /* MR0 fd */
    PGR_BENCH_MAP = 0x110, /* MR0 pages (1..4096): time KSYS_MAP, PROTECT to
                              read-only, PROTECT back, on a scratch space ->
                              MR1..MR3 instructions for each */
    PGR_CHECK    = 0x111, /* -> MR0 disagreements between the kernel's page
                             tables and the pager's books (0 = none), MR1
                             pages checked, MR2 processes checked */
    PGR_POLICYSTATS = 0x112, /* MR0 policy index -> MR0 bytes of text in the
                             IPC buffer: the policy's name on the first line,
                             then "counter value" lines; -ESRCH past the last */
    PGR_PROCINFO = 0x113, /* MR0 pid, MR1 tid -> IPC buf <- struct kine_procinfo
                             of the first process, in (pid, tid) order, at or
                             after (MR0, MR1); -ESRCH if none */
    PGR_EXEC     = 0x114, /* as PGR_SPAWN (MR2..MR3 ignored): replace the
                             caller's image, same pid, parent, descriptors and
                             policy.  No reply if it worked; an error before
                             the point of no return leaves the caller as it was */
    PGR_KILL     = 0x115, /* MR0 pid, MR1 signal (KINE_SIGKILL or KINE_SIGTERM,
                             both end it) -> 0; the caller itself or one of its
                             descendants only (EPERM), ESRCH if none */
    PGR_DUP      = 0x116, /* MR0 old fd, MR1 new fd or -1 (the lowest free) ->
                             MR0 new fd, a second name for what old names (the
                             one new named before is closed first) */
    PGR_TRACE    = 0x117, /* MR0 most records wanted -> MR0 records (struct
                             kine_fault_record) moved from the fault trace into
                             the IPC buffer, oldest first; MR1 records lost so
                             far (the ring was full); -ENOSYS unless booted
                             with pager.trace= */
    PGR_CONSOLE_INPUT = 0x118, /* the console driver only: MR0 echo bytes, MR1
                             record bytes, MR2 enum kine_console_kind; IPC buf:
                             the echo, then the record -> MR0 record bytes
                             queued (0: the queue was full, the record is
                             dropped) */
    PGR_SETINTR  = 0x119, /* MR0 KINE_INTR_DEFAULT or KINE_INTR_IGNORE: whether
                             Ctrl-C on the console ends the caller -> MR0 the
                             setting before */
    PGR_BLK_SYNC = 0x11a, /* the block driver only (kine/blk.h): MR0 finished
                             requests (struct kine_blk_done in the IPC buf),
                             MR1 requests it can take now, MR2 the disk's
                             size in sectors -> MR0 new requests (struct
                             kine_blk_req in the IPC buf, at most MR1) */
    PGR_THREAD_CREATE = 0x11b, /* MR0 entry pc, MR1 sp (the top of its stack,
                             16-aligned), MR2 argument -> MR0 the new thread's
                             handle, MR1 its tid.  It starts at MR0 with sp =
                             MR1, a0 = MR2, a1 = its IPC buffer's address */
    PGR_THREAD_EXIT   = 0x11c, /* MR0 value: the calling thread ends (no reply);
                             its joiner gets MR0.  EINVAL from the main thread */
    PGR_THREAD_JOIN   = 0x11d, /* MR0 handle -> MR0 0, MR1 the thread's exit
                             value, once it has ended (at once if it has) */
    PGR_BENCH_PAGEOPS = 0x11e, /* MR0 0 = scalar, 1 = RVV: time the pager's own
                             memcpy and memset of a 4 KiB frame, as its page
                             copies and zero fills run them -> MR1 copy, MR2
                             fill, in instructions (one rdinstret read
                             included); -ENODEV for RVV without V */
};

/* Threads of one process (PGR_THREAD_*).  A handle names a thread within
 * its process and is never reused there; the first thread's is
 * KINE_THREAD_MAIN.  A process has at most KINE_THREADS_MAX threads, the
 * first one and those ended but not yet joined included. */
#define KINE_THREAD_MAIN  1
#define KINE_THREADS_MAX  15

/* What a console driver reports (PGR_CONSOLE_INPUT), after its echo. */
enum kine_console_kind {
    KINE_CONSOLE_ECHO = 0,          /* echo only, no record */
    KINE_CONSOLE_LINE,              /* a record: a line, its newline included, or
                                       what was typed before Ctrl-D */
    KINE_CONSOLE_EOF,               /* Ctrl-D on an empty line: end of file */
    KINE_CONSOLE_INTR,              /* Ctrl-C: the line is dropped; the pager ends
                                       the foreground processes */
};
#define KINE_CONSOLE_LINE_MAX 256   /* bytes of a typed line, its newline included */

/* PGR_SETINTR: Ctrl-C ends every process but init, the drivers and those
 * that ignore it (an interactive shell, its background jobs).  Inherited by
 * fork and spawn, kept by exec. */
#define KINE_INTR_DEFAULT   0
#define KINE_INTR_IGNORE    1

#define KINE_WAIT_NOHANG    1       /* PGR_WAIT: answer 0 now if none exited */

/* What the pager did about a fault (struct kine_fault_record.done). */
enum kine_fault_done {
    KINE_DONE_REMAP = 1,            /* the same frame with the region's rights */
    KINE_DONE_ZERO_FILL,            /* a fresh zeroed frame */
    KINE_DONE_LOAD,                 /* a fresh frame filled from the program */
    KINE_DONE_COW_COPY,             /* a private copy of a shared page */
    KINE_DONE_COW_REUSE,            /* a COW page held once made writable */
    KINE_DONE_KILL,                 /* the process was killed */
    KINE_DONE_PAGE_IN,              /* a paged-out page given back (from disk or the cache) */
    KINE_DONE_WAIT,                 /* answered later: a disk read or frames under way */
};

/* One fault, as the pager's fault trace records it (pager.trace=N). */
struct kine_fault_record {
    uint64_t seq;                   /* 1, 2, ... in the order faults arrived */
    int64_t  pid;
    uint64_t va, pc;
    uint32_t access;                /* KINE_FAULT_READ/WRITE/EXEC/OTHER */
    uint32_t done;                  /* enum kine_fault_done */
    int64_t  frames;                /* frames taken (negative: given back) */
    uint64_t arrived, answered;     /* instret when it reached the pager, and
                                       when the answer was about to go */
};

#define KINE_POLICY_NAME_MAX 16

/* The pager core's counters since boot (PGR_MEMSTATS).  A policy's own
 * counters are named by the policy and read with PGR_POLICYSTATS. */
struct kine_memstats {
    char     policy[KINE_POLICY_NAME_MAX];   /* the default policy */
    uint64_t faults_read;           /* faults received, by access */
    uint64_t faults_write;
    uint64_t faults_exec;
    uint64_t faults_other;          /* illegal instruction, misaligned... */
    uint64_t faults_cow_copy;       /* write to a shared COW page: copied */
    uint64_t faults_cow_reuse;      /* write to a COW page held once: remapped */
    uint64_t pages_zero_filled;     /* pages given zeroed frames (at a fault or before) */
    uint64_t pages_loaded;          /* pages filled from a program file */
    uint64_t pages_copied;          /* 4 KiB copies, at fork or at a fault */
    uint64_t pages_copied_at_fork;
    uint64_t pages_shared_at_fork;
    uint64_t forks;
    uint64_t procs_killed;          /* processes the pager killed */
    uint64_t frames_in_use;         /* now, the pager's own included */
    uint64_t frames_peak;
    uint64_t fault_received;        /* instret when the last fault reached the pager */
    uint64_t fault_answered;        /* instret when its reply was about to go */
    char     reclaim[KINE_POLICY_NAME_MAX];  /* the replacement policy */
    uint64_t pages_paged_in;        /* faults that read a page from disk */
    uint64_t pages_paged_out;       /* page-map entries sent to swap */
    uint64_t pages_out;             /* pages written out to swap */
    uint64_t clean_drops;           /* paged out with no write: the slot had it */
    uint64_t pages_reclaimed_from_cache;  /* faults on paged-out pages still in a frame */
    uint64_t swap_slots;            /* the disk's size in slots (0: no paging) */
    uint64_t disk_reads;            /* 4 KiB pages read from the disk */
    uint64_t disk_writes;           /* 4 KiB pages written to it */
    uint64_t disk_read_requests;    /* transfers that read them (up to KINE_BLK_REQ_PAGES each) */
    uint64_t disk_write_requests;
    uint64_t disk_errors;           /* transfers that failed (the disk said so, or its driver ended) */
};

#define KINE_TICK_HZ        100     /* unit of PGR_SLEEP */
#define KINE_ARGV_MAX       64      /* arguments of PGR_SPAWN, name included */
#define KINE_NAME_MAX       31      /* program name length */

/* What the pager has done for one process since it started (kept across
 * exec; a forked child starts at zero).  Each field is counted where its
 * namesake in struct kine_memstats is, so over every process that ever
 * existed they add up to those. */
struct kine_proc_counters {
    uint64_t faults_read;           /* faults it took, by access */
    uint64_t faults_write;
    uint64_t faults_exec;
    uint64_t faults_other;
    uint64_t faults_cow_copy;       /* writes to shared COW pages: copied */
    uint64_t faults_cow_reuse;      /* writes to COW pages held once: remapped */
    uint64_t pages_zero_filled;     /* its pages given zeroed frames */
    uint64_t pages_loaded;          /* its pages filled from its program file */
    uint64_t pages_copied_at_fork;  /* pages it got as copies when forked */
    uint64_t pages_shared_at_fork;  /* pages it shared with its parent when forked */
    uint64_t pages_paged_in;        /* faults that read its page from disk */
    uint64_t pages_paged_out;       /* its page-map entries sent to swap */
};
/* Its fields, for code that goes over them all (X(field) for each). */
#define KINE_PROC_COUNTER_FIELDS(X) X(faults_read) X(faults_write) X(faults_exec) \
    X(faults_other) X(faults_cow_copy) X(faults_cow_reuse) X(pages_zero_filled) \
    X(pages_loaded) X(pages_copied_at_fork) X(pages_shared_at_fork) X(pages_paged_in) \
    X(pages_paged_out)
#define KINE_PROC_COUNTER_ONE_(field) + 1
_Static_assert(sizeof(struct kine_proc_counters) ==
               (0 KINE_PROC_COUNTER_FIELDS(KINE_PROC_COUNTER_ONE_)) * sizeof(uint64_t),
               "KINE_PROC_COUNTER_FIELDS names every field");
#undef KINE_PROC_COUNTER_ONE_

/* One process (PGR_PROCINFO). */
enum kine_proc_state { KINE_PROC_LIVE = 1, KINE_PROC_ZOMBIE = 2 };
struct kine_procinfo {
    int64_t  pid, ppid;
    uint64_t state;                 /* enum kine_proc_state */
    char     name[KINE_NAME_MAX + 1];
    char     policy[KINE_POLICY_NAME_MAX];
    uint64_t resident;              /* pages of its page map in frames */
    uint64_t shared;                /* of those, on frames held more than once */
    uint64_t swapped;               /* pages of its page map paged out to swap */
    uint64_t map_frames;            /* frames its page map itself takes */
    struct kine_proc_counters counters;
    uint64_t tid;                   /* its thread */
};

/* Signals PGR_KILL accepts, numbered as picolibc's <signal.h> numbers them;
 * SIGINT is what Ctrl-C on the console ends a process with. */
#define KINE_SIGNONE        0       /* no signal: does it exist, may I? */
#define KINE_SIGINT         2
#define KINE_SIGKILL        9
#define KINE_SIGTERM        15

/* Wait status, laid out as picolibc's <sys/wait.h> macros read it. */
#define KINE_WSTATUS_EXITED(code)  (((uint64_t)(code) & 0xff) << 8)
#define KINE_WSTATUS_SIGNALED(sig) ((uint64_t)(sig) & 0x7f)   /* WTERMSIG == sig */
#define KINE_WSTATUS_KILLED        KINE_WSTATUS_SIGNALED(KINE_SIGKILL)  /* by the pager */

/* The pager's frame ledger (PGR_LEDGER). */
struct kine_ledger {
    uint64_t frames_total;     /* the user pool */
    uint64_t frames_free;
    uint64_t frames_used;      /* refcount > 0, pager heap included */
    uint64_t refcount_sum;
    uint64_t frames_shared;    /* refcount > 1 */
    uint64_t pager_frames;     /* the pager's own heap */
    uint64_t mappings;         /* pages mapped into processes */
    uint64_t processes;        /* live (not reaped) processes */
    uint64_t frames_in_transfer;   /* held by a disk transfer under way and by
                                      nothing else (no process's) */
    uint64_t swap_slots;       /* the disk's size in slots (0: no paging) */
    uint64_t swap_slots_used;
    uint64_t swap_refcount_sum;
    uint64_t swapped;          /* page-map entries of paged-out pages */
    uint64_t swap_cached;      /* slots whose contents a frame still holds */
    uint64_t caller_frames;    /* the asker's own frames (resident pages and
                                  page-map nodes), counted at the same instant */
    uint64_t threads;          /* live threads of live processes */
    uint64_t kmem_reserved;    /* kernel object pages set aside for processes:
                                  each one's space, tables and threads */
};

/* On the top of a new program's stack; a0 of its first instruction. */
struct kine_startinfo {
    uint64_t argc;
    uint64_t argv;             /* char ** in the program's address space */
    uint64_t pager_tid;
    uint64_t self_tid;
    uint64_t pid;
    uint64_t ipcbuf_va;
    uint64_t timebase_hz;      /* rate of the time CSR (receive deadlines) */
};

#endif
