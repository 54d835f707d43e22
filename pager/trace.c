/* The fault trace (boot option pager.trace=N): a record of each of the
 * next N faults the pager handles — who, where, what was done, frames
 * taken, and the instruction counts when it arrived and when its answer
 * was ready — kept until a program drains them (PGR_TRACE; apps/trace,
 * tools/trace).  When the ring is full, new records are dropped and
 * counted, never lost silently.  Tracing is chosen once at boot, by which
 * fault handler the server loop calls, so a run without it pays nothing. */
#include <stdlib.h>
#include <string.h>
#include "pager.h"

static struct kine_fault_record *ring;
static uint64_t cap, head, count, seq, lost;

int trace_init(uint64_t records)
{
    ring = calloc(records, sizeof(*ring));
    if (!ring)
        return -KINE_ENOMEM;
    cap = records;
    return 0;
}

/* What handle_fault did for p (alive: not killed), read off the core's
 * count of reclaims and p's own counters around it. */
static uint32_t what_was_done(const struct proc *p, uint64_t reclaimed,
                              const struct kine_proc_counters *b, bool alive)
{
    if (!alive)
        return KINE_DONE_KILL;
    const struct kine_proc_counters *a = &p->mm.stats;
    if (pg.fault_deferred)
        return KINE_DONE_WAIT;
    if (pg.stats.pages_reclaimed_from_cache != reclaimed)
        return KINE_DONE_PAGE_IN;
    if (a->faults_cow_copy != b->faults_cow_copy)
        return KINE_DONE_COW_COPY;
    if (a->faults_cow_reuse != b->faults_cow_reuse)
        return KINE_DONE_COW_REUSE;
    if (a->pages_loaded != b->pages_loaded)
        return KINE_DONE_LOAD;
    if (a->pages_zero_filled != b->pages_zero_filled)
        return KINE_DONE_ZERO_FILL;
    return KINE_DONE_REMAP;
}

bool handle_fault_traced(struct proc *p, uint64_t addr, uint64_t access, uint64_t pc)
{
    struct kine_proc_counters before = p->mm.stats;
    uint64_t reclaimed = pg.stats.pages_reclaimed_from_cache;
    uint32_t free_before = pg.frames.nfree;
    int pid = p->pid;
    bool alive = handle_fault(p, addr, access, pc);
    seq++;
    if (count == cap) {
        lost++;
        return alive;
    }
    struct kine_fault_record *r = &ring[(head + count++) % cap];
    r->seq = seq;
    r->pid = pid;
    r->va = addr;
    r->pc = pc;
    r->access = (uint32_t)access;
    r->done = what_was_done(p, reclaimed, &before, alive);
    r->frames = (int64_t)free_before - (int64_t)pg.frames.nfree;
    r->arrived = pg.stats.fault_received;
    r->answered = kine_rdinstret();
    return alive;
}

void trace_map_refused(int pid)
{
    /* the newest record, if it is that fault's: what it became is a kill,
     * and what it had taken went back with the rollback */
    if (count && ring[(head + count - 1) % cap].seq == seq &&
        ring[(head + count - 1) % cap].pid == pid) {
        ring[(head + count - 1) % cap].done = KINE_DONE_KILL;
        ring[(head + count - 1) % cap].frames = 0;
    }
}

uint64_t trace_drain(struct kine_fault_record *out, uint64_t max, uint64_t *lost_so_far)
{
    uint64_t n = count < max ? count : max;
    for (uint64_t i = 0; i < n; i++)
        out[i] = ring[(head + i) % cap];
    head = (head + n) % cap;
    count -= n;
    *lost_so_far = lost;
    return n;
}
