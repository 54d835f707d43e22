/* The pager: first user task.  It sets up its frame table and heap, starts
 * init from the boot image, then serves two kinds of message forever:
 * kernel-made fault and exit messages, and client requests of the pager
 * protocol (kine/pager.h).  Every request is checked; a malformed one gets
 * an error reply.  Replies that must wait (wait, sleep) are sent later with
 * KSYS_REPLY. */
#include <string.h>
#include "pager.h"

#define EXIT_NO_INIT     252
#define EXIT_BAD_POLICY  251
#define SPAWN_ARGS_MAX   (KINE_PAGE_SIZE / 2)
#define SLEEP_TICKS_MAX  (3600UL * KINE_TICK_HZ)

struct pager pg;
void heap_init(uint32_t nframes);
void __kine_start(const struct kine_bootinfo *bi) __attribute__((noreturn));

static void reply_status(struct kine_msg *m, int64_t r)
{
    m->tag = 0;
    m->mr[0] = (uint64_t)r;
}

static bool req_write(struct proc *p, struct kine_msg *m, uint64_t words)
{
    static char buf[KINE_IPC_BUF_WORDS * 8];
    uint64_t n = m->mr[0];
    if (n > words * 8) {
        reply_status(m, -KINE_EINVAL);
        return true;
    }
    memcpy(buf, kine_ipcbuf(), n);
    console_client_write(p, buf, n);
    reply_status(m, (int64_t)n);
    return true;
}

static bool req_spawn(struct proc *p, struct kine_msg *m, uint64_t words)
{
    char buf[SPAWN_ARGS_MAX];
    char *argv[KINE_ARGV_MAX];
    uint64_t n = m->mr[0], argc = m->mr[1];
    kine_tid_t tid = 0;
    if (n > words * 8 || n > sizeof(buf) || argc > KINE_ARGV_MAX) {
        reply_status(m, n > sizeof(buf) ? -KINE_ENAMETOOLONG : -KINE_EINVAL);
        return true;
    }
    memcpy(buf, kine_ipcbuf(), n);
    int64_t r = kine_argv_unpack(buf, n, (int)argc, argv, KINE_ARGV_MAX);
    if (r >= 0)
        r = proc_spawn(p, (int)argc, argv, &tid);
    reply_status(m, r);
    m->mr[1] = tid;
    return true;
}

static bool req_wait(struct proc *p, struct kine_msg *m)
{
    bool deferred;
    uint64_t ws = 0;
    int64_t r = proc_wait(p, (int64_t)m->mr[0], &deferred, &ws);
    if (deferred)
        return false;
    reply_status(m, r);
    m->mr[1] = ws;
    return true;
}

static bool req_sleep(struct proc *p, struct kine_msg *m)
{
    uint64_t ticks = m->mr[0];
    if (ticks > SLEEP_TICKS_MAX) {
        reply_status(m, -KINE_ERANGE);
        return true;
    }
    if (ticks == 0) {
        reply_status(m, 0);
        return true;
    }
    p->sleep_until = kine_rdtime() + ticks * (pg.bi->timebase_hz / KINE_TICK_HZ);
    p->blocked = B_SLEEP;
    pg.sleepers++;
    return false;
}

/* A reply carrying a struct in the IPC buffer. */
static bool reply_with(struct kine_msg *m, const void *data, size_t size, int64_t r)
{
    memcpy(kine_ipcbuf(), data, size);
    m->tag = kine_tag(0, (size + 7) / 8);
    m->mr[0] = (uint64_t)r;
    return true;
}

/* A kernel-made message about one of our processes. */
static bool kernel_message(struct proc *p, struct kine_msg *m)
{
    switch (kine_tag_label(m->tag)) {
    case KINE_LABEL_FAULT: {
        kine_tid_t tid = p->tid;
        pg.stats.fault_received = kine_rdinstret();
        pg.defer_flush = true;
        handle_fault(p, m->mr[0], m->mr[1], m->mr[2]);
        pg.defer_flush = false;
        m->tag = 0;
        pg.stats.fault_answered = kine_rdinstret();
        return p->state == P_LIVE && p->tid == tid;   /* resume unless killed */
    }
    case KINE_LABEL_EXIT:
        proc_exit(p, KINE_WSTATUS_EXITED(m->mr[0]));
        return false;
    default:
        proc_kill(p, "unknown kernel message", kine_tag_label(m->tag));
        return false;
    }
}

/* Handle one message; true if m now holds the reply to send. */
static bool handle(kine_tid_t sender, struct kine_msg *m)
{
    struct proc *p = proc_by_tid(sender);
    uint64_t words = kine_tag_len(m->tag);
    if (!p) {
        /* not one of our processes: answer (if it waits) with an error */
        reply_status(m, -KINE_ESRCH);
        return !kine_tag_is_kernel(m->tag);
    }
    if (kine_tag_is_kernel(m->tag))
        return kernel_message(p, m);
    switch (kine_tag_label(m->tag)) {
    case PGR_WRITE:  return req_write(p, m, words);
    case PGR_SPAWN:  return req_spawn(p, m, words);
    case PGR_EXIT:
        proc_exit(p, KINE_WSTATUS_EXITED(m->mr[0]));
        return false;
    case PGR_WAIT:   return req_wait(p, m);
    case PGR_GETPID:
        reply_status(m, p->pid);
        m->mr[1] = (uint64_t)p->ppid;
        return true;
    case PGR_SBRK:
        reply_status(m, proc_sbrk(p, (int64_t)m->mr[0]));
        return true;
    case PGR_SLEEP:  return req_sleep(p, m);
    case PGR_POWEROFF:
        if (p->pid != INIT_PID) {
            reply_status(m, -KINE_EPERM);
            return true;
        }
        proc_exit(p, KINE_WSTATUS_EXITED(m->mr[0]));   /* powers off */
        return false;
    case PGR_LEDGER: {
        struct kine_ledger l;
        int bad = ledger_fill(&l);
        return reply_with(m, &l, sizeof(l), bad);
    }
    case PGR_MEMSTATS: {
        struct kine_memstats ms;
        memstats_fill(&ms);
        return reply_with(m, &ms, sizeof(ms), 0);
    }
    case PGR_BENCH_MAP:
        bench_map(m);
        return true;
    case PGR_FORK:
        reply_status(m, proc_fork(p, m->mr[0], m->mr[1]));
        return true;
    case PGR_PIPE:    return pipe_create(p, m);
    case PGR_READ:    return pipe_read(p, m);
    case PGR_FDWRITE: return pipe_write(p, m, words);
    case PGR_CLOSE:   return fd_close(p, m);
    default:
        reply_status(m, -KINE_ENOSYS);
        return true;
    }
}

/* Wake sleepers whose time has come; return the next deadline (0 = none). */
static uint64_t wake_sleepers(void)
{
    if (!pg.sleepers)
        return 0;
    uint64_t now = kine_rdtime(), next = 0;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &pg.procs[i];
        if (p->state != P_LIVE || p->blocked != B_SLEEP)
            continue;
        if (now >= p->sleep_until) {
            struct kine_msg m = { 0 };
            p->blocked = B_NONE;
            pg.sleepers--;
            kine_reply(p->tid, &m);
        } else if (!next || p->sleep_until < next) {
            next = p->sleep_until;
        }
    }
    return next;
}

/* pager.policy=NAME on the command line overrides the built-in default;
 * an unknown name stops the boot with a clear message. */
static void choose_policy(const char *name)
{
    const struct policy *pol = policy_find(name);
    if (!pol) {
        char known[128] = "";
        for (int i = 0; policies[i]; i++) {
            strncat(known, " ", sizeof(known) - strlen(known) - 1);
            strncat(known, policies[i]->name, sizeof(known) - strlen(known) - 1);
        }
        pager_log("unknown policy '%s' (known:%s)", name, known);
        kine_sys_poweroff(EXIT_BAD_POLICY);
    }
    pg.policy = pol;
    strncpy(pg.stats.policy, pol->name, sizeof(pg.stats.policy) - 1);
}

static void start_init(const char *bootargs)
{
    static char args[KINE_BOOTARGS_MAX];
    char *argv[KINE_ARGV_MAX];
    int argc = 1;
    argv[0] = "init";
    memcpy(args, bootargs, sizeof(args) - 1);   /* bootinfo's copy is NUL-ended */
    for (char *tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (strncmp(tok, "init=", 5) == 0)
            argv[0] = tok + 5;
        else if (strncmp(tok, "pager.policy=", 13) == 0)
            choose_policy(tok + 13);
        else if (strncmp(tok, "pager.", 6) == 0)
            pager_log("unknown option '%s' ignored", tok);
        else if (argc < KINE_ARGV_MAX)
            argv[argc++] = tok;
    }
    pager_log("%lu frames in the pool (%lu MiB), %lu for the pager's tables; policy %s",
              (unsigned long)pg.bi->pool_frames, (unsigned long)(pg.bi->pool_frames >> 8),
              (unsigned long)pg.heap_frames, pg.policy->name);
    int64_t pid = proc_spawn(NULL, argc, argv, NULL);
    if (pid != INIT_PID) {
        pager_log("cannot start %s: error %ld", argv[0], (long)pid);
        kine_sys_poweroff(EXIT_NO_INIT);
    }
}

/* The pager's entry, called by libsys/crt0.S. */
void __kine_start(const struct kine_bootinfo *bi)
{
    pg.bi = bi;
    kine_set_ipcbuf(bi->ipcbuf_va);
    if (bi->magic != KINE_BOOTINFO_MAGIC)
        kine_sys_poweroff(EXIT_NO_INIT);
    heap_init((uint32_t)bi->pool_frames);
    pg.next_pid = INIT_PID;
    choose_policy(KINE_DEFAULT_POLICY);
    start_init(bi->bootargs);

    kine_tid_t reply_to = 0, sender = 0;
    struct kine_msg m = { 0 };
    for (;;) {
        uint64_t deadline = wake_sleepers();
        int64_t r;
        if (reply_to && pg.batch.n) {
            /* a fault's map and its answer in one system call */
            uint64_t n = pg.batch.n;
            pg.batch.n = 0;
            r = kine_map_reply_recv(reply_to, pg.batch.as, n, &m, deadline, &sender);
            if (r < 0 && r != -KINE_ETIMEDOUT) {
                struct proc *p = proc_by_tid(reply_to);
                if (p)
                    proc_kill(p, "cannot map", 0);
            }
        } else {
            r = kine_reply_recv(reply_to, &m, deadline, &sender);
        }
        reply_to = 0;
        if (r < 0)
            continue;                /* timeout, or the reply target is gone */
        if (handle(sender, &m))
            reply_to = sender;
    }
}
