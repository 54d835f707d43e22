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

#define MAX_PROCS 64
#define MAX_FDS   16
#define MAX_PIPES 32
#define PIPE_SIZE 4096
#define INIT_PID  1
#define TID_HASH  (2 * MAX_PROCS)

enum proc_state { P_FREE, P_LIVE, P_ZOMBIE };
enum fd_kind { FD_NONE, FD_CONSOLE, FD_PIPE_READ, FD_PIPE_WRITE };
/* A request whose reply waits for something (sent later with KSYS_REPLY). */
enum blocked_on { B_NONE, B_WAIT, B_SLEEP, B_PIPE_READ, B_PIPE_WRITE };

struct fd { uint8_t kind; uint8_t pipe; };

struct proc {
    enum proc_state state;
    int pid, ppid;
    char name[KINE_NAME_MAX + 1];
    kine_tid_t tid;
    struct mm mm;
    uint64_t heap_start, brk;
    uint64_t wstatus;        /* ZOMBIE: wait status */
    enum blocked_on blocked;
    int64_t wait_pid;        /* B_WAIT */
    uint64_t sleep_until;    /* B_SLEEP: time CSR deadline */
    int block_fd;            /* B_PIPE_*: which descriptor */
    uint64_t block_bytes;    /* B_PIPE_READ: at most this many */
    struct fd fds[MAX_FDS];
    bool mid_line;           /* console: last write did not end a line */
};

struct pipe {
    bool used;
    uint32_t head, len;      /* ring buffer */
    uint32_t readers, writers;
    char buf[PIPE_SIZE];
};

struct pager {
    const struct kine_bootinfo *bi;
    const struct policy *policy;
    struct frame_table frames;
    uint64_t heap_frames;    /* frames the pager's own heap uses */
    struct map_batch { kine_as_t as; uint64_t n; } batch;
    bool defer_flush;        /* answering a fault: the reply carries the map */
    struct kine_memstats stats;
    struct proc procs[MAX_PROCS];
    struct pipe pipes[MAX_PIPES];
    int next_pid;
    unsigned sleepers;       /* processes in B_SLEEP: skip the scan when 0 */
    struct proc *by_tid[TID_HASH];   /* open addressing on the thread id */
};

extern struct pager pg;
extern const struct pager_ops pager_ops;

static inline void *frame_ptr(uint32_t f)
{
    return (void *)(pg.bi->pool_va + (uint64_t)f * KINE_PAGE_SIZE);
}

/* console.c: the pager's own lines ("pager: ...") and clients' output */
void pager_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_client_write(struct proc *p, const char *buf, size_t len);

/* mapbatch.c: batched KSYS_MAP through the pager's IPC buffer */
void batch_begin(struct map_batch *b, kine_as_t as);
int batch_add(struct map_batch *b, uint64_t va, unsigned rights, uint32_t frame);
int batch_flush(struct map_batch *b);

/* proc.c */
struct proc *proc_by_tid(kine_tid_t tid);
struct proc *proc_by_pid(int pid);
int64_t proc_spawn(struct proc *parent, int argc, char *argv[], kine_tid_t *tid);
int64_t proc_fork(struct proc *parent, uint64_t ctx_va, uint64_t entry);
void proc_exit(struct proc *p, uint64_t wstatus);
void proc_kill(struct proc *p, const char *why, uint64_t addr);
int64_t proc_wait(struct proc *p, int64_t pid, bool *deferred, uint64_t *wstatus);
int64_t proc_sbrk(struct proc *p, int64_t incr);

/* pipe.c: pipes and descriptors.  Each returns true if m holds a reply. */
void fds_init(struct proc *p);
void fds_inherit(struct proc *child, const struct proc *parent);
void fds_close_all(struct proc *p);
bool pipe_create(struct proc *p, struct kine_msg *m);
bool pipe_read(struct proc *p, struct kine_msg *m);
bool pipe_write(struct proc *p, struct kine_msg *m, uint64_t words);
bool fd_close(struct proc *p, struct kine_msg *m);

/* bench.c: PGR_BENCH_MAP */
void bench_map(struct kine_msg *m);

/* fault.c */
void handle_fault(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc);

/* ledger.c */
int ledger_fill(struct kine_ledger *l);   /* 0 consistent, 1 not */
void memstats_fill(struct kine_memstats *s);

#endif
