/* Pipes and file descriptors, kept in the pager.  The pager already knows
 * every process's birth (fork copies the descriptor table), death (exit
 * closes it) and how to defer a reply, which is all a blocking pipe needs;
 * a separate server would have to be told all three.  Data moves through
 * IPC buffers: a reader's libsys copies the reply into its own buffer in
 * user mode, so reading into a copy-on-write page is an ordinary fault.
 *
 * Descriptors 0-2 are the console (reads: tty.c); pipes take 3 and up.  A blocked read is
 * answered when data arrives or the last writer closes (0 = end of file).
 * A blocked write is answered with 0 ("try again") when room appears, or
 * -KINE_EPIPE when the last reader closes; libsys loops.
 *
 * A waiting process names the pipe object it waits on, and the pipe lives
 * as long as any descriptor refers to it, so a wait can never be matched
 * against a different pipe that happens to reuse memory or a slot. */
#include <stdlib.h>
#include <string.h>
#include "pager.h"

#define FIRST_PIPE_FD 3

void fds_init(struct proc *p)
{
    memset(p->fds, 0, sizeof(p->fds));
    for (int i = 0; i < FIRST_PIPE_FD; i++)
        p->fds[i].kind = FD_CONSOLE;
}

static void ref_end(const struct fd *fd, int delta)
{
    if (fd->kind == FD_PIPE_READ)
        fd->pipe->readers += (uint32_t)delta;
    else if (fd->kind == FD_PIPE_WRITE)
        fd->pipe->writers += (uint32_t)delta;
}

void fds_inherit(struct proc *child, const struct proc *parent)
{
    memcpy(child->fds, parent->fds, sizeof(child->fds));
    for (int i = 0; i < MAX_FDS; i++)
        ref_end(&child->fds[i], +1);
}

static struct fd *lookup(struct proc *p, uint64_t fd, enum fd_kind kind)
{
    if (fd >= MAX_FDS || p->fds[fd].kind != kind)
        return NULL;
    return &p->fds[fd];
}

/* Answer q if its wait on pp can now end; true if it was answered. */
static bool try_wake(struct thread *q, struct pipe *pp)
{
    struct kine_msg m;
    if (q->blocked == B_PIPE_READ && (pp->len || !pp->writers)) {
        uint8_t data[KINE_IPC_BUF_BYTES];
        uint64_t n = pp->len < q->block_bytes ? pp->len : q->block_bytes;
        for (uint64_t k = 0; k < n; k++)
            data[k] = (uint8_t)pp->buf[(pp->head + k) % PIPE_SIZE];
        pp->head = (uint32_t)((pp->head + n) % PIPE_SIZE);
        pp->len -= (uint32_t)n;
        reply_data(&m, (int64_t)n, data, n);
    } else if (q->blocked == B_PIPE_WRITE && (pp->len < PIPE_SIZE || !pp->readers)) {
        reply_status(&m, pp->readers ? 0 : -KINE_EPIPE);
    } else {
        return false;
    }
    q->blocked = B_NONE;
    q->block_pipe = NULL;
    reply_later(q->tid, &m);
    return true;
}

/* Answer everyone blocked on pp that can make progress.  A read can make
 * room for a writer met earlier in the pass (and a write data for a
 * reader), so pass again until a pass changes nothing. */
static void wake(struct pipe *pp)
{
    bool progress;
    do {
        progress = false;
        for_each_thread(q)
            if (q->proc->state == P_LIVE && q->block_pipe == pp && try_wake(q, pp))
                progress = true;
    } while (progress);
}

static void close_fd(struct proc *p, int fd)
{
    struct fd *d = &p->fds[fd];
    for (struct thread *t = &p->main; t; t = t->next) {
        if ((t->block_pipe || t->blocked == B_CONSOLE_READ) && t->block_fd == fd) {
            /* a wait through this descriptor (by any thread) ends with it */
            struct kine_msg m;
            t->blocked = B_NONE;
            t->block_pipe = NULL;
            reply_status(&m, -KINE_EBADF);
            reply_later(t->tid, &m);
        }
    }
    if (d->kind == FD_PIPE_READ || d->kind == FD_PIPE_WRITE) {
        struct pipe *pp = d->pipe;
        ref_end(d, -1);
        if (!pp->readers && !pp->writers)
            free(pp);                /* no descriptor, so no waiter, is left */
        else
            wake(pp);
    }
    d->kind = FD_NONE;
    d->pipe = NULL;
}

void fds_close_all(struct proc *p)
{
    for (int i = 0; i < MAX_FDS; i++)
        close_fd(p, i);
}

bool pipe_create(struct proc *p, struct kine_msg *m)
{
    int rfd = -1, wfd = -1;
    for (int i = FIRST_PIPE_FD; i < MAX_FDS; i++)
        if (p->fds[i].kind == FD_NONE) {
            if (rfd < 0)
                rfd = i;
            else if (wfd < 0)
                wfd = i;
        }
    if (wfd < 0)
        return reply_status(m, -KINE_EMFILE);
    struct pipe *pp = calloc(1, sizeof(*pp));
    if (!pp)
        return reply_status(m, -KINE_ENOMEM);
    pp->readers = pp->writers = 1;
    p->fds[rfd] = (struct fd){ FD_PIPE_READ, pp };
    p->fds[wfd] = (struct fd){ FD_PIPE_WRITE, pp };
    reply_status(m, 0);
    m->mr[1] = (uint64_t)rfd;
    m->mr[2] = (uint64_t)wfd;
    return true;
}

/* Block t on pp through fd; whoever can be answered now is. */
static void block(struct thread *t, enum blocked_on why, int fd, struct pipe *pp)
{
    t->blocked = why;
    t->block_fd = fd;
    t->block_pipe = pp;
    wake(pp);
}

bool pipe_read(struct thread *t, struct kine_msg *m)
{
    struct proc *p = t->proc;
    uint64_t fd = m->mr[0], max = m->mr[1];
    if (fd < MAX_FDS && p->fds[fd].kind == FD_CONSOLE)
        return tty_read(t, m, (int)fd, max);
    struct fd *d = lookup(p, fd, FD_PIPE_READ);
    if (!d)
        return reply_status(m, -KINE_EBADF);
    if (max == 0)
        return reply_status(m, 0);
    t->block_bytes = max < KINE_IPC_BUF_BYTES ? max : KINE_IPC_BUF_BYTES;
    block(t, B_PIPE_READ, (int)fd, d->pipe);
    return false;
}

bool pipe_write(struct thread *t, struct kine_msg *m, uint64_t words)
{
    struct proc *p = t->proc;
    static char data[KINE_IPC_BUF_BYTES];
    uint64_t fd = m->mr[0], n = m->mr[1];
    if (n > words * 8)
        return reply_status(m, -KINE_EINVAL);
    memcpy(data, kine_ipcbuf(), n);
    if (fd < MAX_FDS && p->fds[fd].kind == FD_CONSOLE) {
        console_client_write(p, data, n);
        return reply_status(m, (int64_t)n);
    }
    struct fd *d = lookup(p, fd, FD_PIPE_WRITE);
    if (!d)
        return reply_status(m, -KINE_EBADF);
    struct pipe *pp = d->pipe;
    if (!pp->readers)
        return reply_status(m, -KINE_EPIPE);
    uint64_t room = PIPE_SIZE - pp->len, k = n < room ? n : room;
    for (uint64_t i = 0; i < k; i++)
        pp->buf[(pp->head + pp->len + i) % PIPE_SIZE] = data[i];
    pp->len += (uint32_t)k;
    if (k)
        wake(pp);
    if (k || n == 0)
        return reply_status(m, (int64_t)k);
    block(t, B_PIPE_WRITE, (int)fd, pp);     /* full: answer 0 when room appears */
    return false;
}

bool fd_dup(struct proc *p, struct kine_msg *m)
{
    uint64_t old = m->mr[0];
    int64_t new = (int64_t)m->mr[1];
    if (old >= MAX_FDS || p->fds[old].kind == FD_NONE || new < -1 || new >= MAX_FDS)
        return reply_status(m, -KINE_EBADF);
    if (new == -1) {
        while (++new < MAX_FDS && p->fds[new].kind != FD_NONE)
            ;
        if (new == MAX_FDS)
            return reply_status(m, -KINE_EMFILE);
    }
    if ((uint64_t)new != old) {
        close_fd(p, (int)new);
        p->fds[new] = p->fds[old];
        ref_end(&p->fds[new], +1);
    }
    return reply_status(m, new);
}

bool fd_close(struct proc *p, struct kine_msg *m)
{
    uint64_t fd = m->mr[0];
    if (fd >= MAX_FDS || p->fds[fd].kind == FD_NONE)
        return reply_status(m, -KINE_EBADF);
    close_fd(p, (int)fd);
    return reply_status(m, 0);
}
