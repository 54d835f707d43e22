/* The console's input side.  The console driver (drivers/uart) edits what
 * is typed and reports to the pager (PGR_CONSOLE_INPUT): echo, which is
 * printed through the console's line discipline, and records (lines, end
 * of file), which wait in a queue (lineq.c) for a process reading a
 * console descriptor.  The pager never sends to the driver: the driver
 * calls, and every report is answered at once, so neither can wait on the
 * other.
 *
 * With pager.console=interactive a console read waits for a record;
 * otherwise (the default, for tests and scripts) it returns what was typed
 * or, when nothing was, end of file.  Ctrl-C ends every process but init,
 * the drivers and those that asked to ignore it (PGR_SETINTR), drops what
 * was typed, and ends the console reads of the survivors with EINTR. */
#include <string.h>
#include "pager.h"
#include "lineq.h"

static struct {
    kine_tid_t driver;       /* the console driver's thread, 0: none */
    bool interactive;
    struct lineq q;
} tty;

void tty_set_interactive(bool on) { tty.interactive = on; }

void tty_set_driver(kine_tid_t driver) { tty.driver = driver; }

/* The thread waiting for typed input (its process's prompt is what echo
 * continues). */
static struct thread *first_reader(void)
{
    for_each_thread(q)
        if (q->proc->state == P_LIVE && q->blocked == B_CONSOLE_READ)
            return q;
    return NULL;
}

static void answer(struct thread *q, int64_t r)
{
    struct kine_msg m;
    reply_status(&m, r);
    q->blocked = B_NONE;
    reply_later(q->tid, &m);
}

/* Answer readers while records are queued. */
static void wake(void)
{
    struct thread *q;
    while (!lineq_empty(&tty.q) && (q = first_reader())) {
        char data[KINE_IPC_BUF_BYTES];
        struct kine_msg m;
        size_t n = lineq_get(&tty.q, data, q->block_bytes);
        console_read_done(q->proc->tid);
        reply_data(&m, (int64_t)n, data, n);
        q->blocked = B_NONE;
        reply_later(q->tid, &m);
    }
}

/* Without a driver nothing more can come: the readers get end of file. */
void tty_driver_gone(kine_tid_t driver)
{
    struct thread *q;
    if (driver != tty.driver)
        return;
    tty.driver = 0;
    pager_log("the console driver is gone: no more console input");
    wake();
    while ((q = first_reader()))
        answer(q, 0);
}

bool tty_read(struct thread *t, struct kine_msg *m, int fd, uint64_t max)
{
    if (max == 0)
        return reply_status(m, 0);
    if (max > KINE_IPC_BUF_BYTES)
        max = KINE_IPC_BUF_BYTES;
    if (lineq_empty(&tty.q) && (!tty.interactive || !tty.driver))
        return reply_status(m, 0);           /* nothing typed: end of file */
    t->blocked = B_CONSOLE_READ;
    t->block_fd = fd;
    t->block_bytes = max;
    wake();
    return false;
}

static bool interruptible(const struct proc *q)
{
    return q->state == P_LIVE && !q->driver && q->pid != INIT_PID && !q->ignore_intr;
}

/* Ctrl-C: what was typed goes; so does every interruptible process. */
static void interrupt(void)
{
    struct thread *q;
    lineq_clear(&tty.q);
    for (;;) {
        struct proc *victim = NULL;
        for_each_proc(c)
            if (interruptible(c))
                victim = victim ? victim : c;
        if (!victim)
            break;
        pager_log("interrupt: killed %s pid %d", victim->name, victim->pid);
        pg.stats.procs_killed++;
        proc_exit(victim, KINE_WSTATUS_SIGNALED(KINE_SIGINT));
    }
    while ((q = first_reader()))
        answer(q, -KINE_EINTR);
}

bool tty_input(struct proc *p, struct kine_msg *m, uint64_t words)
{
    static char data[KINE_IPC_BUF_BYTES];
    uint64_t echo = m->mr[0], n = m->mr[1], kind = m->mr[2];
    if (!tty.driver || p->tid != tty.driver)
        return reply_status(m, -KINE_EPERM);
    if (echo > KINE_IPC_BUF_BYTES || n > KINE_CONSOLE_LINE_MAX || echo + n > words * KINE_WORD_BYTES ||
        kind > KINE_CONSOLE_INTR || (n != 0) != (kind == KINE_CONSOLE_LINE))
        return reply_status(m, -KINE_EINVAL);
    memcpy(data, kine_ipcbuf(), echo + n);
    struct thread *reader = first_reader();
    console_echo(reader ? reader->proc->tid : 0, data, echo);
    int64_t queued = 0;
    if (kind == KINE_CONSOLE_LINE || kind == KINE_CONSOLE_EOF)
        queued = (int64_t)lineq_put(&tty.q, data + echo, n);
    else if (kind == KINE_CONSOLE_INTR)
        interrupt();
    wake();
    return reply_status(m, queued);
}

bool tty_setintr(struct proc *p, struct kine_msg *m)
{
    if (m->mr[0] != KINE_INTR_DEFAULT && m->mr[0] != KINE_INTR_IGNORE)
        return reply_status(m, -KINE_EINVAL);
    int64_t before = p->ignore_intr ? KINE_INTR_IGNORE : KINE_INTR_DEFAULT;
    p->ignore_intr = m->mr[0] == KINE_INTR_IGNORE;
    return reply_status(m, before);
}
