/* The pager: first user task.  It sets up its frame table and heap, starts
 * init from the boot image, then serves two kinds of message forever:
 * kernel-made fault and exit messages, and client requests of the pager
 * protocol (kine/pager.h).  Every request is checked; a malformed one gets
 * an error reply.  Only requests made with KSYS_CALL are served (the kernel
 * marks them KINE_TAG_CALL): anything else has nobody waiting for an
 * answer, so it could only leave a wait behind that nobody ends.  Replies
 * that must wait (read, wait, sleep) are sent later with KSYS_REPLY. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager.h"
#include "blk.h"
#include "pageops.h"
#include "fastfault.h"
#include <kine/status.h>

#define SPAWN_ARGS_MAX   (KINE_PAGE_SIZE / 2)
#define SLEEP_TICKS_MAX  (3600UL * KINE_TICK_HZ)
#define PARK_TRIES_MAX   64   /* a request waits for frames this often, then fails */
#define NAMES_LISTED_MAX 16   /* policies an "unknown policy" message lists */

struct pager pg;
void heap_init(uint32_t nframes);
void __kine_start(const struct kine_bootinfo *bi) __attribute__((noreturn));

static bool req_write(struct proc *p, struct kine_msg *m, uint64_t words)
{
    static char buf[KINE_IPC_BUF_BYTES];
    uint64_t n = m->mr[0];
    if (n > words * 8)
        return reply_status(m, -KINE_EINVAL);
    memcpy(buf, kine_ipcbuf(), n);
    console_client_write(p, buf, n);
    return reply_status(m, (int64_t)n);
}

/* MR2..MR3 name the policy to run under (NUL-padded); all zero: the
 * caller's own.  *pol is NULL then. */
static int spawn_policy(const struct kine_msg *m, const struct policy **pol)
{
    char name[KINE_POLICY_NAME_MAX + 1] = { 0 };
    memcpy(name, &m->mr[2], KINE_POLICY_NAME_MAX);
    *pol = name[0] ? policy_find(name) : NULL;
    return name[0] && !*pol ? -KINE_EINVAL : 0;
}

/* The argument vector of a spawn or exec request, unpacked into buf:
 * argc, or an error. */
static int64_t request_argv(const struct kine_msg *m, uint64_t words, char *buf, char *argv[])
{
    uint64_t n = m->mr[0], argc = m->mr[1];
    if (n > words * KINE_WORD_BYTES || n > SPAWN_ARGS_MAX)
        return n > SPAWN_ARGS_MAX ? -KINE_ENAMETOOLONG : -KINE_EINVAL;
    if (argc > KINE_ARGV_MAX)
        return -KINE_E2BIG;
    memcpy(buf, kine_ipcbuf(), n);
    return kine_argv_unpack(buf, n, (int)argc, argv, KINE_ARGV_MAX);
}

static bool reply_or_park(struct thread *t, struct kine_msg *m, int64_t r, uint64_t frames,
                          const void *words, uint64_t len);

/* A new image that found too few frames waits for them as sbrk and fork
 * do, its argument vector kept for the retry. */
static bool spawn_or_park(struct thread *t, struct kine_msg *m, int64_t r, const char *buf,
                          char *argv[])
{
    uint64_t frames = r == -KINE_ENOMEM ? proc_image_frames(argv[0]) + PAGING_FAULT_FRAMES : 0;
    return reply_or_park(t, m, r, frames, buf, m->mr[0]);
}

static bool req_spawn(struct thread *t, struct kine_msg *m, uint64_t words)
{
    struct proc *p = t->proc;
    char buf[SPAWN_ARGS_MAX];
    char *argv[KINE_ARGV_MAX];
    kine_tid_t tid = 0;
    const struct policy *pol;
    if (spawn_policy(m, &pol))
        return reply_status(m, -KINE_EINVAL);
    t->parked_msg = *m;
    int64_t r = request_argv(m, words, buf, argv);
    if (r >= 0)
        r = proc_spawn(p, (int)r, argv, pol, &tid);
    if (!(r >= 0 ? reply_status(m, r) : spawn_or_park(t, m, r, buf, argv)))
        return false;
    m->mr[1] = tid;
    return true;
}

static bool req_exec(struct thread *t, struct kine_msg *m, uint64_t words)
{
    char buf[SPAWN_ARGS_MAX];
    char *argv[KINE_ARGV_MAX];
    t->parked_msg = *m;
    int64_t r = request_argv(m, words, buf, argv);
    if (r >= 0)
        r = proc_exec(t->proc, (int)r, argv);    /* t is gone if it worked */
    return r < 0 ? spawn_or_park(t, m, r, buf, argv) : false;   /* it worked: nobody to answer */
}

static bool req_kill(struct thread *t, struct kine_msg *m)
{
    kine_tid_t tid = t->tid;
    int64_t r = proc_signal(t->proc, (int64_t)m->mr[0], m->mr[1]);
    /* a process that killed itself (or an ancestor of itself) is gone */
    return thread_by_tid(tid) ? reply_status(m, r) : false;
}

static bool req_wait(struct thread *t, struct kine_msg *m)
{
    bool deferred;
    uint64_t ws = 0;
    if (m->mr[1] & ~(uint64_t)KINE_WAIT_NOHANG)
        return reply_status(m, -KINE_EINVAL);
    int64_t r = proc_wait(t, (int64_t)m->mr[0], m->mr[1] & KINE_WAIT_NOHANG, &deferred, &ws);
    if (deferred)
        return false;
    reply_status(m, r);
    m->mr[1] = ws;
    return true;
}

static bool req_sleep(struct thread *t, struct kine_msg *m)
{
    uint64_t ticks = m->mr[0];
    if (ticks > SLEEP_TICKS_MAX)
        return reply_status(m, -KINE_ERANGE);
    if (ticks == 0)
        return reply_status(m, 0);
    t->sleep_until = kine_rdtime() + ticks * (pg.bi->timebase_hz / KINE_TICK_HZ);
    t->blocked = B_SLEEP;
    pg.sleepers++;
    return false;
}

/* The replacement policy in use, as policy_report shows a memory policy:
 * "reclaim NAME", then a "counter value" line for each of its own. */
static int64_t reclaim_report(char *buf, size_t cap)
{
    const struct reclaim *rc = paging_policy();
    const uint64_t *c = paging_policy_counters();
    int n = snprintf(buf, cap, "reclaim %s\n", rc->name);
    for (unsigned i = 0; rc->counter_names && rc->counter_names[i] && n >= 0 && (size_t)n < cap; i++)
        n += snprintf(buf + n, cap - (size_t)n, "%s %lu\n", rc->counter_names[i],
                      (unsigned long)c[i]);
    return n < 0 || (size_t)n >= cap ? -KINE_ERANGE : n;
}

/* Every memory policy, then the replacement policy, after the last. */
static bool req_policystats(struct kine_msg *m)
{
    char text[KINE_IPC_BUF_BYTES];
    uint64_t i = m->mr[0], npolicies = 0;
    while (policies[npolicies])
        npolicies++;
    int64_t n = i < npolicies ? policy_report((unsigned)i, text, sizeof(text)) :
                i == npolicies ? reclaim_report(text, sizeof(text)) : -KINE_ESRCH;
    if (n < 0)
        return reply_status(m, -KINE_ESRCH);
    return reply_data(m, n, text, (size_t)n);
}

/* Processes in (pid, tid) order: the drivers share pid 0. */
static bool before(const struct proc *a, int64_t pid, uint64_t tid)
{
    return a->pid < pid || (a->pid == pid && a->tid < tid);
}

static bool req_procinfo(struct kine_msg *m)
{
    struct proc *best = NULL;
    for_each_proc(q)
        if (!before(q, (int64_t)m->mr[0], m->mr[1]) && (!best || before(q, best->pid, best->tid)))
            best = q;
    if (!best)
        return reply_status(m, -KINE_ESRCH);
    struct kine_procinfo pi = {
        .pid = best->pid, .ppid = best->ppid,
        .state = best->state == P_LIVE ? KINE_PROC_LIVE : KINE_PROC_ZOMBIE,
        .swapped = mm_swapped_pages(&best->mm),
        .shared = mm_shared_pages(&pager_ops, &best->mm),
        .map_frames = best->mm.pm.nodes, .counters = best->mm.stats, .tid = best->tid,
    };
    pi.resident = best->mm.pm.count - pi.swapped;
    memcpy(pi.name, best->name, sizeof(pi.name));     /* both KINE_NAME_MAX + 1, NUL-ended */
    strncpy(pi.policy, best->policy->name, sizeof(pi.policy) - 1);
    return reply_data(m, 0, &pi, sizeof(pi));
}

static bool req_trace(struct kine_msg *m)
{
    static struct kine_fault_record out[KINE_IPC_BUF_BYTES / sizeof(struct kine_fault_record)];
    uint64_t lost;
    if (!pg.trace_records)
        return reply_status(m, -KINE_ENOSYS);
    uint64_t max = sizeof(out) / sizeof(out[0]);
    uint64_t n = trace_drain(out, m->mr[0] < max ? m->mr[0] : max, &lost);
    reply_data(m, (int64_t)n, out, n * sizeof(out[0]));
    m->mr[1] = lost;
    return true;
}

static bool req_check(struct kine_msg *m)
{
    uint64_t pages, procs, bad = pte_check(&pages, &procs);
    reply_status(m, (int64_t)bad);
    m->mr[1] = pages;
    m->mr[2] = procs;
    return true;
}

/* Keep the len bytes of words a request had in the IPC buffer for its
 * retry (none: nothing to keep); false if there is no memory for them. */
static bool keep_words(struct thread *t, const void *words, uint64_t len)
{
    free(t->parked_words);
    t->parked_words = NULL;
    t->parked_len = 0;
    if (!len)
        return true;
    if (!(t->parked_words = malloc(len)))
        return false;
    memcpy(t->parked_words, words, len);
    t->parked_len = len;
    return true;
}

/* A request that found no frame while page-outs are under way waits for
 * them (B_MEMORY) and is handled again once frames come back: only
 * requests whose failure leaves nothing behind (sbrk, fork, spawn, exec),
 * from their message (parked_msg) and the len bytes of words they had in
 * the IPC buffer.  true if m holds the reply now. */
static bool reply_or_park(struct thread *t, struct kine_msg *m, int64_t r, uint64_t frames,
                          const void *words, uint64_t len)
{
    /* Short of frames (not of anything else), and paging can make them:
     * they are coming, or came just now (then the wake is at hand). */
    if (r == -KINE_ENOMEM && pg.frames.nfree < frames && t->park_tries < PARK_TRIES_MAX &&
        keep_words(t, words, len) && paging_need(frames) >= 0) {
        t->blocked = B_MEMORY;
        t->parked = true;
        t->park_frames = frames;
        t->park_tries++;
        return false;
    }
    keep_words(t, NULL, 0);
    t->park_tries = 0;
    return reply_status(m, r);
}

static bool req_sbrk(struct thread *t, struct kine_msg *m)
{
    int64_t incr = (int64_t)m->mr[0];
    uint64_t grow = incr > 0 ? KINE_PAGE_UP((uint64_t)incr) / KINE_PAGE_SIZE : 0;
    t->parked_msg = *m;
    return reply_or_park(t, m, proc_sbrk(t->proc, incr), grow + PAGING_FAULT_FRAMES, NULL, 0);
}

static bool req_fork(struct thread *t, struct kine_msg *m)
{
    struct proc *p = t->proc;
    t->parked_msg = *m;
    int64_t r = proc_fork(p, m->mr[0], m->mr[1]);
    if (r != -KINE_ENOMEM)
        return reply_or_park(t, m, r, 0, NULL, 0);
    /* At most a copy of every resident page and page-map node it has.
     * Paging its own pages out helps twice (a paged-out page is shared, not
     * copied): with R resident and F free, paging out (R - F) / 2 of them
     * leaves room for the rest. */
    uint64_t resident = p->mm.pm.count - mm_swapped_pages(&p->mm), nfree = pg.frames.nfree;
    uint64_t copies = resident > nfree ? (resident + nfree + 1) / 2 : resident;
    return reply_or_park(t, m, r, copies + p->mm.pm.nodes + PAGING_FAULT_FRAMES, NULL, 0);
}

/* A kernel-made message about one of our processes. */
static bool kernel_message(struct proc *p, struct kine_msg *m)
{
    switch (kine_tag_label(m->tag)) {
    case KINE_LABEL_FAULT: {
        pg.stats.fault_received = kine_rdinstret();
        pg.fault_deferred = false;
        bool alive = pg.fault_handler(p, m->mr[0], m->mr[1], m->mr[2]);
        reply_status(m, 0);
        pg.stats.fault_answered = kine_rdinstret();
        return alive && !pg.fault_deferred;  /* resume unless killed or waiting */
    }
    case KINE_LABEL_EXIT:
        proc_exit(p, KINE_WSTATUS_EXITED(m->mr[0]));
        return false;
    default:
        proc_kill(p, "unknown kernel message", kine_tag_label(m->tag));
        return false;
    }
}

/* A notification the pager sent itself: work to do now, from its loop. */
static void self_notified(uint64_t bits)
{
    if (bits & PAGER_WORK_BLK)
        blk_run_done();
}

/* Handle one message from thread t (NULL: a thread we do not know) of
 * its process; true if m now holds the reply to send. */
static bool handle(struct thread *t, struct kine_msg *m)
{
    struct proc *p = t ? t->proc : NULL;
    uint64_t words = kine_tag_len(m->tag);
    if (kine_tag_is_kernel(m->tag) && kine_tag_label(m->tag) == KINE_LABEL_NOTIFY) {
        self_notified(m->mr[0]);     /* only the pager may notify: these are its own */
        return false;
    }
    if (kine_tag_is_kernel(m->tag))  /* a fault (a call) or an exit (not) */
        return p ? kernel_message(p, m) : false;
    if (!(m->tag & KINE_TAG_CALL))
        return false;                /* nobody waits for an answer: ignore */
    if (!p)                          /* not one of our processes */
        return reply_status(m, -KINE_ESRCH);
    switch (kine_tag_label(m->tag)) {
    case PGR_WRITE:  return req_write(p, m, words);
    case PGR_SPAWN:  return req_spawn(t, m, words);
    case PGR_EXIT:
        proc_exit(p, KINE_WSTATUS_EXITED(m->mr[0]));
        return false;
    case PGR_WAIT:   return req_wait(t, m);
    case PGR_GETPID:
        reply_status(m, p->pid);
        m->mr[1] = (uint64_t)p->ppid;
        return true;
    case PGR_SBRK:   return req_sbrk(t, m);
    case PGR_SLEEP:  return req_sleep(t, m);
    case PGR_POWEROFF:
        if (p->pid != INIT_PID)
            return reply_status(m, -KINE_EPERM);
        proc_exit(p, KINE_WSTATUS_EXITED(m->mr[0]));   /* powers off */
        return false;
    case PGR_LEDGER: {
        struct kine_ledger l;
        int bad = ledger_fill(&l);
        /* with the rest, not by a second request: paging may take the
         * caller's pages between two */
        l.caller_frames = p->mm.pm.count - mm_swapped_pages(&p->mm) + p->mm.pm.nodes;
        return reply_data(m, bad, &l, sizeof(l));
    }
    case PGR_MEMSTATS: {
        struct kine_memstats ms;
        memstats_fill(&ms);
        return reply_data(m, 0, &ms, sizeof(ms));
    }
#if KINE_BENCH_CALLS
    case PGR_BENCH_MAP:
        bench_map(m);
        return true;
    case PGR_BENCH_PAGEOPS:
        bench_pageops(m);
        return true;
#endif
    case PGR_FORK:    return req_fork(t, m);
    case PGR_PIPE:    return pipe_create(p, m);
    case PGR_READ:    return pipe_read(t, m);
    case PGR_FDWRITE: return pipe_write(t, m, words);
    case PGR_CLOSE:   return fd_close(p, m);
    case PGR_CHECK:   return req_check(m);
    case PGR_POLICYSTATS: return req_policystats(m);
    case PGR_PROCINFO: return req_procinfo(m);
    case PGR_EXEC:    return req_exec(t, m, words);
    case PGR_KILL:    return req_kill(t, m);
    case PGR_DUP:     return fd_dup(p, m);
    case PGR_TRACE:   return req_trace(m);
    case PGR_CONSOLE_INPUT: return tty_input(p, m, words);
    case PGR_SETINTR: return tty_setintr(p, m);
    case PGR_BLK_SYNC: return blk_sync(p, m, words);
    case PGR_THREAD_CREATE: return thread_create_req(t, m);
    case PGR_THREAD_EXIT:   return thread_exit_req(t, m);
    case PGR_THREAD_JOIN:   return thread_join_req(t, m);
    default:          return reply_status(m, -KINE_ENOSYS);
    }
}

/* Wake sleepers whose time has come; return the next deadline (0 = none). */
static uint64_t wake_sleepers(void)
{
    if (!pg.sleepers)
        return 0;
    uint64_t now = kine_rdtime(), next = 0;
    for_each_thread(t) {
        if (t->proc->state != P_LIVE || t->blocked != B_SLEEP)
            continue;
        if (now >= t->sleep_until) {
            struct kine_msg m;
            t->blocked = B_NONE;
            pg.sleepers--;
            reply_status(&m, 0);
            reply_later(t->tid, &m);
        } else if (!next || t->sleep_until < next) {
            next = t->sleep_until;
        }
    }
    return next;
}

/* Frames came back: everyone waiting for them tries again, once each (a
 * fault by re-running its instruction, a request by being handled anew).
 * One who wants more than is free waits on only while page-outs are under
 * way: with none, nothing more is coming, and its retry gets the final
 * answer (a kill, or ENOMEM) instead of a wait nobody ends. */
static void wake_memory_waiters(void)
{
    static uint64_t epoch;
    bool coming = paging_writing();
    epoch++;
    for (bool again = true; again;) {
        again = false;
        for_each_thread(t) {
            if (t->proc->state != P_LIVE || t->blocked != B_MEMORY || t->wake_epoch == epoch ||
                (pg.frames.nfree < t->park_frames && coming))
                continue;
            struct kine_msg m;
            kine_tid_t tid = t->tid;     /* handling may end t (exec, exit) */
            t->blocked = B_NONE;
            t->wake_epoch = epoch;
            if (!t->parked) {
                reply_status(&m, 0);
                reply_later(t->tid, &m);
                continue;
            }
            t->parked = false;
            m = t->parked_msg;
            if (t->parked_words) {       /* paging_work puts the buffer back after */
                memcpy(kine_ipcbuf(), t->parked_words, t->parked_len);
                keep_words(t, NULL, 0);
            }
            pg.serving = t->proc;
            pg.serving_thread = t;
            if (handle(t, &m))
                reply_later(tid, &m);
            pg.serving = NULL;
            pg.serving_thread = NULL;
            again = true;            /* handling may have changed the list */
            break;
        }
    }
}

/* Between two messages: page out below the low mark, and answer whoever
 * waited for frames.  The IPC buffer may hold the reply about to go, and
 * both may use it (maps, A/D bits), so it is put back after. */
static void paging_work(void)
{
    static uint64_t saved[KINE_IPC_BUF_WORDS];
    bool freed = paging_take_freed();
    uint64_t wanted = 0;
    if (!freed && !paging_below_low())
        return;
    for_each_thread(t)
        if (t->proc->state == P_LIVE && t->blocked == B_MEMORY && t->park_frames > wanted)
            wanted = t->park_frames;
    memcpy(saved, kine_ipcbuf(), sizeof(saved));
    paging_balance(wanted);
    if (freed || paging_take_freed())
        wake_memory_waiters();
    memcpy(kine_ipcbuf(), saved, sizeof(saved));
}

/* A name from the command line that names nothing we have stops the boot
 * with the list of those we do (names: each entry's, NULL-terminated). */
static void unknown_name(const char *what, const char *name, const char *const *names)
{
    char known[128] = "";
    for (int i = 0; names[i]; i++) {
        strncat(known, " ", sizeof(known) - strlen(known) - 1);
        strncat(known, names[i], sizeof(known) - strlen(known) - 1);
    }
    pager_log("unknown %s '%s' (known:%s)", what, name, known);
    kine_sys_poweroff(KINE_EXIT_BAD_POLICY);
}

/* pager.policy=NAME on the command line overrides the built-in default;
 * an unknown name stops the boot with a clear message. */
static void choose_policy(const char *name)
{
    const struct policy *pol = policy_find(name);
    if (!pol) {
        const char *names[NAMES_LISTED_MAX + 1] = { 0 };
        for (unsigned i = 0; i < NAMES_LISTED_MAX && policies[i]; i++)
            names[i] = policies[i]->name;
        unknown_name("policy", name, names);
    }
    pg.policy = pol;
    strncpy(pg.stats.policy, pol->name, sizeof(pg.stats.policy) - 1);
}

/* pager.reclaim=NAME: the replacement policy; the same rules. */
static void choose_reclaim(const char *name)
{
    const struct reclaim *rc = reclaim_find(name);
    if (!rc) {
        const char *names[NAMES_LISTED_MAX + 1] = { 0 };
        for (unsigned i = 0; i < NAMES_LISTED_MAX && reclaims[i]; i++)
            names[i] = reclaims[i]->name;
        unknown_name("reclaim policy", name, names);
    }
    pg.reclaim = rc;
    strncpy(pg.stats.reclaim, rc->name, sizeof(pg.stats.reclaim) - 1);
}

/* A numeric option's value, or stop the boot: a typo must not pass silently. */
static uint64_t number_option(const char *tok, const char *val, uint64_t min)
{
    char *end;
    uint64_t v = strtoull(val, &end, 10);
    if (*val == '\0' || *end != '\0' || v < min) {
        pager_log("bad option '%s' (a number >= %lu)", tok, (unsigned long)min);
        kine_sys_poweroff(KINE_EXIT_BAD_CMDLINE);
    }
    return v;
}

/* pager.console=interactive: console reads wait for typed lines (tools/run
 * in a terminal); =batch, the default: they return end of file when
 * nothing was typed. */
static void console_option(const char *tok, const char *val)
{
    if (strcmp(val, "interactive") != 0 && strcmp(val, "batch") != 0) {
        pager_log("bad option '%s' (interactive or batch)", tok);
        kine_sys_poweroff(KINE_EXIT_BAD_CMDLINE);
    }
    tty_set_interactive(strcmp(val, "interactive") == 0);
}

static bool fast_fault_off;     /* pager.fastfault=off */

/* Options for us (pager.*) are taken out; kernel.* ones are the kernel's;
 * init= names the first program; everything else is its arguments. */
static int parse_command_line(char *args, char *argv[])
{
    int argc = 1, words = 0;
    argv[0] = "init";
    for (char *tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (strncmp(tok, "init=", 5) == 0)
            argv[0] = tok + 5;
        else if (strncmp(tok, "pager.policy=", 13) == 0)
            choose_policy(tok + 13);
        else if (strncmp(tok, "pager.failalloc=", 16) == 0)
            pg.fail_every = number_option(tok, tok + 16, 2);
        else if (strncmp(tok, "pager.tables=", 13) == 0)
            pg.table_limit = number_option(tok, tok + 13, 1);
        else if (strncmp(tok, "pager.trace=", 12) == 0)
            pg.trace_records = number_option(tok, tok + 12, 1);
        else if (strncmp(tok, "pager.frames=", 13) == 0)
            pg.frames_cap = number_option(tok, tok + 13, FRAMES_CAP_MIN);
        else if (strncmp(tok, "pager.reclaim=", 14) == 0)
            choose_reclaim(tok + 14);
        else if (strcmp(tok, "pager.fastfault=off") == 0)
            fast_fault_off = true;
        else if (strcmp(tok, "pager.devcheck") == 0)
            pg.devcheck = true;
        else if (strcmp(tok, "pager.blkcheck") == 0)
            pg.blkcheck = true;
        else if (strcmp(tok, "pager.vcheck") == 0)
            pg.vcheck = true;
        else if (strncmp(tok, "pager.console=", 14) == 0)
            console_option(tok, tok + 14);
        else if (strncmp(tok, "pager.", 6) == 0)
            pager_log("unknown option '%s' ignored", tok);
        else if (strncmp(tok, "kernel.", 7) == 0)
            continue;
        else if (++words < KINE_ARGV_MAX)
            argv[argc++] = tok;
    }
    if (words >= KINE_ARGV_MAX) {
        pager_log("too many arguments: %d (the limit is %d)", words, KINE_ARGV_MAX - 1);
        kine_sys_poweroff(KINE_EXIT_BAD_CMDLINE);
    }
    return argc;
}

/* init's argument vector, from the command line (strings in start_init's
 * buffer), kept until init starts. */
static char *init_argv[KINE_ARGV_MAX];
static int init_argc;

/* Once it is known whether there is a disk (at once if no block driver
 * runs): the paging books are made first (blk_when_ready's order), while
 * memory is free, so a disk that says hello late still pages. */
static void spawn_init(uint64_t disk_pages)
{
    (void)disk_pages;
    int64_t pid = proc_spawn(NULL, init_argc, init_argv, pg.policy, NULL);
    if (pid != INIT_PID) {
        pager_log("cannot start %s: error %ld", init_argv[0], (long)pid);
        kine_sys_poweroff(KINE_EXIT_NO_INIT);
    }
}

static void start_init(const struct kine_bootinfo *bi)
{
    static char args[KINE_BOOTARGS_MAX];
    char **argv = init_argv;
    if (bi->bootargs_len >= KINE_BOOTARGS_MAX) {
        pager_log("command line is %lu bytes; the limit is %d",
                  (unsigned long)bi->bootargs_len, KINE_BOOTARGS_MAX - 1);
        kine_sys_poweroff(KINE_EXIT_BAD_CMDLINE);
    }
    memcpy(args, bi->bootargs, sizeof(args) - 1);   /* bootinfo's copy is NUL-ended */
    init_argc = parse_command_line(args, argv);
    if (pg.frames_cap && frames_cap(&pg.frames, (uint32_t)(pg.frames_cap < pg.frames.nframes ?
                                                           pg.frames_cap : pg.frames.nframes))) {
        pager_log("pager.frames=%lu leaves no room for the pager's own tables",
                  (unsigned long)pg.frames_cap);
        kine_sys_poweroff(KINE_EXIT_BAD_CMDLINE);
    }
    pg.nfree_low = pg.frames.nframes;    /* no frame given to a process yet */
    if (paging_init(pg.reclaim)) {
        pager_log("no memory for the paging books");
        kine_sys_poweroff(KINE_EXIT_NO_INIT);
    }
    proc_limits_init();
    pager_log("%lu frames in the pool (%lu MiB), %lu for the pager's tables; policy %s, reclaim %s",
              (unsigned long)pg.frames.nframes, (unsigned long)(pg.frames.nframes >> 8),
              (unsigned long)pg.heap_frames, pg.policy->name, pg.reclaim->name);
    pageops_init(bi->vector_vlenb);
    if (pg.vcheck)
        pageops_check();
    if (pg.fail_every)
        pager_log("fault injection: every %luth frame allocation for a process but init fails",
                  (unsigned long)pg.fail_every);
    pg.fault_handler = handle_fault;
    if (pg.trace_records) {
        if (trace_init(pg.trace_records)) {
            pager_log("no memory for a fault trace of %lu records", (unsigned long)pg.trace_records);
            kine_sys_poweroff(KINE_EXIT_BAD_CMDLINE);
        }
        pg.fault_handler = handle_fault_traced;
        pager_log("fault trace on: %lu records", (unsigned long)pg.trace_records);
    }
    /* the fast path is a cache over handle_fault: a traced run takes every
     * fault the general way, so that each is recorded, and one with
     * failure injection too, so that each allocation may fail */
    pg.fast_tag = !fast_fault_off && !pg.fail_every && pg.fault_handler == handle_fault ?
                  FAST_TAG_ON : FAST_TAG_OFF;
    if (fast_fault_off)
        pager_log("fault fast path off");
    if (pg.devcheck)
        devcheck_run();
    if (pg.blkcheck)
        blkcheck_start();
    drivers_start();
    if (blk_when_ready(spawn_init)) {
        pager_log("cannot wait for the disk to start init");
        kine_sys_poweroff(KINE_EXIT_NO_INIT);
    }
}

/* Did the kernel make the mapping of a KSYS_MAP_REPLY_RECV that returned
 * r?  The space is the faulting process's own, alive while we run, so only
 * the reply or the receive can have failed after the map: ETIMEDOUT, or
 * ESRCH if the thread were gone.  Otherwise nothing was sent or received. */
static inline bool map_taken(int64_t r)
{
    return r >= 0 || r == -KINE_ETIMEDOUT || r == -KINE_ESRCH;
}

/* The kernel refused (error r) the map that answered p's fault (p NULL:
 * nobody to blame): p dies, its books already put back. */
static void map_refused(struct proc *p, int64_t r)
{
    if (!p)
        return;
    if (pg.trace_records)
        trace_map_refused(p->pid);
    proc_kill(p, r == -KINE_ENOMEM ? "out of page-table memory at" : "cannot map", pg.fault_addr);
}

/* Step 5 of the fault path for the general path's answers: what the
 * handling queued and the reply m to reply_to (0: none) in one trap, then
 * the next message into *in.  A queue for several spaces goes first with
 * KSYS_MAP, then the reply.  *staged: the queue went with the reply, for
 * answer_settle once the loop has put the message received aside.
 * Inline: *in is the loop's own, left in the registers the trap fills. */
static inline __attribute__((always_inline)) int64_t
answer_and_receive(kine_tid_t reply_to, const struct kine_msg *m, struct kine_msg *in,
                   uint64_t deadline, kine_tid_t *sender, bool *staged)
{
    kine_as_t as = 0;
    int64_t n = reply_to ? mm_stage((struct kine_map_entry *)kine_ipcbuf(), &as) : 0;
    *staged = n > 0;
    if (n > 0)
        return kine_map_reply_recv(reply_to, as, (uint64_t)n, in, deadline, sender);
    if (n < 0 && mm_commit(&pager_ops) < 0) {
        struct proc *p = proc_by_tid(reply_to);
        if (p)
            proc_kill(p, "cannot map", pg.fault_addr);
        reply_to = 0;
    }
    return kine_reply_recv_into(reply_to, m, in, deadline, sender);
}

/* The trap that returned r took a map with the reply to reply_to: the
 * general path's queue, or the fast path's one entry (fast).  The books
 * follow what the kernel did with it.  Out of line, so that the loop
 * keeps nothing across its calls (the message received least of all);
 * it returns r for the same reason. */
static __attribute__((noinline)) int64_t answer_settle(kine_tid_t reply_to, int64_t r, bool fast)
{
    bool mapped = map_taken(r);
    if (!fast)
        mm_sent(&pager_ops, mapped);
    if (!mapped)
        map_refused(fast ? fault_fast_undo(reply_to) : proc_by_tid(reply_to), r);
    return r;
}

/* The fault fast path for the message *in from sender (fastfault.h):
 * true if it answered, the entry in *e and *as its space.  A
 * thread or region not cached is cached, with the message in m (memory)
 * across the call, and the path tried again: it then finds both, or the
 * fault is the general path's. */
static inline __attribute__((always_inline)) bool
fast_answered(kine_tid_t sender, struct kine_msg *in, struct kine_msg *m,
              struct kine_map_entry *e, kine_as_t *as)
{
    enum fast_verdict v;
    while ((v = fault_fast(sender, in, e, as)) == FAST_UNCACHED) {
        *m = *in;
        bool cached = fault_fast_cache(sender, m->mr[0]);
        *in = *m;
        if (!cached)
            return false;
    }
    return v == FAST_ANSWERED;
}

/* The pager's entry, called by libsys/crt0.S. */
void __kine_start(const struct kine_bootinfo *bi)
{
    pg.bi = bi;
    pg.pool_va = bi->pool_va;
    kine_set_ipcbuf(bi->ipcbuf_va);
    if (bi->magic != KINE_BOOTINFO_MAGIC)
        kine_sys_poweroff(KINE_EXIT_NO_INIT);
    heap_init((uint32_t)bi->pool_frames);
    if (policies_init(&pager_ops, &pg.stats))
        kine_sys_poweroff(KINE_EXIT_NO_INIT);
    pg.next_pid = INIT_PID;
    choose_policy(KINE_DEFAULT_POLICY);
    choose_reclaim(KINE_DEFAULT_RECLAIM);
    start_init(bi);

    kine_tid_t reply_to = 0, sender = 0;
    struct kine_msg m = { 0 };   /* the message handle() serves, then its reply */
    for (;;) {
        /* The message received, when r >= 0: the fast path reads it in the
         * registers the trap left it in, so it is copied into m (memory)
         * only around a call (the compiler would otherwise keep all of it
         * in callee-saved registers) and for handle(). */
        struct kine_msg in;
        bool staged;
        int64_t r = answer_and_receive(reply_to, &m, &in, wake_sleepers(), &sender, &staged);
        if (staged) {                /* m keeps the message across the calls */
            m = in;
            r = answer_settle(reply_to, r, false);
            in = m;
        }
        reply_to = 0;
        /* Fault after fault, the fast path answers, and step 5 for it sends
         * the one entry (in registers) and an empty reply and receives the
         * next message, in one trap */
        struct kine_map_entry e;
        kine_as_t as;
        while (r >= 0 && fast_answered(sender, &in, &m, &e, &as)) {
            kine_tid_t to = sender;
            r = kine_map_first_reply_recv(to, as, 1, e, &in, wake_sleepers(), &sender);
            if (r < 0)
                answer_settle(to, r, true);
        }
        if (r >= 0) {
            m = in;
            pg.serving_thread = thread_by_tid(sender);
            pg.serving = pg.serving_thread ? pg.serving_thread->proc : NULL;
            if (handle(pg.serving_thread, &m))
                reply_to = sender;
            pg.serving = NULL;
            pg.serving_thread = NULL;
        }
        /* Paging works only with nothing queued: an eviction must never take
         * a frame a queued mapping is about to give (a fault's answer waits
         * in the queue until the next trip round the loop). */
        if (!mm_queued())
            paging_work();
    }
}
