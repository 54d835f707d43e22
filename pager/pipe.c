/* Pipes and file descriptors, kept in the pager.  The pager already knows
 * every process's birth (fork copies the descriptor table), death (exit
 * closes it) and how to defer a reply, which is all a blocking pipe needs;
 * a separate server would have to be told all three.  Data moves through
 * IPC buffers: a reader's libsys copies the reply into its own buffer in
 * user mode, so reading into a copy-on-write page is an ordinary fault.
 *
 * Descriptors 0-2 are the console; pipes take 3 and up.  A blocked read is
 * answered when data arrives or the last writer closes (0 = end of file).
 * A blocked write is answered with 0 ("try again") when room appears, or
 * -KINE_EPIPE when the last reader closes; libsys loops. */
#include <string.h>
#include "pager.h"

#define FIRST_PIPE_FD 3
#define IPC_BYTES (KINE_IPC_BUF_WORDS * 8)

void fds_init(struct proc *p)
{
    memset(p->fds, 0, sizeof(p->fds));
    for (int i = 0; i < FIRST_PIPE_FD; i++)
        p->fds[i].kind = FD_CONSOLE;
}

static void ref_end(const struct fd *fd, int delta)
{
    struct pipe *pp = &pg.pipes[fd->pipe];
    if (fd->kind == FD_PIPE_READ)
        pp->readers += (uint32_t)delta;
    else if (fd->kind == FD_PIPE_WRITE)
        pp->writers += (uint32_t)delta;
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

/* Answer every process blocked on pipe `idx` that can now make progress. */
static void wake(unsigned idx)
{
    struct pipe *pp = &pg.pipes[idx];
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &pg.procs[i];
        if (q->state != P_LIVE || q->fds[q->block_fd].pipe != idx)
            continue;
        struct kine_msg m = { 0 };
        if (q->blocked == B_PIPE_READ && (pp->len || !pp->writers)) {
            uint64_t n = pp->len < q->block_bytes ? pp->len : q->block_bytes;
            uint8_t *out = (uint8_t *)kine_ipcbuf();
            for (uint64_t k = 0; k < n; k++)
                out[k] = (uint8_t)pp->buf[(pp->head + k) % PIPE_SIZE];
            pp->head = (uint32_t)((pp->head + n) % PIPE_SIZE);
            pp->len -= (uint32_t)n;
            m.tag = kine_tag(0, (n + 7) / 8);
            m.mr[0] = n;
            q->blocked = B_NONE;
            kine_reply(q->tid, &m);
        } else if (q->blocked == B_PIPE_WRITE && (pp->len < PIPE_SIZE || !pp->readers)) {
            m.mr[0] = pp->readers ? 0 : (uint64_t)-KINE_EPIPE;
            q->blocked = B_NONE;
            kine_reply(q->tid, &m);
        }
    }
}

static void close_fd(struct proc *p, int fd)
{
    struct fd *d = &p->fds[fd];
    if (d->kind == FD_PIPE_READ || d->kind == FD_PIPE_WRITE) {
        unsigned idx = d->pipe;
        ref_end(d, -1);
        d->kind = FD_NONE;
        struct pipe *pp = &pg.pipes[idx];
        if (!pp->readers && !pp->writers)
            pp->used = false;
        else
            wake(idx);
    }
    d->kind = FD_NONE;
}

void fds_close_all(struct proc *p)
{
    for (int i = 0; i < MAX_FDS; i++)
        close_fd(p, i);
}

static bool reply(struct kine_msg *m, int64_t r)
{
    m->tag = 0;
    m->mr[0] = (uint64_t)r;
    return true;
}

bool pipe_create(struct proc *p, struct kine_msg *m)
{
    int rfd = -1, wfd = -1;
    unsigned idx = 0;
    for (int i = FIRST_PIPE_FD; i < MAX_FDS; i++)
        if (p->fds[i].kind == FD_NONE) {
            if (rfd < 0)
                rfd = i;
            else if (wfd < 0)
                wfd = i;
        }
    if (wfd < 0)
        return reply(m, -KINE_EMFILE);
    while (idx < MAX_PIPES && pg.pipes[idx].used)
        idx++;
    if (idx == MAX_PIPES)
        return reply(m, -KINE_ENOMEM);
    struct pipe *pp = &pg.pipes[idx];
    memset(pp, 0, sizeof(*pp));
    pp->used = true;
    pp->readers = pp->writers = 1;
    p->fds[rfd] = (struct fd){ FD_PIPE_READ, (uint8_t)idx };
    p->fds[wfd] = (struct fd){ FD_PIPE_WRITE, (uint8_t)idx };
    reply(m, 0);
    m->mr[1] = (uint64_t)rfd;
    m->mr[2] = (uint64_t)wfd;
    return true;
}

bool pipe_read(struct proc *p, struct kine_msg *m)
{
    uint64_t fd = m->mr[0], max = m->mr[1];
    if (fd < FIRST_PIPE_FD && fd < MAX_FDS && p->fds[fd].kind == FD_CONSOLE)
        return reply(m, 0);                  /* no console input: end of file */
    if (!lookup(p, fd, FD_PIPE_READ))
        return reply(m, -KINE_EBADF);
    if (max == 0)
        return reply(m, 0);
    p->blocked = B_PIPE_READ;
    p->block_fd = (int)fd;
    p->block_bytes = max < IPC_BYTES ? max : IPC_BYTES;
    wake(p->fds[fd].pipe);                   /* answers at once if it can */
    return false;
}

bool pipe_write(struct proc *p, struct kine_msg *m, uint64_t words)
{
    static char data[IPC_BYTES];
    uint64_t fd = m->mr[0], n = m->mr[1];
    if (n > words * 8)
        return reply(m, -KINE_EINVAL);
    memcpy(data, kine_ipcbuf(), n);
    if (fd < MAX_FDS && p->fds[fd].kind == FD_CONSOLE) {
        console_client_write(p, data, n);
        return reply(m, (int64_t)n);
    }
    struct fd *d = lookup(p, fd, FD_PIPE_WRITE);
    if (!d)
        return reply(m, -KINE_EBADF);
    struct pipe *pp = &pg.pipes[d->pipe];
    if (!pp->readers)
        return reply(m, -KINE_EPIPE);
    uint64_t room = PIPE_SIZE - pp->len, k = n < room ? n : room;
    for (uint64_t i = 0; i < k; i++)
        pp->buf[(pp->head + pp->len + i) % PIPE_SIZE] = data[i];
    pp->len += (uint32_t)k;
    if (k)
        wake(d->pipe);
    if (k || n == 0)
        return reply(m, (int64_t)k);
    p->blocked = B_PIPE_WRITE;               /* full: answer 0 when room appears */
    p->block_fd = (int)fd;
    return false;
}

bool fd_close(struct proc *p, struct kine_msg *m)
{
    uint64_t fd = m->mr[0];
    if (fd >= MAX_FDS || p->fds[fd].kind == FD_NONE)
        return reply(m, -KINE_EBADF);
    close_fd(p, (int)fd);
    return reply(m, 0);
}
