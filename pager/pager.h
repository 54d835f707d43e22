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

#define MAX_PROCS 64
#define INIT_PID  1

enum proc_state { P_FREE, P_LIVE, P_ZOMBIE };

struct proc {
    enum proc_state state;
    int pid, ppid;
    char name[KINE_NAME_MAX + 1];
    kine_tid_t tid;
    kine_as_t as;
    struct region_map regions;
    struct pagemap pm;
    uint64_t heap_start, brk;
    uint64_t wstatus;        /* ZOMBIE: wait status */
    bool waiting;            /* blocked in PGR_WAIT */
    int64_t wait_pid;
    uint64_t sleep_until;    /* time CSR deadline of PGR_SLEEP, 0 = none */
    bool mid_line;           /* console: last write did not end a line */
};

struct pager {
    const struct kine_bootinfo *bi;
    struct frame_table frames;
    uint64_t heap_frames;    /* frames the pager's own heap uses */
    struct proc procs[MAX_PROCS];
    int next_pid;
};

extern struct pager pg;

static inline void *frame_ptr(uint32_t f)
{
    return (void *)(pg.bi->pool_va + (uint64_t)f * KINE_PAGE_SIZE);
}

/* console.c: the pager's own lines ("pager: ...") and clients' output */
void pager_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_client_write(struct proc *p, const char *buf, size_t len);

/* mapbatch.c: batched KSYS_MAP through the pager's IPC buffer */
struct map_batch { kine_as_t as; uint64_t n; };
void batch_begin(struct map_batch *b, kine_as_t as);
int batch_add(struct map_batch *b, uint64_t va, unsigned rights, uint32_t frame);
int batch_flush(struct map_batch *b);

/* proc.c */
struct proc *proc_by_tid(kine_tid_t tid);
struct proc *proc_by_pid(int pid);
int64_t proc_spawn(struct proc *parent, int argc, char *argv[], kine_tid_t *tid);
void proc_exit(struct proc *p, uint64_t wstatus);
void proc_kill(struct proc *p, const char *why, uint64_t addr);
int64_t proc_wait(struct proc *p, int64_t pid, bool *deferred, uint64_t *wstatus);
int64_t proc_sbrk(struct proc *p, int64_t incr);
void proc_release_page(struct proc *p, uint64_t va);

/* fault.c */
void handle_fault(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc);

/* ledger.c */
int ledger_fill(struct kine_ledger *l);   /* 0 consistent, 1 not */

#endif
